"""A result list that loads itself a page at a time as the view scrolls.

Every log and search list of the app (sales, returns, exchanges, vouchers, the archive, the
approvals queue) is one of these: the service gives ``fetch(query, offset, limit)`` and
``count(query)``; the model counts the matches and loads the first page on ``set_query`` and
asks for the next page through ``canFetchMore``/``fetchMore`` when the view reaches the end.
Subclasses say what their columns are and how a row reads (``display``, and optionally
``tooltip``, ``foreground``, ``font`` and ``user_data``).
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

PAGE = 200

Q = TypeVar("Q")
R = TypeVar("R")

_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class PagedTableModel(QAbstractTableModel, Generic[Q, R]):
    """Rows of type R found by a query of type Q, ``page_size`` at a time.

    Class attributes: ``COLUMNS`` (header labels), ``RIGHT_ALIGNED`` (column numbers written
    right-aligned, e.g. money). ``RowRole`` gives the row object itself for any index.
    """

    COLUMNS: tuple[str, ...] = ()
    RIGHT_ALIGNED: frozenset[int] = frozenset()
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
