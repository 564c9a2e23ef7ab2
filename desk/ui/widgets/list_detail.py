"""The frame the Cases and Customers screens share: a list (a table over its count line) beside
the chosen record's pane, in a splitter neither side collapses; the list's table, row selection,
the pane's buttons, keyboard shortcuts and the screen's message line (``style.show_message``
writes it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)



def list_table(name: str, model, row_height: int = 32) -> QTableView:
    """A read-only table of whole rows, one chosen at a time."""
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(row_height)
    table.horizontalHeader().setHighlightSections(False)
    return table


def size_columns(table: QTableView, widths: dict[int, int], stretch: Iterable[int], minimum: int | None = None) -> None:
    """Fixed column widths (never measure thousands of rows to size a column), the ``stretch``
    columns taking the rest; no column narrower than ``minimum``."""
    header = table.horizontalHeader()
    for col, width in widths.items():
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(col, width)
    for col in stretch:
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
    if minimum is not None:
        header.setMinimumSectionSize(minimum)


def select_row(table: QTableView, row: int) -> None:
    index = table.model().index(row, 0)
    table.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    table.scrollTo(index)


def current_row(table: QTableView) -> int:
    index = table.selectionModel().currentIndex()
    return index.row() if index.isValid() else -1


def action_button(text: str, name: str, slot: Callable[[], object]) -> QPushButton:
    """A button 40 px high that calls ``slot()`` (no argument) when clicked."""
    button = QPushButton(text)
    button.setObjectName(name)
    button.setMinimumHeight(40)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def add_shortcuts(owner: QWidget, keys: Iterable[tuple[str | QKeySequence, Callable[[], object]]]) -> None:
    """Each ``(keys, slot)`` as a shortcut anywhere on ``owner``."""
    for seq, slot in keys:
        shortcut = QShortcut(QKeySequence(seq), owner)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)


def message_label(name: str) -> QLabel:
    """The screen's message line, hidden until ``show_message`` puts something in it."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.hide()
    return label


class ListDetail(QSplitter):
    """``table`` over ``count_label`` on the left; on the right ``detail``, a column 12 px from the
    list that starts with ``title`` (the chosen record's heading) for the screen to fill; choosing
    a row calls ``on_row(row)``. The screen then calls ``setSizes``."""

    def __init__(self, table: QTableView, count_name: str, title_name: str, *, spacing: int,
                 on_row: Callable[[int], object]):
        super().__init__(Qt.Orientation.Horizontal)
        self.setChildrenCollapsible(False)
        self.table = table
        table.selectionModel().currentRowChanged.connect(lambda cur, _prev: on_row(cur.row()))
        self.count_label = QLabel("")
        self.count_label.setObjectName(count_name)
        self.count_label.setProperty("role", "muted")
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(table, 1)
        left_box.addWidget(self.count_label)
        self.title = QLabel("")
        self.title.setObjectName(title_name)
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        right = QWidget()
        self.detail = QVBoxLayout(right)
        self.detail.setContentsMargins(12, 0, 0, 0)
        self.detail.setSpacing(spacing)
        self.detail.addWidget(self.title)
        self.addWidget(left)
        self.addWidget(right)
