"""The Vouchers screen's list: vouchers (desk.services.credit.VoucherRow), newest first, a page
at a time as the list scrolls."""

from __future__ import annotations

from babel.dates import format_date
from PySide6.QtGui import QColor, QFont

from desk.money import format_money
from desk.services.credit import VoucherQuery, VoucherRow, count_vouchers, list_vouchers
from desk.ui.tables.paged import PAGE, SAMPLE_MONEY, SAMPLE_NAME, PagedTableModel
from desk.ui.tables.sales_table import local_time_text

SOURCE_LABELS = {"return": "Return", "exchange": "Exchange", "goodwill": "Goodwill"}
STATUS_LABELS = {"active": "Active", "spent": "Spent", "expired": "Expired", "cancelled": "Cancelled"}
GREY = QColor("#6b6b6b")
RED = QColor("#b3261e")


def day_text(day, locale: str) -> str:
    try:
        return format_date(day, "short", locale=locale)
    except Exception:  # an odd locale must not break a list
        return day.isoformat()


class VouchersTableModel(PagedTableModel[VoucherQuery, VoucherRow]):
    COLUMNS = ("Code", "Issued", "Source", "Customer", "Amount", "Balance", "Expires", "Status")
    CODE, ISSUED, SOURCE, CUSTOMER, AMOUNT, BALANCE, EXPIRES, STATUS = range(8)
    RIGHT_ALIGNED = frozenset({AMOUNT, BALANCE})
    DATE_COLUMNS = (ISSUED,)
    DAY_COLUMNS = (EXPIRES,)
    COLUMN_SAMPLES = {CODE: "V-MWK7QH3D8PXR", SOURCE: "Exchange", CUSTOMER: SAMPLE_NAME, AMOUNT: SAMPLE_MONEY,
                      BALANCE: SAMPLE_MONEY, STATUS: "Cancelled"}
    STRETCH = (CUSTOMER,)

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE):
        super().__init__(parent, locale=locale, page_size=page_size,
                         fetch=lambda q, offset, limit: list_vouchers(q, offset, limit), count=count_vouchers)

    def row_of(self, code: str) -> int:
        return self.find_row(lambda r: r.code == code)

    def display(self, r: VoucherRow, col: int) -> str:
        if col == self.CODE:
            return r.code
        if col == self.ISSUED:
            return local_time_text(r.issued_at, self.locale)
        if col == self.SOURCE:
            return SOURCE_LABELS.get(r.source, r.source)
        if col == self.CUSTOMER:
            return r.customer_name or "—"
        if col == self.AMOUNT:
            return format_money(r.amount, r.currency, self.locale)
        if col == self.BALANCE:
            return format_money(r.balance, r.currency, self.locale)
        if col == self.EXPIRES:
            return day_text(r.expires_on, self.locale) if r.expires_on else "Never"
        if col == self.STATUS:
            return STATUS_LABELS.get(r.status, r.status)
        return ""

    def tooltip(self, r: VoucherRow, col: int) -> str | None:
        if col == self.ISSUED:
            return local_time_text(r.issued_at, self.locale, "full")
        if col == self.SOURCE:
            return f"{self.display(r, col)} {r.source_number}".strip()
        if col == self.CUSTOMER:
            return self.display(r, col)
        return None

    def foreground(self, r: VoucherRow, col: int):
        if r.status == "cancelled":
            return RED
        if r.status in ("spent", "expired"):
            return GREY
        return None

    def font(self, r: VoucherRow, col: int):
        if col == self.BALANCE and r.status == "active":
            f = QFont()
            f.setBold(True)
            return f
        return None
