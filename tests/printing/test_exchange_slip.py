"""The exchange slip: what came back, what went out, the difference and how it was settled."""

from __future__ import annotations

import pytest

from desk.models import Product, database
from desk.services import documents
from desk.services.exchanges import ExchangeRequest, ReplacementLine, SettlementTender, create_exchange, void_exchange
from tests.printing.pdfcheck import ink_fraction, page_sizes_mm, render_gray, text_of
from tests.services.test_returns import add_team, make_product, make_request, make_sale


@pytest.fixture
def shop(sqlite_store):
    store, _ = sqlite_store
    clerk, _, _, manager = add_team(store)
    shirt = make_product("SH-M", price=2000, stock=3)
    coat = make_product("COAT", price=5000, stock=2)
    sock = make_product("SOCK", price=500, stock=5)
    with database.atomic():
        Product.update(name="Shirt, Blue, M").where(Product.id == shirt.id).execute()
        Product.update(name="Rain coat, Green, L").where(Product.id == coat.id).execute()
        Product.update(name="Wool socks").where(Product.id == sock.id).execute()
    sale = make_sale(store, "T1-0000042", [("Shirt, Blue, M", 2, 2000, 0, "Clothing", shirt)])
    return store, clerk, manager, sale, coat, sock


def _flat(pdf: bytes) -> str:
    return " ".join(text_of(pdf).split())


def _request(sale, out, **kw):
    r = make_request(sale, {1: 1})
    return ExchangeRequest(returned=r.lines, replacements=[ReplacementLine(out.id, 1)], sale_id=sale.id, **kw)


@pytest.mark.parametrize("paper", ["roll", "a4"])
def test_up_exchange_slip_shows_both_sides_and_payment(shop, paper, tmp_path):
    store, clerk, _, sale, coat, _ = shop
    x = create_exchange(clerk, _request(sale, coat, tenders=[SettlementTender("card", 3000, "Visa", "1111", "AUTH9")]))
    doc = documents.render("exchange", x.number, clerk, paper)
    assert doc.kind == "exchange" and doc.title == f"Exchange {x.number}"
    assert "exchange" in text_of(doc.pdf).lower()
    text = _flat(doc.pdf)
    for expected in ["Test Store", x.number, "T1-0000042", x.return_number, "Came back", "Shirt, Blue, M",
                     "Went out", "Rain coat, Green, L", "To pay", "£30.00", "Paid by", "Visa •••• 1111", "ref. AUTH9",
                     "Cleo Clerk (100)"]:
        assert expected in text, (expected, text)
    w, _h = page_sizes_mm(doc.pdf)[0]
    assert (w < 100) == (paper == "roll")
    image = render_gray(doc.pdf)
    image.save(tmp_path / f"exchange-{paper}.png")
    assert ink_fraction(image) > 0.01


def test_down_exchange_slip_prints_the_voucher_and_a_void_banner(shop):
    store, clerk, manager, sale, _, sock = shop
    x = create_exchange(clerk, _request(sale, sock, refund_to="store_credit"))
    text = _flat(documents.render("exchange", x.number, clerk, "roll").pdf)
    assert "To refund" in text and "£15.00" in text and f"Store credit voucher {x.voucher_codes[0]}" in text
    void_exchange(manager, x.number, "wrong size after all")
    text = _flat(documents.render("exchange", x.number, clerk, "roll").pdf)
    assert "VOIDED" in text and "wrong size after all" in text


def test_even_exchange_slip(shop):
    store, clerk, _, sale, _, _ = shop
    x = create_exchange(clerk, _request(sale, Product.get(Product.sku == "SH-M")))
    text = _flat(documents.render("exchange", x.number, clerk).pdf)
    assert "Even exchange" in text and "£0.00" in text
