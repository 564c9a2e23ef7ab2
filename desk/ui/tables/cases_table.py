"""The lists of the Cases and Customers screens: cases, customers and a customer's timeline."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

from desk.money import format_money
from desk.services.cases import PRIORITIES, TYPES, CaseQuery, CaseRow
from desk.services.customers import CustomerRow, TimelineEntry
from desk.ui.tables.paged import SAMPLE_NAME, PagedTableModel
from desk.ui.tables.sales_table import compact_time_sample, compact_time_text, local_time_text

OVERDUE = QColor("#b3261e")
DUE_TODAY = QColor("#9a5b00")


def due_text(row, locale: str) -> str:
    """'first response 24/08/2026, 10:43' (or '' when no deadline runs: paused or closed)."""
    if row.due_at is None:
        return "paused" if row.status == "waiting_customer" else ""
    text = f"{row.due_what} {local_time_text(row.due_at, locale)}".strip()
    if row.overdue:
        return "OVERDUE · " + text
    return text


class CasesTableModel(PagedTableModel[CaseQuery, CaseRow]):
    COLUMNS = ("Number", "Opened", "Type", "Priority", "Summary", "Customer", "Owner", "Status", "Due")
    NUMBER, OPENED, TYPE, PRIORITY, SUMMARY, CUSTOMER, OWNER, STATUS, DUE = range(9)
    NUMBER_COLUMNS = (NUMBER,)
    DATE_COLUMNS = (OPENED,)  # Due is written short (compact_time_text): the list sits beside the case
    COLUMN_SAMPLES = {SUMMARY: "Sofa cushions missing", CUSTOMER: SAMPLE_NAME, OWNER: SAMPLE_NAME}
    STRETCH = (SUMMARY,)
    BOLD_ROWS = True  # overdue cases

    def column_sample(self, column: int) -> str:
        if column == self.DUE:  # the longest of a day and month, today, a weekday ahead, in this locale
            return compact_time_sample(self.locale)
        return super().column_sample(column)

    def display(self, row: CaseRow, column: int) -> str:
        if column == self.NUMBER:
            return row.number
        if column == self.OPENED:
            return local_time_text(row.opened_at, self.locale)
        if column == self.TYPE:
            return TYPES.get(row.type, row.type)
        if column == self.PRIORITY:
            return PRIORITIES.get(row.priority, row.priority)
        if column == self.SUMMARY:
            return row.summary
        if column == self.CUSTOMER:
            return row.customer_name
        if column == self.OWNER:
            return row.owner_name or "unassigned"
        if column == self.STATUS:
            return row.status_label
        if column == self.DUE:
            if row.due_at is None:
                return "paused" if row.status == "waiting_customer" else ""
            return compact_time_text(row.due_at, self.locale)
        return ""

    def tooltip(self, row: CaseRow, column: int) -> str | None:
        if column == self.DUE:
            return due_text(row, self.locale) or None
        return row.summary if column == self.SUMMARY else None

    def foreground(self, row: CaseRow, column: int):
        if row.overdue:
            return OVERDUE
        if row.due_today and column in (self.DUE, self.NUMBER):
            return DUE_TODAY
        return None

    def font(self, row: CaseRow, column: int):
        if row.overdue and column in (self.NUMBER, self.DUE):
            f = QFont()
            f.setBold(True)
            return f
        return None

    def row_of(self, number: str) -> int:
        return self.find_row(lambda r: r.number == number)


class CustomersTableModel(PagedTableModel[str, CustomerRow]):
    COLUMNS = ("Name", "Phone", "Email")

    def display(self, row: CustomerRow, column: int) -> str:
        return (row.name, row.phone, row.email)[column]

    def row_of(self, customer_id: int) -> int:
        return self.find_row(lambda r: r.id == customer_id)


class TimelineModel(PagedTableModel[int, TimelineEntry]):
    """A customer's timeline, newest first (a short list: ``set_rows``)."""

    COLUMNS = ("When", "What", "Number", "Amount")
    RIGHT_ALIGNED = frozenset({3})

    def display(self, row: TimelineEntry, column: int) -> str:
        if column == 0:
            return local_time_text(row.at, self.locale)
        if column == 1:
            status = f" ({row.status.replace('_', ' ')})" if row.status else ""
            return row.title + (f" — {row.detail}" if row.detail else "") + status
        if column == 2:
            return row.number
        if column == 3:
            return format_money(row.amount, row.currency, self.locale) if row.amount is not None and row.currency else ""
        return ""

    def tooltip(self, row: TimelineEntry, column: int) -> str | None:
        text = self.display(row, 1)
        return text + ("  (Enter opens it)" if row.open_kind else "")
