"""The print path: archive then preview; the preview's Print, Save as PDF and no-printer state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from desk.errors import DeskError
from desk.models import GiftReceipt, database
from desk.services import archive, documents
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.ui import printing
from desk.ui.dialogs import print_preview
from desk.ui.dialogs.print_preview import NO_PRINTER, PrintPreviewDialog
from tests.printing.pdfcheck import page_sizes_mm, reader, text_of

SOLD = dt.datetime(2026, 11, 20, 14, 5)
PRINTER = "Desk test printer"


def add_sale(store, receipt_no="T1-0000042", lines=3):
    names = ["Świeca sojowa – Łąka", "Zoë Ødegård notebook", "Linen shirt, M, Sand"]
    sale = SaleInput(
        receipt_no=receipt_no,
        sold_at=SOLD,
        lines=[LineInput(names[i % 3], 1, 1000 + i, Decimal("20"), sku=f"SKU-{i}") for i in range(lines)],
        tenders=[TenderInput("cash", sum(1000 + i for i in range(lines)))],
        till_code="T1",
        cashier="Zoë Ødegård",
    )
    with database.atomic():
        record_sales(store, [sale], "demo")
    return receipt_no


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("DESK_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def shop(store_ctx, sqlite_store, data_dir):
    """A store with two sales; its admin signed in. Returns (ctx, [receipt numbers])."""
    store, _admin = sqlite_store
    return store_ctx, [add_sale(store, "T1-0000042"), add_sale(store, "T1-0000043", lines=40)]


@pytest.fixture
def printers(monkeypatch):
    """The printers this computer has: set .names (none by default)."""
    class Printers:
        names: list[str] = []

    monkeypatch.setattr(QPrinterInfo, "availablePrinterNames", staticmethod(lambda: list(Printers.names)))
    return Printers


@pytest.fixture
def shown(monkeypatch):
    """Replace the preview's show_document: a list of (doc, note) it was asked to show."""
    calls: list[tuple[documents.RenderedDocument, str]] = []

    def fake(cls, ctx, parent, doc, note=""):
        calls.append((doc, note))
        return False

    monkeypatch.setattr(PrintPreviewDialog, "show_document", classmethod(fake))
    return calls


def render(ctx, number, paper="roll"):
    return documents.render("receipt", number, ctx.staff, paper)


def make_dialog(qtbot, ctx, doc, note=""):
    dialog = PrintPreviewDialog(ctx, doc, note=note)
    qtbot.addWidget(dialog)
    return dialog


# -- the preview ----------------------------------------------------------------------------

def test_preview_loads_the_pdf_and_says_what_it_is(qtbot, shop, printers):
    ctx, (receipt, _long) = shop
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    assert dialog.page_count() == 1
    assert dialog.view.document() is dialog.pdf
    assert dialog.windowTitle() == f"Print preview — Receipt {receipt} (reprint)"
    length = round(page_sizes_mm(dialog.doc.pdf)[0][1])
    assert dialog.info.text() == f"80 mm receipt roll, {length} mm long · 1 page"


def test_an_a4_document_of_several_pages(qtbot, shop, printers):
    ctx, (_short, long_receipt) = shop
    doc = render(ctx, long_receipt, "a4")
    dialog = make_dialog(qtbot, ctx, doc)
    assert dialog.page_count() == len(reader(doc.pdf).pages) > 1
    assert dialog.info.text() == f"A4 · {dialog.page_count()} pages"


def test_no_printer_says_so_and_print_is_disabled(qtbot, shop, printers):
    ctx, (receipt, _long) = shop
    printers.names = []
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    assert dialog.notice.text() == NO_PRINTER
    assert dialog.notice.isVisibleTo(dialog)
    assert not dialog.print_button.isEnabled()
    assert dialog.save_button.isDefault()
    assert dialog.print_document() is False


def test_with_a_printer_print_is_the_default(qtbot, shop, printers):
    ctx, (receipt, _long) = shop
    printers.names = [PRINTER]
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    assert dialog.print_button.isEnabled()
    assert dialog.print_button.isDefault()
    assert not dialog.notice.isVisibleTo(dialog)


def test_save_as_pdf_writes_the_same_bytes(qtbot, shop, printers, tmp_path, monkeypatch):
    ctx, (receipt, _long) = shop
    doc = render(ctx, receipt)
    asked: list[str] = []

    def choose(cls, parent, suggested):
        asked.append(suggested)
        return str(tmp_path / "copy")  # no extension: .pdf is added

    monkeypatch.setattr(PrintPreviewDialog, "choose_save_path", classmethod(choose))
    dialog = make_dialog(qtbot, ctx, doc)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert asked and asked[0].endswith(doc.filename)
    assert (tmp_path / "copy.pdf").read_bytes() == doc.pdf
    assert dialog.saved_path == str(tmp_path / "copy.pdf")
    assert dialog.status.text() == f"Saved to {tmp_path / 'copy.pdf'}."


def test_save_to_a_missing_folder_is_named(qtbot, shop, printers, tmp_path, monkeypatch):
    ctx, (receipt, _long) = shop
    target = tmp_path / "nowhere" / "x.pdf"
    monkeypatch.setattr(PrintPreviewDialog, "choose_save_path", classmethod(lambda cls, p, s: str(target)))
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    assert dialog.save_as_pdf() is False
    assert "does not exist" in dialog.status.text()
    assert dialog.status.property("role") == "error"
    assert not target.exists()


@pytest.fixture
def print_to_file(monkeypatch, tmp_path):
    """Replace the print dialog: the printer writes a PDF file. Returns the list of printers it was given."""
    given: list[QPrinter] = []

    def choose(cls, parent, printer):
        given.append(printer.printerName())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / f"printed-{len(given)}.pdf"))
        return True

    monkeypatch.setattr(PrintPreviewDialog, "choose_printer", classmethod(choose))
    return given


@pytest.mark.parametrize("paper", ["roll", "a4"])
def test_print_sends_every_page_at_its_own_size(qtbot, shop, printers, print_to_file, tmp_path, paper):
    ctx, (_short, long_receipt) = shop
    printers.names = [PRINTER]
    doc = render(ctx, long_receipt, paper)
    dialog = make_dialog(qtbot, ctx, doc)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)  # Enter: the default button, Print
    out = tmp_path / "printed-1.pdf"
    assert out.exists()
    printed = out.read_bytes()
    expected = page_sizes_mm(doc.pdf)
    got = page_sizes_mm(printed)
    assert len(got) == len(expected) == dialog.page_count()
    for (w, h), (ew, eh) in zip(got, expected):
        assert abs(w - ew) < 0.5 and abs(h - eh) < 0.5
    assert dialog.printed
    assert dialog.status.text().startswith(f"Sent {len(expected)} page")


def test_printed_page_is_not_blank(qtbot, shop, printers, print_to_file, tmp_path):
    ctx, (receipt, _long) = shop
    printers.names = [PRINTER]
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    assert dialog.print_document()
    pdf, _buffer = print_preview.load_pdf((tmp_path / "printed-1.pdf").read_bytes())
    image = pdf.render(0, pdf.pagePointSize(0).toSize())
    dark = sum(1 for y in range(0, image.height(), 3) for x in range(0, image.width(), 3)
               if image.pixelColor(x, y).lightness() < 128)
    assert dark > 50


def test_cancelled_print_dialog_prints_nothing(qtbot, shop, printers, monkeypatch):
    ctx, (receipt, _long) = shop
    printers.names = [PRINTER]
    monkeypatch.setattr(PrintPreviewDialog, "choose_printer", classmethod(lambda cls, parent, printer: False))
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    assert dialog.print_document() is False
    assert not dialog.printed
    assert dialog.status.text() == "Not printed: the print dialog was cancelled."


def test_the_last_printer_of_a_kind_is_preselected(qtbot, shop, printers, print_to_file):
    ctx, (receipt, _long) = shop
    printers.names = ["Front desk laser", PRINTER]
    settings = QSettings("Desk", "Desk")
    settings.setValue("printing/receipt/printer", PRINTER)
    settings.setValue("printing/gift/printer", "Removed printer")
    try:
        dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
        assert dialog.remembered_printer() == PRINTER
        gift = documents.render("gift", receipt, ctx.staff)
        assert make_dialog(qtbot, ctx, gift).remembered_printer() == ""  # not installed any more
    finally:
        settings.remove("printing")


def test_esc_closes_the_preview(qtbot, shop, printers):
    ctx, (receipt, _long) = shop
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt))
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


# -- the print path -------------------------------------------------------------------------

def test_print_receipt_archives_the_reprint_and_emits_archive(qtbot, shop, shown):
    ctx, (receipt, _long) = shop
    seen: list[str] = []
    ctx.events.changed.connect(seen.append)
    printing.print_receipt(ctx, None, receipt)
    assert len(shown) == 1
    doc, note = shown[0]
    assert note == ""
    assert doc.kind == "receipt" and doc.number == receipt
    assert "REPRINT" in text_of(doc.pdf)
    assert seen == ["archive"]
    rows = archive.search_archive(kind="receipt")
    assert [r.number for r in rows] == [receipt]
    assert archive.archived_pdf(rows[0].id) == doc.pdf


def test_print_gift_receipt_issues_archives_and_shows_it(qtbot, shop, shown):
    ctx, (receipt, _long) = shop
    printing.print_gift_receipt(ctx, None, receipt, [1, 3])
    doc, _note = shown[0]
    gift = GiftReceipt.get(GiftReceipt.code == doc.number)
    assert gift.line_numbers == "1,3"
    assert doc.kind == "gift" and documents.is_gift_code(doc.number)
    assert "£" not in text_of(doc.pdf)
    assert [r.number for r in archive.search_archive(kind="gift")] == [doc.number]


def test_an_unknown_receipt_is_named_and_nothing_opens(qtbot, shop, shown, messages):
    ctx, _receipts = shop
    assert printing.print_receipt(ctx, None, "T9-404") is False
    assert shown == []
    assert messages == [("Not found", "No sale has the receipt number T9-404.")]
    assert archive.count_archive() == 0


def test_an_archive_failure_is_shown_but_the_paper_still_comes(qtbot, shop, shown, monkeypatch):
    ctx, (receipt, _long) = shop
    seen: list[str] = []
    ctx.events.changed.connect(seen.append)

    def full(doc, actor):
        raise DeskError("The disk holding the archive folder is full.")

    monkeypatch.setattr(archive, "archive", full)
    printing.print_receipt(ctx, None, receipt)
    assert len(shown) == 1
    assert shown[0][1] == "Not archived: The disk holding the archive folder is full."
    assert seen == []


def test_the_archive_failure_is_written_in_the_preview(qtbot, shop, printers):
    ctx, (receipt, _long) = shop
    dialog = make_dialog(qtbot, ctx, render(ctx, receipt), note="Not archived: the disk is full.")
    assert dialog.note.text() == "Not archived: the disk is full."
    assert dialog.note.isVisibleTo(dialog)
    assert "kept in the archive" not in dialog.notice.text()


def test_a_page_range_chosen_in_the_print_dialog_is_kept(qtbot, shop, printers, tmp_path, monkeypatch):
    ctx, (_short, long_receipt) = shop
    printers.names = [PRINTER]
    out = tmp_path / "page-2.pdf"

    def choose(cls, parent, printer):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setPrintRange(QPrinter.PrintRange.PageRange)
        printer.setFromTo(2, 2)
        return True

    monkeypatch.setattr(PrintPreviewDialog, "choose_printer", classmethod(choose))
    dialog = make_dialog(qtbot, ctx, render(ctx, long_receipt, "a4"))
    assert dialog.page_count() >= 2
    assert dialog.print_document()
    assert len(reader(out.read_bytes()).pages) == 1
    assert dialog.status.text().startswith("Sent 1 page")
