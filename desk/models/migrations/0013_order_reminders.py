"""Special orders: the day the reminder clock counts from (``special_order.remind_from``).

A reminder falls due ``orders.reminder_days`` after the goods arrived, then that many days after
each reminder (a telling on or after the day it fell due); see ``desk.services.orders``. The
column is nullable, so ALTER TABLE ADD COLUMN rebuilds nothing and the change-log triggers of
migrations 0011/0012 stay as they are on SQLite.

Orders already waiting for their customer keep the clock they had: it counts from the last time
the customer was told, or from the arrival when they have not been told yet.
"""
import datetime as dt

from peewee import DateField


def _local_day(value):
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc).astimezone().date()


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('special_order', 'remind_from', DateField(null=True)),
        migrator.add_index('special_order', ('remind_from',), False),
    )
    rows = db.execute_sql("SELECT id, arrived_at, contacted_at FROM special_order "
                          "WHERE status IN ('arrived', 'contacted') AND arrived_at IS NOT NULL").fetchall()
    for oid, arrived_at, contacted_at in rows:
        db.execute_sql("UPDATE special_order SET remind_from = %s WHERE id = %s" % (db.param, db.param),
                       (_local_day(contacted_at or arrived_at), oid))


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('special_order', 'special_order_remind_from'),
        migrator.drop_column('special_order', 'remind_from'),
    )
