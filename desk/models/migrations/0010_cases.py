"""Customers' contact preferences, erasure and merging; service cases with their categories,
notes, events, paused intervals and follow-ups; contacts with customers; where a voucher came from.

Frozen copies of the models as they were; money is BIGINT minor units.
"""
from peewee import *

CATEGORIES = ("Product quality", "Service", "Delivery", "Pricing", "Staff", "Other")


def up(migrator, db):
    migrator.migrate(
        # Server-side defaults too: code that inserts customers with a list of columns keeps working.
        migrator.add_column('customer', 'preferred_contact', CharField(max_length=8, default='', constraints=[SQL("DEFAULT ''")])),
        migrator.add_column('customer', 'contact_consent', BooleanField(default=False, constraints=[SQL('DEFAULT FALSE')])),
        migrator.add_column('customer', 'updated_at', DateTimeField(null=True)),
        migrator.add_column('customer', 'erased_at', DateTimeField(null=True)),
        migrator.add_column('customer', 'merged_into', IntegerField(null=True)),
        migrator.add_column('voucher', 'source', CharField(max_length=12, default='return', constraints=[SQL("DEFAULT 'return'")])),
    )

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

    class Exchange(Model):
        class Meta:
            database = db
            table_name = 'exchange'

    class Voucher(Model):
        class Meta:
            database = db
            table_name = 'voucher'

    class CaseCategory(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        name = CharField(max_length=80, unique=True)
        active = BooleanField(default=True)
        position = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'case_category'

    class Case(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        number = CharField(max_length=48, unique=True)
        store = ForeignKeyField(Store, on_delete='RESTRICT')
        desk_code = CharField(max_length=16)
        type = CharField(max_length=12)
        channel = CharField(max_length=12)
        category = ForeignKeyField(CaseCategory, null=True, on_delete='RESTRICT')
        priority = CharField(max_length=8, default='normal')
        summary = CharField(max_length=200)
        customer_words = TextField(default='')
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL')
        sale = ForeignKeyField(Sale, null=True, on_delete='RESTRICT')
        ret = ForeignKeyField(Return, null=True, on_delete='RESTRICT')
        exchange = ForeignKeyField(Exchange, null=True, on_delete='RESTRICT')
        product = ForeignKeyField(Product, null=True, on_delete='SET NULL')
        order_id = IntegerField(null=True)
        order_number = CharField(max_length=48, default='')
        owner = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        opened_by = ForeignKeyField(Staff, on_delete='RESTRICT')
        status = CharField(max_length=20, default='open', index=True)
        first_response_due = DateTimeField()
        first_response_at = DateTimeField(null=True)
        resolution_due = DateTimeField()
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        paused_since = DateTimeField(null=True)
        paused_seconds = IntegerField(default=0)
        next_due_at = DateTimeField(null=True, index=True)
        resolution_kind = CharField(max_length=12, default='')
        resolution = TextField(default='')
        voucher = ForeignKeyField(Voucher, null=True, on_delete='RESTRICT')
        goodwill_amount = BigIntegerField(default=0)
        goodwill_approved_by = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'case'
            indexes = ((('created_at',), False), (('owner', 'status'), False))

    class CasePause(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        started_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'case_pause'

    class CaseNote(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        staff = ForeignKeyField(Staff, on_delete='RESTRICT')
        kind = CharField(max_length=12)
        to_customer = BooleanField(default=False)
        text = TextField()
        class Meta:
            database = db
            table_name = 'case_note'

    class CaseEvent(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        action = CharField(max_length=24)
        from_status = CharField(max_length=20, default='')
        to_status = CharField(max_length=20, default='')
        text = TextField(default='')
        class Meta:
            database = db
            table_name = 'case_event'

    class FollowUp(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE', index=True)
        due_at = DateTimeField(index=True)
        status = CharField(max_length=12, default='pending')
        attempts = IntegerField(default=0)
        last_attempt_at = DateTimeField(null=True)
        done_at = DateTimeField(null=True)
        staff = ForeignKeyField(Staff, null=True, on_delete='RESTRICT')
        outcome = TextField(default='')
        satisfaction = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'follow_up'

    class ContactLog(Model):
        uuid = UUIDField(unique=True)
        created_at = DateTimeField()
        customer = ForeignKeyField(Customer, null=True, on_delete='SET NULL', index=True)
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        staff = ForeignKeyField(Staff, on_delete='RESTRICT')
        channel = CharField(max_length=12)
        direction = CharField(max_length=4, default='out')
        reached = BooleanField(default=True)
        summary = TextField(default='')
        class Meta:
            database = db
            table_name = 'contact_log'

    db.create_tables([CaseCategory, Case, CasePause, CaseNote, CaseEvent, FollowUp, ContactLog])

    import datetime
    import uuid
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    for position, name in enumerate(CATEGORIES):
        CaseCategory.insert(uuid=uuid.uuid4(), created_at=now, name=name, active=True, position=position).execute()


def down(migrator, db):
    for table in ('contact_log', 'follow_up', 'case_event', 'case_note', 'case_pause', 'case', 'case_category'):
        migrator.migrate(migrator.drop_table(table))
    migrator.migrate(
        migrator.drop_column('voucher', 'source'),
        migrator.drop_column('customer', 'merged_into'),
        migrator.drop_column('customer', 'erased_at'),
        migrator.drop_column('customer', 'updated_at'),
        migrator.drop_column('customer', 'contact_consent'),
        migrator.drop_column('customer', 'preferred_contact'),
    )
