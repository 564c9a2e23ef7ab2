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
    for s in Sale.select().order_by(Sale.receipt_no):  # the exchanges' replacement sales too
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
    # the tills' sales; exchanges and collected special orders add sales of their own
    tills = Sale.select().where(Sale.source == "demo")
    assert built.lines == LINES == SaleLine.select().join(Sale).where(Sale.source == "demo").count()
    assert built.sales == tills.count()
    assert {s.source for s in Sale.select()} == {"demo", "exchange", "order"}
    first, last = tills.order_by(Sale.sold_at).first().sold_at, tills.order_by(Sale.sold_at.desc()).first().sold_at
    assert NOW - dt.timedelta(days=121) <= first and last < NOW


def test_exchanges_and_voucher_history(built):
    from desk.models import Exchange, ExchangeTender, Voucher, VoucherEntry
    from desk.services import credit, settings

    exchanges = list(Exchange.select())
    assert built.exchanges == len(exchanges) >= 6
    live = [x for x in exchanges if x.status == "completed"]
    assert {(x.difference > 0) - (x.difference < 0) for x in live} == {-1, 0, 1}  # down, even and up
    (voided,) = [x for x in exchanges if x.status == "voided"]
    assert Sale.get_by_id(voided.sale_id).status == "voided"  # its replacement sale left the figures
    paid = {t.method for t in ExchangeTender.select().where(ExchangeTender.direction == "in")}
    assert "store_credit" in paid
    statuses = [credit.voucher_view(v.code) for v in Voucher.select()]
    by_status = {}
    for v in statuses:
        by_status.setdefault(v.status, []).append(v)
    assert len(by_status["cancelled"]) >= 1 and len(by_status["expired"]) == 1
    assert any(0 < v.balance < v.amount for v in by_status["active"])  # partly redeemed, still usable
    (expired,) = by_status["expired"]
    assert [e.kind for e in expired.entries] == ["issue", "redeem", "expire"]
    assert Voucher.get(Voucher.code == expired.code).status == "expired"  # stored
    assert settings.get("voucher_expiry_days") == 90
    assert VoucherEntry.select().where(VoucherEntry.kind == "redeem").count() >= 3
    assert credit.expire_due_once_a_day(Staff.get(Staff.code == "900")) is None  # done for the day


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


def test_the_demo_has_special_orders_in_every_status_and_some_to_do_today(built):
    from desk.services import orders

    board = orders.board()
    assert all(board.counts[s] >= 1 for s in orders.STATUSES), board.counts
    assert all(board.flag_counts[f] >= 1 for f in orders.FLAGS), board.flag_counts
    kept = [r for r in orders.search_orders(orders.OrderQuery(status="cancelled"))
            if orders.order_view(r.number).deposit_outcome == "kept"]
    assert len(kept) == 1 and orders.order_view(kept[0].number).approved_by_name == "Maja Manager"
    for row in orders.search_orders(orders.OrderQuery(status="collected")):
        sale = Sale.get(Sale.receipt_no == row.number)
        assert sale.source == "order" and sum(t.amount for t in sale.tenders) == sale.total


def test_demo_emails_keep_every_letter_of_the_name(built):
    """"Chloé Müller" writes chloe.muller@..., not chlo.mller@...: an accent goes, its letter stays."""
    import re

    from desk.services.demo import email_local

    assert email_local("Chloé", "Müller") == "chloe.muller"
    assert email_local("Łucja", "Wiśniewska") == "lucja.wisniewska"
    assert email_local("Zoë", "Ødegård") == "zoe.odegard"
    assert email_local("Björn", "O'Connor") == "bjorn.oconnor"
    for customer in Customer.select().where(Customer.email != ""):
        local = re.sub(r"\d+@example\.com$", "", customer.email)
        letters = [c for c in customer.name if c.isalpha()]
        assert len(local.replace(".", "")) >= len(letters), (customer.name, customer.email)
