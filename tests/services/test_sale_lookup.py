"""Finding sales: by receipt, by date / amount / customer / card, paging, the JSON for scripts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.models import Customer, SaleLine, database
from desk.services import sale_lookup as sl
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.services.staff import create_staff

UTC = dt.timezone.utc


def _sale(receipt, when, lines, tenders, customer=None, order_discount=0, till="T1"):
    return SaleInput(receipt_no=receipt, sold_at=when, lines=lines, tenders=tenders, order_discount=order_discount,
                     till_code=till, cashier="Tom", customer_id=customer)


@pytest.fixture
def ledger(store):
    """Four sales over three days, two customers, cash and cards."""
    shop, admin = store
    with database.atomic():
        jane = Customer.create(name="Jane Smithson", email="jane@example.com", phone="07700900123")
        kofi = Customer.create(name="Kofi Ødegård", email="kofi.m@example.org", phone="07911222333")
        sales = [
            _sale("R-0001", dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
                  [LineInput("Mug", 2, 950, Decimal("20"), sku="MUG-1"),
                   LineInput("Book", 1, 1299, Decimal("0"), sku="BK-1")],
                  [TenderInput("card", 2999, card_brand="Visa", card_last4="4242", reference="AUTH1")],
                  customer=jane.id, order_discount=200),
            _sale("R-0002", dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
                  [LineInput("Vase", 1, 3400, Decimal("20"), sku="VAS-1")],
                  [TenderInput("cash", 3400)]),
            _sale("R-0010", dt.datetime(2026, 3, 3, 9, 15, tzinfo=UTC),
                  [LineInput("Throw", 1, 7900, Decimal("20"), sku="THR-1", line_discount=900)],
                  [TenderInput("cash", 2000), TenderInput("card", 5000, card_brand="Mastercard", card_last4="0007", reference="AUTH3")],
                  customer=kofi.id, till="T2"),
            _sale("X-0001", dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
                  [LineInput("Socks", 3, 1200, Decimal("20"), sku="SOC-1")],
                  [TenderInput("card", 3600, card_brand="Visa", card_last4="4242", reference="AUTH4")],
                  customer=jane.id),
        ]
        record_sales(shop, sales, "canonical")
    return shop, admin


def test_find_receipt_exact_trimmed_and_any_case(ledger):
    view = sl.find_receipt("  R-0001 ")
    assert view is not None and view.receipt == "R-0001"
    assert sl.find_receipt("r-0001").receipt == "R-0001"
    assert sl.find_receipt("R-000") is None  # a prefix is not a receipt
    assert sl.find_receipt("") is None


def test_sale_view_has_header_lines_tenders_and_discount_shares(ledger):
    view = sl.find_receipt("R-0001")
    assert view.sold_at == dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
    assert (view.till, view.cashier, view.currency) == ("T1", "Tom", "GBP")
    assert view.customer.name == "Jane Smithson" and view.customer.email == "jane@example.com"
    assert (view.subtotal, view.discount_total, view.total) == (3199, 200, 2999)
    mug, book = view.lines
    assert (mug.line_no, mug.sku, mug.qty, mug.unit_price) == (1, "MUG-1", 2, 950)
    # 200 order discount spread 1900:1299 by largest remainder
    assert mug.order_discount_share + book.order_discount_share == 200
    assert mug.paid + book.paid == 2999
    assert mug.discount == mug.order_discount_share
    assert mug.tax_rate == Decimal("20") and book.tax_amount == 0
    assert (mug.returned_qty, mug.returnable_qty) == (0, 2)
    (tender,) = view.tenders
    assert tender.label == "Visa •••• 4242" and tender.reference == "AUTH1"
    assert sl.find_receipt("R-0002").tenders[0].label == "Cash"
    assert sl.find_receipt("R-0002").customer is None


def test_search_by_receipt_prefix_newest_first(ledger):
    rows = sl.search_sales(sl.SaleQuery(receipt="R-00"))
    assert [r.receipt for r in rows] == ["R-0010", "R-0002", "R-0001"]
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(receipt="r-001"))] == ["R-0010"]
    assert rows[0].tenders == "Cash + Mastercard •••• 0007"
    assert rows[0].customer == "Kofi Ødegård" and rows[0].total == 7000


def test_search_by_local_date_range(ledger):
    utc = sl.SaleQuery(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 2), tz=UTC)
    assert [r.receipt for r in sl.search_sales(utc)] == ["R-0002"]
    # 23:30 UTC on 2 March is already 3 March in Warsaw (UTC+1)
    warsaw = dt.timezone(dt.timedelta(hours=1))
    q = sl.SaleQuery(date_from=dt.date(2026, 3, 3), date_to=dt.date(2026, 3, 3), tz=warsaw)
    assert [r.receipt for r in sl.search_sales(q)] == ["X-0001", "R-0010", "R-0002"]
    assert sl.count_sales(sl.SaleQuery(date_from=dt.date(2026, 3, 2), tz=UTC)) == 3
    with pytest.raises(InvalidInput, match="Date to"):
        sl.search_sales(sl.SaleQuery(date_from=dt.date(2026, 3, 4), date_to=dt.date(2026, 3, 1)))


def test_search_by_amount_exact_and_range(ledger):
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(amount=3400))] == ["R-0002"]
    between = sl.SaleQuery(amount_min=3000, amount_max=3600)
    assert [r.receipt for r in sl.search_sales(between)] == ["X-0001", "R-0002"]


def test_search_by_customer_name_phone_email(ledger):
    assert {r.receipt for r in sl.search_sales(sl.SaleQuery(customer="smith"))} == {"R-0001", "X-0001"}
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(customer="07911"))] == ["R-0010"]
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(customer="900 123"))] == ["X-0001", "R-0001"]
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(customer="KOFI.M@"))] == ["R-0010"]
    assert sl.search_sales(sl.SaleQuery(customer="nobody")) == []
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(customer="ødegård"))] == ["R-0010"]
    # LIKE wildcards typed by a person are literal
    assert sl.search_sales(sl.SaleQuery(customer="%")) == []


def test_search_by_card_last_four(ledger):
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(last4="4242"))] == ["X-0001", "R-0001"]
    assert [r.receipt for r in sl.search_sales(sl.SaleQuery(last4="0007", receipt="R"))] == ["R-0010"]
    with pytest.raises(InvalidInput, match="Card last four"):
        sl.search_sales(sl.SaleQuery(last4="42"))


def test_paging_and_count(ledger):
    q = sl.SaleQuery()
    assert sl.count_sales(q) == 4
    first = sl.search_sales(q, offset=0, limit=3)
    rest = sl.search_sales(q, offset=3, limit=3)
    assert len(first) == 3 and len(rest) == 1
    assert [r.receipt for r in first + rest] == ["X-0001", "R-0010", "R-0002", "R-0001"]


def test_sale_json_shape_and_decimal_strings(ledger):
    data = sl.sale_json("R-0010")
    assert set(data) == {"receipt", "date", "currency", "lines", "tenders", "total", "status"}
    assert data["status"] == "completed"
    assert data["receipt"] == "R-0010" and data["currency"] == "GBP"
    assert data["date"] == "2026-03-03T09:15:00+00:00"
    assert data["total"] == "70.00"
    (line,) = data["lines"]
    assert line == {"line": 1, "sku": "THR-1", "description": "Throw", "qty": 1, "unit_price": "79.00",
                    "discount": "9.00", "tax": "11.67", "paid": "70.00", "returned_qty": 0}
    assert data["tenders"] == [
        {"method": "cash", "amount": "20.00", "last4": "", "reference": ""},
        {"method": "card", "amount": "50.00", "last4": "0007", "reference": "AUTH3"},
    ]
    json.dumps(data)  # plain JSON types only


def test_sale_json_unknown_receipt_names_it(ledger):
    with pytest.raises(NotFound, match="R-9999"):
        sl.sale_json("R-9999")


def test_permission_checked_when_an_actor_is_given(ledger):
    shop, admin = ledger
    assert sl.find_receipt("R-0001", actor=admin) is not None
    clerk = create_staff("101", "Clara Clerk", "clerk", "274951", shop)
    assert sl.count_sales(sl.SaleQuery(), actor=clerk) == 4
    clerk.active = False
    clerk.save()
    with pytest.raises(NotAllowed):
        sl.search_sales(sl.SaleQuery(), actor=clerk)


def test_returned_quantities_add_up_till_refunds(ledger):
    imports = pytest.importorskip("desk.models.imports")
    view = sl.find_receipt("X-0001")
    (line,) = view.lines
    with database.atomic():
        for n, qty in enumerate((1, 1)):
            imports.TillRefund.create(sale_line=line.id, quantity=qty, amount=1200,
                                      refunded_at=dt.datetime(2026, 3, 4, 10, 0), source="square", source_ref=f"r{n}")
    assert sl.returned_quantities([line.id, 999_999]) == {line.id: 2, 999_999: 0}
    again = sl.find_receipt("X-0001").lines[0]
    assert (again.returned_qty, again.returnable_qty) == (2, 1)
    assert sl.sale_json("X-0001")["lines"][0]["returned_qty"] == 2
