"""The exchange log a page at a time: filters in SQL, counts, pages that add up, the CSV of every
match, and a void approved at the desk with a manager's PIN. Both backends."""

from __future__ import annotations

import csv
import json

import pytest

from desk.errors import AuthFailed, InvalidInput, NotAllowed
from desk.models import AuditEvent, Exchange
from desk.services.exchanges import (
    ExchangeQuery,
    ExchangeRequest,
    ReplacementLine,
    count_exchanges,
    create_exchange,
    export_exchanges_csv,
    search_exchanges,
    void_exchange,
    void_exchange_at_desk,
)
from desk.services.returns import DeskApproval
from tests.services.test_exchanges import req, shop, stock  # noqa: F401  (shop is a fixture)
from tests.services.test_returns import MANAGER, SUPERVISOR, make_request, make_sale


@pytest.fixture
def three(shop):  # noqa: F811
    a = create_exchange(shop["clerk"], req(shop))
    b = create_exchange(shop["mgr"], req(shop, out=[ReplacementLine(shop["sock"].id, 1)], refund_to="store_credit"))
    return shop, a, b


def test_pages_add_up_to_the_count_newest_first(three):
    shop, a, b = three
    other = make_sale(shop["store"], "T-2", [("Shirt, Blue, M", 1, 2000, 0, "Clothing", shop["m"])])
    r = make_request(other, {1: 1})
    c = create_exchange(shop["clerk"], ExchangeRequest(returned=r.lines, replacements=[ReplacementLine(shop["m"].id, 1)],
                                                       sale_id=other.id))
    assert count_exchanges(ExchangeQuery()) == 3
    first = search_exchanges(ExchangeQuery(), 0, 2)
    rest = search_exchanges(ExchangeQuery(), 2, 2)
    assert [r.number for r in first + rest] == [c.number, b.number, a.number]
    assert search_exchanges(ExchangeQuery(), 3, 2) == []
    row = rest[0]
    assert (row.items_in, row.items_out) == ("Shirt, Blue, M", "Shirt, Blue, L")
    assert (row.return_number, row.sale_receipt_no, row.original_receipt_no) == (a.return_number, a.number, "T-1")
    assert (row.clerk_code, row.clerk_name) == (shop["clerk"].code, shop["clerk"].name)


def test_filters_run_in_sql_and_the_count_agrees(three):
    shop, a, b = three
    cases = [
        (ExchangeQuery(product="sock"), [b.number]),  # what went out, any case
        (ExchangeQuery(product="blue, m"), [b.number, a.number]),  # what came back
        (ExchangeQuery(product="SH-L"), [a.number]),  # a SKU
        (ExchangeQuery(product="nothing like it"), []),
        (ExchangeQuery(clerk_code=shop["mgr"].code), [b.number]),
        (ExchangeQuery(reason="wrong_size"), [b.number, a.number]),
        (ExchangeQuery(reason="defective"), []),
    ]
    for query, numbers in cases:
        assert [r.number for r in search_exchanges(query, 0, 50)] == numbers, query
        assert count_exchanges(query) == len(numbers), query
    void_exchange(shop["mgr"], a.number, "mistake")
    assert [r.number for r in search_exchanges(ExchangeQuery(include_voided=False))] == [b.number]
    assert [r.status for r in search_exchanges(ExchangeQuery())] == ["completed", "voided"]


def test_csv_has_every_match_not_one_page(three, tmp_path, monkeypatch):
    from desk.services import exchanges

    shop, a, b = three
    monkeypatch.setattr(exchanges, "EXPORT_PAGE", 1)
    path = tmp_path / "log.csv"
    assert export_exchanges_csv(ExchangeQuery(), path) == 2
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert [r["number"] for r in rows] == [b.number, a.number]
    assert rows[1]["items_out"] == "Shirt, Blue, L" and rows[1]["original_receipt"] == "T-1"


def test_a_supervisor_voids_with_a_managers_pin_typed_at_the_desk(three):
    shop, a, _b = three
    with pytest.raises(NotAllowed):
        void_exchange(shop["sup"], a.number, "wrong item")
    with pytest.raises(AuthFailed):
        void_exchange_at_desk(shop["sup"], a.number, "wrong item", DeskApproval(MANAGER[0], "000000", ""))
    with pytest.raises(NotAllowed):  # a supervisor's own PIN does not give a manager's right
        void_exchange_at_desk(shop["sup"], a.number, "wrong item", DeskApproval(SUPERVISOR[0], SUPERVISOR[1], ""))
    with pytest.raises(InvalidInput, match="Reason"):
        void_exchange_at_desk(shop["sup"], a.number, " ", DeskApproval(MANAGER[0], MANAGER[1], ""))
    assert Exchange.get(Exchange.number == a.number).status == "completed"
    v = void_exchange_at_desk(shop["sup"], a.number, "wrong item", DeskApproval(MANAGER[0], MANAGER[1], "checked"))
    assert (v.status, v.voided_by_name, v.void_reason) == ("voided", shop["mgr"].name, "wrong item")
    assert stock(shop["l"]) == 2 and stock(shop["m"]) == 4  # exchange b still holds its returned shirt
    event = AuditEvent.get(AuditEvent.action == "exchange.void_approved")
    details = json.loads(event.details)
    assert details["at_desk_of"] == shop["sup"].code and details["number"] == a.number and event.staff_code == MANAGER[0]
