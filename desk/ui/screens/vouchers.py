"""Vouchers: every store credit voucher with its balance, filtered by status, source and code or
customer; the selected one's ledger (issued, redeemed, reversed, expired, cancelled); Redeem… at
the desk, Print voucher, Cancel voucher… (a manager, with a reason).

Scanning a voucher code (F2) opens it here. Expiry: ``credit.expire_due`` runs each time this
screen is shown, so a voucher past its last day carries its ``expire`` entry before anyone reads
its ledger (the list and the scan field already call it expired from the day it lapses).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, NotFound
from desk.money import format_money
from desk.services import auth, credit
from desk.services.credit import VoucherQuery, VoucherView
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.screens.base import Screen
from desk.ui.widgets.filters import FilterBar
from desk.ui.tables.paged import fit_columns
from desk.ui.widgets.list_detail import current_row, list_table, select_row
from desk.ui.widgets.style import repolish, show_message
from desk.ui.tables.sales_table import local_time_text
from desk.ui.tables.vouchers_table import SOURCE_LABELS, STATUS_LABELS, VouchersTableModel, day_text

STATUS_CHOICES = (("Any", ""), ("Active", "active"), ("Spent", "spent"), ("Expired", "expired"),
                  ("Cancelled", "cancelled"))
SOURCE_CHOICES = (("Any", ""), ("Return", "return"), ("Exchange", "exchange"), ("Goodwill", "goodwill"))
ENTRY_LABELS = {"issue": "Issued", "redeem": "Redeemed", "reverse": "Redemption given back", "expire": "Expired",
                "cancel": "Cancelled"}
STATUS_ROLES = {"active": "allowed", "spent": "muted", "expired": "approval", "cancelled": "error"}


def _cell(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class VouchersScreen(Screen):
    title = "Vouchers"
    action_name = "screen.vouchers"
    permission = "vouchers.view"
    keys = (
        ScreenKey("Ctrl+R", "Redeem store credit from the voucher", "redeem"),
        ScreenKey("Ctrl+P", "Print the voucher", "print_voucher"),
        ScreenKey("Esc", "Clear the filters"),
    )

    LEDGER_COLUMNS = ("Date", "Entry", "Amount", "Reference", "Who")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("vouchersScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.view: VoucherView | None = None

        heading = QLabel("Vouchers")
        heading.setProperty("role", "heading")
        intro = QLabel("Store credit issued by returns, exchanges and goodwill. Scan a voucher (F2) to check it "
                       "or take some of it in payment.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        # -- filters --------------------------------------------------------------------------
        self.filters = FilterBar(self, self.search, search_tip="Show the vouchers that match (Enter)")
        f = self.filters
        self.text_edit = f.edit("voucherTextEdit", "Code or customer")
        self.status_combo = f.combo("statusCombo", STATUS_CHOICES)
        self.source_combo = f.combo("sourceCombo", SOURCE_CHOICES)
        self.search_button, self.clear_button = f.search_button, f.clear_button
        f.add_row(0, (("Code or customer", self.text_edit, 0), ("Status", self.status_combo, 0),
                      ("Source", self.source_combo, 0)))
        f.grid.addWidget(self.clear_button, 1, 3)
        f.grid.addWidget(self.search_button, 1, 4)
        f.grid.setColumnStretch(0, 3)
        f.grid.setColumnStretch(1, 1)
        f.grid.setColumnStretch(2, 1)

        self.message = QLabel()
        self.message.setObjectName("vouchersMessage")
        self.message.setWordWrap(True)

        # -- the list ---------------------------------------------------------------------------
        self.model = VouchersTableModel(self, locale=self.locale)
        self.table = list_table("vouchersTable", self.model, row_height=34)
        fit_columns(self.table)  # from the model's samples; Customer takes the rest
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.activated.connect(self._on_activated)
        self.count_label = QLabel()
        self.count_label.setObjectName("vouchersCount")
        self.count_label.setProperty("role", "muted")

        # -- the selected voucher -------------------------------------------------------------------
        self.code_label = QLabel("")
        self.code_label.setObjectName("voucherCode")
        self.code_label.setProperty("role", "subheading")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel("")
        self.status_label.setObjectName("voucherStatus")
        self.balance_label = QLabel("")
        self.balance_label.setObjectName("voucherBalance")
        self.balance_label.setProperty("role", "figure")
        self.facts_label = QLabel("")
        self.facts_label.setObjectName("voucherFacts")
        self.facts_label.setProperty("role", "muted")
        self.facts_label.setWordWrap(True)
        self.ledger = QTableWidget(0, len(self.LEDGER_COLUMNS))
        self.ledger.setObjectName("voucherLedger")
        self.ledger.setHorizontalHeaderLabels(list(self.LEDGER_COLUMNS))
        self.ledger.verticalHeader().hide()
        self.ledger.verticalHeader().setDefaultSectionSize(30)
        self.ledger.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ledger.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.ledger.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ledger.setAlternatingRowColors(True)
        self.ledger.setWordWrap(False)
        lh = self.ledger.horizontalHeader()
        lh.setHighlightSections(False)
        for col, width in ((0, 150), (1, 125), (2, 88), (4, 130)):
            lh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            lh.resizeSection(col, width)
        lh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.redeem_button = QPushButton("Redeem…  (Ctrl+R)")
        self.redeem_button.setObjectName("redeemButton")
        self.redeem_button.setProperty("primary", True)
        self.redeem_button.setMinimumSize(200, 48)
        self.redeem_button.setToolTip("Take some of this voucher's credit in payment")
        self.redeem_button.clicked.connect(self.redeem)
        self.print_button = QPushButton("Print voucher  (Ctrl+P)")
        self.print_button.setObjectName("printButton")
        self.print_button.setMinimumSize(200, 48)
        self.print_button.setToolTip("Preview the voucher with its balance to print or save it")
        self.print_button.clicked.connect(self.print_voucher)
        self.cancel_button = QPushButton("Cancel voucher…")
        self.cancel_button.setObjectName("cancelVoucherButton")
        self.cancel_button.setMinimumSize(200, 48)
        self.cancel_button.setToolTip("Cancel what is left (a manager, with a reason)")
        self.cancel_button.clicked.connect(self.cancel_voucher)

        self.left_label = QLabel("")
        self.left_label.setObjectName("voucherLeftOf")
        self.left_label.setProperty("role", "muted")

        detail = QFrame()
        detail.setObjectName("voucherDetail")
        detail.setProperty("role", "card")
        summary = QVBoxLayout()
        summary.setContentsMargins(0, 0, 0, 0)
        summary.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.code_label)
        top.addSpacing(10)
        top.addWidget(self.status_label)
        top.addStretch(1)
        summary.addLayout(top)
        summary.addWidget(self.balance_label)
        summary.addWidget(self.left_label)
        summary.addSpacing(6)
        summary.addWidget(self.facts_label)
        summary.addStretch(1)
        side = QWidget()
        side.setLayout(summary)
        side.setFixedWidth(300)
        upper = QHBoxLayout()
        upper.setSpacing(14)
        upper.addWidget(side)
        upper.addWidget(self.ledger, 1)
        actions = QHBoxLayout()
        actions.setSpacing(12)
        actions.addStretch(1)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.print_button)
        actions.addWidget(self.redeem_button)
        inner = QVBoxLayout(detail)
        inner.setContentsMargins(14, 10, 14, 10)
        inner.setSpacing(10)
        inner.addLayout(upper, 1)
        inner.addLayout(actions)

        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addWidget(self.table, 1)
        listing_layout.addWidget(self.count_label)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(listing)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 300])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.filters)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        self._set_message("")
        self.show_voucher(None)
        if ctx.staff is not None:
            self.search()

    # -- state -------------------------------------------------------------------------------
    def activated(self) -> None:
        self.expire_due()
        self.refresh()
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def expire_due(self) -> int:
        """Write the ``expire`` entries of vouchers past their last day (see the module's note)."""
        if not auth.can(self.ctx.staff, "vouchers.redeem"):
            return 0
        try:
            done = credit.expire_due(self.ctx.staff)
        except DeskError:
            return 0
        if done:
            self.ctx.events.emit_changed("vouchers")
        return done

    def _on_changed(self, kind: str) -> None:
        if kind in ("vouchers", "returns", "exchanges", "settings") and self.isVisible():
            self.refresh()

    def _set_message(self, text: str, error: bool = False) -> None:
        show_message(self.message, text, error)

    def money(self, minor: int, currency: str) -> str:
        return format_money(minor, currency, self.locale)

    # -- searching --------------------------------------------------------------------------------
    def build_query(self) -> VoucherQuery:
        return VoucherQuery(text=self.text_edit.text().strip(), status=self.status_combo.currentData() or "",
                            source=self.source_combo.currentData() or "")

    def _run(self, query: VoucherQuery) -> None:
        self.model.set_query(query)
        n = self.model.total_count
        self.count_label.setText(f"{n:,} voucher{'s' if n != 1 else ''}")

    def search(self, select_code: str = "") -> bool:
        try:
            self._run(self.build_query())
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return False
        self._set_message("")
        row = self.model.row_of(select_code) if select_code else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.select_row(row)
        else:
            self.show_voucher(None)
        return True

    def refresh(self) -> None:
        """Run the current filters again, keeping the voucher shown."""
        if self.model.query is None:
            self.search()
            return
        code = self.view.code if self.view else ""
        try:
            self._run(self.model.query)
        except DeskError as err:
            self._set_message(messages.describe(err), error=True)
            return
        row = self.model.row_of(code) if code else -1
        if row >= 0:
            self.select_row(row)
        elif code:
            self.open_voucher(code)  # not in the list (filtered out): keep showing it
        elif self.model.rowCount():
            self.select_row(0)

    def clear_filters(self) -> None:
        """Empty the filters and search again (Esc)."""
        self.filters.clear()

    def select_row(self, row: int) -> None:
        select_row(self.table, row)
        self.open_row(row)

    def current_row(self) -> int:
        return current_row(self.table)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.open_row(current.row())

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_row(index.row())
            if self.redeem_button.isEnabled():
                self.redeem_button.setFocus()

    # -- the voucher ----------------------------------------------------------------------------------
    def open_row(self, row: int) -> bool:
        entry = self.model.row_at(row)
        if entry is None:
            return False
        return self.open_voucher(entry.code)

    def open_voucher(self, code: str) -> bool:
        try:
            view = credit.voucher_view(code)
        except NotFound:
            return False
        self.show_voucher(view)
        return True

    def open_code(self, code: str) -> bool:
        """A scan handler: a voucher code shows that voucher here, its balance and ledger."""
        if not credit.is_voucher_code(code) or not auth.can(self.ctx.staff, self.permission):
            return False
        try:
            view = credit.voucher_view(code)
        except NotFound:
            return False
        self.text_edit.setText(view.code)
        self.status_combo.setCurrentIndex(0)
        self.source_combo.setCurrentIndex(0)
        self.search(select_code=view.code)
        self.show_voucher(view)
        self._set_message("")
        return True

    def show_voucher(self, view: VoucherView | None) -> None:
        self.view = view
        has = view is not None
        for w in (self.code_label, self.status_label, self.balance_label, self.left_label, self.facts_label):
            w.setVisible(has)
        if view is None:
            self.ledger.setRowCount(0)
            for b in (self.redeem_button, self.print_button, self.cancel_button):
                b.setEnabled(False)
            return
        self.code_label.setText(view.code)
        self.status_label.setText(STATUS_LABELS.get(view.status, view.status))
        self.status_label.setProperty("role", STATUS_ROLES.get(view.status, "muted"))
        repolish(self.status_label)
        self.balance_label.setText(self.money(view.balance, view.currency))
        self.left_label.setText(f"left of {self.money(view.amount, view.currency)} issued")
        source = SOURCE_LABELS.get(view.source, view.source)
        facts = [f"Issued {local_time_text(view.issued_at, self.locale, 'medium')}",
                 f"by {source.lower()} {view.source_number}".rstrip() if view.source != "goodwill" else "as goodwill",
                 f"Last day {day_text(view.expires_on, self.locale)}" if view.expires_on else "Never expires"]
        if view.customer_name:
            facts.append(f"Customer: {view.customer_name}")
        self.facts_label.setText("\n".join(facts))
        self.ledger.setRowCount(len(view.entries))
        for i, e in enumerate(view.entries):
            who = _cell(e.staff_name or e.staff_code)
            who.setToolTip(f"{e.staff_name} ({e.staff_code})" if e.staff_name else e.staff_code)
            cells = (_cell(local_time_text(e.at, self.locale)), _cell(ENTRY_LABELS.get(e.kind, e.kind)),
                     _cell(self.money(e.amount, view.currency), True), _cell(e.reference or "—"), who)
            for c, item in enumerate(cells):
                self.ledger.setItem(i, c, item)
        active = view.status == "active"
        self.redeem_button.setEnabled(active and auth.can(self.ctx.staff, "vouchers.redeem"))
        self.print_button.setEnabled(auth.can(self.ctx.staff, "vouchers.redeem"))
        self.cancel_button.setEnabled(active)

    # -- actions ------------------------------------------------------------------------------------------
    def redeem(self) -> bool:
        """Ask the amount and reference, then take it off the balance; a refusal names the balance."""
        from desk.ui.dialogs.redeem_voucher import RedeemVoucherDialog

        if self.view is None or not self.redeem_button.isEnabled():
            return False
        answer = RedeemVoucherDialog.ask(self, self.view, self.locale)
        if answer is None:
            return False
        amount, reference = answer
        try:
            done = credit.redeem(self.ctx.staff, self.view.code, amount, reference)
        except DeskError as exc:
            self._set_message("Not redeemed. " + messages.describe(exc), error=True)
            messages.show_error(self, exc)
            return False
        self.show_voucher(done)
        self._set_message(f"Redeemed {self.money(amount, done.currency)} from {done.code}: "
                          f"{self.money(done.balance, done.currency)} left.")
        self.ctx.events.emit_changed("vouchers")
        return True

    def print_voucher(self) -> bool:
        from desk.ui.printing import print_document

        if self.view is None or not self.print_button.isEnabled():
            return False
        ok, doc = messages.attempt(self, credit.render_voucher, self.view.code, self.ctx.staff)
        if not ok or doc is None:
            return False
        return print_document(self.ctx, self, doc)

    def cancel_voucher(self) -> bool:
        """A manager cancels what is left, with a reason; someone else gets a manager to type
        their code and PIN in the same dialog."""
        from desk.ui.dialogs.manager_reason import ManagerReasonDialog

        if self.view is None or not self.cancel_button.isEnabled():
            return False
        v = self.view
        need_manager = not auth.can(self.ctx.staff, "vouchers.cancel")
        answer = ManagerReasonDialog.ask(
            self, title=f"Cancel voucher {v.code}", heading=f"Cancel voucher {v.code}?",
            effects=[f"The {self.money(v.balance, v.currency)} left on it can no longer be spent.",
                     "The ledger keeps a cancel entry with the reason and who cancelled it."],
            confirm="Cancel the voucher", need_manager=need_manager, placeholder="e.g. issued in error")
        if answer is None:
            return False
        try:
            done = credit.cancel_voucher(self.ctx.staff, v.code, answer.reason, answer.approver)
        except DeskError as exc:
            self._set_message("Not cancelled. " + messages.describe(exc), error=True)
            messages.show_error(self, exc)
            return False
        self.show_voucher(done)
        self._set_message(f"Voucher {done.code} cancelled.")
        self.ctx.events.emit_changed("vouchers")
        return True
