"""Sales import: the files imported into the ledger and the refunds the tills made.

Frozen copies of the models as they were; money is BIGINT minor units.
"""
from peewee import *


def up(migrator, db):
    class SaleLine(Model):
        # Only what the foreign key needs: the table and its primary key.
        class Meta:
            database = db
            table_name = 'sale_line'

    class SaleImport(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        sha256 = CharField(unique=True, max_length=64)
        filename = CharField(max_length=255)
        format = CharField(max_length=16)
        rows = IntegerField()
        sales_added = IntegerField()
        sales_skipped = IntegerField()
        lines_added = IntegerField()
        staff_code = CharField(max_length=16, default='')
        imported_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'sale_import'
    db.create_tables([SaleImport])

    class TillRefund(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        sale_line = ForeignKeyField(SaleLine, index=True, on_delete='CASCADE')
        quantity = IntegerField(constraints=[Check('quantity > 0')])
        amount = BigIntegerField(constraints=[Check('amount >= 0')])
        refunded_at = DateTimeField()
        source = CharField(max_length=16)
        source_ref = CharField(max_length=128, default='')
        class Meta:
            database = db
            table_name = 'till_refund'
            indexes = ((('source', 'source_ref', 'sale_line'), True),)
    db.create_tables([TillRefund])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('till_refund'))
    migrator.migrate(migrator.drop_table('sale_import'))
