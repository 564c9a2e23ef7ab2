"""The returns log's list: returns (desk.services.returns.ReturnRow), newest first, fetched 200
at a time as the list scrolls."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from desk.money import format_money
from desk.services.policy import KIND_LABELS
from desk.services.returns import ReturnQuery, ReturnRow
from desk.ui.tables.paged import PAGE, SAMPLE_MONEY, SAMPLE_NAME, PagedTableModel
from desk.ui.tables.sales_table import compact_time_text, local_time_text

RED = QColor("#b3261e")

KIND_SHORT = {"receipted": "Receipt", "gift": "Gift receipt", "unverified": "Unverified", "blind": "Blind"}

Fetch = Callable[[ReturnQuery, int, int], list[ReturnRow]]


class ReturnsLogTableModel(PagedTableModel[ReturnQuery, ReturnRow]):
    # A voided return has no column of its own (the list must fit beside the navigation at
    # 1280 px): its row is red, its refund struck through, and the refund's tip says so.
    COLUMNS = ("Date", "Return", "Proof", "Clerk", "Customer", "Reasons", "Tender", "Refund", "Approver")
    DATE, NUMBER, PROOF, CLERK, CUSTOMER, REASONS, TENDERS, TOTAL, APPROVED = range(9)
    RIGHT_ALIGNED = frozenset({TOTAL})
    NUMBER_COLUMNS = (NUMBER,)
    RECENT_COLUMNS = (DATE,)  # "Today 17:10", "Fri 17:10", "26 Nov 16:16"; the full date in the tip
    # Customer, Reasons and Tender share the room left; their samples are what they should show
    # whole, so the approver and then the clerk (the return's detail shows both) give way first.
    COLUMN_SAMPLES = {PROOF: "Gift T3-0000166", CLERK: "000", TOTAL: SAMPLE_MONEY, APPROVED: "Sam Supervisor",
                      CUSTOMER: SAMPLE_NAME, REASONS: "Not as described", TENDERS: "Mastercard •••• 0000"}
    STRETCH = (CUSTOMER, REASONS, TENDERS)
    OPTIONAL = (APPROVED, CLERK)
    NumberRole = Qt.ItemDataRole.UserRole + 1
    StatusRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 fetch: Fetch | None = None, count: Callable[[ReturnQuery], int] | None = None):
        super().__init__(parent, locale=locale, page_size=page_size, fetch=fetch, count=count)

    def row_of(self, number: str) -> int:
        return self.find_row(lambda r: r.number == number)

    def display(self, r: ReturnRow, col: int) -> str:
        if col == self.DATE:
            return compact_time_text(r.created_at, self.locale, past=True)
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
            return r.customer or "—"
        if col == self.REASONS:
            return r.reasons
        if col == self.TENDERS:
            return r.tenders
        if col == self.TOTAL:
            return format_money(r.total, r.currency, self.locale)
        if col == self.APPROVED:
            if not r.approved_by:
                return "—"
            return f"{r.approved_by} (override)" if r.override else r.approved_by
        return ""


    def tooltip(self, r: ReturnRow, col: int) -> str | None:
        if col == self.DATE:
            return local_time_text(r.created_at, self.locale, "full")
        if col == self.PROOF:
            text = "Return " + KIND_LABELS.get(r.kind, r.kind)
            return text + (f": receipt {r.receipt_no}" if r.receipt_no else "")
        if col == self.TOTAL and r.status == "voided":
            return f"Voided: the refund of {self.display(r, col)} was undone"
        if col in (self.REASONS, self.TENDERS, self.CUSTOMER, self.NUMBER, self.APPROVED):
            text = self.display(r, col)
            return text if text and text != "—" else None
        return None

    def foreground(self, r: ReturnRow, col: int):
        return RED if r.status == "voided" else None

    def font(self, r: ReturnRow, col: int):
        if r.status == "voided" and col == self.TOTAL:
            font = QFont()
            font.setStrikeOut(True)
            return font
        return None

    def user_data(self, r: ReturnRow, col: int, role: int):
        if role == self.NumberRole:
            return r.number
        if role == self.StatusRole:
            return r.status
        return None
