"""Exchanges and how their difference was settled.

Frozen copies of the models as they were; money is BIGINT minor units.
"""
from peewee import *


def up(migrator, db):
    class Store(Model):
        class Meta:
            database = db
            table_name = 'store'

    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class Sale(Model):
        class Meta:
            database = db
            table_name = 'sale'

    class Return(Model):
        class Meta:
            database = db
            table_name = 'return'

    class Voucher(Model):
        class Meta:
            database = db
            table_name = 'voucher'

    class Exchange(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        number = CharField(unique=True, max_length=48)
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        desk_code = CharField(max_length=16)
        ret = ForeignKeyField(Return, on_delete='RESTRICT')
        sale = ForeignKeyField(Sale, null=True, on_delete='RESTRICT')
        clerk = ForeignKeyField(Staff, index=True, on_delete='RESTRICT')
        customer_name = CharField(max_length=160, default='')
        currency = CharField(max_length=3)
        returned_value = BigIntegerField()
        replacement_total = BigIntegerField()
        difference = BigIntegerField()
        reason = CharField(max_length=32, default='')
        status = CharField(index=True, max_length=12, default='completed')
        note = TextField(default='')
        voided_at = DateTimeField(null=True)
        voided_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        void_reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'exchange'
            indexes = ((('created_at',), False),)
    db.create_tables([Exchange])

    class ExchangeTender(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        exchange = ForeignKeyField(Exchange, on_delete='CASCADE')
        seq = IntegerField()
        direction = CharField(max_length=4)
        method = CharField(max_length=16)
        amount = BigIntegerField()
        card_brand = CharField(max_length=20, default='')
        card_last4 = CharField(max_length=4, default='')
        reference = CharField(max_length=80, default='')
        voucher = ForeignKeyField(Voucher, null=True, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'exchange_tender'
    db.create_tables([ExchangeTender])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('exchange_tender'))
    migrator.migrate(migrator.drop_table('exchange'))
