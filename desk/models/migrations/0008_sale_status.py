"""A sale's status: completed, or voided (an exchange's replacement sale when the exchange is
voided), with when, by whom and why.

The status column gets a database default so that the bulk inserts of the tills' files, which
never name it, keep working; every sale already stored is completed. ALTER TABLE ADD COLUMN
with a constant default rewrites nothing on either database, however long the ledger.

Frozen copies of the models as they were.
"""
from peewee import *


def up(migrator, db):
    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    migrator.migrate(
        migrator.add_column('sale', 'status', CharField(max_length=12, default='completed',
                                                        constraints=[SQL("DEFAULT 'completed'")]), allow_not_null=True),
        migrator.add_column('sale', 'voided_at', DateTimeField(null=True)),
        migrator.add_column('sale', 'voided_by_id', ForeignKeyField(Staff, field=Staff.id, null=True, on_delete='RESTRICT')),
        migrator.add_column('sale', 'void_reason', TextField(default='', constraints=[SQL("DEFAULT ''")]),
                            allow_not_null=True),
        migrator.add_index('sale', ('status',), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('sale', 'sale_status'),
        migrator.drop_index('sale', 'sale_voided_by_id'),
        migrator.drop_column('sale', 'void_reason'),
        migrator.drop_column('sale', 'voided_by_id'),
        migrator.drop_column('sale', 'voided_at'),
        migrator.drop_column('sale', 'status'),
    )
