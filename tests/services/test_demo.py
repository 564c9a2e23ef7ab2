"""The demo store: believable, consistent, reproducible, built through the services."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from desk.models import Category, Customer, Product, Sale, SaleLine, Staff, Store, Tender
from desk.models.db import close_database, open_database
from desk.services import audit, auth
from desk.services.demo import DEMO_STAFF, build_demo, ean13

NOW = dt.datetime(2026, 5, 20, 12, 0)
LINES = 2000


def ean13_ok(code: str) -> bool:
    if len(code) != 13 or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    return (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10 == 0


def snapshot():
    sales = []
    for s in Sale.select().order_by(Sale.receipt_no):
        lines = [(l.line_no, l.sku, l.quantity, l.unit_price, l.line_discount, l.order_discount_share, l.paid)
                 for l in s.lines.order_by(SaleLine.line_no)]
        tenders = [(t.seq, t.method, t.amount, t.card_brand, t.card_last4, t.reference) for t in s.tenders.order_by(Tender.seq)]
        sales.append((s.receipt_no, s.sold_at, s.total, s.discount_total, s.customer_id, lines, tenders))
    return sales


@pytest.fixture
def built(sqlite_db, clock_at):
    clock_at(NOW)
    return build_demo(seed=3, lines=LINES, customers=150)


def test_catalogue(built):
    assert built.products == Product.select().count()
    assert 55 <= built.products <= 65
    assert Category.select().count() == 6
    for product in Product.select():
        assert ean13_ok(product.barcode), product.barcode
        assert product.price > 0 and product.stock_on_hand >= 0
        assert product.category_id is not None
    assert len({p.barcode for p in Product.select()}) == built.products
    assert built.customers == 150
    assert Customer.select().count() == 151  # and one duplicate record to merge (demo_cases)
    assert Store.get().is_demo


def test_requested_number_of_lines_and_sales(built):
    assert built.lines == LINES == SaleLine.select().count()
    assert built.sales == Sale.select().count()
    first, last = Sale.select().order_by(Sale.sold_at).first().sold_at, Sale.select().order_by(Sale.sold_at.desc()).first().sold_at
    assert NOW - dt.timedelta(days=121) <= first and last < NOW


def test_tenders_and_discounts_of_every_kind(built):
    methods = Counter(t.method for t in Tender.select())
    assert methods["cash"] and methods["card"] and methods["gift_card"]
    per_sale = Counter(t.sale_id for t in Tender.select(Tender.sale))
    split = [sale_id for sale_id, n in per_sale.items() if n > 1]
    assert split
    split_methods = {tuple(t.method for t in Tender.select().where(Tender.sale == sid).order_by(Tender.seq)) for sid in split}
    assert ("cash", "card") in split_methods or ("gift_card", "card") in split_methods
    assert SaleLine.select().where(SaleLine.line_discount > 0).count() > 0
    assert SaleLine.select().where(SaleLine.order_discount_share > 0).count() > 0


def test_every_sale_adds_up(built):
    for sale in Sale.select():
        lines = list(sale.lines)
        tenders = list(sale.tenders)
        assert sum(t.amount for t in tenders) == sale.total, sale.receipt_no
        assert sum(l.paid for l in lines) == sale.total, sale.receipt_no
        assert sale.subtotal - sale.discount_total == sale.total  # prices include tax in the demo store
        assert sale.tax_total == sum(l.tax_amount for l in lines)


def test_cards_keep_only_brand_last_four_and_reference(built):
    cards = list(Tender.select().where(Tender.method == "card"))
    assert cards
    for t in cards:
        assert t.card_brand and t.reference
        assert len(t.card_last4) == 4 and t.card_last4.isdigit()
    for t in Tender.select():
        assert sum(c.isdigit() for c in t.card_last4) <= 4
        assert sum(c.isdigit() for c in t.reference) < 13


def test_demo_staff_sign_in_and_chain_is_whole(built):
    assert Staff.select().count() == len(DEMO_STAFF)
    for spec in DEMO_STAFF:
        assert auth.sign_in(spec.code, spec.pin).role == spec.role
    report = audit.verify_chain()
    assert report.ok, report.message()


def test_same_seed_same_sales(tmp_path, clock_at):
    clock_at(NOW)
    shots = []
    for name in ("a", "b"):
        open_database("sqlite:///" + str(tmp_path / f"{name}.sqlite3"))
        try:
            build_demo(seed=11, lines=300, customers=40)
            shots.append(snapshot())
        finally:
            close_database()
    assert shots[0] == shots[1]
    assert len(shots[0]) > 50


def test_different_seed_different_sales(tmp_path, clock_at):
    clock_at(NOW)
    shots = []
    for seed in (1, 2):
        open_database("sqlite:///" + str(tmp_path / f"{seed}.sqlite3"))
        try:
            build_demo(seed=seed, lines=200, customers=20)
            shots.append(snapshot())
        finally:
            close_database()
    assert shots[0] != shots[1]


def test_ean13():
    assert ean13("400638133393") == "4006381333931"
    assert ean13_ok(ean13("500000000001"))
