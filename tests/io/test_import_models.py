import datetime as dt

import peewee
import pytest

from desk.models import SaleImport, TillRefund, database
from desk.models.db import migration_runner


def test_migration_creates_import_tables_and_reverts(db):
    tables = set(database.obj.get_tables())
    assert {"sale_import", "till_refund"} <= tables
    runner = migration_runner(database.obj)
    runner.down(target="0002_sales_import")
    assert "till_refund" not in database.obj.get_tables()
    runner.up()
    assert "till_refund" in database.obj.get_tables()


def test_sale_import_sha_is_unique(db):
    fields = dict(filename="a.csv", format="canonical", rows=1, sales_added=1, sales_skipped=0, lines_added=1)
    SaleImport.create(sha256="a" * 64, **fields)
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            SaleImport.create(sha256="a" * 64, **fields)
    assert SaleImport.select().count() == 1


def test_till_refund_quantity_must_be_positive(db):
    from decimal import Decimal

    from desk.models import Sale, SaleLine
    from tests.conftest import make_store

    store, _ = make_store()
    sale = Sale.create(store=store, receipt_no="R1", sold_at=dt.datetime(2026, 10, 3), currency="GBP", subtotal=100, total=100, source="canonical")
    line = SaleLine.create(sale=sale, line_no=1, description="Mug", quantity=1, unit_price=100, paid=100, tax_rate=Decimal(20), tax_amount=17)
    for quantity, amount in ((0, 100), (1, -1)):
        with pytest.raises(peewee.IntegrityError):
            with database.atomic():
                TillRefund.create(sale_line=line, quantity=quantity, amount=amount, refunded_at=dt.datetime(2026, 10, 4), source="square")
    TillRefund.create(sale_line=line, quantity=1, amount=100, refunded_at=dt.datetime(2026, 10, 4), source="square", source_ref="a")
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            TillRefund.create(sale_line=line, quantity=1, amount=100, refunded_at=dt.datetime(2026, 10, 4), source="square", source_ref="a")
    assert TillRefund.select().count() == 1
