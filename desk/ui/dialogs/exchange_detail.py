"""One exchange as the exchange log opens it: what came back, what went out, how the difference
was settled, the linked return (opens it) and replacement sale (opens it in Sales); Reprint slip
and (manager, the same day) Void…, with a manager's code and PIN typed here when the person at
the desk may not void.

``ExchangeDetailDialog.show_exchange(ctx, parent, number) -> ExchangeDetailDialog | None`` opens
it (tests replace this step); afterwards ``voided`` says whether it was voided and
``open_sale`` holds a receipt number to open in Sales.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.services import auth, policy as policy_service
from desk.services import exchanges as exchanges_service
from desk.services.exchanges import ExchangeView
from desk.ui import messages
from desk.ui.context import AppContext
from desk.ui.dialogs.detail_frame import DetailDialog, cell, label, size_table, table
from desk.ui.tables.sales_table import local_time_text


class ExchangeDetailDialog(DetailDialog):
    noun = "Exchange"
    document_kind = "exchange"
    LINE_COLUMNS = ("Item", "SKU", "Qty", "Value")
    TENDER_COLUMNS = ("Settled", "Amount", "Reference", "Voucher")

    def __init__(self, ctx: AppContext, view: ExchangeView, parent: QWidget | None = None):
        super().__init__(ctx, view, parent, name="exchange",
                         void_tip="Undo this exchange: both halves and the stock moves (a manager, the same day)")
        self.open_sale = ""
        self.reasons = {r.code: r.label for r in policy_service.load_policy().reasons}

        self.in_table = table(self.LINE_COLUMNS, "cameBack")
        self.out_table = table(self.LINE_COLUMNS, "wentOut")
        self.tenders_table = table(self.TENDER_COLUMNS, "exchangeTenders")
        self.totals_label = label("", "subheading", "exchangeTotals")

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

        self.top.addWidget(self.return_button)
        self.top.addWidget(self.sale_button)

        halves = QHBoxLayout()
        halves.setSpacing(16)
        for title, half in (("Came back", self.in_table), ("Went out", self.out_table)):
            col = QVBoxLayout()
            col.setSpacing(6)
            col.addWidget(label(title, "subheading"))
            col.addWidget(half)
            halves.addLayout(col, 1)

        self.settled_heading = label("Difference settled", "subheading")
        self.finish([(halves, 0), (self.settled_heading, 0), (self.tenders_table, 0), (self.totals_label, 0),
                     (self.void_label, 0), (None, 1)], 1100, 560)

    def show_view(self, v: ExchangeView) -> None:
        voided = self.show_heading(v)
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
        for half, lines in ((self.in_table, v.came_back), (self.out_table, v.went_out)):
            half.setRowCount(len(lines))
            for i, l in enumerate(lines):
                for c, item in enumerate((cell(l.description), cell(l.sku or "—"), cell(str(l.quantity), True),
                                          cell(self.money(l.value), True))):
                    half.setItem(i, c, item)
            size_table(half, (0, 110, 50, 95), 0, 70, 220)
        self.tenders_table.setRowCount(len(v.tenders))
        for i, t in enumerate(v.tenders):
            how = ("Paid by the customer: " if t.direction == "in" else "Refunded: ") + t.label
            for c, item in enumerate((cell(how), cell(self.money(t.amount), True), cell(t.reference or "—"),
                                      cell(t.voucher_code or "—"))):
                self.tenders_table.setItem(i, c, item)
        size_table(self.tenders_table, (0, 110, 200, 200), 0, 70, 220)
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
            self.void_label.setText(self.void_text(v))
        self.void_label.setVisible(voided)
        # a manager voids; a supervisor at the desk gets a manager's PIN typed in the void dialog
        may = auth.can(self.ctx.staff, "exchanges.void") or auth.can(self.ctx.staff, "exchanges.create")
        self.void_button.setVisible(may and not voided)

    # -- actions ---------------------------------------------------------------------------------
    def open_return(self) -> bool:
        from desk.ui.dialogs.return_detail import ReturnDetailDialog

        ReturnDetailDialog.show_return(self.ctx, self, self.view.return_number)
        return True

    def request_sale(self) -> None:
        """Close and let the log open the replacement sale in Sales."""
        self.open_sale = self.view.sale_receipt_no
        self.accept()

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

        def call():
            if answer.approver is not None:
                return exchanges_service.void_exchange_at_desk(self.ctx.staff, v.number, answer.reason, answer.approver)
            return exchanges_service.void_exchange(self.ctx.staff, v.number, answer.reason)

        return self.void_with(call, ("exchanges", "returns", "sales", "vouchers"))

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
