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
