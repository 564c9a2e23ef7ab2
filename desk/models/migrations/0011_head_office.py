"""Head office: versions and a change log for the exportable tables, the store's export
bundles, and head office's registered stores, bundles and imported records.

Every insert or update of an exportable table writes a change_log row and bumps the row's
version from a trigger, in the same transaction, whatever code made the change. A later
migration that adds an exportable table adds its column and triggers the same way
(PostgreSQL: CREATE TRIGGER ... EXECUTE FUNCTION desk_track_change(); SQLite: the two
triggers of _sqlite_triggers).

Frozen copies of the models as they were; money is BIGINT minor units.
"""
from peewee import *
from playhouse.migrate import SqliteMigrator

TRACKED = ['return', 'return_line', 'refund_tender', 'voucher', 'voucher_entry', 'approval',
           'exchange', 'exchange_tender']


def _sqlite_triggers(table):
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    return [
        f'CREATE TRIGGER desk_chg_{table}_ins AFTER INSERT ON "{table}" BEGIN '
        f"INSERT INTO change_log (tbl, row_id, at) VALUES ('{table}', NEW.id, {now}); END",
        # recursive_triggers is off: the trigger's own UPDATE does not fire it again
        f'CREATE TRIGGER desk_chg_{table}_upd AFTER UPDATE ON "{table}" BEGIN '
        f'UPDATE "{table}" SET version = OLD.version + 1 WHERE id = NEW.id; '
        f"INSERT INTO change_log (tbl, row_id, at) VALUES ('{table}', NEW.id, {now}); END",
    ]


PG_FUNCTION = """
CREATE OR REPLACE FUNCTION desk_track_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    NEW.version := OLD.version + 1;
  END IF;
  INSERT INTO change_log (tbl, row_id, at) VALUES (TG_TABLE_NAME, NEW.id, now() AT TIME ZONE 'utc');
  RETURN NEW;
END $$
"""

PG_CUSTOMER_FUNCTION = """
CREATE OR REPLACE FUNCTION desk_customer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.name, NEW.email, NEW.phone) IS DISTINCT FROM (OLD.name, OLD.email, OLD.phone) THEN
    NEW.version := OLD.version + 1;
  END IF;
  RETURN NEW;
END $$
"""

SQLITE_CUSTOMER = (
    'CREATE TRIGGER desk_customer_version AFTER UPDATE OF name, email, phone ON customer '
    'WHEN OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email OR OLD.phone IS NOT NEW.phone BEGIN '
    'UPDATE customer SET version = OLD.version + 1 WHERE id = NEW.id; END'
)


def up(migrator, db):
    sqlite = isinstance(migrator, SqliteMigrator)
    # Plain SQL on both: a database default (inserts that name their columns, such as the sales
    # import's, need it) and no table rebuild on SQLite.
    for t in TRACKED + ['customer']:
        db.execute_sql(f'ALTER TABLE "{t}" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1')

    class ChangeLog(Model):
        id = BigAutoField()
        tbl = CharField(max_length=40)
        row_id = BigIntegerField()
        at = DateTimeField()
        bundle_no = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'change_log'

    class ExportBundle(Model):
        number = IntegerField(unique=True)
        mode = CharField(max_length=12)
        period_from = DateTimeField()
        period_to = DateTimeField()
        created_at = DateTimeField()
        staff_code = CharField(max_length=16, default='')
        audit_seq_to = BigIntegerField(default=0)
        counts = TextField(default='{}')
        file_name = CharField(max_length=200)
        manifest_sha256 = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'export_bundle'

    class HoStore(Model):
        code = CharField(max_length=16, unique=True)
        name = CharField(max_length=120)
        key = CharField(max_length=64)
        registered_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ho_store'

    class HoBundle(Model):
        store = ForeignKeyField(HoStore, null=True, on_delete='RESTRICT')
        store_code = CharField(max_length=16, default='')
        number = IntegerField(null=True)
        period_from = DateTimeField(null=True)
        period_to = DateTimeField(null=True)
        status = CharField(max_length=12)
        reason = TextField(default='')
        file_name = CharField(max_length=255, default='')
        file_sha256 = CharField(max_length=64, default='')
        manifest_sha256 = CharField(max_length=64, default='')
        counts = TextField(default='{}')
        added = IntegerField(default=0)
        replaced = IntegerField(default=0)
        unchanged = IntegerField(default=0)
        conflicts = IntegerField(default=0)
        app_version = CharField(max_length=32, default='')
        schema = CharField(max_length=64, default='')
        audit_head_seq = BigIntegerField(null=True)
        audit_head_hash = CharField(max_length=64, default='')
        received_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ho_bundle'
            indexes = ((('store', 'number'), False),)

    class HoRecord(Model):
        store = ForeignKeyField(HoStore, on_delete='RESTRICT')
        kind = CharField(max_length=24)
        uuid = CharField(max_length=36)
        version = IntegerField()
        sha256 = CharField(max_length=64)
        bundle = ForeignKeyField(HoBundle, on_delete='RESTRICT')
        data = TextField()
        at = DateTimeField(null=True, index=True)
        amount = BigIntegerField(null=True)
        currency = CharField(max_length=3, default='')
        status = CharField(max_length=16, default='')
        label = CharField(max_length=80, default='')
        detail = CharField(max_length=32, default='')
        clerk = CharField(max_length=16, default='')
        parent = CharField(max_length=36, default='')
        flag = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'ho_record'
            indexes = ((('store', 'kind', 'uuid'), True), (('kind', 'at'), False), (('kind', 'parent'), False))

    class HoConflict(Model):
        store = ForeignKeyField(HoStore, on_delete='RESTRICT')
        bundle = ForeignKeyField(HoBundle, on_delete='RESTRICT')
        kind = CharField(max_length=24)
        uuid = CharField(max_length=36)
        version = IntegerField()
        kept_sha256 = CharField(max_length=64)
        offered_sha256 = CharField(max_length=64)
        offered = TextField()
        found_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ho_conflict'

    db.create_tables([ChangeLog, ExportBundle, HoStore, HoBundle, HoRecord, HoConflict])
    # The rows no bundle has carried yet: what the next export reads.
    db.execute_sql('CREATE INDEX change_log_pending ON change_log (tbl, row_id) WHERE bundle_no IS NULL')
    db.execute_sql('CREATE INDEX change_log_at ON change_log (at)')
    if sqlite:
        for table in TRACKED:
            for sql in _sqlite_triggers(table):
                db.execute_sql(sql)
        db.execute_sql(SQLITE_CUSTOMER)
    else:
        db.execute_sql(PG_FUNCTION)
        for table in TRACKED:
            db.execute_sql(f'CREATE TRIGGER desk_chg_{table} BEFORE INSERT OR UPDATE ON "{table}" '
                           'FOR EACH ROW EXECUTE FUNCTION desk_track_change()')
        db.execute_sql(PG_CUSTOMER_FUNCTION)
        db.execute_sql('CREATE TRIGGER desk_customer_version BEFORE UPDATE ON customer '
                       'FOR EACH ROW EXECUTE FUNCTION desk_customer_version()')


def down(migrator, db):
    sqlite = isinstance(migrator, SqliteMigrator)
    if sqlite:
        for table in TRACKED:
            db.execute_sql(f'DROP TRIGGER IF EXISTS desk_chg_{table}_ins')
            db.execute_sql(f'DROP TRIGGER IF EXISTS desk_chg_{table}_upd')
        db.execute_sql('DROP TRIGGER IF EXISTS desk_customer_version')
    else:
        for table in TRACKED:
            db.execute_sql(f'DROP TRIGGER IF EXISTS desk_chg_{table} ON "{table}"')
        db.execute_sql('DROP TRIGGER IF EXISTS desk_customer_version ON customer')
        db.execute_sql('DROP FUNCTION IF EXISTS desk_track_change()')
        db.execute_sql('DROP FUNCTION IF EXISTS desk_customer_version()')
    for t in ['ho_conflict', 'ho_record', 'ho_bundle', 'ho_store', 'export_bundle', 'change_log']:
        migrator.migrate(migrator.drop_table(t))
    migrator.migrate(*[migrator.drop_column(t, 'version') for t in TRACKED + ['customer']])
