"""One exchange as the exchange log opens it: what came back, what went out, how the difference
was settled, the linked return (opens it) and replacement sale (opens it in Sales); Reprint slip
and (manager, the same day) Void…, with a manager's code and PIN typed here when the person at
the desk may not void.

``ExchangeDetailDialog.show_exchange(ctx, parent, number) -> ExchangeDetailDialog | None`` opens
it (tests replace this step); afterwards ``voided`` says whether it was voided and
``open_sale`` holds a receipt number to open in Sales.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.money import format_money
from desk.services import auth, policy as policy_service
from desk.services import exchanges as exchanges_service
from desk.services.exchanges import ExchangeView
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.context import AppContext
from desk.ui.dialogs.return_detail import _cell, _label, _table
from desk.ui.widgets.style import repolish
from desk.ui.tables.sales_table import local_time_text


class ExchangeDetailDialog(QDialog):
    LINE_COLUMNS = ("Item", "SKU", "Qty", "Value")
    TENDER_COLUMNS = ("Settled", "Amount", "Reference", "Voucher")

    def __init__(self, ctx: AppContext, view: ExchangeView, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.voided = False
        self.open_sale = ""
        self.setObjectName("exchangeDetailDialog")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.reasons = {r.code: r.label for r in policy_service.load_policy().reasons}

        self.title_label = _label("", "heading", "exchangeNumber", wrap=False)
        self.status_label = _label("", None, "exchangeStatus", wrap=False)
        self.header_label = _label("", "muted", "exchangeHeader")
        self.in_table = _table(self.LINE_COLUMNS, "cameBack")
        self.out_table = _table(self.LINE_COLUMNS, "wentOut")
        self.tenders_table = _table(self.TENDER_COLUMNS, "exchangeTenders")
        self.totals_label = _label("", "subheading", "exchangeTotals")
        self.void_label = _label("", "error", "exchangeVoidInfo")
        self.message = _label("", "error", "exchangeMessage")

        self.return_button = QPushButton("")
        self.return_button.setObjectName("openReturnButton")
        self.return_button.setMinimumHeight(40)
        self.return_button.setShortcut("Ctrl+1")
        self.return_button.setToolTip("Open the linked return: its lines, refunds and approval (Ctrl+1)")
        self.return_button.clicked.connect(self.open_return)
        self.sale_button = QPushButton("")
        self.sale_button.setObjectName("openSaleButton")
        self.sale_button.setMinimumHeight(40)
        self.sale_button.setShortcut("Ctrl+2")
        self.sale_button.setToolTip("Open the replacement sale in Sales (Ctrl+2)")
        self.sale_button.clicked.connect(self.request_sale)

        self.reprint_button = QPushButton("Reprint slip  (Ctrl+P)")
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setProperty("primary", True)
        self.reprint_button.setMinimumSize(220, 48)
        self.reprint_button.setShortcut("Ctrl+P")
        self.reprint_button.clicked.connect(self.reprint)
        self.void_button = QPushButton("Void…")
        self.void_button.setObjectName("voidButton")
        self.void_button.setMinimumSize(130, 48)
        self.void_button.setToolTip("Undo this exchange: both halves and the stock moves (a manager, the same day)")
        self.void_button.clicked.connect(self.void)
        close = QPushButton("Close  (Esc)")
        close.setMinimumSize(130, 48)
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addSpacing(12)
        top.addWidget(self.status_label)
        top.addStretch(1)
        top.addWidget(self.return_button)
        top.addWidget(self.sale_button)

        halves = QHBoxLayout()
        halves.setSpacing(16)
        for title, table in (("Came back", self.in_table), ("Went out", self.out_table)):
            col = QVBoxLayout()
            col.setSpacing(6)
            col.addWidget(_label(title, "subheading"))
            col.addWidget(table)
            halves.addLayout(col, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.void_button)
        buttons.addWidget(close)
        buttons.addWidget(self.reprint_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 16, 22, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.header_label)
        layout.addLayout(halves)
        self.settled_heading = _label("Difference settled", "subheading")
        layout.addWidget(self.settled_heading)
        layout.addWidget(self.tenders_table)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.void_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(1100, 560)
        self.show_view(view)
        self.reprint_button.setFocus()

    def money(self, minor: int) -> str:
        return format_money(minor, self.view.currency, self.locale)

    def show_view(self, v: ExchangeView) -> None:
        self.view = v
        self.setWindowTitle(f"Exchange {v.number}")
        self.title_label.setText(f"Exchange {v.number}")
        voided = v.status == "voided"
        self.status_label.setText("VOIDED" if voided else "Done")
        self.status_label.setProperty("role", "error" if voided else "allowed")
        repolish(self.status_label)
        parts = [local_time_text(v.created_at, self.locale, "medium"), f"desk {v.desk_code}",
                 f"{v.clerk_name} ({v.clerk_code})"]
        if v.reason:
            parts.append(self.reasons.get(v.reason, v.reason))
        if v.original_receipt_no:
            parts.append(f"goods from receipt {v.original_receipt_no}")
        if v.customer_name:
            parts.append(f"customer {v.customer_name}")
        if v.note:
            parts.append(v.note)
        self.header_label.setText("  ·  ".join(parts))
        self.return_button.setText(f"Return {v.return_number}")
        self.sale_button.setText(f"Sale {v.sale_receipt_no}")
        self.sale_button.setVisible(bool(v.sale_receipt_no))
        for table, lines in ((self.in_table, v.came_back), (self.out_table, v.went_out)):
            table.setRowCount(len(lines))
            for i, l in enumerate(lines):
                for c, item in enumerate((_cell(l.description), _cell(l.sku or "—"), _cell(str(l.quantity), True),
                                          _cell(self.money(l.value), True))):
                    table.setItem(i, c, item)
            self._size(table, (0, 110, 50, 95), 0)
        self.tenders_table.setRowCount(len(v.tenders))
        for i, t in enumerate(v.tenders):
            how = ("Paid by the customer: " if t.direction == "in" else "Refunded: ") + t.label
            for c, item in enumerate((_cell(how), _cell(self.money(t.amount), True), _cell(t.reference or "—"),
                                      _cell(t.voucher_code or "—"))):
                self.tenders_table.setItem(i, c, item)
        self._size(self.tenders_table, (0, 110, 200, 200), 0)
        self.tenders_table.setVisible(bool(v.tenders))
        self.settled_heading.setVisible(bool(v.tenders))
        if v.difference > 0:
            diff = f"the customer paid {self.money(v.difference)}"
        elif v.difference < 0:
            diff = f"{self.money(-v.difference)} refunded"
        else:
            diff = "an even exchange, nothing to settle"
        self.totals_label.setText(f"Came back {self.money(v.returned_value)}  ·  went out {self.money(v.replacement_total)}"
                                  f"  ·  {diff}")
        if voided:
            when = local_time_text(v.voided_at, self.locale) if v.voided_at else ""
            self.void_label.setText(f"Voided {when} by {v.voided_by_name}: {v.void_reason}")
        self.void_label.setVisible(voided)
        # a manager voids; a supervisor at the desk gets a manager's PIN typed in the void dialog
        may = auth.can(self.ctx.staff, "exchanges.void") or auth.can(self.ctx.staff, "exchanges.create")
        self.void_button.setVisible(may and not voided)

    @staticmethod
    def _size(table, widths: tuple[int, ...], stretch: int) -> None:
        from PySide6.QtWidgets import QHeaderView

        header = table.horizontalHeader()
        for c, w in enumerate(widths):
            if c == stretch:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(c, w)
        rows = table.rowCount()
        height = header.sizeHint().height() + rows * table.verticalHeader().defaultSectionSize() + 6
        table.setFixedHeight(min(max(height, 70), 220))

    def set_message(self, text: str, role: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("role", role)
        repolish(self.message)

    # -- actions ---------------------------------------------------------------------------------
    def open_return(self) -> bool:
        from desk.ui.dialogs.return_detail import ReturnDetailDialog

        ReturnDetailDialog.show_return(self.ctx, self, self.view.return_number)
        return True

    def request_sale(self) -> None:
        """Close and let the log open the replacement sale in Sales."""
        self.open_sale = self.view.sale_receipt_no
        self.accept()

    def reprint(self) -> bool:
        from desk.services import documents
        from desk.ui.printing import print_document

        try:
            doc = documents.render("exchange", self.view.number, self.ctx.staff)
        except DeskError as exc:
            self.set_message(messages.describe(exc))
            messages.show_error(self, exc)
            return False
        return print_document(self.ctx, self, doc)

    def void(self) -> bool:
        """Ask why (and a manager's code and PIN when needed), then void through the service."""
        from desk.ui.dialogs.manager_reason import ManagerReasonDialog

        v = self.view
        need_manager = not auth.can(self.ctx.staff, "exchanges.void")
        effects = ["The goods that came back leave stock again; the replacements go back to stock.",
                   f"The linked return {v.return_number} is voided; the goods become returnable again on the sale."]
        for t in v.tenders:
            if t.direction == "in":
                effects.append(f"Give back the {self.money(t.amount)} the customer paid ({t.label})."
                               if t.method != "store_credit" else
                               f"The {self.money(t.amount)} taken from voucher {t.voucher_code} is given back to it.")
            else:
                effects.append(f"Take back the {self.money(t.amount)} refunded ({t.label})." if t.method != "store_credit"
                               else f"Voucher {t.voucher_code} is cancelled (refused if it was spent).")
        answer = ManagerReasonDialog.ask(self, title=f"Void exchange {v.number}", heading=f"Void exchange {v.number}?",
                                         effects=effects, confirm="Void the exchange", need_manager=need_manager,
                                         placeholder="e.g. the customer changed their mind at the desk")
        if answer is None:
            return False
        try:
            if answer.approver is not None:
                done = exchanges_service.void_exchange_at_desk(self.ctx.staff, v.number, answer.reason, answer.approver)
            else:
                done = exchanges_service.void_exchange(self.ctx.staff, v.number, answer.reason)
        except DeskError as exc:
            self.set_message("Not voided. " + messages.describe(exc))
            messages.show_error(self, exc)
            return False
        self.voided = True
        self.show_view(done)
        self.set_message(f"Exchange {done.number} voided.", "allowed")
        self.ctx.events.emit_changed("exchanges", "returns", "sales", "vouchers")
        return True

    @classmethod
    def show_exchange(cls, ctx: AppContext, parent: QWidget | None, number: str) -> "ExchangeDetailDialog | None":
        try:
            view = exchanges_service.exchange_view(number)
        except DeskError as exc:
            messages.show_error(parent, exc)
            return None
        dialog = cls(ctx, view, parent)
        dialog.exec()
        return dialog
