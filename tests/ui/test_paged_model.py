"""The one paged list model every result list uses: pages on demand, refusals leave rows alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from desk.errors import InvalidInput
from desk.ui.tables.paged import PagedTableModel


class Numbers(PagedTableModel[int, int]):
    COLUMNS = ("n", "square")
    RIGHT_ALIGNED = frozenset({1})

    def display(self, row: int, col: int) -> str:
        return str(row if col == 0 else row * row)


def make(page_size=10):
    calls = []

    def fetch(upto, offset, limit):
        if upto < 0:
            raise InvalidInput("upto", "must not be negative")
        calls.append((offset, limit))
        return list(range(offset, min(upto, offset + limit)))

    return Numbers(page_size=page_size, fetch=fetch, count=lambda upto: max(upto, 0)), calls


def test_first_page_then_more_on_demand(qapp):
    model, calls = make()
    model.set_query(25)
    assert model.rowCount() == 10 and model.total_count == 25
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 25 and not model.canFetchMore(QModelIndex())
    assert calls == [(0, 10), (10, 10), (20, 10)]
    assert model.data(model.index(24, 1)) == "576"
    assert model.data(model.index(3, 0), PagedTableModel.RowRole) == 3
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) & int(Qt.AlignmentFlag.AlignRight)


def test_a_refused_query_leaves_the_rows_as_they_were(qapp):
    model, _ = make()
    model.set_query(5)
    with pytest.raises(InvalidInput):
        model.set_query(-1)
    assert model.rowCount() == 5 and model.query == 5


def test_set_rows_shows_a_short_list_without_paging(qapp):
    model, calls = make()
    model.set_rows([7, 8])
    assert model.rowCount() == 2 and not model.canFetchMore(QModelIndex()) and calls == []
    assert model.find_row(lambda r: r == 8) == 1 and model.find_row(lambda r: r == 9) == -1


# -- column sizing shared by every paged list ------------------------------------------------


class Documents(PagedTableModel[int, int]):
    COLUMNS = ("Number", "When", "Customer", "Paid by")
    NUMBER_COLUMNS = (0,)
    COLUMN_SAMPLES = {1: "28/12/2026, 22:58", 2: "Harriet Davies", 3: "Card ••0000"}
    STRETCH = (2, 3)
    OPTIONAL = (3,)

    def display(self, row: int, col: int) -> str:
        return ("X-LDN01-01-%06d" % row, "01/01/2026, 10:00", "Jo", "Cash")[col]


def fitted_view(qtbot, width: int):
    from PySide6.QtWidgets import QTableView

    from desk.ui.tables.paged import fit_columns, number_sample

    model = Documents(fetch=lambda q, offset, limit: list(range(offset, min(q, offset + limit))), count=lambda q: q)
    model.number_sample = number_sample("LDN01")
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.verticalHeader().hide()
    fit = fit_columns(view)
    model.set_query(5)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    return view, model, fit


def test_columns_fit_their_samples_and_the_stretch_columns_share_the_rest(qtbot):
    view, model, _fit = fitted_view(qtbot, 900)
    metrics = view.fontMetrics()
    assert view.columnWidth(0) >= metrics.horizontalAdvance("R-LDN01-01-000000")
    assert view.columnWidth(1) >= metrics.horizontalAdvance("28/12/2026, 22:58")
    assert not view.isColumnHidden(3)
    total = sum(view.columnWidth(c) for c in range(4))
    assert abs(total - view.viewport().width()) <= 2  # no gap, no sideways scrolling
    assert view.columnWidth(2) >= metrics.horizontalAdvance("Harriet Davies")


def test_a_narrow_list_leaves_out_optional_columns_before_squeezing_a_number(qtbot):
    view, model, fit = fitted_view(qtbot, 900)
    metrics = view.fontMetrics()
    frame = view.width() - view.viewport().width()
    # room for the number, the date and the customer, not for "Paid by" as well
    view.resize(frame + fit.minimum(0) + fit.minimum(1) + fit.minimum(2) + 10, 300)
    qtbot.waitUntil(lambda: view.isColumnHidden(3))
    assert view.isColumnHidden(3)  # "Paid by" gives way first
    assert view.columnWidth(0) >= metrics.horizontalAdvance("R-LDN01-01-000000")
    right_edge = view.columnViewportPosition(2) + view.columnWidth(2)
    assert right_edge <= view.viewport().width() + 1  # the customer column is on screen
    view.resize(900, 300)
    qtbot.waitUntil(lambda: not view.isColumnHidden(3))  # room again: it comes back


def test_a_column_the_user_dragged_keeps_its_width(qtbot):
    view, model, fit = fitted_view(qtbot, 900)
    view.horizontalHeader().resizeSection(1, 260)
    view.resize(1000, 300)
    qtbot.waitUntil(lambda: view.viewport().width() > 900)
    assert view.columnWidth(1) == 260


@pytest.mark.parametrize("module, name", [("vouchers_table", "VouchersTableModel"), ("approvals_table", "ApprovalsTableModel"),
                                          ("orders_table", "OrdersTableModel"), ("archive_table", "ArchiveTableModel")])
def test_every_list_declares_what_its_columns_hold(qapp, module, name):
    """Vouchers, Approvals, Orders and the Archive size their columns from samples as the other lists
    do: every column has one (a number, a date, or a typical widest value)."""
    import importlib

    cls = getattr(importlib.import_module(f"desk.ui.tables.{module}"), name)
    model = cls(kind_labels={"receipt": "Receipt", "refund_slip": "Refund slip"}) if name == "ArchiveTableModel" else cls()
    missing = [model.COLUMNS[c] for c in range(model.columnCount()) if not model.column_sample(c)]
    assert missing == []
    assert set(model.STRETCH) <= set(range(model.columnCount()))


def test_the_orders_list_shows_whole_order_numbers_at_1280(qtbot, demo_ctx, make_window):
    window = make_window(demo_ctx)
    window.show_screen("screen.orders")
    screen = window.screen("screen.orders")
    screen.search_edit.setText("a")  # the list rather than the board
    screen.search()
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0)
    m = screen.model
    metrics = screen.table.fontMetrics()
    widest = max(metrics.horizontalAdvance(m.data(m.index(r, m.NUMBER))) for r in range(m.rowCount()))
    assert screen.table.columnWidth(m.NUMBER) >= widest + 8  # not "O-DEMO-01-0000…"
    for col in (m.STATUS, m.BALANCE):
        assert screen.table.columnWidth(col) >= max(metrics.horizontalAdvance(m.data(m.index(r, col)) or "")
                                                    for r in range(m.rowCount()))
