"""Printing from the Sales screen (Ctrl+P reprint, Ctrl+G gift receipt), gift codes in the scan
field, and the Archive screen in the main window (F12)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from desk.models import GiftReceipt, Sale
from desk.services import archive, documents
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.screens.sales import SalesScreen


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def shown(monkeypatch):
    calls: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": calls.append(doc) or False))
    return calls


@pytest.fixture
def sales_screen(qtbot, demo_ctx):
    screen = SalesScreen(demo_ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def a_sale_with_lines(n: int = 2) -> Sale:
    # a till's sale (the demo's exchanges at the desk have sales of their own, one of them voided)
    return next(s for s in Sale.select().where(Sale.source == "demo").order_by(Sale.id.desc()) if s.lines.count() >= n)


def test_ctrl_p_reprints_the_receipt_shown(sales_screen, qtbot, shown):
    sale = a_sale_with_lines(1)
    assert sales_screen.open_receipt(sale.receipt_no)
    qtbot.keyClick(sales_screen.receipt_edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert [(d.kind, d.number) for d in shown] == [("receipt", sale.receipt_no)]
    assert [r.number for r in archive.search_archive(kind="receipt")] == [sale.receipt_no]


def test_ctrl_g_prints_a_gift_receipt_for_the_selected_lines(sales_screen, qtbot, shown):
    sale = a_sale_with_lines(2)
    assert sales_screen.open_receipt(sale.receipt_no)
    lines = sales_screen.detail.lines
    lines.selectionModel().select(lines.model().index(1, 0),
                                  QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(sales_screen.receipt_edit, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert len(shown) == 1 and shown[0].kind == "gift"
    gift = GiftReceipt.get(GiftReceipt.code == shown[0].number)
    assert gift.sale_id == sale.id
    assert gift.line_numbers == str(sales_screen.detail.sale.lines[1].line_no)


def test_print_buttons_need_a_sale(sales_screen, shown):
    sales_screen.receipt_edit.setText("NO-SUCH-RECEIPT")
    sales_screen.search()
    assert not sales_screen.reprint_button.isEnabled()
    assert not sales_screen.gift_button.isEnabled()
    assert sales_screen.reprint_receipt() is False and shown == []


def test_scanning_a_gift_receipt_code_opens_its_sale(make_window, demo_ctx, qtbot):
    sale = a_sale_with_lines(1)
    gift = documents.gift_receipt(demo_ctx.staff, sale.receipt_no)
    window = make_window(demo_ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    qtbot.keyClicks(window.scan_edit, gift.code.lower())
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert window.current_screen_name() == "screen.sales"
    screen = window.current_screen()
    assert screen.detail.sale.receipt == sale.receipt_no
    assert screen.message.text().startswith(f"Gift receipt {gift.code}")


def test_an_unknown_gift_code_is_named_in_the_scan_field(make_window, demo_ctx, qtbot):
    window = make_window(demo_ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    qtbot.keyClicks(window.scan_edit, "G-DEMO-2345678923")
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert window.scan_message.text() == "No gift receipt has the code G-DEMO-2345678923."


def test_f12_opens_the_archive(make_window, demo_ctx, qtbot):
    window = make_window(demo_ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F12)
    assert window.current_screen_name() == "screen.archive"
