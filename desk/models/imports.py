"""Imports of the tills' files and the refunds the tills already made."""

from peewee import CharField, Check, DateTimeField, ForeignKeyField, IntegerField

from desk.clock import utcnow
from desk.models.base import MoneyField, Record
from desk.models.sales import SaleLine


class SaleImport(Record):
    """One file imported into the sales ledger; its sha256 makes a re-import a no-op."""

    sha256 = CharField(max_length=64, unique=True)
    filename = CharField(max_length=255)
    format = CharField(max_length=16)  # canonical | shopify | square
    rows = IntegerField()
    sales_added = IntegerField()
    sales_skipped = IntegerField()
    lines_added = IntegerField()
    staff_code = CharField(max_length=16, default="")
    imported_at = DateTimeField(default=utcnow)  # UTC


class TillRefund(Record):
    """A refund a till already made against a sold line (e.g. a Square ``Refund`` row)."""

    sale_line = ForeignKeyField(SaleLine, backref="till_refunds", on_delete="CASCADE", index=True)
    quantity = IntegerField(constraints=[Check("quantity > 0")])
    amount = MoneyField(constraints=[Check("amount >= 0")])  # minor units refunded, tax included, never negative
    refunded_at = DateTimeField()  # UTC
    source = CharField(max_length=16)
    source_ref = CharField(max_length=128, default="")

    class Meta:
        indexes = ((("source", "source_ref", "sale_line"), True),)
