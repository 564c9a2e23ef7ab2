"""Printed documents: gift receipts issued and the archive of every printed or saved PDF."""

from peewee import BigIntegerField, CharField, ForeignKeyField, TextField

from desk.models.base import Record
from desk.models.sales import Sale


class GiftReceipt(Record):
    """A gift receipt issued for a sale; its code (G-<store>-<10 chars>) is what the scan field reads."""

    code = CharField(max_length=40, unique=True)
    sale = ForeignKeyField(Sale, backref="gift_receipts", on_delete="RESTRICT", index=True)
    line_numbers = TextField(default="")  # comma-separated sale line numbers; empty = every line
    staff_code = CharField(max_length=16, default="")


class ArchivedDocument(Record):
    """A PDF kept under the archive folder; ``path`` is relative to the archive root."""

    kind = CharField(max_length=24)  # receipt | gift | refund | ...
    number = CharField(max_length=64)
    paper = CharField(max_length=8)  # roll | a4 | letter
    title = CharField(max_length=160, default="")
    path = CharField(max_length=255, unique=True)
    sha256 = CharField(max_length=64)
    size = BigIntegerField()
    staff_code = CharField(max_length=16, default="")

    class Meta:
        indexes = ((("kind", "number"), False), (("created_at",), False))
