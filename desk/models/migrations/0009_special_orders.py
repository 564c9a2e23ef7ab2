"""Special orders: their lines, status events, contact attempts and tenders.

Frozen copies of the models as they were; money is BIGINT minor units, tax rates integer
thousandths of a percent.
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

    class Customer(Model):
        class Meta:
            database = db
            table_name = 'customer'

    class Product(Model):
        class Meta:
            database = db
            table_name = 'product'

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

    class SpecialOrder(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        number = CharField(unique=True, max_length=48)
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        desk_code = CharField(max_length=16)
        clerk = ForeignKeyField(Staff, on_delete='RESTRICT')
        customer = ForeignKeyField(Customer, null=True, index=True, on_delete='SET NULL')
        customer_name = CharField(max_length=160)
        customer_phone = CharField(max_length=40, default='')
        customer_email = CharField(max_length=254, default='')
        contact_via = CharField(max_length=8, default='phone')
        status = CharField(index=True, max_length=12, default='requested')
        currency = CharField(max_length=3)
        total = BigIntegerField(constraints=[Check('total >= 0')])
        deposit_required = BigIntegerField(default=0)
        supplier = CharField(max_length=120, default='')
        supplier_ref = CharField(max_length=80, default='')
        ordered_at = DateTimeField(null=True)
        expected_date = DateField(null=True, index=True)
        arrived_at = DateTimeField(null=True)
        contacted_at = DateTimeField(null=True)
        collection_deadline = DateField(null=True, index=True)
        collected_at = DateTimeField(null=True)
        cancelled_at = DateTimeField(null=True)
        cancel_reason = TextField(default='')
        deposit_outcome = CharField(max_length=16, default='')
        approved_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT', backref='+')
        sale = ForeignKeyField(Sale, null=True, on_delete='RESTRICT')
        source_return = ForeignKeyField(Return, null=True, on_delete='RESTRICT')
        note = TextField(default='')
        search_text = TextField(default='')
        updated_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'special_order'
            indexes = ((('created_at',), False),)
    db.create_tables([SpecialOrder])

    class SpecialOrderLine(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        order = ForeignKeyField(SpecialOrder, on_delete='CASCADE')
        line_no = IntegerField()
        product = ForeignKeyField(Product, null=True, index=True, on_delete='SET NULL')
        sku = CharField(max_length=64, default='', index=True)
        barcode = CharField(max_length=64, default='', index=True)
        description = TextField()
        supplier = CharField(max_length=120, default='')
        supplier_code = CharField(max_length=64, default='', index=True)
        quantity = IntegerField(constraints=[Check('quantity > 0')])
        unit_price = BigIntegerField()
        tax_rate = IntegerField()
        total = BigIntegerField()
        received = IntegerField(default=0)
        received_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'special_order_line'
            indexes = ((('order', 'line_no'), True),)
    db.create_tables([SpecialOrderLine])

    class OrderEvent(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        order = ForeignKeyField(SpecialOrder, on_delete='CASCADE')
        staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        staff_code = CharField(max_length=16, default='')
        action = CharField(max_length=24)
        from_status = CharField(max_length=12, default='')
        to_status = CharField(max_length=12, default='')
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'order_event'
    db.create_tables([OrderEvent])

    class ContactAttempt(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        order = ForeignKeyField(SpecialOrder, on_delete='CASCADE')
        staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        staff_code = CharField(max_length=16, default='')
        method = CharField(max_length=8)
        outcome = CharField(max_length=16)
        address = CharField(max_length=254, default='')
        note = TextField(default='')
        error = TextField(default='')
        class Meta:
            database = db
            table_name = 'contact_attempt'
    db.create_tables([ContactAttempt])

    class OrderTender(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        order = ForeignKeyField(SpecialOrder, on_delete='CASCADE')
        seq = IntegerField()
        kind = CharField(max_length=8)
        direction = CharField(max_length=4)
        method = CharField(max_length=16)
        amount = BigIntegerField(constraints=[Check('amount >= 0')])
        card_brand = CharField(max_length=20, default='')
        card_last4 = CharField(max_length=4, default='')
        reference = CharField(max_length=80, default='')
        voucher = ForeignKeyField(Voucher, null=True, on_delete='RESTRICT')
        staff_code = CharField(max_length=16, default='')
        class Meta:
            database = db
            table_name = 'order_tender'
    db.create_tables([OrderTender])


def down(migrator, db):
    for table in ('order_tender', 'contact_attempt', 'order_event', 'special_order_line', 'special_order'):
        migrator.migrate(migrator.drop_table(table))
