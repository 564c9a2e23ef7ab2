"""Head office: ho_record made cheaper to import into (issue 9).

- Drop the two indexes that others cover: ``horecord_store_id`` (the unique ``(store_id, kind,
  uuid)`` index starts with store_id) and ``horecord_at`` (every report reads one kind over a
  period, which ``(kind, at)`` serves). Each cost every imported record an index insert.
- PostgreSQL: the two foreign keys of ho_record (to ho_store and ho_bundle, RESTRICT) are
  checked once a statement instead of once a row. A foreign key's check is a query per row
  (about a quarter of the database's work in an import of a million records, where every row
  names the same store and bundle); the statement-level trigger checks the distinct pairs the
  statement wrote, and locks those parents FOR KEY SHARE as the foreign key's check does, and
  the parents' triggers refuse to delete (or renumber) a store or a bundle that records name.
  Same guarantee, same error class (foreign_key_violation). SQLite keeps its foreign keys.

No table is rebuilt, so no export trigger needs recreating.
"""
from playhouse.migrate import SqliteMigrator

PG_UP = [
    'ALTER TABLE ho_record DROP CONSTRAINT IF EXISTS ho_record_store_id_fkey',
    'ALTER TABLE ho_record DROP CONSTRAINT IF EXISTS ho_record_bundle_id_fkey',
    """
CREATE OR REPLACE FUNCTION desk_ho_record_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  PERFORM 1 FROM ho_store s WHERE s.id IN (SELECT store_id FROM desk_new) FOR KEY SHARE OF s;
  PERFORM 1 FROM ho_bundle b WHERE b.id IN (SELECT bundle_id FROM desk_new) FOR KEY SHARE OF b;
  SELECT n.store_id, n.bundle_id INTO bad FROM (SELECT DISTINCT store_id, bundle_id FROM desk_new) n
   WHERE NOT EXISTS (SELECT 1 FROM ho_store s WHERE s.id = n.store_id)
      OR NOT EXISTS (SELECT 1 FROM ho_bundle b WHERE b.id = n.bundle_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = 'insert or update on table "ho_record" '
      || 'names store ' || bad.store_id || ' and bundle ' || bad.bundle_id || ', and one of them does not exist';
  END IF;
  RETURN NULL;
END $$
""",
    'CREATE TRIGGER desk_ho_record_refs_ins AFTER INSERT ON ho_record REFERENCING NEW TABLE AS desk_new '
    'FOR EACH STATEMENT EXECUTE FUNCTION desk_ho_record_refs()',
    'CREATE TRIGGER desk_ho_record_refs_upd AFTER UPDATE ON ho_record REFERENCING NEW TABLE AS desk_new '
    'FOR EACH STATEMENT EXECUTE FUNCTION desk_ho_record_refs()',
    """
CREATE OR REPLACE FUNCTION desk_ho_record_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_TABLE_NAME = 'ho_store' AND EXISTS (SELECT 1 FROM ho_record WHERE store_id = OLD.id))
     OR (TG_TABLE_NAME = 'ho_bundle' AND EXISTS (SELECT 1 FROM ho_record WHERE bundle_id = OLD.id)) THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = 'update or delete on table "'
      || TG_TABLE_NAME || '" violates the references of "ho_record": records name ' || TG_TABLE_NAME || ' ' || OLD.id;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$
""",
]
for _parent in ('ho_store', 'ho_bundle'):
    PG_UP += [
        f'CREATE TRIGGER desk_{_parent}_restrict_del BEFORE DELETE ON {_parent} '
        'FOR EACH ROW EXECUTE FUNCTION desk_ho_record_parent()',
        f'CREATE TRIGGER desk_{_parent}_restrict_upd BEFORE UPDATE OF id ON {_parent} '
        'FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION desk_ho_record_parent()',
    ]

PG_DOWN = [
    'DROP TRIGGER IF EXISTS desk_ho_record_refs_ins ON ho_record',
    'DROP TRIGGER IF EXISTS desk_ho_record_refs_upd ON ho_record',
    'DROP TRIGGER IF EXISTS desk_ho_store_restrict_del ON ho_store',
    'DROP TRIGGER IF EXISTS desk_ho_store_restrict_upd ON ho_store',
    'DROP TRIGGER IF EXISTS desk_ho_bundle_restrict_del ON ho_bundle',
    'DROP TRIGGER IF EXISTS desk_ho_bundle_restrict_upd ON ho_bundle',
    'DROP FUNCTION IF EXISTS desk_ho_record_refs()',
    'DROP FUNCTION IF EXISTS desk_ho_record_parent()',
    'ALTER TABLE ho_record ADD CONSTRAINT ho_record_store_id_fkey FOREIGN KEY (store_id) REFERENCES ho_store (id) '
    'ON DELETE RESTRICT',
    'ALTER TABLE ho_record ADD CONSTRAINT ho_record_bundle_id_fkey FOREIGN KEY (bundle_id) REFERENCES ho_bundle (id) '
    'ON DELETE RESTRICT',
]


def up(migrator, db):
    db.execute_sql('DROP INDEX IF EXISTS horecord_store_id')
    db.execute_sql('DROP INDEX IF EXISTS horecord_at')
    if not isinstance(migrator, SqliteMigrator):
        for sql in PG_UP:
            db.execute_sql(sql)


def down(migrator, db):
    if not isinstance(migrator, SqliteMigrator):
        for sql in PG_DOWN:
            db.execute_sql(sql)
    db.execute_sql('CREATE INDEX IF NOT EXISTS horecord_store_id ON ho_record (store_id)')
    db.execute_sql('CREATE INDEX IF NOT EXISTS horecord_at ON ho_record ("at")')
