"""The exchange log's list: exchanges (desk.services.exchanges.ExchangeRow), newest first, a page
at a time as the list scrolls. A voided exchange reads as the returns log shows a voided return:
its row red, its difference struck through, and the tip says so."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

from desk.money import format_money
from desk.services.exchanges import ExchangeQuery, ExchangeRow, count_exchanges, search_exchanges
from desk.ui.tables.paged import PAGE, SAMPLE_MONEY, PagedTableModel
from desk.ui.tables.sales_table import compact_time_text, local_time_text

RED = QColor("#b3261e")


def difference_text(minor: int, currency: str, locale: str) -> str:
    """+£30.00 the customer paid, −£15.00 refunded, Even."""
    if minor == 0:
        return "Even"
    sign = "+" if minor > 0 else "−"
    return sign + format_money(abs(minor), currency, locale)


class ExchangesLogTableModel(PagedTableModel[ExchangeQuery, ExchangeRow]):
    COLUMNS = ("Date", "Exchange", "Came back", "Went out", "Difference", "Clerk", "Reason", "Customer", "Status")
    DATE, NUMBER, ITEMS_IN, ITEMS_OUT, DIFFERENCE, CLERK, REASON, CUSTOMER, STATUS = range(9)
    RIGHT_ALIGNED = frozenset({DIFFERENCE})
    NUMBER_COLUMNS = (NUMBER,)
    RECENT_COLUMNS = (DATE,)  # "Today 17:10", "Fri 17:10", "26 Nov 16:16"; the full date in the tip
    COLUMN_SAMPLES = {DIFFERENCE: "+" + SAMPLE_MONEY, CLERK: "000", REASON: "Changed mind", CUSTOMER: "Harry Davies",
                      STATUS: "Voided"}
    STRETCH = (ITEMS_IN, ITEMS_OUT)

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE, reasons: dict[str, str] | None = None):
        super().__init__(parent, locale=locale, page_size=page_size,
                         fetch=lambda q, offset, limit: search_exchanges(q, offset, limit), count=count_exchanges)
        self.reasons = reasons or {}

    def row_of(self, number: str) -> int:
        return self.find_row(lambda r: r.number == number)

    def display(self, r: ExchangeRow, col: int) -> str:
        if col == self.DATE:
            return compact_time_text(r.created_at, self.locale, past=True)
        if col == self.NUMBER:
            return r.number
        if col == self.ITEMS_IN:
            return r.items_in
        if col == self.ITEMS_OUT:
            return r.items_out
        if col == self.DIFFERENCE:
            return difference_text(r.difference, r.currency, self.locale)
        if col == self.CLERK:
            return r.clerk_code
        if col == self.REASON:
            return self.reasons.get(r.reason, r.reason)
        if col == self.CUSTOMER:
            return r.customer_name
        if col == self.STATUS:
            return "Voided" if r.status == "voided" else "Done"
        return ""

    def tooltip(self, r: ExchangeRow, col: int) -> str | None:
        if col == self.DATE:
            return local_time_text(r.created_at, self.locale, "full")
        if col == self.DIFFERENCE:
            text = ("the customer paid" if r.difference > 0 else "refunded") if r.difference else "an even exchange"
            text = f"{self.display(r, col)}: {text}"
            return f"Voided: {text}, undone" if r.status == "voided" else text
        if col == self.CLERK:
            return f"{r.clerk_code} {r.clerk_name}"
        if col == self.NUMBER:
            return f"Return {r.return_number} · sale {r.sale_receipt_no}" + (
                f" · from receipt {r.original_receipt_no}" if r.original_receipt_no else "")
        return self.display(r, col) or None

    def foreground(self, r: ExchangeRow, col: int):
        return RED if r.status == "voided" else None

    def font(self, r: ExchangeRow, col: int):
        if r.status == "voided" and col == self.DIFFERENCE:
            f = QFont()
            f.setStrikeOut(True)
            return f
        return None
