"""Today (F11): the store, today's sales and the size of the sales ledger. Real figures only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desk import clock
from desk.money import format_money
from desk.services import returns as returns_service
from desk.services import sales as sales_service
from desk.services.store import current_store
from desk.ui.actions import shortcut_text
from desk.ui.context import AppContext
from desk.ui.screens.base import Screen


def local_day_bounds_utc(now_utc: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Today in the machine's local time, as naive-UTC [start, end)."""
    local_now = clock.to_local(now_utc)
    start_local = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    end_local = start_local + dt.timedelta(days=1)
    # Re-derive the offsets at each end (a day may be 23 or 25 hours long).
    start = start_local.replace(tzinfo=None).astimezone().astimezone(dt.timezone.utc).replace(tzinfo=None)
    end = end_local.replace(tzinfo=None).astimezone().astimezone(dt.timezone.utc).replace(tzinfo=None)
    return start, end


def _card(parent: QWidget, title: str) -> tuple[QFrame, QVBoxLayout]:
    card = QFrame(parent)
    card.setProperty("role", "card")
    layout = QVBoxLayout(card)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(6)
    label = QLabel(title, card)
    label.setProperty("role", "muted")
    layout.addWidget(label)
    return card, layout


class HomeScreen(Screen):
    title = "Today"
    action_name = "screen.home"
    permission = None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("homeScreen")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.setSpacing(18)

        self.store_name = QLabel("", self)
        self.store_name.setObjectName("homeStoreName")
        self.store_name.setProperty("role", "heading")
        self.store_name.setWordWrap(True)  # a long name goes on to a second line, not off the screen
        self.store_address = QLabel("", self)
        self.store_address.setObjectName("homeStoreAddress")
        self.store_address.setProperty("role", "muted")
        self.store_address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.date_label = QLabel("", self)
        self.date_label.setProperty("role", "subheading")
        outer.addWidget(self.store_name)
        outer.addWidget(self.store_address)
        outer.addWidget(self.date_label)

        cards = QHBoxLayout()
        cards.setSpacing(16)
        card, layout = _card(self, "Sales today")
        self.today_count = QLabel("", card)
        self.today_count.setObjectName("todayCount")
        self.today_count.setProperty("role", "figure")
        layout.addWidget(self.today_count)
        layout.addStretch(1)
        cards.addWidget(card, 1)

        card, layout = _card(self, "Takings today")
        self.today_total = QLabel("", card)
        self.today_total.setObjectName("todayTotal")
        self.today_total.setProperty("role", "figure")
        layout.addWidget(self.today_total)
        layout.addStretch(1)
        cards.addWidget(card, 1)

        card, layout = _card(self, "Returns today")
        self.returns_count = QLabel("", card)
        self.returns_count.setObjectName("returnsToday")
        self.returns_count.setProperty("role", "figure")
        self.returns_value = QLabel("", card)
        self.returns_value.setObjectName("returnsTodayValue")
        self.returns_value.setProperty("role", "muted")
        self.returns_value.setWordWrap(True)
        layout.addWidget(self.returns_count)
        layout.addWidget(self.returns_value)
        layout.addStretch(1)
        cards.addWidget(card, 1)

        card, layout = _card(self, "Sales ledger")
        self.ledger_size = QLabel("", card)
        self.ledger_size.setObjectName("ledgerSize")
        self.ledger_size.setProperty("role", "figure")
        self.ledger_range = QLabel("", card)
        self.ledger_range.setObjectName("ledgerRange")
        self.ledger_range.setProperty("role", "muted")
        self.ledger_range.setWordWrap(True)
        layout.addWidget(self.ledger_size)
        layout.addWidget(self.ledger_range)
        layout.addStretch(1)
        cards.addWidget(card, 1)
        outer.addLayout(cards)

        keys_card, keys_layout = _card(self, "Keys")
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(8)
        for row, (name, text) in enumerate((
            ("scan.focus", "Scan or type a receipt, document or voucher code"),
            ("screen.sales", "Look up a sale by receipt, date, amount, customer or card"),
            ("help.shortcuts", "Every keyboard shortcut"),
            ("session.lock", "Lock the desk when you step away"),
        )):
            key = QLabel(shortcut_text(name), keys_card)
            key.setProperty("role", "key")
            key.setAlignment(Qt.AlignmentFlag.AlignCenter)
            key.setMinimumWidth(64)
            grid.addWidget(key, row, 0)
            grid.addWidget(QLabel(text, keys_card), row, 1)
        grid.setColumnStretch(1, 1)
        keys_layout.addLayout(grid)
        outer.addWidget(keys_card)
        outer.addStretch(1)

        ctx.events.changed.connect(self._on_changed)
        # The figures are read in activated(), when the main window shows the screen.

    def _on_changed(self, kind: str) -> None:
        if kind in ("sales", "returns", "store") and self.isVisible():
            self.refresh()

    def activated(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        store = current_store()
        if store is None:
            return
        self.store_name.setText(store.name)
        self.store_address.setText(", ".join(line.strip() for line in store.address.splitlines() if line.strip()))
        now = clock.utcnow()
        local_now = clock.to_local(now)
        self.date_label.setText(local_now.strftime("%A %d %B %Y").replace(" 0", " "))
        start, end = local_day_bounds_utc(now)
        today = sales_service.figures_between(start, end)
        self.today_count.setText(f"{today.sales:,}")
        self.today_total.setText(format_money(today.total, store.currency, store.locale))
        back = returns_service.figures_between(start, end)
        self.returns_count.setText(f"{back.returns:,}")
        self.returns_value.setText(f"worth {format_money(back.total, store.currency, store.locale)}" if back.returns
                                   else "None yet")
        ledger = sales_service.ledger_figures()
        self.ledger_size.setText(f"{ledger.sales:,} sales")
        if ledger.first and ledger.last:
            first = clock.to_local(ledger.first).strftime("%d %b %Y")
            last = clock.to_local(ledger.last).strftime("%d %b %Y")
            self.ledger_range.setText(f"From {first} to {last}")
        else:
            self.ledger_range.setText("No sales imported yet")
