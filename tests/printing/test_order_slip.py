"""The order slip and the collection slip: what they say, their paper, and the order number's
barcode read back from the rendered page."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.errors import NotAllowed
from desk.models import Product, database
from desk.services import documents, orders
from desk.services.exchanges import SettlementTender
from desk.services.orders import OrderLineInput, OrderRequest
from tests.printing.pdfcheck import ink_fraction, page_sizes_mm, render_gray, text_of
from tests.services.test_returns import add_team, make_product


@pytest.fixture
def shop(sqlite_store):
    store, _ = sqlite_store
    clerk, clerk2, _, manager = add_team(store)
    kettle = make_product("KET-1", "Kitchen", 4000, 0)
    with database.atomic():
        Product.update(name="Copper kettle").where(Product.id == kettle.id).execute()
    request = OrderRequest([OrderLineInput(1, product_id=kettle.id),
                            OrderLineInput(2, description="Enamel bread bin", supplier="Bins & Co", supplier_code="BB-44",
                                           unit_price=2550)],
                           customer_name="Łucja Wiśniewska", customer_phone="07700 900123", supplier="Kettles Ltd",
                           expected_date=dt.date.today() + dt.timedelta(days=10),
                           deposit_tenders=[SettlementTender("cash", 1000), SettlementTender("card", 820, "Visa", "4242", "AUTH1")])
    v = orders.take_order(clerk, request)
    return store, clerk, clerk2, manager, v


def _flat(pdf: bytes) -> str:
    return " ".join(text_of(pdf).split())


def _collect(shop):
    _, clerk, clerk2, _, v = shop
    orders.mark_ordered(clerk, v.number, "KL-1")
    for line in v.lines:
        orders.receive(clerk, v.number, line.line_no)
    return orders.collect(clerk2, v.number, [SettlementTender("card", 7280, "Mastercard", "5555", "AUTH2")])


@pytest.mark.parametrize("paper", ["roll", "a4"])
def test_the_order_slip_shows_the_order_deposit_and_balance(shop, paper, tmp_path):
    _, clerk, _, _, v = shop
    doc = documents.render("order", v.number, clerk, paper)
    assert doc.kind == "order" and doc.title == f"Special order {v.number}" and doc.filename == f"order-{v.number}.pdf"
    text = _flat(doc.pdf)
    for expected in ["Test Store", v.number, "Łucja Wiśniewska", "Phone 07700 900123", "Copper kettle", "KET-1",
                     "Enamel bread bin", "Bins & Co · BB-44", "£91.00", "Deposit paid", "£18.20", "To pay at collection",
                     "£72.80", "Visa •••• 4242 (ref. AUTH1)", "Cleo Clerk (100)", "Expected",
                     "Keep this slip"]:
        assert expected in text, (expected, text)
    w, _h = page_sizes_mm(doc.pdf)[0]
    assert (w < 100) == (paper == "roll")
    image = render_gray(doc.pdf)
    image.save(tmp_path / f"order-{paper}.png")
    assert ink_fraction(image) > 0.01


@pytest.mark.parametrize("paper,dpi", [("roll", 203), ("a4", 150)])
@pytest.mark.parametrize("kind", ["order", "collection"])
def test_the_barcode_reads_back_as_the_order_number(qapp, shop, kind, paper, dpi):
    zxingcpp = pytest.importorskip("zxingcpp")
    v = shop[4]
    if kind == "collection":
        _collect(shop)
    pdf = documents.render(kind, v.number, shop[1], paper).pdf
    found = zxingcpp.read_barcodes(render_gray(pdf, dpi=dpi))
    assert [b.text for b in found] == [v.number]


@pytest.mark.parametrize("paper", ["roll", "a4"])
def test_the_collection_slip_shows_what_was_paid_when(shop, paper):
    v = _collect(shop)
    text = _flat(documents.render("collection", v.number, shop[1], paper).pdf)
    for expected in [v.number, "Collected", "Colin Clerk (101)", "Copper kettle", "Deposit paid", "£18.20",
                     "Paid today", "£72.80", "Deposit: Cash", "Mastercard •••• 5555 (ref. AUTH2)", "Paid in full",
                     "Received in good order"]:
        assert expected in text, (expected, text)


def test_a_collection_slip_before_collection_is_refused(shop):
    with pytest.raises(NotAllowed, match="has not been collected"):
        documents.render("collection", shop[4].number, shop[1])


def test_a_cancelled_order_slip_says_so_and_prints_the_voucher(shop):
    _, clerk, _, _, v = shop
    v = orders.cancel(clerk, v.number, "found it elsewhere", deposit="store_credit")
    text = _flat(documents.render("order", v.number, clerk, "roll").pdf)
    for expected in ["CANCELLED", "found it elsewhere; deposit given as store credit", "Given back", "£18.20",
                     v.voucher_codes[0]]:
        assert expected in text, (expected, text)
    assert "To pay at collection" not in text and "Keep this slip" not in text


def test_desk_print_order_and_collection_from_the_command_line(shop, sqlite_url, tmp_path, capsys):
    from desk.cli import main

    v = _collect(shop)
    for kind in ("order", "collection"):
        out = tmp_path / f"{kind}.pdf"
        assert main(["--db", sqlite_url, "print", kind, v.number.lower(), "--out", str(out), "--paper", "a4"]) == 0
        assert v.number in _flat(out.read_bytes())
    assert main(["--db", sqlite_url, "print", "collection", "O-TST01-01-000999", "--out", str(tmp_path / "x.pdf")]) != 0
    assert "O-TST01-01-000999" in capsys.readouterr().err
