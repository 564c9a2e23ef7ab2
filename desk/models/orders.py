"""Special orders: items out of stock ordered for a customer, from request to collection.

An order has lines (a catalogue product, or an item described in free text with its supplier
and supplier code), the tenders it took (deposit, balance, refunds), the status changes with
who made them, and every attempt to contact the customer. Rules: ``desk.services.orders``.
"""

from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField, Check

from desk.models.base import MoneyField, Record, TaxRateField
from desk.models.catalogue import Customer, Product
from desk.models.returns import Return, Voucher
from desk.models.sales import Sale
from desk.models.staff import Staff
from desk.models.store import Store


class SpecialOrder(Record):
    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    number = CharField(max_length=48, unique=True)  # O-<store>-<desk>-<seq>
    store = ForeignKeyField(Store, backref="special_orders", on_delete="RESTRICT")
    desk_code = CharField(max_length=16)
    clerk = ForeignKeyField(Staff, backref="special_orders", on_delete="RESTRICT")
    customer = ForeignKeyField(Customer, backref="special_orders", null=True, on_delete="SET NULL", index=True)
    customer_name = CharField(max_length=160)
    customer_phone = CharField(max_length=40, default="")
    customer_email = CharField(max_length=254, default="")
    contact_via = CharField(max_length=8, default="phone")  # phone | email | sms
    # requested | ordered | arrived | contacted | collected | cancelled
    status = CharField(max_length=12, default="requested", index=True)
    currency = CharField(max_length=3)
    total = MoneyField(constraints=[Check("total >= 0")])  # what the goods cost, tax included
    deposit_required = MoneyField(default=0)  # what the deposit rule asked for when the order was taken
    supplier = CharField(max_length=120, default="")
    supplier_ref = CharField(max_length=80, default="")
    ordered_at = DateTimeField(null=True)
    expected_date = DateField(null=True, index=True)
    arrived_at = DateTimeField(null=True)
    contacted_at = DateTimeField(null=True)  # the last time the customer was told (reached, voicemail, email sent)
    collection_deadline = DateField(null=True, index=True)
    remind_from = DateField(null=True, index=True)  # local day the reminder clock counts from (migration 0013)
    collected_at = DateTimeField(null=True)
    cancelled_at = DateTimeField(null=True)
    cancel_reason = TextField(default="")
    deposit_outcome = CharField(max_length=16, default="")  # "" | refunded | store_credit | kept
    approved_by = ForeignKeyField(Staff, backref="special_orders_approved", null=True, on_delete="RESTRICT")
    sale = ForeignKeyField(Sale, backref="special_orders", null=True, on_delete="RESTRICT")  # the collection's sale
    source_return = ForeignKeyField(Return, backref="special_orders", null=True, on_delete="RESTRICT")  # from an exchange
    note = TextField(default="")
    search_text = TextField(default="")  # folded number, customer, products, supplier: what search looks in
    updated_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("created_at",), False),)


class SpecialOrderLine(Record):
    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    order = ForeignKeyField(SpecialOrder, backref="lines", on_delete="CASCADE")
    line_no = IntegerField()
    product = ForeignKeyField(Product, backref="special_order_lines", null=True, on_delete="SET NULL", index=True)
    sku = CharField(max_length=64, default="", index=True)
    barcode = CharField(max_length=64, default="", index=True)
    description = TextField()
    supplier = CharField(max_length=120, default="")
    supplier_code = CharField(max_length=64, default="", index=True)
    quantity = IntegerField(constraints=[Check("quantity > 0")])
    unit_price = MoneyField()  # agreed, as the store shows prices
    tax_rate = TaxRateField()
    total = MoneyField()  # what the line costs, tax included
    received = IntegerField(default=0)  # units arrived and set aside for the customer
    received_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("order", "line_no"), True),)


class OrderEvent(Record):
    """A status change (or another step worth showing in the order's history) and who made it."""

    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    order = ForeignKeyField(SpecialOrder, backref="events", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, backref="order_events", null=True, on_delete="RESTRICT")
    staff_code = CharField(max_length=16, default="")
    action = CharField(max_length=24)  # taken | ordered | received | arrived | contacted | collected | cancelled | ...
    from_status = CharField(max_length=12, default="")
    to_status = CharField(max_length=12, default="")
    note = TextField(default="")


class ContactAttempt(Record):
    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    order = ForeignKeyField(SpecialOrder, backref="contacts", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, backref="contact_attempts", null=True, on_delete="RESTRICT")
    staff_code = CharField(max_length=16, default="")
    method = CharField(max_length=8)  # phone | sms | email | in_person
    outcome = CharField(max_length=16)  # reached | voicemail | sent | no_answer | wrong_number | failed
    address = CharField(max_length=254, default="")  # the number or email address used
    note = TextField(default="")
    error = TextField(default="")  # why a send failed


class OrderTender(Record):
    """Money taken for (``in``) or given back from (``out``) an order."""

    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0012)
    order = ForeignKeyField(SpecialOrder, backref="tenders", on_delete="CASCADE")
    seq = IntegerField()
    kind = CharField(max_length=8)  # deposit | balance | refund
    direction = CharField(max_length=4)  # in | out
    method = CharField(max_length=16)  # cash | card | gift_card | store_credit | exchange
    amount = MoneyField(constraints=[Check("amount >= 0")])
    card_brand = CharField(max_length=20, default="")
    card_last4 = CharField(max_length=4, default="")
    reference = CharField(max_length=80, default="")
    voucher = ForeignKeyField(Voucher, backref="order_tenders", null=True, on_delete="RESTRICT")
    staff_code = CharField(max_length=16, default="")
