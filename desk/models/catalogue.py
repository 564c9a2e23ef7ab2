"""Customers, categories and products with their stock on hand."""

from peewee import SQL, BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField, fn

from desk.models.base import MoneyField, Record, TaxRateField


class Customer(Record):
    name = CharField(max_length=160)
    email = CharField(max_length=254, null=True, index=True)
    phone = CharField(max_length=40, null=True, index=True)
    notes = TextField(default="")
    # Search keys (desk.services.customers.search_keys): the name folded to plain lower-case
    # words, its words after the first, the phone's digits. NULL: not worked out yet.
    search_name = CharField(max_length=160, null=True, index=True)
    search_last = CharField(max_length=160, null=True, index=True)
    search_phone = CharField(max_length=40, null=True, index=True)
    # Migration 0010: how the customer wants to be contacted, and whether they agree to be.
    preferred_contact = CharField(max_length=8, default="", constraints=[SQL("DEFAULT ''")])  # "" | phone | email | sms | post
    contact_consent = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    updated_at = DateTimeField(null=True)
    erased_at = DateTimeField(null=True)  # personal data erased on request (the row stays for the ledger)
    merged_into = IntegerField(null=True)  # a duplicate merged into that customer id (not a foreign key on purpose)


# The start of an email address, whatever its case (migration 0004).
Customer.add_index(Customer.index(fn.LOWER(Customer.email), name="customer_email_lower"))


class Category(Record):
    name = CharField(max_length=80, unique=True)


class Product(Record):
    sku = CharField(max_length=64, unique=True)
    barcode = CharField(max_length=64, null=True, unique=True)
    name = CharField(max_length=200)
    category = ForeignKeyField(Category, backref="products", null=True, on_delete="SET NULL")
    price = MoneyField()  # current shelf price, minor units, as the store shows prices
    tax_rate = TaxRateField()
    stock_on_hand = IntegerField(default=0)
    size = CharField(max_length=20, default="")
    colour = CharField(max_length=30, default="")
    active = BooleanField(default=True)
