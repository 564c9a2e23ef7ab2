"""The store, its desks and tills, and its settings."""

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, TextField

from desk.clock import utcnow
from desk.models.base import BaseModel, Record


class Store(Record):
    code = CharField(max_length=16, unique=True)
    name = CharField(max_length=120)
    address = TextField(default="")
    tax_number = CharField(max_length=40, default="")
    currency = CharField(max_length=3)
    locale = CharField(max_length=16, default="en_GB")
    prices_include_tax = BooleanField(default=True)
    is_demo = BooleanField(default=False)


class Desk(Record):
    """A service desk or a till of the store. Tills are met in sales files; desks run this app."""

    store = ForeignKeyField(Store, backref="desks", on_delete="RESTRICT")
    code = CharField(max_length=16)
    name = CharField(max_length=80, default="")
    kind = CharField(max_length=8, default="desk")  # desk | till

    class Meta:
        indexes = ((("store", "code"), True),)


class Setting(BaseModel):
    """A store-wide setting, its value as JSON text. Read through desk.services.settings."""

    key = CharField(max_length=80, primary_key=True)
    value = TextField()
    updated_at = DateTimeField(default=utcnow)
