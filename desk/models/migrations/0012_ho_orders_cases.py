"""Head office: special orders and cases travel too. Their tables get the ``version`` column and
the change-log triggers of migration 0011 (the trigger function ``desk_track_change`` on
PostgreSQL exists already), so a status change goes out again in the next bundle.

Case categories do not travel: a case carries its category's name.
"""
import importlib

from playhouse.migrate import SqliteMigrator

TRACKED = ['special_order', 'special_order_line', 'order_event', 'contact_attempt', 'order_tender',
           'case', 'case_note', 'case_event', 'follow_up', 'contact_log']

_0011 = importlib.import_module('desk.models.migrations.0011_head_office')


def up(migrator, db):
    sqlite = isinstance(migrator, SqliteMigrator)
    for t in TRACKED:
        db.execute_sql(f'ALTER TABLE "{t}" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1')
    if sqlite:
        for table in TRACKED:
            for sql in _0011._sqlite_triggers(table):
                db.execute_sql(sql)
    else:
        db.execute_sql(_0011.PG_FUNCTION)
        for table in TRACKED:
            db.execute_sql(f'CREATE TRIGGER desk_chg_{table} BEFORE INSERT OR UPDATE ON "{table}" '
                           'FOR EACH ROW EXECUTE FUNCTION desk_track_change()')


def down(migrator, db):
    sqlite = isinstance(migrator, SqliteMigrator)
    for table in TRACKED:
        if sqlite:
            db.execute_sql(f'DROP TRIGGER IF EXISTS desk_chg_{table}_ins')
            db.execute_sql(f'DROP TRIGGER IF EXISTS desk_chg_{table}_upd')
        else:
            db.execute_sql(f'DROP TRIGGER IF EXISTS desk_chg_{table} ON "{table}"')
    db.execute_sql("DELETE FROM change_log WHERE tbl IN (%s)" % ", ".join(f"'{t}'" for t in TRACKED))
    migrator.migrate(*[migrator.drop_column(t, 'version') for t in TRACKED])
