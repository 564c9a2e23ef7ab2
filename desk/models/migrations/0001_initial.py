"""The first schema: store, desks, settings, staff, catalogue, sales ledger, audit.

Frozen copies of the models as they were; money is BIGINT minor units, tax rates
INTEGER thousandths of a percent.
"""
from peewee import *


def up(migrator, db):
    class AuditEvent(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        seq = BigIntegerField(unique=True)
        at = DateTimeField()
        store_code = CharField(max_length=16, default='')
        staff_code = CharField(max_length=16, default='')
        action = CharField(index=True, max_length=64)
        entity = CharField(max_length=32, default='')
        entity_uuid = CharField(max_length=36, default='')
        details = TextField(default='{}')
        prev_hash = CharField(max_length=64)
        hash = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'audit_event'
    db.create_tables([AuditEvent])

    class AuditHead(Model):
        id = BigIntegerField(primary_key=True)
        seq = BigIntegerField(default=0)
        hash = CharField(max_length=64)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'audit_head'
    db.create_tables([AuditHead])

    class Category(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        name = CharField(unique=True, max_length=80)
        class Meta:
            database = db
            table_name = 'category'
    db.create_tables([Category])

    class Customer(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        name = CharField(max_length=160)
        email = CharField(index=True, null=True, max_length=254)
        phone = CharField(index=True, null=True, max_length=40)
        notes = TextField(default='')
        class Meta:
            database = db
            table_name = 'customer'
    db.create_tables([Customer])

    class Store(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        code = CharField(unique=True, max_length=16)
        name = CharField(max_length=120)
        address = TextField(default='')
        tax_number = CharField(max_length=40, default='')
        currency = CharField(max_length=3)
        locale = CharField(max_length=16, default='en_GB')
        prices_include_tax = BooleanField(default=True)
        is_demo = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'store'
    db.create_tables([Store])

    class Desk(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        code = CharField(max_length=16)
        name = CharField(max_length=80, default='')
        kind = CharField(max_length=8, default='desk')
        class Meta:
            database = db
            table_name = 'desk'
            indexes = ((('store', 'code'), True),)
    db.create_tables([Desk])

    class Product(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        sku = CharField(unique=True, max_length=64)
        barcode = CharField(unique=True, null=True, max_length=64)
        name = CharField(max_length=200)
        category = ForeignKeyField(Category, null=True, on_delete='SET NULL')
        price = BigIntegerField()
        tax_rate = IntegerField()
        stock_on_hand = IntegerField(default=0)
        size = CharField(max_length=20, default='')
        colour = CharField(max_length=30, default='')
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'product'
    db.create_tables([Product])

    class Sale(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        till = ForeignKeyField(Desk, null=True, on_delete='RESTRICT')
        receipt_no = CharField(max_length=64)
        sold_at = DateTimeField(index=True)
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        cashier = CharField(max_length=80, default='')
        currency = CharField(max_length=3)
        subtotal = BigIntegerField()
        discount_total = BigIntegerField(default=0)
        tax_total = BigIntegerField(default=0)
        total = BigIntegerField()
        source = CharField(max_length=16)
        source_ref = CharField(max_length=128, default='')
        class Meta:
            database = db
            table_name = 'sale'
            indexes = ((('store', 'receipt_no'), True),)
    db.create_tables([Sale])

    class SaleLine(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        sale = ForeignKeyField(Sale, on_delete='CASCADE')
        line_no = IntegerField()
        product = ForeignKeyField(Product, null=True, on_delete='SET NULL')
        sku = CharField(max_length=64, default='')
        barcode = CharField(max_length=64, default='')
        description = TextField()
        category = CharField(max_length=80, default='')
        quantity = IntegerField()
        unit_price = BigIntegerField()
        line_discount = BigIntegerField(default=0)
        order_discount_share = BigIntegerField(default=0)
        paid = BigIntegerField()
        tax_rate = IntegerField()
        tax_amount = BigIntegerField()
        class Meta:
            database = db
            table_name = 'sale_line'
            indexes = ((('sale', 'line_no'), True),)
    db.create_tables([SaleLine])

    class Setting(Model):
        key = CharField(primary_key=True, max_length=80)
        value = TextField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'setting'
    db.create_tables([Setting])

    class Staff(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        store = ForeignKeyField(Store, null=True, on_delete='RESTRICT')
        code = CharField(unique=True, max_length=16)
        name = CharField(max_length=120)
        role = CharField(max_length=16)
        pin_hash = CharField()
        active = BooleanField(default=True)
        failed_attempts = IntegerField(default=0)
        locked_until = DateTimeField(null=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'staff'
    db.create_tables([Staff])

    class Tender(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        sale = ForeignKeyField(Sale, on_delete='CASCADE')
        seq = IntegerField()
        method = CharField(max_length=16)
        amount = BigIntegerField()
        card_brand = CharField(max_length=20, default='')
        card_last4 = CharField(max_length=4, default='')
        reference = CharField(max_length=80, default='')
        class Meta:
            database = db
            table_name = 'tender'
    db.create_tables([Tender])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('tender'))
    migrator.migrate(migrator.drop_table('staff'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('sale_line'))
    migrator.migrate(migrator.drop_table('sale'))
    migrator.migrate(migrator.drop_table('product'))
    migrator.migrate(migrator.drop_table('desk'))
    migrator.migrate(migrator.drop_table('store'))
    migrator.migrate(migrator.drop_table('customer'))
    migrator.migrate(migrator.drop_table('category'))
    migrator.migrate(migrator.drop_table('audit_head'))
    migrator.migrate(migrator.drop_table('audit_event'))
