"""Head office: ho_record's indexes made cheaper for the import to write (issue 9).

Each imported record costs an insert into every index of ho_record, which was most of the
database's work in an import (a profile of a million records: 52% btree inserts). Three change,
each measured on a COPY of 336,000 return lines (the database's CPU time, median of 3):

- ``horecord_kind_parent`` (a btree on ``(kind, parent)``) held every record, a third of which
  have no parent (returns, customers, cases...: ``parent = ''``). It becomes ``horecord_parent``,
  over the rows ``WHERE parent <> ''`` only: on PostgreSQL a hash index on ``parent`` (its one
  reader, ``ho_reports._by_child``, looks a record's children up by an equality with their
  parent's uuid, and names ``parent <> ''`` so the planner may use the partial index), on SQLite
  a btree on ``(kind, parent)`` as before. 3.9 s -> 3.35 s.
- The unique ``(store_id, kind, uuid)`` becomes ``(store_id, uuid, kind)``: the same rule (one
  record per store, kind and uuid), and every reader names all three columns; with the uuid
  second, a comparison is decided by the uuid, which sits at a fixed place in the index entry,
  instead of comparing the kind first and then finding the uuid after it. 2.95 s -> 2.8 s.
- ``horecord_bundle_id`` goes: nothing reads records by their bundle but the check that refuses
  to delete a bundle that records name (migration 0016's trigger, and SQLite's foreign key),
  and Desk never deletes a bundle; that check now reads the table. All its entries were one of
  a few values, the costliest kind of btree insert. 2.95 s -> 2.7 s.

ho_record is not an exported table: plain DROP/CREATE INDEX, no rebuild, no triggers.
"""
from playhouse.migrate import SqliteMigrator


def up(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS "horecord_kind_parent"')
    if isinstance(migrator, SqliteMigrator):
        db.execute_sql('CREATE INDEX "horecord_parent" ON "ho_record" ("kind", "parent") WHERE "parent" <> \'\'')
    else:
        db.execute_sql('CREATE INDEX "horecord_parent" ON "ho_record" USING hash ("parent") WHERE "parent" <> \'\'')
    db.execute_sql('CREATE UNIQUE INDEX "horecord_store_id_uuid_kind" ON "ho_record" ("store_id", "uuid", "kind")')
    db.execute_sql('DROP INDEX IF EXISTS "horecord_store_id_kind_uuid"')
    db.execute_sql('DROP INDEX IF EXISTS "horecord_bundle_id"')


def down(migrator, db):
    db.execute_sql('CREATE INDEX "horecord_bundle_id" ON "ho_record" ("bundle_id")')
    db.execute_sql('CREATE UNIQUE INDEX "horecord_store_id_kind_uuid" ON "ho_record" ("store_id", "kind", "uuid")')
    db.execute_sql('DROP INDEX IF EXISTS "horecord_store_id_uuid_kind"')
    db.execute_sql('DROP INDEX IF EXISTS "horecord_parent"')
    db.execute_sql('CREATE INDEX "horecord_kind_parent" ON "ho_record" ("kind", "parent")')
