"""Head office: ho_record's key columns compared byte by byte, and its reference check in one pass (issue 9).

- PostgreSQL: ``ho_record.kind``, ``uuid`` and ``parent`` take the collation "C". They are
  machine identifiers (a kind's name, a canonical lower-case uuid or nothing) that no one reads
  in alphabetical order; the unique ``(store_id, kind, uuid)`` index and ``(kind, parent)`` are
  built over them, and with the database's collation (a libc locale, C.UTF-8 or en_US...) every
  comparison of an index insert or lookup goes through the locale's strcoll, where "C" is a
  memcmp. Equality (every lookup and join: ``uuid = parent``) is the same either way, and so is
  the order of these values (ASCII letters, digits and '-'); a join with a column of the
  database's own collation takes "C" (the default collation gives way). The two indexes are
  rebuilt; the table is not (the type stays varchar).
- PostgreSQL: the statement-level check of ho_record's two references (migration 0016) reads the
  statement's new rows once, not three times: the distinct (store, bundle) pairs first, then
  the parents locked FOR KEY SHARE and checked from those few pairs. Same locks, same error.

SQLite compares text with memcmp already (BINARY) and keeps its foreign keys: nothing to do.
No table is rebuilt, so no export trigger needs recreating.
"""
import importlib

from playhouse.migrate import SqliteMigrator

_REFS = """
CREATE OR REPLACE FUNCTION desk_ho_record_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  stores bigint[];
  bundles bigint[];
  bad record;
BEGIN
  SELECT array_agg(n.store_id), array_agg(n.bundle_id) INTO stores, bundles
    FROM (SELECT DISTINCT store_id, bundle_id FROM desk_new) n;
  PERFORM 1 FROM ho_store s WHERE s.id = ANY (stores) FOR KEY SHARE OF s;
  PERFORM 1 FROM ho_bundle b WHERE b.id = ANY (bundles) FOR KEY SHARE OF b;
  SELECT p.store_id, p.bundle_id INTO bad FROM unnest(stores, bundles) AS p(store_id, bundle_id)
   WHERE NOT EXISTS (SELECT 1 FROM ho_store s WHERE s.id = p.store_id)
      OR NOT EXISTS (SELECT 1 FROM ho_bundle b WHERE b.id = p.bundle_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = 'insert or update on table "ho_record" '
      || 'names store ' || bad.store_id || ' and bundle ' || bad.bundle_id || ', and one of them does not exist';
  END IF;
  RETURN NULL;
END $$
"""

# as migration 0016 wrote it (its PG_UP's third statement), for down()
_0016 = importlib.import_module("desk.models.migrations.0016_ho_record_import")
_REFS_0016 = _0016.PG_UP[2]

_COLUMNS = (("kind", 24), ("uuid", 36), ("parent", 36))


def up(migrator, db):
    if isinstance(migrator, SqliteMigrator):
        return
    for column, size in _COLUMNS:
        db.execute_sql(f'ALTER TABLE ho_record ALTER COLUMN "{column}" TYPE varchar({size}) COLLATE "C"')
    db.execute_sql(_REFS)


def down(migrator, db):
    if isinstance(migrator, SqliteMigrator):
        return
    db.execute_sql(_REFS_0016)
    for column, size in _COLUMNS:
        db.execute_sql(f'ALTER TABLE ho_record ALTER COLUMN "{column}" TYPE varchar({size}) COLLATE "default"')
