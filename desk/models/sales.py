"""The sales ledger: what the tills sold, line by line, and how it was paid."""

from peewee import SQL, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from desk.models.base import MoneyField, Record, TaxRateField
from desk.models.catalogue import Customer, Product
from desk.models.staff import Staff
from desk.models.store import Desk, Store


class Sale(Record):
    # No index of their own (migration 0007): store is the first column of the unique
    # (store, receipt_no) index, sale of (sale, line_no); no query looks sales up by till
    # nor lines by product.
    store = ForeignKeyField(Store, backref="sales", on_delete="RESTRICT", index=False)
    till = ForeignKeyField(Desk, backref="sales", null=True, on_delete="RESTRICT", index=False)
    receipt_no = CharField(max_length=64)
    sold_at = DateTimeField(index=True)  # UTC
    customer = ForeignKeyField(Customer, backref="sales", null=True, on_delete="SET NULL")
    cashier = CharField(max_length=80, default="")
    currency = CharField(max_length=3)
    subtotal = MoneyField()  # sum of quantity * unit price, before discounts
    discount_total = MoneyField(default=0)  # line discounts + order discount
    tax_total = MoneyField(default=0)
    total = MoneyField(index=True)  # what the customer paid
    source = CharField(max_length=16)  # demo | canonical | shopify | square
    source_ref = CharField(max_length=128, default="")
    # completed | voided (an exchange's replacement sale when the exchange is voided). The
    # database default serves the bulk inserts of the tills' files, which never name it.
    # Their indexes hold voided sales only (migration 0017: partial, WHERE status = 'voided' /
    # voided_by_id IS NOT NULL): an imported sale adds no entry to either.
    status = CharField(max_length=12, default="completed", index=False, constraints=[SQL("DEFAULT 'completed'")])
    voided_at = DateTimeField(null=True)  # UTC
    voided_by = ForeignKeyField(Staff, null=True, on_delete="RESTRICT", index=False)
    void_reason = TextField(default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        indexes = ((("store", "receipt_no"), True),)


# Partial (migration 0017): only voided sales have an entry, so an import adds none.
Sale.add_index(Sale.index(Sale.status, name="sale_status", where=(Sale.status == "voided")))
Sale.add_index(Sale.index(Sale.voided_by, name="sale_voided_by_id", where=Sale.voided_by.is_null(False)))


class SaleLine(Record):
    sale = ForeignKeyField(Sale, backref="lines", on_delete="CASCADE", index=False)
    line_no = IntegerField()
    product = ForeignKeyField(Product, backref="sale_lines", null=True, on_delete="SET NULL", index=False)
    sku = CharField(max_length=64, default="")
    barcode = CharField(max_length=64, default="")
    description = TextField()
    category = CharField(max_length=80, default="")
    quantity = IntegerField()
    unit_price = MoneyField()
    line_discount = MoneyField(default=0)
    order_discount_share = MoneyField(default=0)
    paid = MoneyField()  # what the customer actually paid for the line, tax included
    tax_rate = TaxRateField()
    tax_amount = MoneyField()

    class Meta:
        indexes = ((("sale", "line_no"), True),)


class Tender(Record):
    sale = ForeignKeyField(Sale, backref="tenders", on_delete="CASCADE")
    seq = IntegerField()
    method = CharField(max_length=16)  # cash | card | gift_card | other
    amount = MoneyField()
    card_brand = CharField(max_length=20, default="")
    card_last4 = CharField(max_length=4, default="", index=True)
    reference = CharField(max_length=80, default="")
