"""Head office: drop the two indexes of ho_record that others cover (issue 9's import speed).

- ``horecord_store_id`` (the foreign key's index): the unique ``(store_id, kind, uuid)`` index
  starts with store_id, so it serves the foreign key's checks and any lookup by store;
- ``horecord_at``: every report reads one kind over a period, which ``(kind, at)`` serves.

Each index costs every imported record an index insert. No table is rebuilt, so no trigger
needs recreating.
"""


def up(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS horecord_store_id')
    db.execute_sql('DROP INDEX IF EXISTS horecord_at')


def down(migrator, db):
    db.execute_sql('CREATE INDEX IF NOT EXISTS horecord_store_id ON ho_record (store_id)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS horecord_at ON ho_record ("at")')
