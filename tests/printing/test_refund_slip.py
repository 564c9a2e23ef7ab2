"""The refund slip and the store-credit voucher: what they print, on the roll and on A4."""

from __future__ import annotations

import pytest

from desk.errors import NotAllowed, NotFound
from desk.services import documents
from desk.services.policy import Policy, save_policy
from desk.services.returns import DeskApproval, create_return, void_return
from desk.services.sales import TenderInput
from tests.printing.pdfcheck import ink_fraction, page_sizes_mm, render_gray, text_of
from tests.services.test_returns import MANAGER, add_team, make_request, make_sale


@pytest.fixture
def shop(sqlite_store):
    store, _ = sqlite_store
    clerk, _, _, manager = add_team(store)
    save_policy(manager, Policy(restocking_fee_percent={"Footwear": "10"}))
    return store, clerk, manager


def _flat(pdf: bytes) -> str:
    return " ".join(text_of(pdf).split())


@pytest.mark.parametrize("paper", ["roll", "a4"])
def test_cash_refund_slip_shows_lines_reasons_tenders_and_a_signature_line(shop, paper):
    store, clerk, _ = shop
    view = make_sale(store, "T1-0000042", [("Canvas trainers, 42", 1, 4500, 0, "Footwear"), ("Wool socks", 2, 1200, 0, "Clothing")],
                     tenders=[TenderInput("cash", 3000), TenderInput("card", 3900, card_brand="Visa", card_last4="4242")])
    r = create_return(clerk, make_request(view, [(1, 1, "wrong_size"), (2, 1, "damaged", "damaged", "write_off")],
                                         card_reference="RF-77"))
    doc = documents.render("refund", r.number, clerk, paper)
    assert doc.kind == "refund" and doc.number == r.number and doc.title == f"Refund {r.number}"
    text = _flat(doc.pdf)
    for expected in ["Test Store", r.number, "T1-0000042", "Canvas trainers, 42", "Reason: Wrong size", "Reason: Damaged",
                     "Write off", "Back to stock", "Restocking fee", "-£4.50", "Refunded", "£52.50", "Cash", "Visa •••• 4242",
                     "ref. RF-77", "Cleo Clerk (100)", "Customer's signature", "Note: restocking fee 10% on Footwear"]:
        assert expected in text, expected
    if paper == "roll":
        assert page_sizes_mm(doc.pdf)[0][0] == pytest.approx(80, abs=0.5)
    assert ink_fraction(render_gray(doc.pdf, dpi=60)) > 0.01


def test_store_credit_slip_prints_the_voucher_code_and_the_voucher_renders(shop):
    store, clerk, _ = shop
    view = make_sale(store, "T1-0000043", [("Wool throw", 1, 7900, 0, "Home")])
    r = create_return(clerk, make_request(view, {1: 1}, refund_to="store_credit"))
    code = r.voucher_codes[0]
    text = _flat(documents.render("refund", r.number, clerk).pdf)
    assert f"Store credit voucher {code}: £79.00" in text and "Customer's signature" not in text
    voucher = documents.render("voucher", code, clerk)
    vtext = _flat(voucher.pdf)
    assert code in vtext and "£79.00" in vtext and r.number in vtext and "Balance" in vtext
    with pytest.raises(NotFound):
        documents.render("voucher", "V-23456789ABCD", clerk)


def test_slip_shows_the_policy_reasons_and_who_approved(shop):
    store, clerk, manager = shop
    view = make_sale(store, "T1-0000044", [("Stoneware vase", 1, 3400, 0, "Home")], days_ago=33)
    r = create_return(clerk, make_request(view, {1: 1}), approver=DeskApproval(MANAGER[0], MANAGER[1], "regular customer"))
    text = _flat(documents.render("refund", r.number, clerk, "a4").pdf)
    assert "bought 33 days ago; the return window is 30 days" in text
    assert "Override approved by Maja Manager (300)" in text and "regular customer" in text


def test_a_voided_return_prints_voided(shop):
    store, clerk, manager = shop
    view = make_sale(store, "T1-0000045", [("Mug", 1, 950, 0, "Home")])
    r = create_return(clerk, make_request(view, {1: 1}))
    void_return(manager, r.number, "wrong sale")
    text = _flat(documents.render("refund", r.number, clerk).pdf)
    assert "VOIDED" in text and "wrong sale" in text


def test_a_slip_printed_again_is_marked_reprint_with_who_and_when(shop, clock_at):
    import datetime as dt

    from desk.services import archive

    store, clerk, manager = shop
    clock_at(dt.datetime(2026, 11, 23, 10, 0))
    view = make_sale(store, "T1-0000046", [("Mug", 1, 950, 0, "Home")])
    r = create_return(clerk, make_request(view, {1: 1}))
    first = documents.render("refund", r.number, clerk)
    assert "REPRINT" not in _flat(first.pdf) and first.title == f"Refund {r.number}"
    archive.archive(first, clerk)  # every printed slip is archived: that is how a reprint is known
    clock_at(dt.datetime(2026, 11, 23, 15, 30))
    again = documents.render("refund", r.number.lower(), manager)
    text = _flat(again.pdf)
    assert "REPRINT" in text and "by Maja Manager (300)" in text and "Reprinted 23 Nov 2026" in text
    assert again.title == f"Refund {r.number} (reprint)"
    assert "Cleo Clerk (100)" in text  # who served the customer stays on it
    # a voided slip says VOIDED, not REPRINT
    void_return(manager, r.number, "wrong sale")
    assert "REPRINT" not in _flat(documents.render("refund", r.number, clerk).pdf)


def test_unknown_numbers_and_people_who_may_not_print(shop):
    store, clerk, _ = shop
    with pytest.raises(NotFound, match="R-TST01-01-999999"):
        documents.render("refund", "R-TST01-01-999999", clerk)
    from desk.models import Staff

    Staff.update(active=False).where(Staff.id == clerk.id).execute()
    with pytest.raises(NotAllowed):
        documents.render("refund", "R-TST01-01-000001", clerk)
