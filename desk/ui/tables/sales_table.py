"""Search results of the Sale lookup screen: pages of 200 sales fetched as the list scrolls."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from babel.dates import format_date, format_datetime, format_time
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desk.money import format_money
from desk.services.sale_lookup import SaleQuery, SaleRow, count_sales, search_sales

PAGE = 200

Fetch = Callable[[SaleQuery, int, int], list[SaleRow]]


def local_time_text(when: dt.datetime, locale: str = "en_GB", fmt: str = "short") -> str:
    """A UTC instant as this computer's local date and time, written the store's way.

    ``fmt``: "short" (24/08/2026, 10:43), "medium" (24 Aug 2026, 10:43) or "full".
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    local = when.astimezone()
    try:
        if fmt == "medium":
            return f"{format_date(local, 'medium', locale=locale)}, {format_time(local, 'short', tzinfo=local.tzinfo, locale=locale)}"
        return format_datetime(local, fmt, tzinfo=local.tzinfo, locale=locale)
    except Exception:  # an odd locale must not break a list
        return local.strftime("%Y-%m-%d %H:%M")


class SalesTableModel(QAbstractTableModel):
    """Rows are desk.services.sale_lookup.SaleRow, newest first.

    ``set_query`` runs the search and loads the first page; views ask for more through
    ``canFetchMore``/``fetchMore`` as they scroll, one page of ``page_size`` at a time.
    """

    COLUMNS = ("Receipt", "Date", "Total", "Customer", "Paid by")
    RECEIPT, DATE, TOTAL, CUSTOMER, TENDERS = range(5)
    SaleIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 fetch: Fetch | None = None, count: Callable[[SaleQuery], int] | None = None):
        super().__init__(parent)
        self.locale = locale
        self.page_size = page_size
        self._fetch: Fetch = fetch or (lambda q, offset, limit: search_sales(q, offset, limit))
        self._count = count or count_sales
        self._query: SaleQuery | None = None
        self._rows: list[SaleRow] = []
        self._more = False
        self.total_count = 0

    # -- data in -----------------------------------------------------------------------
    def set_query(self, query: SaleQuery) -> None:
        """Search: counts the matches and loads the first page. Raises the service's
        InvalidInput for a query it refuses, leaving the current rows as they were."""
        total = self._count(query)
        first = self._fetch(query, 0, self.page_size)
        self.beginResetModel()
        self._query = query
        self._rows = list(first)
        self.total_count = total
        self._more = len(first) == self.page_size
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self._query = None
        self._rows = []
        self._more = False
        self.total_count = 0
        self.endResetModel()

    @property
    def query(self) -> SaleQuery | None:
        return self._query

    def row_at(self, row: int) -> SaleRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of_sale(self, sale_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.sale_id == sale_id:
                return i
        return -1

    # -- lazy loading --------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more and self._query is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        page = self._fetch(self._query, len(self._rows), self.page_size)
        self._more = len(page) == self.page_size
        if not page:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    # -- QAbstractTableModel ---------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == self.RECEIPT:
                return row.receipt
            if col == self.DATE:
                return local_time_text(row.sold_at, self.locale)
            if col == self.CUSTOMER:
                return row.customer or "—"
            if col == self.TENDERS:
                return row.tenders
            if col == self.TOTAL:
                return format_money(row.total, row.currency, self.locale)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.TENDERS:
                return row.tenders or None
            if col == self.DATE:
                return local_time_text(row.sold_at, self.locale, "full")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == self.TOTAL:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == self.SaleIdRole:
            return row.sale_id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section == self.TOTAL:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
