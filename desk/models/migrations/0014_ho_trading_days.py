"""Head office: each registered store's trading calendar, the weekdays it does not trade and the
dates it is closed, so coverage shows those days closed instead of missing.

ho_store is head office's own table (it is not exported, has no change-log triggers): adding a
column is a plain ALTER TABLE on both databases, no rebuild.
"""
from peewee import *


def up(migrator, db):
    db.execute_sql('ALTER TABLE "ho_store" ADD COLUMN "closed_weekdays" VARCHAR(32) NOT NULL DEFAULT \'\'')

    class HoStore(Model):
        class Meta:
            database = db
            table_name = 'ho_store'

    class HoClosedDay(Model):
        store = ForeignKeyField(HoStore, on_delete='CASCADE')
        day = DateField()

        class Meta:
            database = db
            table_name = 'ho_closed_day'
            indexes = ((('store', 'day'), True),)

    db.create_tables([HoClosedDay])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "ho_closed_day"')
    migrator.migrate(migrator.drop_column('ho_store', 'closed_weekdays'))
