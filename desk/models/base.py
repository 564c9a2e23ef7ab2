"""The deferred database, BaseModel and the field types every table uses."""

from __future__ import annotations

import uuid
from decimal import Decimal

from peewee import BigIntegerField, DatabaseProxy, DateTimeField, IntegerField, Model, UUIDField

from desk import clock

database = DatabaseProxy()


class MoneyField(BigIntegerField):
    """An amount in integer minor units of the store's currency (pence, cents)."""

    def db_value(self, value):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise TypeError(f"money must be integer minor units, got {type(value).__name__}")
        return super().db_value(value)


class TaxRateField(IntegerField):
    """A percentage rate stored exactly as thousandths of a percent (20% -> 20000).

    Python sees a Decimal percent: Decimal('20'), Decimal('8.875').
    """

    SCALE = 1000

    def db_value(self, value):
        if value is None:
            return None
        scaled = Decimal(value) * self.SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"tax rate {value} has more than 3 decimal places")
        return int(scaled)

    def python_value(self, value):
        if value is None:
            return None
        rate = (Decimal(int(value)) / self.SCALE).normalize()
        # normalize() writes whole numbers as 2E+1: give them back as plain 20
        return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate


def new_uuid() -> uuid.UUID:
    return uuid.uuid4()


def now_utc():
    """The services' clock at the moment of writing (tests can move it)."""
    return clock.utcnow()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Record(BaseModel):
    """A business record: travels to head office by its uuid."""

    uuid = UUIDField(default=new_uuid, unique=True)
    created_at = DateTimeField(default=now_utc)
