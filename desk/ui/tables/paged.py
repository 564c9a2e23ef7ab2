"""A result list that loads itself a page at a time as the view scrolls.

Every log and search list of the app (sales, returns, exchanges, vouchers, the archive, the
approvals queue) is one of these: the service gives ``fetch(query, offset, limit)`` and
``count(query)``; the model counts the matches and loads the first page on ``set_query`` and
asks for the next page through ``canFetchMore``/``fetchMore`` when the view reaches the end.
Subclasses say what their columns are and how a row reads (``display``, and optionally
``tooltip``, ``foreground``, ``font`` and ``user_data``).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QHeaderView, QTableView

PAGE = 200
# Typical widest values, for COLUMN_SAMPLES: a document number (R-<store>-<desk>-<seq>), a local
# date and time, an amount, a person's name.
SAMPLE_NUMBER = "R-LDN01-01-000000"


def number_sample(store_code: str, prefix: str = "R") -> str:
    """A wide document number of this store, for a number column's sample (``prefix``: the kind's
    letter, O for an order: letters differ in width)."""
    return f"{prefix}-{store_code}-01-000000" if store_code else prefix + SAMPLE_NUMBER[1:]

SAMPLE_MONEY = "£0,000.00"
SAMPLE_NAME = "Harriet Davies-Smith"

Q = TypeVar("Q")
R = TypeVar("R")

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class PagedTableModel(QAbstractTableModel, Generic[Q, R]):
    """Rows of type R found by a query of type Q, ``page_size`` at a time.

    Class attributes: ``COLUMNS`` (header labels), ``RIGHT_ALIGNED`` (column numbers written
    right-aligned, e.g. money), ``COLUMN_SAMPLES`` (column -> a typical widest value, which
    fit_columns sizes the column for; ``NUMBER_COLUMNS``, ``DATE_COLUMNS``, ``DAY_COLUMNS`` and
    ``RECENT_COLUMNS`` are sampled for the store and its locale), ``STRETCH`` (the columns that take
    the room left) and ``OPTIONAL`` (columns left out of a narrow view).
    ``RowRole`` gives the row object itself for any index.
    """

    COLUMNS: tuple[str, ...] = ()
    RIGHT_ALIGNED: frozenset[int] = frozenset()
    COLUMN_SAMPLES: dict[int, str] = {}
    STRETCH: tuple[int, ...] = ()
    OPTIONAL: tuple[int, ...] = ()
    NUMBER_COLUMNS: tuple[int, ...] = ()  # columns of document numbers: sampled by number_sample
    DATE_COLUMNS: tuple[int, ...] = ()  # columns of local dates and times: sampled in the locale
    DAY_COLUMNS: tuple[int, ...] = ()  # columns of local dates (short, no time): sampled in the locale
    # columns of past instants written short ("Today 17:10", "Fri 17:10", "26 Nov 16:16": a log's
    # date, sales_table.compact_time_text(..., past=True)): sampled in the locale
    RECENT_COLUMNS: tuple[int, ...] = ()
    number_sample = SAMPLE_NUMBER  # a screen sets its store's (desk.ui.tables.paged.number_sample)
    BOLD_ROWS = False
    RowRole = Qt.ItemDataRole.UserRole + 100

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 fetch: Callable[[Q, int, int], list[R]] | None = None,
                 count: Callable[[Q], int] | None = None):
        super().__init__(parent)
        self.locale = locale
        self.page_size = page_size
        self._fetch = fetch
        self._count = count
        self._query: Q | None = None
        self._rows: list[R] = []
        self._more = False
        self.total_count = 0

    def set_source(self, fetch: Callable[[Q, int, int], list[R]], count: Callable[[Q], int]) -> None:
        self._fetch, self._count = fetch, count

    # -- data in -------------------------------------------------------------------------
    def set_query(self, query: Q) -> None:
        """Count the matches and load the first page. If the service raises (a query it
        refuses), the rows stay as they were."""
        total = self._count(query)
        first = list(self._fetch(query, 0, self.page_size))
        self.beginResetModel()
        self._query = query
        self._rows = first
        self.total_count = total
        self._more = len(first) == self.page_size
        self.endResetModel()

    def set_rows(self, rows: list[R]) -> None:
        """Show these rows as they are (a short list that needs no paging, e.g. a live queue)."""
        self.beginResetModel()
        self._query = None
        self._rows = list(rows)
        self.total_count = len(self._rows)
        self._more = False
        self.endResetModel()

    def refresh(self) -> None:
        """Run the current query again (after a change to what it lists)."""
        if self._query is not None:
            self.set_query(self._query)

    def clear(self) -> None:
        self.beginResetModel()
        self._query = None
        self._rows = []
        self._more = False
        self.total_count = 0
        self.endResetModel()

    @property
    def query(self) -> Q | None:
        return self._query

    @property
    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def find_row(self, predicate: Callable[[R], bool]) -> int:
        """The index of the first loaded row for which ``predicate`` is true, or -1."""
        return next((i for i, r in enumerate(self._rows) if predicate(r)), -1)

    # -- what a row shows (subclasses) -----------------------------------------------------
    def column_sample(self, column: int) -> str:
        """A typical widest value of the column, which fit_columns sizes it for."""
        if column in self.NUMBER_COLUMNS:
            return self.number_sample
        if column in self.DATE_COLUMNS:  # as this locale writes a wide date and time
            import datetime as dt

            from desk.ui.tables.sales_table import local_time_text  # (it imports this module)

            return local_time_text(dt.datetime(2026, 12, 28, 22, 58, tzinfo=dt.timezone.utc), self.locale)
        if column in self.RECENT_COLUMNS:  # the longest of today, a weekday, a day and month
            from desk.ui.tables.sales_table import compact_time_sample

            return compact_time_sample(self.locale, past=True)
        if column in self.DAY_COLUMNS:
            import datetime as dt

            from babel.dates import format_date

            return format_date(dt.date(2026, 12, 28), "short", locale=self.locale)
        return self.COLUMN_SAMPLES.get(column, "")

    def display(self, row: R, column: int) -> str:
        raise NotImplementedError

    def tooltip(self, row: R, column: int) -> str | None:
        return None

    def foreground(self, row: R, column: int) -> Any:
        return None

    def font(self, row: R, column: int) -> Any:
        return None

    def user_data(self, row: R, column: int, role: int) -> Any:
        """Values for the subclass's own roles (Qt.ItemDataRole.UserRole + n)."""
        return None

    # -- lazy loading ----------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._more and self._query is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        page = list(self._fetch(self._query, len(self._rows), self.page_size))
        self._more = len(page) == self.page_size
        if not page:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # -- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in self.RIGHT_ALIGNED else _LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, col)
        if role == Qt.ItemDataRole.FontRole:
            return self.font(row, col)
        if role == self.RowRole:
            return row
        if role >= Qt.ItemDataRole.UserRole:
            return self.user_data(row, col, role)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in self.RIGHT_ALIGNED:
                return _RIGHT
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class ColumnFit(QObject):
    """Column widths for a view of a PagedTableModel, worked out without reading its rows.

    Each column is as wide as the wider of its header and its model's ``COLUMN_SAMPLES`` text
    (a typical widest value, measured in the view's font, made bold when the model's ``BOLD_ROWS``
    says some rows are written bold, as overdue cases are). The model's ``STRETCH`` columns (the last one when it names none) share whatever room
    is left: the other columns are never squeezed ("X-DEMO…"); a stretch column gives way first,
    down to its header's width, then the list scrolls sideways. Before that, the model's
    ``OPTIONAL`` columns (what the pane beside the list shows anyway) are left out, in that order,
    while not every column fits its sample, and come back when there is room. A column the user has dragged keeps its width.
    """

    PADDING = 8  # a cell's text margins (the sample is measured rounded up)

    def __init__(self, view: QTableView):
        super().__init__(view)
        self.view = view
        self._applying = False
        self._dragged: set[int] = set()
        self._dropped: set[int] = set()  # OPTIONAL columns hidden for want of room
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionResized.connect(self._resized)
        view.viewport().installEventFilter(self)
        self.apply()

    def _model(self):
        return self.view.model()

    def stretch(self) -> tuple[int, ...]:
        model = self._model()
        given = tuple(getattr(model, "STRETCH", ()))
        return given or (model.columnCount() - 1,)

    def minimum(self, column: int, header_only: bool = False) -> int:
        """The width a column needs for its header and its sample (or its header alone)."""
        model = self._model()
        font = QFont(self.view.font())
        font.setBold(bool(getattr(model, "BOLD_ROWS", False)))
        metrics = QFontMetricsF(font)
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        sample = model.column_sample(column) if hasattr(model, "column_sample") and not header_only else ""
        title_font = QFont(self.view.horizontalHeader().font())
        title_font.setWeight(QFont.Weight.DemiBold)  # as the stylesheet writes headers, 8 px each side
        title_width = QFontMetrics(title_font).horizontalAdvance(title) + 2 * 8 + 2
        return max(title_width, math.ceil(metrics.horizontalAdvance(sample)) + self.PADDING)

    def apply(self) -> None:
        model = self._model()
        header = self.view.horizontalHeader()
        self._applying = True
        try:
            for column in self._dropped:
                self.view.setColumnHidden(column, False)
            self._dropped.clear()
            columns = [c for c in range(model.columnCount()) if not self.view.isColumnHidden(c)]
            room = self.view.viewport().width()
            for column in getattr(model, "OPTIONAL", ()):
                needed = sum(header.sectionSize(c) if c in self._dragged else self.minimum(c) for c in columns)
                if needed <= room or column not in columns:
                    break
                self.view.setColumnHidden(column, True)
                self._dropped.add(column)
                columns.remove(column)
        finally:
            self._applying = False
        stretch = [c for c in self.stretch() if c in columns and c not in self._dragged]
        self._applying = True
        try:
            used = 0
            for column in columns:
                if column in self._dragged:
                    used += header.sectionSize(column)
                elif column not in stretch:
                    width = self.minimum(column)
                    header.resizeSection(column, width)
                    used += width
            room = max(0, self.view.viewport().width() - used)
            for i, column in enumerate(stretch):
                share = room // len(stretch) + (1 if i < room % len(stretch) else 0)
                header.resizeSection(column, max(self.minimum(column, header_only=True), share))
        finally:
            self._applying = False

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._applying:
            self._dragged.add(column)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        # The view may be going away (its viewport still sends events while it is deleted).
        if event.type() == QEvent.Type.Resize and shiboken6.isValid(self.view) and self.view.model() is not None:
            self.apply()
        return False


def fit_columns(view: QTableView) -> ColumnFit:
    """Size the columns of ``view`` (a view of a PagedTableModel) from its model's samples: see ColumnFit."""
    return ColumnFit(view)  # the view owns it
