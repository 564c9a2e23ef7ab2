"""Pricing a sale (tax-inclusive and tax-on-top, order discount by largest remainder) and writing it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.errors import InvalidInput
from desk.models import Sale, SaleLine, Tender, database
from desk.services.sales import (
    LineInput,
    SaleInput,
    TenderInput,
    figures_between,
    ledger_figures,
    price_sale,
    record_sales,
)

WHEN = dt.datetime(2026, 2, 3, 14, 30)


def sale(receipt="R1", lines=None, tenders=None, order_discount=0, **kw):
    lines = lines or [LineInput("Mug", 2, 950, Decimal("20"))]
    return SaleInput(receipt, WHEN, lines, tenders if tenders is not None else [TenderInput("cash", 1900)],
                     order_discount=order_discount, **kw)


def test_price_tax_inclusive():
    priced = price_sale(sale(lines=[LineInput("Jumper", 1, 1200, Decimal("20")),
                                    LineInput("Book", 2, 500, Decimal("0"))]), prices_include_tax=True)
    assert [(p.paid, p.tax_amount) for p in priced.lines] == [(1200, 200), (1000, 0)]
    assert (priced.subtotal, priced.discount_total, priced.tax_total, priced.total) == (2200, 0, 200, 2200)


def test_price_tax_on_top():
    priced = price_sale(sale(lines=[LineInput("Jumper", 1, 1000, Decimal("20")),
                                    LineInput("Candle", 3, 333, Decimal("8.875"))]), prices_include_tax=False)
    # 999 * 8.875% = 88.66 -> 89
    assert [(p.paid, p.tax_amount) for p in priced.lines] == [(1200, 200), (1088, 89)]
    assert (priced.subtotal, priced.tax_total, priced.total) == (1999, 289, 2288)


def test_order_discount_is_spread_by_largest_remainder():
    lines = [LineInput(f"Item {i}", 1, 1000, Decimal("20")) for i in range(3)]
    priced = price_sale(sale(lines=lines, order_discount=100), True)
    assert [p.order_discount_share for p in priced.lines] == [34, 33, 33]
    assert [p.paid for p in priced.lines] == [966, 967, 967]
    assert priced.total == 2900 and priced.discount_total == 100


def test_line_discount_and_order_discount_together():
    lines = [LineInput("A", 2, 1000, Decimal("20"), line_discount=200), LineInput("B", 1, 500, Decimal("0"))]
    priced = price_sale(sale(lines=lines, order_discount=230), True)
    # grosses 1800 and 500; 230 split 1800:500 -> 180, 50
    assert [p.gross for p in priced.lines] == [1800, 500]
    assert [p.order_discount_share for p in priced.lines] == [180, 50]
    assert priced.discount_total == 430
    assert priced.total == 2070 == priced.subtotal - priced.discount_total


line_st = st.builds(
    LineInput,
    description=st.just("x"),
    quantity=st.integers(1, 20),
    unit_price=st.integers(0, 100_000),
    tax_rate=st.sampled_from([Decimal("0"), Decimal("5"), Decimal("20"), Decimal("8.875")]),
)


@given(st.lists(line_st, min_size=1, max_size=12), st.data(), st.booleans())
def test_no_cent_is_lost(lines, data, inclusive):
    gross = sum(l.quantity * l.unit_price for l in lines)
    discount = data.draw(st.integers(0, gross))
    priced = price_sale(sale(lines=lines, order_discount=discount), inclusive)
    assert sum(p.order_discount_share for p in priced.lines) == discount
    assert sum(p.paid for p in priced.lines) == priced.total
    assert sum(p.tax_amount for p in priced.lines) == priced.tax_total
    for p in priced.lines:
        assert 0 <= p.order_discount_share <= p.gross
    if inclusive:
        assert priced.total == gross - discount
    else:
        assert priced.total == gross - discount + priced.tax_total


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"lines": [LineInput("A", 0, 100, Decimal("20"))]}, "line 1 quantity"),
        ({"lines": [LineInput("A", 1, -100, Decimal("20"))]}, "line 1 price"),
        ({"lines": [LineInput("A", 1, 100, Decimal("20"), line_discount=101)]}, "line 1 discount"),
        ({"order_discount": 5000}, "order discount"),
        ({"order_discount": -1}, "order discount"),
    ],
)
def test_bad_lines_are_named(kwargs, field):
    with pytest.raises(InvalidInput) as info:
        price_sale(sale(**kwargs), True)
    assert info.value.field == field


def test_a_sale_with_no_lines_is_refused():
    with pytest.raises(InvalidInput, match="R9 has no lines"):
        price_sale(SaleInput("R9", WHEN, [], []), True)


def test_record_sales_writes_lines_and_tenders(store):
    shop, _ = store
    s = sale("R1", lines=[LineInput("Jumper", 1, 6500, Decimal("20"), sku="CLO-1", barcode="5000000000017"),
                          LineInput("Book", 2, 1299, Decimal("0"))],
             tenders=[TenderInput("cash", 1000), TenderInput("card", 7098, "Visa", "4242", "AUTH1")],
             order_discount=1000, till_code="T1", cashier="Tom")
    with database.atomic():
        assert record_sales(shop, [s], "canonical") == 1
    row = Sale.get(Sale.receipt_no == "R1")
    assert (row.subtotal, row.discount_total, row.total, row.currency, row.source) == (9098, 1000, 8098, "GBP", "canonical")
    assert row.sold_at == WHEN and row.till.code == "T1" and row.till.kind == "till"
    lines = list(row.lines.order_by(SaleLine.line_no))
    assert [l.paid for l in lines] == [5786, 2312]
    assert sum(l.order_discount_share for l in lines) == 1000
    assert lines[0].tax_rate == Decimal("20") and lines[0].tax_amount == 964
    tenders = list(row.tenders.order_by(Tender.seq))
    assert [(t.method, t.amount, t.card_last4) for t in tenders] == [("cash", 1000, ""), ("card", 7098, "4242")]
    figures = ledger_figures()
    assert (figures.sales, figures.first, figures.last) == (1, WHEN, WHEN)
    assert figures_between(WHEN, WHEN + dt.timedelta(days=1)).total == 8098
    assert figures_between(WHEN + dt.timedelta(seconds=1), WHEN + dt.timedelta(days=1)).sales == 0


def test_aware_sold_at_is_stored_in_utc(store):
    shop, _ = store
    aware = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with database.atomic():
        record_sales(shop, [SaleInput("R2", aware, [LineInput("Mug", 1, 950, Decimal("20"))], [TenderInput("cash", 950)])], "canonical")
    assert Sale.get(Sale.receipt_no == "R2").sold_at == dt.datetime(2026, 7, 1, 10, 0)


def test_tenders_that_do_not_add_up_are_refused_naming_the_receipt_and_nothing_is_written(store):
    shop, _ = store
    good = [sale(f"R{i}") for i in range(1, 4)]
    bad = sale("R-BAD", tenders=[TenderInput("cash", 1000), TenderInput("card", 800, "Visa", "4242")])
    with pytest.raises(InvalidInput) as info:
        with database.atomic():
            record_sales(shop, good + [bad], "canonical", batch=1)  # the good ones were already flushed
    assert info.value.field == "receipt R-BAD tenders"
    assert "1800" in info.value.why and "1900" in info.value.why
    assert Sale.select().count() == 0 and SaleLine.select().count() == 0 and Tender.select().count() == 0


@pytest.mark.parametrize(
    "tender, field",
    [
        (TenderInput("cheque", 1900), "receipt R1 tender"),
        (TenderInput("card", 1900, "Visa", "42424"), "receipt R1 card last four"),
        (TenderInput("card", 1900, "Visa", "42a4"), "receipt R1 card last four"),
        (TenderInput("card", 1900, "Visa", "4242", reference="4111 1111 1111 1111"), "receipt R1 card reference"),
        (TenderInput("card", 1900, "Visa", "4242", reference="PAN5500005555555559"), "receipt R1 card reference"),
    ],
)
def test_bad_tenders_are_refused(store, tender, field):
    shop, _ = store
    with pytest.raises(InvalidInput) as info:
        with database.atomic():
            record_sales(shop, [sale("R1", tenders=[tender])], "canonical")
    assert info.value.field == field
    assert Sale.select().count() == 0


def test_long_references_that_are_not_card_numbers_are_kept(store):
    shop, _ = store
    ref = "1234567890123456"  # 16 digits that fail the Luhn check: a processor's reference, not a card
    with database.atomic():
        record_sales(shop, [sale("R1", tenders=[TenderInput("card", 1900, "Visa", "4242", reference=ref)])], "canonical")
    assert Tender.get().reference == ref


def test_record_sales_refuses_to_run_outside_a_transaction(store):
    shop, _ = store
    with pytest.raises(RuntimeError):
        record_sales(shop, [sale()], "canonical")


def test_many_sales_in_batches(store):
    shop, _ = store
    sales = [sale(f"R{i:03d}", till_code=f"T{i % 3}") for i in range(25)]
    seen = []
    with database.atomic():
        assert record_sales(shop, sales, "canonical", batch=10, progress=seen.append) == 25
    assert seen == [10, 20, 25]
    assert Sale.select().count() == 25 and SaleLine.select().count() == 25
    assert {s.till.code for s in Sale.select()} == {"T0", "T1", "T2"}


@pytest.mark.parametrize("rate", [Decimal("-100"), Decimal("-1"), Decimal("100.5"), Decimal("8.8755"), "abc", 20.0])
def test_a_bad_tax_rate_is_named(rate):
    with pytest.raises(InvalidInput) as info:
        price_sale(sale(lines=[LineInput("Mug", 1, 950, Decimal("20")), LineInput("Jug", 1, 950, rate)],
                        tenders=[TenderInput("cash", 1900)]), True)
    assert info.value.field == "line 2 tax rate"


def test_tax_rates_with_up_to_three_places_are_stored_exactly(store):
    shop, _ = store
    with database.atomic():
        record_sales(shop, [sale("R1", lines=[LineInput("Candle", 1, 1000, Decimal("8.875"))], tenders=[TenderInput("cash", 1000)])], "canonical")
    assert SaleLine.get().tax_rate == Decimal("8.875")


@pytest.mark.parametrize("value", [dt.datetime(2026, 2, 3, 14, 30), dt.datetime(2026, 2, 3, 14, 30, 5, 7), dt.datetime(1, 1, 1)])
def test_a_time_converted_once_for_many_rows_is_stored_as_the_driver_stores_the_datetime(db, value):
    from desk.services.sales import stored_time

    sql = f"SELECT CAST({database.obj.param} AS TEXT)"
    assert database.execute_sql(sql, (stored_time(value),)).fetchone()[0] == database.execute_sql(sql, (value,)).fetchone()[0]


def test_rows_written_together_get_ascending_version_7_uuids(store):
    import uuid

    shop, _ = store
    with database.atomic():
        record_sales(shop, [sale(f"R{i}") for i in range(1, 6)], "canonical")
    sales = [s.uuid for s in Sale.select().order_by(Sale.id)]
    lines = [l.uuid for l in SaleLine.select().order_by(SaleLine.id)]
    for ids in (sales, lines):
        assert len(set(ids)) == len(ids) == 5
        assert all(uuid.UUID(str(u)).version == 7 for u in ids)
        assert [str(u) for u in ids] == sorted(str(u) for u in ids)
    assert Sale.get(Sale.receipt_no == "R1").created_at.year >= 2026


@pytest.mark.parametrize("start, n", [(0, 1), (0xFFFE, 5), (0x1_FFFF, 0x1_0002), ((1 << 62) - 3, 7)])
def test_uuids_made_in_bulk_count_up_by_one_across_every_hex_digit(monkeypatch, start, n):
    """Across a carry out of the last four hex digits too, and where the count has to start
    lower to stay inside the 62 random bits."""
    import uuid

    from desk.services import sales

    real = sales.uuid7_run
    runs = []
    monkeypatch.setattr(sales, "uuid7_run", lambda k: runs.append(real(k)) or (runs[-1][0], start if start + k < 1 << 62 else start - k))
    made = sales.uuid_hexes(n)
    first = (0b10 << 62) | (start if start + n < 1 << 62 else start - n)
    assert made == [runs[0][0] + f"{v:016x}" for v in range(first, first + n)]
    assert all(uuid.UUID(u).version == 7 and uuid.UUID(u).variant == uuid.RFC_4122 for u in (made[0], made[-1]))


@pytest.mark.parametrize("rows, bound", [(3, 32_766), (None, 7), (None, 32_766), (10, 32_766)])
def test_rows_given_as_one_list_of_values_are_inserted_in_order_in_statements_of_any_size(db, monkeypatch, rows, bound):
    """``insert_values``: ten rows (two values each, and the creation time they share, bound once
    a statement) in statements of ``rows`` rows, or of as many as ``MAX_BOUND`` values allow (7:
    three rows a statement), the last one shorter; a clash is the database's IntegrityError and
    nothing of that statement is kept."""
    import peewee

    from desk.models import Category
    from desk.services import sales as sales_service
    from desk.services.sales import insert_values, stored_time, uuid_hexes

    monkeypatch.setattr(sales_service, "MAX_BOUND", bound)
    now = stored_time(dt.datetime(2026, 2, 3, 14, 30))
    names = [f"Category {n}" for n in range(10)]
    values = [v for uuid, name in zip(uuid_hexes(10), names) for v in (uuid, name)]
    cursor = database.cursor()
    with database.atomic():
        insert_values(Category, ["uuid", "name"], values, cursor, rows=rows, shared={"created_at": now})
    assert [(c.name, c.created_at) for c in Category.select().order_by(Category.id)] == [
        (name, dt.datetime(2026, 2, 3, 14, 30)) for name in names]
    with pytest.raises(peewee.IntegrityError), database.atomic():
        insert_values(Category, ["uuid", "created_at", "name"], [*uuid_hexes(1), now, "Category 3"], cursor)
    assert Category.select().count() == 10
    cursor.close()
