"""The field types every table uses: money in integer minor units, exact tax rates, uuid and timestamps."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from desk.models import Customer, Product, database


def test_money_is_stored_as_integer_minor_units(db):
    with database.atomic():
        Product.create(sku="A", name="Mug", price=950, tax_rate=Decimal("20"))
        Product.create(sku="B", name="Big", price=9_000_000_000_000, tax_rate=Decimal("0"))
    assert Product.get(Product.sku == "A").price == 950
    assert Product.get(Product.sku == "B").price == 9_000_000_000_000  # BIGINT, not 32-bit


@pytest.mark.parametrize("bad", [9.5, Decimal("9.50"), "950", True])
def test_money_refuses_anything_but_an_int(sqlite_db, bad):
    with pytest.raises(TypeError, match="integer minor units"):
        with database.atomic():
            Product.create(sku="A", name="Mug", price=bad, tax_rate=Decimal("20"))
    assert Product.select().count() == 0


def test_tax_rates_round_trip_exactly(db):
    with database.atomic():
        for i, rate in enumerate(["20", "8.875", "0", "5.5"]):
            Product.create(sku=f"S{i}", name="x", price=1, tax_rate=Decimal(rate))
    assert [p.tax_rate for p in Product.select().order_by(Product.sku)] == [Decimal("20"), Decimal("8.875"), Decimal("0"), Decimal("5.5")]
    raw = database.obj.execute_sql("SELECT tax_rate FROM product ORDER BY sku").fetchall()
    assert [r[0] for r in raw] == [20000, 8875, 0, 5500]
    with pytest.raises(ValueError, match="3 decimal places"):
        with database.atomic():
            Product.create(sku="bad", name="x", price=1, tax_rate=Decimal("8.8755"))


def test_records_get_a_uuid_and_a_creation_time_from_the_services_clock(db, clock_at):
    when = dt.datetime(2026, 4, 1, 9, 30, 15, 123456)
    clock_at(when)
    with database.atomic():
        a = Customer.create(name="Ann")
        b = Customer.create(name="Ben")
    assert isinstance(a.uuid, uuid.UUID) and a.uuid != b.uuid
    stored = Customer.get_by_id(a.id)
    assert stored.uuid == a.uuid
    assert stored.created_at == when
