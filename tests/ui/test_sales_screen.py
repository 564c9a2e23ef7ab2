"""The Sale lookup screen (F3): search, the sale's detail, the scan handler, lazy loading."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from desk.models import Customer, Staff, database
from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
from desk.ui.context import AppContext
from desk.ui.screens.sales import SalesScreen, parse_amount_filter
from desk.ui.tables.sales_table import SalesTableModel

UTC = dt.timezone.utc


@pytest.fixture
def ledger(sqlite_store, sqlite_url):
    """Three hand-made sales and 45 filler sales, on SQLite."""
    shop, admin = sqlite_store
    with database.atomic():
        ann = Customer.create(name="Ann Ødegård", email="ann@example.com", phone="07700900111")
        sales = [
            SaleInput("R-0001", dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
                      [LineInput("Mug", 2, 950, Decimal("20"), sku="MUG-1"),
                       LineInput("Atlas of Small Islands", 1, 3000, Decimal("0"), sku="BK-1", line_discount=300)],
                      [TenderInput("cash", 1000), TenderInput("card", 3600, card_brand="Visa", card_last4="4242", reference="AUTH1")],
                      till_code="T1", cashier="Tom", customer_id=ann.id),
            SaleInput("R-0002", dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
                      [LineInput("Vase", 1, 3400, Decimal("20"), sku="VAS-1")], [TenderInput("cash", 3400)], till_code="T2"),
        ]
        sales += [
            SaleInput(f"F-{n:04d}", dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC) + dt.timedelta(hours=n),
                      [LineInput("Socks", 1, 1200, Decimal("20"), sku="SOC-1")], [TenderInput("cash", 1200)])
            for n in range(45)
        ]
        record_sales(shop, sales, "canonical")
    return AppContext(sqlite_url, staff=admin)


@pytest.fixture
def screen(qtbot, ledger):
    widget = SalesScreen(ledger)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def test_search_by_receipt_shows_the_sale_with_lines_and_tenders(screen, qtbot):
    qtbot.keyClicks(screen.receipt_edit, "r-0001")
    qtbot.keyClick(screen.receipt_edit, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 1
    assert screen.model.index(0, SalesTableModel.RECEIPT).data() == "R-0001"
    assert screen.model.index(0, SalesTableModel.TOTAL).data() == "£46.00"
    assert screen.model.index(0, SalesTableModel.TENDERS).data() == "Cash + Visa •••• 4242"
    detail = screen.detail
    assert detail.receipt_label.text() == "R-0001"
    assert detail.till_label.text() == "T1" and detail.cashier_label.text() == "Tom"
    assert "Ann Ødegård" in detail.customer_label.text() and "ann@example.com" in detail.customer_label.text()
    lines = detail.line_texts()
    assert [row[detail.C_DESC] for row in lines] == ["Mug", "Atlas of Small Islands"]
    mug, atlas = lines
    assert (mug[detail.C_QTY], mug[detail.C_RETURNED], mug[detail.C_RETURNABLE], mug[detail.C_PAID]) == ("2", "0", "2", "£19.00")
    assert (atlas[detail.C_UNIT], atlas[detail.C_PAID]) == ("£30.00", "£27.00")
    assert "line discount £3.00" in detail.lines.item(1, detail.C_PAID).toolTip()
    assert "SKU BK-1" in detail.lines.item(1, detail.C_DESC).toolTip()
    assert detail.tender_texts() == ["Cash", "Visa •••• 4242"]
    assert detail.total_label.text() == "£46.00"
    assert screen.count_label.text() == "1 sale matches, newest first"


def test_search_by_customer_amount_and_card(screen):
    screen.customer_edit.setText("ann")
    screen.search_button.click()
    assert [screen.model.row_at(i).receipt for i in range(screen.model.rowCount())] == ["R-0001"]
    screen.clear_search()
    screen.amount_edit.setText("34")
    screen.amount_edit.returnPressed.emit()
    assert [screen.model.row_at(i).receipt for i in range(screen.model.rowCount())] == ["R-0002"]
    screen.clear_search()
    screen.last4_edit.setText("4242")
    screen.search()
    assert screen.model.rowCount() == 1 and screen.detail.sale.receipt == "R-0001"


def test_date_range_and_bad_input_named(screen):
    screen.from_edit.setText("02/03/2026")
    screen.to_edit.setText("2026-03-31")
    assert screen.search()
    assert [screen.model.row_at(i).receipt for i in range(screen.model.rowCount())] == ["R-0002"]
    screen.from_edit.setText("someday")
    assert not screen.search()
    assert screen.message.text().startswith("From:")
    assert screen.from_edit.property("invalid") is True
    screen.from_edit.clear()
    screen.last4_edit.setText("42")
    assert not screen.search()
    assert "Card last 4" in screen.message.text()


def test_no_match_says_so(screen):
    screen.receipt_edit.setText("ZZZ")
    screen.search()
    assert screen.model.rowCount() == 0
    assert screen.detail.sale is None
    assert screen.detail.hint.text() == "No sale matches the search."
    assert screen.count_label.text() == "0 sales match, newest first"


def test_open_receipt_for_the_scan_field(screen):
    assert screen.open_receipt(" r-0002 ") is True
    assert screen.detail.sale.receipt == "R-0002"
    assert screen.receipt_edit.text() == "R-0002"
    assert screen.detail.tender_texts() == ["Cash"]
    assert screen.open_receipt("R-9999") is False
    assert screen.detail.sale.receipt == "R-0002"  # unchanged


def test_model_passes_qtmodeltester(qtmodeltester, ledger):
    model = SalesTableModel(page_size=10)
    from desk.services.sale_lookup import SaleQuery

    model.set_query(SaleQuery())
    assert model.rowCount() == 10 and model.canFetchMore()
    qtmodeltester.check(model)


def test_lazy_loading_fetches_the_next_page_on_scroll(screen, qtbot):
    screen.model.page_size = 20
    screen.search()
    assert screen.model.total_count == 47
    assert screen.model.rowCount() == 20
    bar = screen.table.verticalScrollBar()
    first_max = bar.maximum()
    assert first_max > 0
    bar.setValue(first_max)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 40)
    qtbot.waitUntil(lambda: bar.maximum() > first_max)  # the view has laid out the new rows
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: screen.model.rowCount() == 47)
    assert not screen.model.canFetchMore()
    assert screen.model.row_at(46).receipt == "F-0000"  # oldest last


def test_refreshes_when_sales_change(screen, ledger):
    shop_sales = screen.model.total_count
    with database.atomic():
        from desk.services.store import current_store

        record_sales(current_store(), [SaleInput("R-0003", dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
                                                 [LineInput("Mug", 1, 950, Decimal("20"))], [TenderInput("cash", 950)])], "canonical")
    ledger.events.emit_changed("sales")
    assert screen.model.total_count == shop_sales + 1
    assert screen.model.row_at(0).receipt == "R-0003"


def test_import_button_only_for_roles_that_may_import(screen, ledger, monkeypatch):
    from desk.services.staff import create_staff
    from desk.ui.dialogs.import_sales import ImportSalesDialog

    assert screen.import_button.isVisible()
    opened = []
    monkeypatch.setattr(ImportSalesDialog, "run", classmethod(lambda cls, ctx, parent=None: opened.append(ctx)))
    screen.import_button.click()
    assert opened == [ledger]
    clerk = create_staff("101", "Clara Clerk", "clerk", "274951", None)
    ledger.set_staff(clerk)
    assert not screen.import_button.isVisible()
    screen.import_sales()  # Ctrl+I does nothing for a clerk
    assert len(opened) == 1


def test_amount_filter_parsing():
    assert parse_amount_filter("12.50", "GBP", "en_GB") == (1250, None, None)
    assert parse_amount_filter("10-20", "GBP", "en_GB") == (None, 1000, 2000)
    assert parse_amount_filter("10 to 20.5", "GBP", "en_GB") == (None, 1000, 2050)
    assert parse_amount_filter(">5", "GBP", "en_GB") == (None, 500, None)
    assert parse_amount_filter("<5", "GBP", "en_GB") == (None, None, 500)
    assert parse_amount_filter("", "GBP", "en_GB") == (None, None, None)
    with pytest.raises(ValueError):
        parse_amount_filter("lots", "GBP", "en_GB")


def test_detail_shows_what_the_tills_already_refunded(screen):
    from desk.models import SaleLine
    from desk.models.imports import TillRefund
    from desk.services.sale_lookup import find_receipt

    mug = find_receipt("R-0001").lines[0]
    with database.atomic():
        TillRefund.create(sale_line=mug.id, quantity=1, amount=950, refunded_at=dt.datetime(2026, 3, 2, 9, 0),
                          source="square", source_ref="refund-1")
    screen.open_receipt("R-0001")
    row = screen.detail.line_texts()[0]
    d = screen.detail
    assert (row[d.C_QTY], row[d.C_RETURNED], row[d.C_RETURNABLE]) == ("2", "1", "1")
    assert d.lines.item(0, d.C_RETURNED).toolTip() == "1 of 2 already returned"


def test_empty_ledger_says_how_to_fill_it(qtbot, sqlite_store, sqlite_url):
    _shop, admin = sqlite_store
    widget = SalesScreen(AppContext(sqlite_url, staff=admin))
    qtbot.addWidget(widget)
    assert widget.model.rowCount() == 0
    assert widget.count_label.text() == "0 sales in the ledger, newest first"
    assert "Import sales" in widget.detail.hint.text()


def test_scan_field_opens_a_receipt_through_the_handler(screen, qtbot):
    from desk.ui.widgets.scan_edit import ScanEdit

    scan = ScanEdit()
    qtbot.addWidget(scan)
    ScanEdit.register(screen.open_receipt)
    try:
        problems = []
        scan.problem.connect(problems.append)
        qtbot.keyClicks(scan, "R-0002")
        with qtbot.waitSignal(scan.opened):
            qtbot.keyClick(scan, Qt.Key.Key_Return)
        assert screen.detail.sale.receipt == "R-0002"
        qtbot.keyClicks(scan, "NOPE-1")
        qtbot.keyClick(scan, Qt.Key.Key_Return)
        assert screen.detail.sale.receipt == "R-0002"
        assert problems and "NOPE-1" in problems[-1]
    finally:
        ScanEdit.unregister(screen.open_receipt)


def test_sale_detail_dialog_shows_the_sale(qtbot, ledger):
    from desk.services.sale_lookup import find_receipt
    from desk.ui.dialogs.sale_detail import SaleDetailDialog

    dialog = SaleDetailDialog(find_receipt("R-0002"))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Sale R-0002"
    assert dialog.panel.total_label.text() == "£34.00"


def test_escape_clears_the_search(screen, qtbot):
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.customer_edit.setText("ann")
    screen.search()
    assert screen.model.rowCount() == 1
    screen.customer_edit.setFocus()
    qtbot.keyClick(screen.customer_edit, Qt.Key.Key_Escape)
    assert screen.customer_edit.text() == ""
    assert screen.model.rowCount() == 47


def test_at_1280_by_800_the_list_shows_whole_receipt_numbers_and_the_customer(make_window, ledger, qtbot):
    """The window at 1280x800 (the Sales pane beside the sale's detail): a document number of this
    store is not cut short, and the Customer column is on screen, not scrolled off to the right."""
    from desk.app import application

    application()  # the app's palette, font and stylesheet, as the user sees them
    window = make_window(ledger)
    screen = window.open_screen("screen.sales")
    qtbot.waitUntil(lambda: screen.table.viewport().width() > 0)
    m = SalesTableModel
    table = screen.table
    metrics = table.fontMetrics()
    assert table.columnWidth(m.RECEIPT) >= metrics.horizontalAdvance("X-TST01-01-000123")
    assert table.columnWidth(m.DATE) >= metrics.horizontalAdvance(table.model().display(table.model().row_at(0), m.DATE))
    right_edge = table.columnViewportPosition(m.CUSTOMER) + table.columnWidth(m.CUSTOMER)
    assert right_edge <= table.viewport().width() + 1
    assert table.columnWidth(m.CUSTOMER) >= table.horizontalHeader().fontMetrics().horizontalAdvance("Customer")
    assert not table.horizontalScrollBar().isVisible()


def test_a_long_item_name_is_shown_whole_in_the_sale_detail(qtbot, ledger):
    """The detail sits beside the list at 1280x800: the Item column is narrow, so an item's name
    wraps onto more lines rather than being cut to "Atlas o…"."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    from desk.ui.main_window import MainWindow
    from desk.ui.theme import apply_theme

    apply_theme(QApplication.instance())
    window = MainWindow(ledger)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    screen = window.open_screen("screen.sales")
    screen.receipt_edit.setText("R-0001")
    qtbot.keyClick(screen.receipt_edit, Qt.Key.Key_Return)
    QApplication.processEvents()
    lines = screen.detail.lines
    width = lines.columnWidth(screen.detail.C_DESC) - 12  # the cell's padding
    row = 1
    text = lines.item(row, screen.detail.C_DESC).text()
    assert text == "Atlas of Small Islands"
    needed = lines.fontMetrics().boundingRect(QRect(0, 0, width, 1000), Qt.TextFlag.TextWordWrap, text)
    assert lines.fontMetrics().horizontalAdvance(text) > width  # the column is too narrow for one line ...
    assert lines.rowHeight(row) >= needed.height()  # ... and the row is tall enough for all of it
    assert lines.rowHeight(0) >= 32  # a short name keeps the usual row height
