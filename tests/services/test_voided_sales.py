"""A voided exchange's replacement sale: marked voided, shown as such, never returned, out of the
figures. Both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from desk import clock
from desk.errors import NotAllowed
from desk.models import Sale
from desk.services import sales as sales_service
from desk.services.exchanges import ExchangeRequest, ReplacementLine, create_exchange, void_exchange
from desk.services.returns import ReturnLineRequest, ReturnRequest, create_return, preview
from desk.services.sale_lookup import SaleQuery, count_sales, find_receipt, sale_json, search_sales
from tests.services.test_exchanges import req, shop  # noqa: F401  (the fixture)


def _day_bounds():
    from desk.ui.screens.home import local_day_bounds_utc

    return local_day_bounds_utc(clock.utcnow())


def _return_of(view, qty=1) -> ReturnRequest:
    line = view.lines[0]
    return ReturnRequest(lines=[ReturnLineRequest(qty, "wrong_size", sale_line_id=line.id)], sale_id=view.id)


def test_voiding_an_exchange_voids_its_replacement_sale(shop):  # noqa: F811
    start, end = _day_bounds()
    before_day = sales_service.figures_between(start, end)
    before_ledger = sales_service.ledger_figures()
    x = create_exchange(shop["clerk"], req(shop))
    made_day = sales_service.figures_between(start, end)
    assert (made_day.sales, made_day.total) == (before_day.sales + 1, before_day.total + 2000)
    assert sales_service.ledger_figures().sales == before_ledger.sales + 1

    void_exchange(shop["mgr"], x.number, "customer kept the original")

    sale = Sale.get(Sale.receipt_no == x.number)
    assert sale.status == "voided" and sale.voided_by_id == shop["mgr"].id and sale.voided_at is not None
    assert "customer kept the original" in sale.void_reason and x.number in sale.void_reason
    view = find_receipt(x.number)
    assert view.voided and view.voided_by == "Maja Manager" and "customer kept the original" in view.void_reason
    assert view.voided_at is not None and view.voided_at.tzinfo is not None
    (row,) = search_sales(SaleQuery(receipt=x.number))
    assert row.voided and row.status == "voided"
    assert count_sales(SaleQuery(receipt=x.number)) == 1  # still found: the lookup shows it as voided
    assert sale_json(x.number)["status"] == "voided"
    # it no longer counts in the day's sales and takings, nor in the ledger's size
    day = sales_service.figures_between(start, end)
    assert (day.sales, day.total) == (before_day.sales, before_day.total)
    assert sales_service.ledger_figures().sales == before_ledger.sales


def test_a_voided_sale_cannot_be_returned_or_exchanged(shop):  # noqa: F811
    x = create_exchange(shop["clerk"], req(shop))
    void_exchange(shop["mgr"], x.number, "rang up the wrong size")
    view = find_receipt(x.number)
    when = clock.to_local(Sale.get(Sale.receipt_no == x.number).voided_at).strftime("%d %b %Y")
    with pytest.raises(NotAllowed, match=f"Sale {x.number} was voided on {when}") as err:
        create_return(shop["clerk"], _return_of(view))
    assert "rang up the wrong size" in str(err.value)
    with pytest.raises(NotAllowed, match="was voided on"):
        preview(shop["clerk"], _return_of(view))
    again = ExchangeRequest(returned=_return_of(view).lines, replacements=[ReplacementLine(shop["m"].id, 1)], sale_id=view.id)
    with pytest.raises(NotAllowed, match="was voided on"):
        create_exchange(shop["clerk"], again)


def test_an_exchange_whose_replacement_was_returned_is_not_voided(shop):  # noqa: F811
    x = create_exchange(shop["clerk"], req(shop))
    r = create_return(shop["clerk"], _return_of(find_receipt(x.number)))
    with pytest.raises(NotAllowed, match="have since been returned"):
        void_exchange(shop["mgr"], x.number, "mistake")
    assert Sale.get(Sale.receipt_no == x.number).status == "completed"
    from desk.services.returns import void_return

    void_return(shop["mgr"], r.number, "wrong receipt")
    assert void_exchange(shop["mgr"], x.number, "mistake").status == "voided"


def test_the_ledgers_dates_skip_voided_sales(shop, clock_at):  # noqa: F811
    first = shop["sale"].sold_at.replace(tzinfo=None)
    later = clock.utcnow() + dt.timedelta(hours=1)
    clock_at(later)
    x = create_exchange(shop["clerk"], req(shop))
    assert sales_service.ledger_figures().last == later
    void_exchange(shop["mgr"], x.number, "mistake")
    ledger = sales_service.ledger_figures()
    assert ledger.last == first and ledger.first == first and ledger.sales == 1


def test_migration_0008_goes_down_and_up_and_existing_sales_are_completed(store):
    from desk.models.db import migration_runner
    from tests.services.test_returns import make_sale

    conn = Sale._meta.database.obj
    make_sale(store[0], "OLD-1", [("Mug", 1, 950, 0, "Home")])
    runner = migration_runner(conn)
    assert runner.down("0008_sale_status")[-1] == "0008_sale_status"
    assert "status" not in {c.name for c in conn.get_columns("sale")}
    assert runner.up()[0] == "0008_sale_status"  # then the later ones again
    # a sale written before the column existed, and one written by the bulk insert that never names it
    make_sale(store[0], "NEW-1", [("Mug", 1, 950, 0, "Home")])
    assert {s.receipt_no: s.status for s in Sale.select()} == {"OLD-1": "completed", "NEW-1": "completed"}


def test_a_voided_sales_receipt_prints_voided_and_it_gets_no_gift_receipt(shop):  # noqa: F811
    from desk.services import documents
    from tests.printing.pdfcheck import text_of

    x = create_exchange(shop["clerk"], req(shop))
    assert "VOIDED" not in text_of(documents.render("receipt", x.number, shop["clerk"]).pdf)
    void_exchange(shop["mgr"], x.number, "customer kept the original")
    text = " ".join(text_of(documents.render("receipt", x.number, shop["clerk"]).pdf).split())
    assert "VOIDED" in text and "customer kept the original" in text and "REPRINT" in text
    with pytest.raises(NotAllowed, match=f"Sale {x.number} was voided"):
        documents.gift_receipt(shop["clerk"], x.number)
