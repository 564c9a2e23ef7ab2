"""Search results of the Sale lookup screen: pages of 200 sales fetched as the list scrolls."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from babel.dates import format_date, format_datetime, format_time
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from desk.money import format_money
from desk.services.sale_lookup import SaleQuery, SaleRow, count_sales, search_sales
from desk.ui import theme
from desk.ui.tables.paged import PAGE, SAMPLE_MONEY, PagedTableModel

RED = QColor(theme.REFUSED)


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


def compact_time_text(when: dt.datetime, locale: str = "en_GB", now: dt.datetime | None = None, *,
                      past: bool = False) -> str:
    """A UTC instant, in local time, as short as a narrow list needs: "Today 17:10", a weekday in
    the six days ahead ("Tue 17:10"), else the day and month ("26 Nov 16:16"), with the year when
    it is more than half a year away ("26 Nov 2027, 16:16"). ``now``: UTC, the clock's by default.

    ``past``: for a log of what was done (a return, an exchange), where every instant is behind
    us: the weekday names the six days before today instead ("Fri 17:10"), and an instant more
    than half a year ago is its day, month and year alone ("26 Nov 2025": the tooltip has the
    time), so a column sized for "26 Nov 16:16" shows it whole."""
    from babel.dates import format_skeleton

    from desk import clock

    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    now = now or clock.utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    local, today = when.astimezone(), now.astimezone().date()
    try:
        time = format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
        days = (local.date() - today).days
        if days == 0:
            return f"Today {time}"
        if (-7 < days < 0) if past else (0 < days < 7):
            return f"{format_date(local, 'EEE', locale=locale)} {time}"
        if abs(days) <= 183:
            return f"{format_skeleton('MMMd', local, locale=locale)} {time}"
        if past:
            return format_skeleton("yMMMd", local, locale=locale)
        return f"{format_skeleton('yMMMd', local, locale=locale)}, {time}"
    except Exception:  # an odd locale must not break a list
        return local.strftime("%Y-%m-%d %H:%M")


def compact_time_sample(locale: str = "en_GB", past: bool = False) -> str:
    """The longest of what compact_time_text writes in this locale (today, a weekday, a day and
    month; with ``past``, a day, month and year too), for a column's sample: the column is sized
    for it without reading a row. The instants are at 12:58 UTC, so each stays on its day in any
    time zone."""
    utc = dt.timezone.utc
    if past:  # today, a Wednesday, 28 May (the widest month here), 28 May a year before
        now = dt.datetime(2026, 6, 15, 12, 58, tzinfo=utc)
        whens = (now, dt.datetime(2026, 6, 10, 12, 58, tzinfo=utc), dt.datetime(2026, 5, 28, 12, 58, tzinfo=utc),
                 dt.datetime(2025, 5, 28, 12, 58, tzinfo=utc))
    else:  # today, a Wednesday ahead, 28 Dec (a week ahead)
        now = dt.datetime(2026, 12, 21, 12, 58, tzinfo=utc)
        whens = (now, dt.datetime(2026, 12, 23, 12, 58, tzinfo=utc), dt.datetime(2026, 12, 28, 12, 58, tzinfo=utc))
    return max((compact_time_text(w, locale, now, past=past) for w in whens), key=len)


class SalesTableModel(PagedTableModel[SaleQuery, SaleRow]):
    """Rows are desk.services.sale_lookup.SaleRow, newest first, loaded a page at a time.

    A voided sale (an exchange's replacement sale, the exchange voided) reads red and says
    "Voided" where its total would be (the total no longer counts; the tip and the detail give it)."""

    COLUMNS = ("Receipt", "Date", "Total", "Customer", "Paid by")
    RECEIPT, DATE, TOTAL, CUSTOMER, TENDERS = range(5)
    RIGHT_ALIGNED = frozenset({TOTAL})
    NUMBER_COLUMNS = (RECEIPT,)
    DATE_COLUMNS = (DATE,)
    COLUMN_SAMPLES = {TOTAL: SAMPLE_MONEY, CUSTOMER: "Harry Davies",
                      TENDERS: "Card ••0000"}
    STRETCH = (CUSTOMER, TENDERS)
    OPTIONAL = (TENDERS,)  # the sale's detail beside the list shows how it was paid
    SaleIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None, *, locale: str = "en_GB", page_size: int = PAGE,
                 fetch: Fetch | None = None, count: Callable[[SaleQuery], int] | None = None):
        super().__init__(parent, locale=locale, page_size=page_size,
                         fetch=fetch or (lambda q, offset, limit: search_sales(q, offset, limit)),
                         count=count or count_sales)

    def row_of_sale(self, sale_id: int) -> int:
        return self.find_row(lambda r: r.sale_id == sale_id)

    def display(self, row: SaleRow, col: int) -> str:
        if col == self.RECEIPT:
            return row.receipt
        if col == self.DATE:
            return local_time_text(row.sold_at, self.locale)
        if col == self.CUSTOMER:
            return row.customer or "—"
        if col == self.TENDERS:
            return row.tenders
        return "Voided" if row.voided else format_money(row.total, row.currency, self.locale)

    def tooltip(self, row: SaleRow, col: int) -> str | None:
        if row.voided:
            return (f"Voided: {format_money(row.total, row.currency, self.locale)} no longer counts and "
                    "nothing on this sale can be returned (the sale's detail says why)")
        if col == self.TENDERS:
            return row.tenders or None
        if col == self.DATE:
            return local_time_text(row.sold_at, self.locale, "full")
        return None

    def foreground(self, row: SaleRow, col: int):
        return RED if row.voided else None

    def font(self, row: SaleRow, col: int):
        if row.voided and col == self.TOTAL:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def user_data(self, row: SaleRow, col: int, role: int):
        return row.sale_id if role == self.SaleIdRole else None
