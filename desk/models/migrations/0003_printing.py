"""Printing: gift receipts issued and the archive of printed documents.

Frozen copies of the models as they were.
"""
from peewee import *


def up(migrator, db):
    class Sale(Model):
        # Only what the foreign key needs: the table and its primary key.
        class Meta:
            database = db
            table_name = 'sale'

    class GiftReceipt(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        code = CharField(unique=True, max_length=40)
        sale = ForeignKeyField(Sale, index=True, on_delete='RESTRICT')
        line_numbers = TextField(default='')
        staff_code = CharField(max_length=16, default='')
        class Meta:
            database = db
            table_name = 'gift_receipt'
    db.create_tables([GiftReceipt])

    class ArchivedDocument(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        kind = CharField(max_length=24)
        number = CharField(max_length=64)
        paper = CharField(max_length=8)
        title = CharField(max_length=160, default='')
        path = CharField(unique=True, max_length=255)
        sha256 = CharField(max_length=64)
        size = BigIntegerField()
        staff_code = CharField(max_length=16, default='')
        class Meta:
            database = db
            table_name = 'archived_document'
            indexes = ((('kind', 'number'), False), (('created_at',), False))
    db.create_tables([ArchivedDocument])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('archived_document'))
    migrator.migrate(migrator.drop_table('gift_receipt'))
