"""Returns: document counters, approvals, returns and their lines, vouchers and their ledger,
refund tenders.

Frozen copies of the models as they were; money is BIGINT minor units.
"""
from peewee import *


def up(migrator, db):
    # Only what the foreign keys need: the tables and their primary keys.
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

    class SaleLine(Model):
        class Meta:
            database = db
            table_name = 'sale_line'

    class Tender(Model):
        class Meta:
            database = db
            table_name = 'tender'

    class DocumentCounter(Model):
        store_code = CharField(max_length=16)
        desk_code = CharField(max_length=16)
        kind = CharField(max_length=8)
        last = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'document_counter'
            indexes = ((('store_code', 'desk_code', 'kind'), True),)
    db.create_tables([DocumentCounter])

    class Approval(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        status = CharField(index=True, max_length=12)
        clerk = ForeignKeyField(Staff, on_delete='RESTRICT')
        desk_code = CharField(max_length=16, default='')
        outcome = CharField(max_length=16)
        reasons = TextField(default='[]')
        summary = TextField(default='')
        amount = BigIntegerField(default=0)
        request = TextField()
        fingerprint = CharField(max_length=64)
        decided_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        decided_at = DateTimeField(null=True)
        note = TextField(default='')
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'approval'
    db.create_tables([Approval])

    class Return(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        number = CharField(unique=True, max_length=48)
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        desk_code = CharField(max_length=16)
        kind = CharField(max_length=12)
        sale = ForeignKeyField(Sale, null=True, index=True, on_delete='RESTRICT')
        gift_code = CharField(max_length=40, default='')
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        customer_name = CharField(max_length=160, default='')
        customer_phone = CharField(index=True, max_length=40, default='')
        customer_email = CharField(index=True, max_length=254, default='')
        clerk = ForeignKeyField(Staff, index=True, on_delete='RESTRICT')
        currency = CharField(max_length=3)
        total = BigIntegerField(constraints=[Check('total >= 0')])
        fee_total = BigIntegerField(default=0)
        refund_to = CharField(max_length=16)
        status = CharField(index=True, max_length=12, default='completed')
        decision = CharField(max_length=16)
        policy_reasons = TextField(default='[]')
        approval = ForeignKeyField(Approval, null=True, on_delete='RESTRICT')
        approved_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        approved_at = DateTimeField(null=True)
        approval_note = TextField(default='')
        override = BooleanField(default=False)
        note = TextField(default='')
        voided_at = DateTimeField(null=True)
        voided_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        void_reason = TextField(default='')
        class Meta:
            database = db
            table_name = 'return'
            indexes = ((('created_at',), False),)
    db.create_tables([Return])

    class ReturnLine(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        ret = ForeignKeyField(Return, on_delete='CASCADE')
        line_no = IntegerField()
        sale_line = ForeignKeyField(SaleLine, null=True, index=True, on_delete='RESTRICT')
        product = ForeignKeyField(Product, null=True, on_delete='SET NULL')
        sku = CharField(max_length=64, default='')
        description = TextField()
        category = CharField(max_length=80, default='')
        quantity = IntegerField(constraints=[Check('quantity > 0')])
        value = BigIntegerField()
        fee = BigIntegerField(default=0)
        refund = BigIntegerField()
        reason = CharField(max_length=32)
        reason_text = TextField(default='')
        condition = CharField(max_length=12)
        disposition = CharField(max_length=12)
        class Meta:
            database = db
            table_name = 'return_line'
            indexes = ((('ret', 'line_no'), True),)
    db.create_tables([ReturnLine])

    class Voucher(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        code = CharField(unique=True, max_length=32)
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        currency = CharField(max_length=3)
        amount = BigIntegerField()
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        customer_name = CharField(max_length=160, default='')
        issued_by_return = ForeignKeyField(Return, null=True, on_delete='RESTRICT')
        status = CharField(max_length=12, default='active')
        class Meta:
            database = db
            table_name = 'voucher'
    db.create_tables([Voucher])

    class VoucherEntry(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        voucher = ForeignKeyField(Voucher, index=True, on_delete='CASCADE')
        kind = CharField(max_length=8)
        amount = BigIntegerField()
        reference = CharField(max_length=80, default='')
        staff_code = CharField(max_length=16, default='')
        class Meta:
            database = db
            table_name = 'voucher_entry'
    db.create_tables([VoucherEntry])

    class RefundTender(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        ret = ForeignKeyField(Return, on_delete='CASCADE')
        seq = IntegerField()
        method = CharField(max_length=16)
        amount = BigIntegerField(constraints=[Check('amount >= 0')])
        original_tender = ForeignKeyField(Tender, null=True, index=True, on_delete='RESTRICT')
        card_brand = CharField(max_length=20, default='')
        card_last4 = CharField(max_length=4, default='')
        reference = CharField(max_length=80, default='')
        voucher = ForeignKeyField(Voucher, null=True, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'refund_tender'
    db.create_tables([RefundTender])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('refund_tender'))
    migrator.migrate(migrator.drop_table('voucher_entry'))
    migrator.migrate(migrator.drop_table('voucher'))
    migrator.migrate(migrator.drop_table('return_line'))
    migrator.migrate(migrator.drop_table('return'))
    migrator.migrate(migrator.drop_table('approval'))
    migrator.migrate(migrator.drop_table('document_counter'))
