"""The returns log's list: returns (desk.services.returns.ReturnRow), newest first, fetched 200
at a time as the list scrolls."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from desk.money import format_money
from desk.services.policy import KIND_LABELS
from desk.services.returns import ReturnQuery, ReturnRow
from desk.ui.tables.sales_table import local_time_text

PAGE = 200
RED = QColor("#b3261e")

KIND_SHORT = {"receipted": "Receipt", "gift": "Gift receipt", "unverified": "Unverified", "blind": "Blind"}

Fetch = Callable[[ReturnQuery, int, int], list[ReturnRow]]


class ReturnsLogTableModel(QAbstractTableModel):
    # A voided return has no column of its own (the list must fit beside the navigation at
    # 1280 px): its row is red, its refund struck through, and the refund's tip says so.
    COLUMNS = ("Date", "Return", "Proof", "Clerk", "Customer", "Reasons", "Tender", "Refund", "Approver")
    DATE, NUMBER, PROOF, CLERK, CUSTOMER, REASONS, TENDERS, TOTAL, APPROVED = range(9)
    NumberRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 fetch: Fetch | None = None, count: Callable[[ReturnQuery], int] | None = None):
        super().__init__(parent)
        self.locale = locale
        self.page_size = page_size
        self._fetch = fetch
        self._count = count
        self._query: ReturnQuery | None = None
        self._rows: list[ReturnRow] = []
        self._more = False
        self.total_count = 0

    def set_source(self, fetch: Fetch, count: Callable[[ReturnQuery], int]) -> None:
        self._fetch, self._count = fetch, count

    # -- data in -----------------------------------------------------------------------
    def set_query(self, query: ReturnQuery) -> None:
        """Count the matches and load the first page (the rows stay as they were if this raises)."""
        total = self._count(query)
        first = self._fetch(query, 0, self.page_size)
        self.beginResetModel()
        self._query = query
        self._rows = list(first)
        self.total_count = total
        self._more = len(first) == self.page_size
        self.endResetModel()

    @property
    def query(self) -> ReturnQuery | None:
        return self._query

    def row_at(self, row: int) -> ReturnRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, number: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.number == number), -1)

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

    def _text(self, r: ReturnRow, col: int) -> str:
        if col == self.DATE:
            return local_time_text(r.created_at, self.locale)
        if col == self.NUMBER:
            return r.number
        if col == self.PROOF:
            # the receipt the goods came from, or how the return was proven
            if r.kind == "receipted" and r.receipt_no:
                return r.receipt_no
            if r.kind == "gift":
                return f"Gift {r.receipt_no}".strip()
            return KIND_SHORT.get(r.kind, r.kind)
        if col == self.CLERK:
            return r.clerk_code
        if col == self.CUSTOMER:
            return r.customer
        if col == self.REASONS:
            return r.reasons
        if col == self.TENDERS:
            return r.tenders
        if col == self.TOTAL:
            return format_money(r.total, r.currency, self.locale)
        if col == self.APPROVED:
            if not r.approved_by:
                return ""
            return f"{r.approved_by} (override)" if r.override else r.approved_by
        return ""

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.DATE:
                return local_time_text(r.created_at, self.locale, "full")
            if col == self.PROOF:
                text = "Return " + KIND_LABELS.get(r.kind, r.kind)
                return text + (f": receipt {r.receipt_no}" if r.receipt_no else "")
            if col == self.TOTAL and r.status == "voided":
                return f"Voided: the refund of {self._text(r, col)} was undone"
            if col in (self.REASONS, self.TENDERS, self.CUSTOMER, self.NUMBER, self.APPROVED):
                return self._text(r, col) or None
            return None
        if role == Qt.ItemDataRole.ForegroundRole and r.status == "voided":
            return RED
        if role == Qt.ItemDataRole.FontRole and r.status == "voided" and col == self.TOTAL:
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == self.TOTAL:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == self.NumberRole:
            return r.number
        if role == self.StatusRole:
            return r.status
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
