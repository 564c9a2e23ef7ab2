"""The approval queue's list: pending requests (desk.services.approvals.ApprovalView), oldest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desk.money import format_money
from desk.services.approvals import ApprovalView
from desk.ui.tables.paged import SAMPLE_MONEY, PagedTableModel
from desk.ui.tables.sales_table import local_time_text

AMBER = QColor("#9a5b00")
RED = QColor("#b3261e")


def what_is_asked(view: ApprovalView) -> str:
    return "Override a refusal" if view.is_override else "Approve"


class ApprovalsTableModel(PagedTableModel[None, ApprovalView]):
    """The pending requests as they are (a live queue is short: no paging)."""

    COLUMNS = ("Asked", "Clerk", "Desk", "Return", "Amount", "Asks to", "Why")
    ASKED, CLERK, DESK, SUMMARY, AMOUNT, KIND, WHY = range(7)
    RIGHT_ALIGNED = frozenset({AMOUNT})
    DATE_COLUMNS = (ASKED,)
    COLUMN_SAMPLES = {CLERK: "Harry Davies (000)", DESK: "00", SUMMARY: "R-DEMO-01-000000 · 2 items",
                      AMOUNT: SAMPLE_MONEY, KIND: "Override a refusal", WHY: "Outside the return window"}
    STRETCH = (SUMMARY, WHY)
    IdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None, *, locale: str = "en_GB"):
        super().__init__(parent, locale=locale)

    def row_of(self, approval_id: int) -> int:
        return self.find_row(lambda r: r.id == approval_id)

    def ids(self) -> list[int]:
        return [r.id for r in self._rows]

    def display(self, v: ApprovalView, col: int) -> str:
        if col == self.ASKED:
            return local_time_text(v.created_at, self.locale)
        if col == self.CLERK:
            return f"{v.clerk_name} ({v.clerk_code})" if v.clerk_code else "—"
        if col == self.DESK:
            return v.desk_code
        if col == self.SUMMARY:
            return v.summary
        if col == self.AMOUNT:
            return format_money(v.amount, v.currency, self.locale)
        if col == self.KIND:
            return what_is_asked(v)
        return "; ".join(v.reasons)

    def tooltip(self, v: ApprovalView, col: int) -> str | None:
        if col == self.WHY:
            return "\n".join(v.reasons) or None
        if col == self.SUMMARY:
            return v.summary or None
        if col == self.ASKED:
            return local_time_text(v.created_at, self.locale, "full")
        return None

    def foreground(self, v: ApprovalView, col: int):
        if col == self.KIND:
            return RED if v.is_override else AMBER
        return None

    def user_data(self, v: ApprovalView, col: int, role: int):
        return v.id if role == self.IdRole else None
