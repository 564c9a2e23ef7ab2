"""The Archive screen (F12): lists archived documents, filters them, reopens them, names damage."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from desk.services import archive, documents
from desk.ui import printing
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.screens.archive import ArchiveScreen
from desk.ui.tables.archive_table import ArchiveFilter, ArchiveTableModel
from tests.ui.test_print_preview import add_sale, data_dir, shop  # noqa: F401  (fixtures)

NOW = dt.datetime(2026, 11, 23, 9, 41)


@pytest.fixture
def shown(monkeypatch):
    calls: list[documents.RenderedDocument] = []

    def fake(cls, ctx, parent, doc, note=""):
        calls.append(doc)
        return False

    monkeypatch.setattr(PrintPreviewDialog, "show_document", classmethod(fake))
    return calls


@pytest.fixture
def filled(shop, shown, clock_at):
    """Three archived documents: the two receipts' reprints and a gift receipt of the first."""
    ctx, (first, second) = shop
    clock_at(NOW)
    printing.print_receipt(ctx, None, first)
    printing.print_receipt(ctx, None, second)
    printing.print_gift_receipt(ctx, None, first)
    gift_code = shown[-1].number
    shown.clear()
    return ctx, first, second, gift_code


def make_screen(qtbot, ctx) -> ArchiveScreen:
    screen = ArchiveScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    return screen


def column(screen: ArchiveScreen, col: int) -> list[str]:
    m = screen.model
    return [m.data(m.index(r, col)) for r in range(m.rowCount())]


def test_lists_every_archived_document_newest_first(qtbot, filled):
    ctx, first, second, gift = filled
    screen = make_screen(qtbot, ctx)
    assert column(screen, ArchiveTableModel.NUMBER) == [gift, second, first]
    assert column(screen, ArchiveTableModel.KIND) == ["Gift receipt", "Receipt", "Receipt"]
    assert column(screen, ArchiveTableModel.PAPER) == ["Roll", "Roll", "Roll"]
    assert column(screen, ArchiveTableModel.WHO)[0] == "Ada Admin (900)"
    assert column(screen, ArchiveTableModel.TITLE)[1] == f"Receipt {second} (reprint)"
    assert screen.count_label.text() == "3 documents in the archive, newest first"
    assert screen.open_button.isEnabled()


def test_filters_by_kind_and_by_number(qtbot, filled):
    ctx, first, second, gift = filled
    screen = make_screen(qtbot, ctx)
    screen.show()
    qtbot.waitExposed(screen)
    screen.kind_combo.setCurrentIndex(screen.kind_combo.findData("gift"))
    assert screen.search()
    assert column(screen, ArchiveTableModel.NUMBER) == [gift]
    assert screen.count_label.text() == "1 document matches, newest first"

    screen.kind_combo.setCurrentIndex(0)
    screen.number_edit.setText(second[-3:])
    qtbot.keyClick(screen.number_edit, Qt.Key.Key_Return)
    assert column(screen, ArchiveTableModel.NUMBER) == [second]

    screen.number_edit.setText("nothing-like-this")
    screen.search()
    assert screen.model.rowCount() == 0
    assert not screen.open_button.isEnabled()

    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.number_edit.setFocus()
    qtbot.keyClick(screen.number_edit, Qt.Key.Key_Escape)
    assert screen.model.rowCount() == 3


def test_a_bad_date_is_named(qtbot, filled):
    ctx, *_ = filled
    screen = make_screen(qtbot, ctx)
    screen.from_edit.setText("31/02/2026")
    assert not screen.search()
    assert screen.message.text().startswith("From: '31/02/2026' is not a date")
    assert screen.model.rowCount() == 3  # the list stays as it was


def test_enter_opens_the_archived_pdf_in_the_preview(qtbot, filled, shown):
    ctx, first, second, gift = filled
    screen = make_screen(qtbot, ctx)
    screen.show()
    qtbot.waitExposed(screen)
    screen.select_row(1)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert len(shown) == 1
    row = archive.search_archive(number=second)[0]
    assert shown[0].pdf == archive.archived_pdf(row.id)
    assert (shown[0].kind, shown[0].number, shown[0].paper) == ("receipt", second, "roll")
    assert archive.count_archive() == 3  # reopening does not archive it again


def test_double_click_opens_too(qtbot, filled, shown):
    ctx, first, *_ = filled
    screen = make_screen(qtbot, ctx)
    screen.show()
    qtbot.waitExposed(screen)
    rect = screen.table.visualRect(screen.model.index(2, ArchiveTableModel.NUMBER))
    # A real double-click starts with a press on the same row.
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [d.number for d in shown] == [first]


def test_an_altered_file_is_named_and_not_shown(qtbot, filled, shown, messages):
    ctx, first, *_ = filled
    screen = make_screen(qtbot, ctx)
    row = archive.search_archive(number=first, kind="receipt")[0]
    path = archive.archived_path(row)
    path.write_bytes(path.read_bytes() + b"\n% changed by hand\n")
    screen.select_row(screen.model.row_of(row.id))
    assert screen.open_selected() is False
    assert shown == []
    assert len(messages) == 1
    title, text = messages[0]
    assert title == "Archived document damaged"
    assert "has been altered since it was archived" in text
    assert "altered" in screen.message.text()


def test_a_new_document_appears_when_printed(qtbot, filled, shown):
    ctx, first, *_ = filled
    screen = make_screen(qtbot, ctx)
    assert screen.model.rowCount() == 3
    printing.print_receipt(ctx, None, first)
    assert screen.model.rowCount() == 4
    assert screen.count_label.text() == "4 documents in the archive, newest first"


def test_the_table_model_loads_lazily_and_passes_the_model_tester(qtbot, qtmodeltester, filled):
    model = ArchiveTableModel(page_size=2, kind_labels=documents.kinds())
    model.set_filter(ArchiveFilter())
    assert model.rowCount() == 2 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == 3 and not model.canFetchMore()
    qtmodeltester.check(model)
    assert model.total_count == 3


def test_at_1280_by_800_the_title_reads_whole(filled, make_window, qtbot):
    """Beside the navigation the Title takes the room left and is wide enough for the longest
    title a desk prints every day (a gift receipt's): Kind (the title says it) and Paper give way,
    Date is short, Who stays, nothing scrolls sideways. No row is measured for it."""
    from desk import clock
    from desk.app import application
    from desk.ui.tables.paged import ColumnFit
    from desk.ui.tables.sales_table import compact_time_sample

    application()  # the app's palette, font and stylesheet, as the user sees them
    ctx, first, second, gift = filled
    window = make_window(ctx)
    screen = window.open_screen("screen.archive")
    table, m = screen.table, screen.model
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    assert table.isColumnHidden(m.KIND) and table.isColumnHidden(m.PAPER)
    assert not any(table.isColumnHidden(c) for c in (m.DATE, m.NUMBER, m.TITLE, m.WHO))
    metrics = table.fontMetrics()
    titles = column(screen, m.TITLE)
    assert titles[0] == f"Gift receipt {gift} (receipt {first})"
    for text in titles + [m.column_sample(m.TITLE)]:
        assert table.columnWidth(m.TITLE) >= metrics.horizontalAdvance(text) + ColumnFit.PADDING, text
    assert m.column_sample(m.DATE) == compact_time_sample("en_GB", past=True)
    assert column(screen, m.DATE)[0] == f"Today {clock.to_local(NOW):%H:%M}"  # printed now, as the clock says
    assert not table.horizontalScrollBar().isVisible()
