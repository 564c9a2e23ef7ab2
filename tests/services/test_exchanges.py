"""Exchanges: even, up and down with every settlement tender, stock, voids, the log. Both backends."""

from __future__ import annotations

import csv

import pytest

from desk.errors import InvalidInput, NeedsApproval, NotAllowed
from desk.models import AuditEvent, Exchange, Product, Return, Sale, Voucher, database
from desk.services import credit
from desk.services.exchanges import (
    ExchangeQuery,
    ExchangeRequest,
    ReplacementLine,
    SettlementTender,
    create_exchange,
    exchange_view,
    export_exchanges_csv,
    preview_exchange,
    same_item_again,
    search_exchanges,
    variants_of,
    void_exchange,
)
from desk.services.returns import ReturnLineRequest
from desk.services.sales import TenderInput
from tests.services.test_returns import add_team, make_product, make_request, make_sale, returned


@pytest.fixture
def shop(store):
    st, admin = store
    clerk, clerk2, sup, mgr = add_team(st)
    shirt_m = make_product("SH-M", price=2000, stock=3)
    with database.atomic():
        Product.update(name="Shirt, Blue, M", size="M", colour="Blue").where(Product.id == shirt_m.id).execute()
    shirt_l = make_product("SH-L", price=2000, stock=2)
    shirt_r = make_product("SH-R", price=2000, stock=0)
    with database.atomic():
        Product.update(name="Shirt, Blue, L", size="L", colour="Blue").where(Product.id == shirt_l.id).execute()
        Product.update(name="Shirt, Red, M", size="M", colour="Red").where(Product.id == shirt_r.id).execute()
    coat = make_product("COAT", price=5000, stock=1)
    sock = make_product("SOCK", price=500, stock=10)
    sale = make_sale(st, "T-1", [("Shirt, Blue, M", 2, 2000, 0, "Clothing", shirt_m)])
    return dict(store=st, clerk=clerk, mgr=mgr, sup=sup, m=shirt_m, l=shirt_l, r=shirt_r, coat=coat, sock=sock, sale=sale)


def stock(p):
    return Product.get_by_id(p.id).stock_on_hand


def req(shop, qty=1, out=None, **kw):
    r = make_request(shop["sale"], {1: qty})
    return ExchangeRequest(returned=r.lines, replacements=out or [ReplacementLine(shop["l"].id, qty)],
                           kind="receipted", sale_id=shop["sale"].id, **kw)


def test_even_exchange_settles_to_zero_and_moves_stock(shop):
    v = create_exchange(shop["clerk"], req(shop))
    assert v.number.startswith("X-") and v.difference == 0 and v.tenders == []
    assert v.returned_value == 2000 and v.replacement_total == 2000
    assert stock(shop["m"]) == 4 and stock(shop["l"]) == 1
    sale = Sale.get(Sale.receipt_no == v.number)
    assert sale.source == "exchange" and sale.total == 2000
    assert Return.get(Return.number == v.return_number).total == 2000
    assert returned(shop["sale"]) == 1
    assert [l.description for l in v.went_out] == ["Shirt, Blue, L"]
    assert AuditEvent.select().where(AuditEvent.action == "exchange.created").count() == 1


@pytest.mark.parametrize("method", ["cash", "card", "gift_card", "store_credit"])
def test_up_exchange_paid_by_every_tender(shop, method):
    code = ""
    if method == "store_credit":
        with database.atomic():
            code = credit.issue_voucher(shop["store"], 5000, shop["clerk"], reference="goodwill").code
    t = SettlementTender(method, 3000, card_brand="Visa" if method == "card" else "", card_last4="1111" if method == "card" else "",
                         reference="REF9" if method in ("card", "gift_card") else "", voucher_code=code)
    v = create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["coat"].id, 1)], tenders=[t]))
    assert v.difference == 3000
    assert [(x.direction, x.method, x.amount) for x in v.tenders] == [("in", method, 3000)]
    assert stock(shop["coat"]) == 0
    if code:
        assert credit.voucher_view(code).balance == 2000
    sale = Sale.get(Sale.receipt_no == v.number)
    assert sale.total == 5000


def test_up_exchange_underpaid_is_refused_and_writes_nothing(shop):
    with pytest.raises(InvalidInput, match="owes"):
        create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["coat"].id, 1)], tenders=[SettlementTender("cash", 100)]))
    assert Exchange.select().count() == 0 and Return.select().count() == 0
    assert stock(shop["coat"]) == 1 and stock(shop["m"]) == 3


def test_down_exchange_refund_to_cash_of_a_card_sale_is_refused_by_the_policy(shop):
    with pytest.raises(NotAllowed, match="card payment can be refunded only"):
        create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["sock"].id, 1)], refund_to="cash"))
    assert Exchange.select().count() == 0 and Sale.select().count() == 1 and stock(shop["sock"]) == 10


@pytest.mark.parametrize("refund_to", ["original", "card", "store_credit"])
def test_down_exchange_refunds_the_difference(shop, refund_to):
    v = create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["sock"].id, 1)], refund_to=refund_to,
                                           card_reference="TERM1"))
    assert v.difference == -1500
    t = v.tenders[0]
    assert (t.direction, t.amount) == ("out", 1500)
    if refund_to == "original":
        assert (t.method, t.card_brand, t.card_last4) == ("card", "Visa", "4242")
    elif refund_to == "store_credit":
        assert credit.voucher_view(t.voucher_code).balance == 1500
    else:
        assert (t.method, t.reference) == ("card", "TERM1")


def test_no_stock_is_refused_naming_the_product(shop):
    with pytest.raises(NotAllowed, match="Shirt, Red, M"):
        create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["r"].id, 1)]))
    assert Exchange.select().count() == 0 and Return.select().count() == 0
    p = preview_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["r"].id, 1)]))
    assert p.problems and "Shirt, Red, M" in p.problems[0]


def test_partially_returned_line_can_be_exchanged_only_for_what_is_left(shop):
    create_exchange(shop["clerk"], req(shop))
    with pytest.raises(InvalidInput, match="only 1 of the 2"):
        create_exchange(shop["clerk"], req(shop, qty=2, out=[ReplacementLine(shop["sock"].id, 1)], refund_to="card"))
    v = create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["m"].id, 1)]))
    assert v.difference == 0 and returned(shop["sale"]) == 2


def test_preview_values_returned_at_what_was_paid_and_replacements_at_catalogue(shop):
    with database.atomic():
        Product.update(price=2400).where(Product.id == shop["l"].id).execute()
    p = preview_exchange(shop["clerk"], req(shop))
    assert (p.returned_value, p.replacement_total, p.difference) == (2000, 2400, 400)
    assert p.replacements[0].in_stock


def test_void_reverses_stock_and_vouchers(shop):
    with database.atomic():
        code = credit.issue_voucher(shop["store"], 5000, shop["clerk"], reference="goodwill").code
    v = create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["coat"].id, 1)],
                                           tenders=[SettlementTender("store_credit", 3000, voucher_code=code)]))
    with pytest.raises(NotAllowed):
        void_exchange(shop["clerk"], v.number, "mistake")
    out = void_exchange(shop["mgr"], v.number, "mistake")
    assert out.status == "voided"
    assert stock(shop["coat"]) == 1 and stock(shop["m"]) == 3
    assert credit.voucher_view(code).balance == 5000
    assert returned(shop["sale"]) == 0
    down = create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["sock"].id, 1)], refund_to="store_credit"))
    void_exchange(shop["mgr"], down.number, "mistake")
    assert credit.voucher_view(down.voucher_codes[0]).status == "cancelled"
    assert stock(shop["sock"]) == 10


def test_approval_comes_from_the_returns_policy(shop):
    from desk.services.policy import Policy, save_policy, load_policy

    old = make_sale(shop["store"], "T-OLD", [("Shirt, Blue, M", 1, 2000, 0, "Clothing", shop["m"])], days_ago=45)
    r = make_request(old, {1: 1})
    request = ExchangeRequest(returned=r.lines, replacements=[ReplacementLine(shop["l"].id, 1)], sale_id=old.id)
    with pytest.raises((NeedsApproval, NotAllowed)):
        create_exchange(shop["clerk"], request)
    assert Exchange.select().count() == 0


def test_variants_and_same_item_again(shop):
    rows = variants_of(shop["m"].id)
    assert {r.sku for r in rows} == {"SH-M", "SH-L", "SH-R"}
    assert rows[-1].sku == "SH-R"  # out of stock last
    line = make_request(shop["sale"], {1: 1}).lines[0]
    again = same_item_again(line)
    assert again.product_id == shop["m"].id
    v = create_exchange(shop["clerk"], ExchangeRequest(returned=[ReturnLineRequest(1, "defective", "defective", "write_off",
                                                                                   sale_line_id=line.sale_line_id)],
                                                       replacements=[again], sale_id=shop["sale"].id))
    assert v.difference == 0 and stock(shop["m"]) == 2


def test_log_filters_and_csv(shop, tmp_path):
    a = create_exchange(shop["clerk"], req(shop))
    b = create_exchange(shop["mgr"], req(shop, out=[ReplacementLine(shop["sock"].id, 1)], refund_to="store_credit"))
    assert [r.number for r in search_exchanges(ExchangeQuery())] == [b.number, a.number]
    assert [r.number for r in search_exchanges(ExchangeQuery(clerk_code=shop["clerk"].code))] == [a.number]
    assert [r.number for r in search_exchanges(ExchangeQuery(product="SOCK"))] == [b.number]
    assert search_exchanges(ExchangeQuery(reason="wrong_size"))
    assert search_exchanges(ExchangeQuery(reason="defective")) == []
    path = tmp_path / "x.csv"
    assert export_exchanges_csv(ExchangeQuery(), path) == 2
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    assert rows[0]["difference"] == "-15.00" and rows[0]["return"] == b.return_number


def test_demo_store_has_exchanges_and_voucher_redemptions(demo):
    from desk.models import VoucherEntry

    assert Exchange.select().where(Exchange.status == "completed").count() >= 3
    assert Exchange.select().where(Exchange.status == "voided").count() == 1
    assert VoucherEntry.select().where(VoucherEntry.kind == "redeem").count() >= 1
    assert {r.number for r in search_exchanges()} == {e.number for e in Exchange.select()}
