"""The Orders screen's search list: special orders (desk.services.orders.OrderRow) fetched 200 at a
time as the list scrolls. A row with something to do today is amber (red past the deadline)."""

from __future__ import annotations

from babel.dates import format_date
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from desk.money import format_money
from desk.services.orders import FLAGS, STATUS_LABELS, OrderQuery, OrderRow
from desk.ui.tables.paged import SAMPLE_MONEY, PagedTableModel
from desk.ui.tables.sales_table import local_time_text

AMBER = QColor("#9a5b00")
RED = QColor("#b3261e")
GREY = QColor("#5b6675")


def flags_text(flags: tuple[str, ...]) -> str:
    return "; ".join(FLAGS.get(f, f) for f in flags)


class OrdersTableModel(PagedTableModel[OrderQuery, OrderRow]):
    COLUMNS = ("Taken", "Order", "Status", "Customer", "Items", "Supplier", "Expected", "Collect by", "To pay", "To do")
    TAKEN, NUMBER, STATUS, CUSTOMER, ITEMS, SUPPLIER, EXPECTED, DEADLINE, BALANCE, TODO = range(10)
    RIGHT_ALIGNED = frozenset({BALANCE})
    NUMBER_COLUMNS = (NUMBER,)
    DATE_COLUMNS = (TAKEN,)
    DAY_COLUMNS = (EXPECTED, DEADLINE)
    COLUMN_SAMPLES = {STATUS: "Customer told", CUSTOMER: "Harry Davies", ITEMS: "1 × Linen shirt, M",
                      SUPPLIER: "Hartley Kitchen", BALANCE: SAMPLE_MONEY, TODO: "Overdue at the supplier"}
    STRETCH = (CUSTOMER, ITEMS, TODO)
    OPTIONAL = (SUPPLIER, TAKEN)  # the order's page shows both
    NumberRole = Qt.ItemDataRole.UserRole + 1

    def row_of(self, number: str) -> int:
        return self.find_row(lambda r: r.number == number)

    def _date(self, day) -> str:
        return format_date(day, "short", locale=self.locale) if day else ""

    def display(self, r: OrderRow, col: int) -> str:
        if col == self.TAKEN:
            return local_time_text(r.created_at, self.locale)
        if col == self.NUMBER:
            return r.number
        if col == self.STATUS:
            return STATUS_LABELS.get(r.status, r.status)
        if col == self.CUSTOMER:
            return " · ".join(p for p in (r.customer_name, r.customer_phone) if p)
        if col == self.ITEMS:
            return r.items
        if col == self.SUPPLIER:
            return " · ".join(p for p in (r.supplier, r.supplier_ref) if p)
        if col == self.EXPECTED:
            return self._date(r.expected_date)
        if col == self.DEADLINE:
            return self._date(r.collection_deadline)
        if col == self.BALANCE:
            return format_money(r.balance, r.currency, self.locale) if r.status not in ("collected", "cancelled") else ""
        if col == self.TODO:
            return flags_text(r.flags)
        return ""

    def tooltip(self, r: OrderRow, col: int) -> str | None:
        if col in (self.ITEMS, self.CUSTOMER, self.SUPPLIER, self.TODO):
            return self.display(r, col) or None
        return None

    def foreground(self, r: OrderRow, col: int):
        if "past_deadline" in r.flags:
            return RED
        if r.flags:
            return AMBER
        if r.status in ("collected", "cancelled"):
            return GREY
        return None

    def user_data(self, r: OrderRow, col: int, role: int):
        if role == self.NumberRole:
            return r.number
        return None
