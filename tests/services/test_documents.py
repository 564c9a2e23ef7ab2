"""Documents read from the ledger: the receipt reprint, gift receipts, and render()'s kinds."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
from decimal import Decimal

import pytest

from desk.errors import DeskError, InvalidInput, NotAllowed, NotFound
from desk.models import AuditEvent, GiftReceipt, Staff, database
from desk.printing.layout import Document
from desk.services import documents, settings
from desk.services.audit import verify_chain
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.services.staff import create_staff
from tests.printing.pdfcheck import page_sizes_mm, text_of

SOLD = dt.datetime(2026, 11, 20, 14, 5)
NOW = dt.datetime(2026, 11, 23, 9, 41)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def add_sale(store, receipt_no="T1-0000042"):
    sale = SaleInput(
        receipt_no=receipt_no,
        sold_at=SOLD,
        lines=[
            LineInput("Świeca sojowa – Łąka", 2, 1450, Decimal("20"), line_discount=200, sku="CND-1"),
            LineInput("Zoë Ødegård notebook", 1, 899, Decimal("0"), sku="NB-2"),
            LineInput("Linen shirt, M, Sand", 1, 4200, Decimal("20"), sku="SH-3"),
        ],
        tenders=[TenderInput("card", 5000, card_brand="Visa", card_last4="4242", reference="auth-1"),
                 TenderInput("cash", 2799)],
        till_code="T1",
        cashier="Zoë Ødegård",
    )
    with database.atomic():
        record_sales(store, [sale], "demo")
    return receipt_no


@pytest.fixture
def shop(store, clock_at):
    shop_store, admin = store
    clock_at(NOW)
    with database.atomic():
        clerk = create_staff("100", "Łucja Wiśniewska", "clerk", "274951", shop_store)
    return shop_store, clerk, add_sale(shop_store)


def test_receipt_data_reads_the_sale_and_marks_the_reprint(shop):
    _, clerk, receipt_no = shop
    data = documents.receipt_data(receipt_no, clerk)
    assert data.receipt_no == receipt_no and data.till == "T1" and data.cashier == "Zoë Ødegård"
    assert [l.description for l in data.lines] == ["Świeca sojowa – Łąka", "Zoë Ødegård notebook", "Linen shirt, M, Sand"]
    assert data.lines[0].line_discount == 200 and data.lines[0].paid == 2700
    assert data.total == 2700 + 899 + 4200 == sum(t.amount for t in data.tenders)
    assert data.tenders[0].label == "Card Visa ****4242"
    assert [(str(r.rate), r.gross) for r in data.tax_rows] == [("20", 6900), ("0", 899)]
    assert data.reprint and data.printed_at == NOW
    assert (data.printed_by, data.printed_by_code) == ("Łucja Wiśniewska", "100")
    assert data.store.name == "Test Store" and data.store.address_lines == ("1 High Street",)
    assert data.returns_policy == settings.get("returns_policy_text")


def test_render_receipt_prints_the_reprint_with_who_and_when(shop):
    _, clerk, receipt_no = shop
    doc = documents.render("receipt", receipt_no, clerk)
    assert (doc.kind, doc.number, doc.paper) == ("receipt", receipt_no, "roll")
    assert doc.filename == f"receipt-{receipt_no}.pdf"
    text = flat(text_of(doc.pdf))
    when = Document("x", "y", None).datetime(NOW)
    assert "REPRINT" in text and f"Reprinted {when} by Łucja Wiśniewska (100)" in text
    assert "Świeca sojowa – Łąka" in text and "Total £77.99" in text
    assert page_sizes_mm(doc.pdf)[0][0] == pytest.approx(80, abs=0.01)


def test_receipt_number_is_found_whatever_its_case_and_spaces(shop):
    _, clerk, receipt_no = shop
    assert documents.receipt_data(f"  {receipt_no.lower()} ", clerk).receipt_no == receipt_no


def test_unknown_number_kind_and_paper_are_named(shop):
    _, clerk, _ = shop
    with pytest.raises(NotFound, match="T9-404"):
        documents.render("receipt", "T9-404", clerk)
    with pytest.raises(InvalidInput, match="'voucherz'.*receipt, gift"):
        documents.render("voucherz", "T1-0000042", clerk)
    with pytest.raises(InvalidInput, match="'a3'.*roll, a4, letter"):
        documents.render("receipt", "T1-0000042", clerk, paper="a3")
    with pytest.raises(InvalidInput, match="Receipt number"):
        documents.receipt_data("  ", clerk)
    with pytest.raises(NotFound, match="G-TST01-2222222222"):
        documents.find_gift_receipt("G-TST01-2222222222")


def test_paper_comes_from_settings_per_kind_and_is_checked(shop):
    _, clerk, receipt_no = shop
    admin = shop[0].staff.where(Staff.role == "admin").get()
    assert documents.paper_for("receipt") == "roll" and documents.paper_for("refund") == "roll"
    settings.update(admin, {"paper.receipt": "A4"})
    assert settings.get("paper.receipt") == "a4"
    doc = documents.render("receipt", receipt_no, clerk)
    assert doc.paper == "a4" and page_sizes_mm(doc.pdf) == [pytest.approx((210, 297), abs=0.1)]
    assert documents.render("receipt", receipt_no, clerk, paper="roll").paper == "roll"  # asked for
    with pytest.raises(InvalidInput, match="Paper for gift receipts.*'a5'.*roll, a4, letter"):
        settings.update(admin, {"paper.gift": "a5"})
    assert settings.get("paper.gift") == "roll"


def test_returns_policy_from_settings_is_the_footer(shop):
    store, clerk, receipt_no = shop
    admin = store.staff.where(Staff.role == "admin").get()
    settings.update(admin, {"returns_policy_text": "Bring it back within 14 days. Żadnych wyjątków."})
    assert "Żadnych wyjątków." in flat(text_of(documents.render("receipt", receipt_no, clerk).pdf))


def test_a_gift_receipt_is_recorded_with_its_audit_event(shop):
    store, clerk, receipt_no = shop
    gift = documents.gift_receipt(clerk, receipt_no)
    assert re.fullmatch(r"G-TST01-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}", gift.code)
    assert documents.is_gift_code(gift.code) and documents.is_gift_code(gift.code.lower())
    assert not documents.is_gift_code(receipt_no)
    assert [(l.line_no, l.description, l.quantity) for l in gift.lines] == [
        (1, "Świeca sojowa – Łąka", 2), (2, "Zoë Ødegård notebook", 1), (3, "Linen shirt, M, Sand", 1)]
    row = GiftReceipt.get(GiftReceipt.code == gift.code)
    assert row.sale.receipt_no == receipt_no and row.staff_code == "100" and row.created_at == NOW
    event = AuditEvent.select().where(AuditEvent.action == "gift_receipt.issued").get()
    assert event.staff_code == "100" and event.entity_uuid == str(row.uuid)
    assert gift.code in event.details and receipt_no in event.details
    assert verify_chain().ok


def test_a_gift_receipt_for_some_lines_remembers_them(shop):
    _, clerk, receipt_no = shop
    gift = documents.gift_receipt(clerk, receipt_no, line_numbers=[3, 1, 3])
    assert [l.line_no for l in gift.lines] == [1, 3]
    found = documents.find_gift_receipt(f" {gift.code.lower()} ")
    assert found.code == gift.code and [l.line_no for l in found.lines] == [1, 3]
    assert found.issued_by == "Łucja Wiśniewska" and found.receipt_no == receipt_no


def test_a_gift_receipt_for_a_line_the_sale_lacks_writes_nothing(shop):
    _, clerk, receipt_no = shop
    before = AuditEvent.select().count()
    with pytest.raises(InvalidInput, match="has no line 7"):
        documents.gift_receipt(clerk, receipt_no, line_numbers=[1, 7])
    with pytest.raises(InvalidInput, match="at least one line"):
        documents.gift_receipt(clerk, receipt_no, line_numbers=[])
    with pytest.raises(NotFound, match="T1-9999"):
        documents.gift_receipt(clerk, "T1-9999")
    assert GiftReceipt.select().count() == 0 and AuditEvent.select().count() == before


def test_render_gift_from_a_receipt_issues_one_and_from_its_code_prints_it_again(shop):
    _, clerk, receipt_no = shop
    first = documents.render("gift", receipt_no, clerk, paper="a4")
    assert first.kind == "gift" and documents.is_gift_code(first.number)
    assert GiftReceipt.select().count() == 1
    again = documents.render("gift", first.number, clerk)
    assert again.number == first.number and GiftReceipt.select().count() == 1
    text = text_of(again.pdf)
    assert first.number in text and "Linen shirt, M, Sand" in text
    assert "£" not in text and not re.search(r"\d+\.\d\d", text)
    assert documents.render_gift(documents.find_gift_receipt(first.number), "roll").paper == "roll"


def test_register_kind_adds_a_document_to_render(shop, monkeypatch):
    _, clerk, _ = shop
    monkeypatch.setattr(documents, "_KINDS", dict(documents._KINDS))

    def build(number, actor, paper):
        if number != "V-1":
            raise NotFound(f"No voucher {number}.")
        doc = Document("Voucher", number, documents.store_header())
        return documents.RenderedDocument("voucher", number, paper, doc.render(paper), f"Voucher {number}")

    documents.register_kind("voucher", build, "Voucher")
    assert documents.kinds() == {"receipt": "Receipt", "gift": "Gift receipt", "refund": "Refund slip", "voucher": "Voucher",
                                 "exchange": "Exchange slip", "case": "Case summary", "case_letter": "Letter to the customer"}
    assert "V-1" in text_of(documents.render("voucher", "V-1", clerk).pdf)
    with pytest.raises(NotFound, match="V-2"):
        documents.render("VOUCHER", "V-2", clerk)


def test_someone_inactive_may_not_print(shop):
    _, clerk, receipt_no = shop
    Staff.update(active=False).where(Staff.id == clerk.id).execute()
    with pytest.raises(NotAllowed):
        documents.render("receipt", receipt_no, clerk)
    with pytest.raises(NotAllowed):
        documents.gift_receipt(clerk, receipt_no)
    assert GiftReceipt.select().count() == 0


def test_save_pdf_writes_the_whole_file_or_says_why_not(tmp_path, monkeypatch):
    doc = documents.RenderedDocument("receipt", "T1-0000042", "roll", b"%PDF-1.4 bytes", "Receipt T1-0000042")
    out = documents.save_pdf(doc, tmp_path / "r.pdf")
    assert out.read_bytes() == b"%PDF-1.4 bytes" and [p.name for p in tmp_path.iterdir()] == ["r.pdf"]
    with pytest.raises(DeskError, match="folder .*missing.* does not exist"):
        documents.save_pdf(doc, tmp_path / "missing" / "r.pdf")
    with pytest.raises(DeskError, match="is a folder.*receipt-T1-0000042.pdf"):
        documents.save_pdf(doc, tmp_path)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(documents.os, "fsync", full)
    with pytest.raises(DeskError, match=r"Cannot save the PDF to .*again\.pdf .*disk is full"):
        documents.save_pdf(doc, tmp_path / "again.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]
