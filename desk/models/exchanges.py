"""Exchanges: one record the customer and the log see, holding a linked return and a linked
replacement sale, and how the difference was settled."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from desk.models.base import MoneyField, Record
from desk.models.returns import Return, Voucher
from desk.models.sales import Sale
from desk.models.staff import Staff
from desk.models.store import Store


class Exchange(Record):
    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0011)
    number = CharField(max_length=48, unique=True)
    store = ForeignKeyField(Store, backref="exchanges", on_delete="RESTRICT")
    desk_code = CharField(max_length=16)
    ret = ForeignKeyField(Return, backref="exchanges", on_delete="RESTRICT")
    sale = ForeignKeyField(Sale, backref="exchanges", null=True, on_delete="RESTRICT")
    clerk = ForeignKeyField(Staff, backref="exchanges", on_delete="RESTRICT", index=True)
    customer_name = CharField(max_length=160, default="")
    currency = CharField(max_length=3)
    returned_value = MoneyField()  # what the returned goods are worth (their refund)
    replacement_total = MoneyField()  # the replacements at the catalogue price
    difference = MoneyField()  # replacement_total - returned_value: + the customer paid, - refunded
    reason = CharField(max_length=32, default="")
    status = CharField(max_length=12, default="completed", index=True)  # completed | voided
    note = TextField(default="")
    voided_at = DateTimeField(null=True)
    voided_by = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    void_reason = TextField(default="")

    class Meta:
        indexes = ((("created_at",), False),)


class ExchangeTender(Record):
    """How the difference was settled: ``in`` paid by the customer, ``out`` refunded."""

    version = IntegerField(default=1)  # bumped by a trigger on every update (migration 0011)
    exchange = ForeignKeyField(Exchange, backref="tenders", on_delete="CASCADE")
    seq = IntegerField()
    direction = CharField(max_length=4)  # in | out
    method = CharField(max_length=16)  # cash | card | gift_card | store_credit | other | special_order (value to an order)
    amount = MoneyField()
    card_brand = CharField(max_length=20, default="")
    card_last4 = CharField(max_length=4, default="")
    reference = CharField(max_length=80, default="")
    voucher = ForeignKeyField(Voucher, backref="exchange_tenders", null=True, on_delete="RESTRICT")
