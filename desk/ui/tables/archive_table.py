"""The archive screen's list: archived documents, newest first, fetched 200 at a time as it scrolls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desk.services import archive
from desk.ui.tables.sales_table import local_time_text

PAGE = 200

PAPER_NAMES = {"roll": "Roll", "a4": "A4", "letter": "Letter"}


@dataclass(frozen=True)
class ArchiveFilter:
    kind: str | None = None
    number: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def is_empty(self) -> bool:
        return not (self.kind or self.number.strip() or self.date_from or self.date_to)


@dataclass(frozen=True)
class ArchiveRow:
    id: int
    created_at: dt.datetime
    kind: str
    number: str
    title: str
    paper: str
    staff_code: str


def _row(doc) -> ArchiveRow:
    return ArchiveRow(doc.id, doc.created_at, doc.kind, doc.number, doc.title, doc.paper, doc.staff_code)


def _fetch(f: ArchiveFilter, offset: int, limit: int) -> list[ArchiveRow]:
    return [_row(d) for d in archive.search_archive(f.kind, f.number, f.date_from, f.date_to, offset, limit)]


def _count(f: ArchiveFilter) -> int:
    return archive.count_archive(f.kind, f.number, f.date_from, f.date_to)


class ArchiveTableModel(QAbstractTableModel):
    COLUMNS = ("Date", "Kind", "Number", "Title", "Paper", "Who")
    DATE, KIND, NUMBER, TITLE, PAPER, WHO = range(6)
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 kind_labels: dict[str, str] | None = None,
                 fetch: Callable[[ArchiveFilter, int, int], list[ArchiveRow]] | None = None,
                 count: Callable[[ArchiveFilter], int] | None = None,
                 who: Callable[[str], str] | None = None):
        super().__init__(parent)
        self.locale = locale
        self.page_size = page_size
        self.kind_labels = dict(kind_labels or {})
        self._fetch = fetch or _fetch
        self._count = count or _count
        self._who = who or (lambda code: code)
        self._names: dict[str, str] = {}
        self._filter: ArchiveFilter | None = None
        self._rows: list[ArchiveRow] = []
        self._more = False
        self.total_count = 0

    # -- data in -----------------------------------------------------------------------
    def set_filter(self, f: ArchiveFilter) -> None:
        """Count the matches and load the first page (the rows stay as they were if this raises)."""
        total = self._count(f)
        first = self._fetch(f, 0, self.page_size)
        self.beginResetModel()
        self._filter = f
        self._rows = list(first)
        self._names.clear()
        self.total_count = total
        self._more = len(first) == self.page_size
        self.endResetModel()

    @property
    def filter(self) -> ArchiveFilter | None:
        return self._filter

    def row_at(self, row: int) -> ArchiveRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, doc_id: int) -> int:
        for i, r in enumerate(self._rows):
            if r.id == doc_id:
                return i
        return -1

    def who(self, code: str) -> str:
        if not code:
            return "—"
        if code not in self._names:
            name = self._who(code)
            self._names[code] = f"{name} ({code})" if name and name != code else code
        return self._names[code]

    # -- lazy loading --------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more and self._filter is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        page = self._fetch(self._filter, len(self._rows), self.page_size)
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
            if col == self.DATE:
                return local_time_text(row.created_at, self.locale)
            if col == self.KIND:
                return self.kind_labels.get(row.kind, row.kind.capitalize())
            if col == self.NUMBER:
                return row.number
            if col == self.TITLE:
                return row.title
            if col == self.PAPER:
                return PAPER_NAMES.get(row.paper, row.paper)
            if col == self.WHO:
                return self.who(row.staff_code)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.DATE:
                return local_time_text(row.created_at, self.locale, "full")
            if col == self.TITLE:
                return row.title or None
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == self.IdRole:
            return row.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
