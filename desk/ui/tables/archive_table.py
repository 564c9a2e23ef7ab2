"""The archive screen's list: archived documents, newest first, fetched 200 at a time as it scrolls."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt

from desk.services import archive
from desk.ui.tables.paged import PAGE, SAMPLE_NAME, PagedTableModel
from desk.ui.tables.sales_table import compact_time_text, local_time_text


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


class ArchiveTableModel(PagedTableModel[ArchiveFilter, ArchiveRow]):
    COLUMNS = ("Date", "Kind", "Number", "Title", "Paper", "Who")
    DATE, KIND, NUMBER, TITLE, PAPER, WHO = range(6)
    IdRole = Qt.ItemDataRole.UserRole + 1
    NUMBER_COLUMNS = (NUMBER,)
    RECENT_COLUMNS = (DATE,)  # written short as the logs write it; the full date in the tip
    # Title takes the room left and its sample is the longest title a desk prints every day (a gift
    # receipt of a sale numbered at the desk), so it reads whole: Kind (the title says it) and then
    # Paper (the preview shows the page) give way first in a narrow window, as at 1280x800.
    COLUMN_SAMPLES = {TITLE: "Gift receipt G-LDN01-R3AZW9QKTX (receipt O-LDN01-01-000000)", PAPER: "Letter",
                      WHO: SAMPLE_NAME + " (000)"}
    STRETCH = (TITLE,)
    OPTIONAL = (KIND, PAPER)

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 kind_labels: dict[str, str] | None = None,
                 fetch: Callable[[ArchiveFilter, int, int], list[ArchiveRow]] | None = None,
                 count: Callable[[ArchiveFilter], int] | None = None,
                 who: Callable[[str], str] | None = None):
        super().__init__(parent, locale=locale, page_size=page_size, fetch=fetch or _fetch, count=count or _count)
        self.kind_labels = dict(kind_labels or {})
        # the Kind column is as wide as the longest label of the kinds registered
        self.COLUMN_SAMPLES = {**self.COLUMN_SAMPLES, self.KIND: max(self.kind_labels.values(), key=len, default="")}
        self._who = who or (lambda code: code)
        self._names: dict[str, str] = {}

    # -- data in -----------------------------------------------------------------------
    def set_filter(self, f: ArchiveFilter) -> None:
        """Count the matches and load the first page (the rows stay as they were if this raises)."""
        self.set_query(f)
        self._names.clear()

    @property
    def filter(self) -> ArchiveFilter | None:
        return self.query

    def row_of(self, doc_id: int) -> int:
        return self.find_row(lambda r: r.id == doc_id)

    def who(self, code: str) -> str:
        if not code:
            return "—"
        if code not in self._names:
            name = self._who(code)
            self._names[code] = f"{name} ({code})" if name and name != code else code
        return self._names[code]

    def display(self, row: ArchiveRow, col: int) -> str:
        if col == self.DATE:
            return compact_time_text(row.created_at, self.locale, past=True)
        if col == self.KIND:
            return self.kind_labels.get(row.kind, row.kind.capitalize())
        if col == self.NUMBER:
            return row.number
        if col == self.TITLE:
            return row.title
        if col == self.PAPER:
            return PAPER_NAMES.get(row.paper, row.paper)
        return self.who(row.staff_code)

    def tooltip(self, row: ArchiveRow, col: int) -> str | None:
        if col == self.DATE:
            return local_time_text(row.created_at, self.locale, "full")
        if col == self.TITLE:
            return row.title or None
        return None

    def user_data(self, row: ArchiveRow, col: int, role: int):
        return row.id if role == self.IdRole else None
