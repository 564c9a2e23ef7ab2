"""One return as the returns log opens it: lines with reasons, condition and what happened to
them; refunds per tender and any voucher; the policy's decision, approver and note; Reprint slip
and (manager, same day) Void.

``ReturnDetailDialog.show_return(ctx, parent, number)`` opens it (tests replace this step).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.services import auth
from desk.services import returns as returns_service
from desk.services.policy import KIND_LABELS, OUTCOME_LABELS
from desk.services.returns import ReturnView
from desk.ui import messages
from desk.ui.context import AppContext
from desk.ui.dialogs.detail_frame import DetailDialog, cell, label, size_table, table
from desk.ui.dialogs.void_return import VoidReturnDialog
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets.style import repolish

CONDITION_LABELS = {"unopened": "Unopened", "opened": "Opened", "damaged": "Damaged", "defective": "Defective"}
DECISION_ROLES = {"allowed": "allowed", "needs_approval": "approval", "refused": "error"}


class ReturnDetailDialog(DetailDialog):
    noun = "Return"
    document_kind = "refund"
    LINE_COLUMNS = ("#", "Item", "Qty", "Reason", "Condition", "What happens", "Value", "Fee", "Refund")
    TENDER_COLUMNS = ("Refunded to", "Amount", "Reference", "Voucher")

    def __init__(self, ctx: AppContext, view: ReturnView, parent: QWidget | None = None):
        super().__init__(ctx, view, parent, name="return",
                         void_tip="Undo this return (manager, the same day only, with a reason)",
                         reprint_tip="Preview the refund slip to print or save it again")

        self.lines_table = table(self.LINE_COLUMNS, "returnLines")
        self.tenders_table = table(self.TENDER_COLUMNS, "returnTenders")
        self.totals_label = label("", "subheading", "returnTotals")

        self.decision_label = label("", None, "returnDecision")
        self.policy_label = label("", None, "returnPolicy")
        self.approval_label = label("", None, "returnApproval")
        self.note_label = label("", "muted", "returnNote")

        decision_box = QFrame()
        decision_box.setProperty("role", "card")
        grid = QGridLayout(decision_box)
        grid.setContentsMargins(16, 10, 16, 10)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        self._heads: dict[QLabel, QLabel] = {}
        for row, (title, widget) in enumerate((("Policy", self.decision_label), ("", self.policy_label),
                                               ("Approval", self.approval_label), ("Note", self.note_label),
                                               ("Void", self.void_label))):
            head = label(title, "muted", wrap=False)
            head.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(head, row, 0)
            grid.addWidget(widget, row, 1)
            self._heads[widget] = head
        grid.setColumnStretch(1, 1)

        inner = QVBoxLayout()
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(8)
        inner.addWidget(label("Lines", "subheading"))
        inner.addWidget(self.lines_table)
        inner.addWidget(label("Refunds", "subheading"))
        inner.addWidget(self.tenders_table)
        inner.addWidget(self.totals_label)
        inner.addWidget(decision_box)
        inner.addStretch(1)

        self.finish([(inner, 1)], 1100, 700)

    # -- showing -----------------------------------------------------------------------------
    def _row(self, widget: QLabel, text: str, role: str | None = None) -> None:
        widget.setText(text)
        if role is not None:
            widget.setProperty("role", role)
            repolish(widget)
        widget.setVisible(bool(text))
        self._heads[widget].setVisible(bool(text))

    def show_view(self, v: ReturnView) -> None:
        voided = self.show_heading(v)
        parts = [local_time_text(v.created_at, self.locale, "medium"), f"desk {v.desk_code}",
                 f"{v.clerk_name} ({v.clerk_code})", KIND_LABELS.get(v.kind, v.kind)]
        if v.receipt_no:
            sold = f", sold {local_time_text(v.sold_at, self.locale)}" if v.sold_at else ""
            parts.append(f"receipt {v.receipt_no}{sold}")
        if v.gift_code:
            parts.append(f"gift receipt {v.gift_code}")
        customer = ", ".join(x for x in (v.customer_name, v.customer_phone, v.customer_email) if x)
        if customer:
            parts.append(f"customer {customer}")
        self.header_label.setText("  ·  ".join(parts))

        self.lines_table.setRowCount(len(v.lines))
        for i, l in enumerate(v.lines):
            reason = l.reason_label + (f": {l.reason_text}" if l.reason_text else "")
            cells = (cell(str(l.line_no)), cell(l.description + (f"  ({l.sku})" if l.sku else "")),
                     cell(str(l.quantity), True), cell(reason), cell(CONDITION_LABELS.get(l.condition, l.condition)),
                     cell(l.disposition_label), cell(self.money(l.value), True),
                     cell(self.money(l.fee) if l.fee else "—", True), cell(self.money(l.refund), True))
            for c, item in enumerate(cells):
                self.lines_table.setItem(i, c, item)
        size_table(self.lines_table, (40, 0, 50, 180, 100, 130, 90, 80, 95), 1, 80, 300)

        tenders = v.tender_totals()
        self.tenders_table.setRowCount(len(tenders))
        for i, t in enumerate(tenders):
            for c, item in enumerate((cell(t.label), cell(self.money(t.amount), True), cell(t.reference or "—"),
                                      cell(t.voucher_code or "—"))):
                self.tenders_table.setItem(i, c, item)
        size_table(self.tenders_table, (260, 120, 0, 220), 2, 80, 300)

        totals = f"Refunded {self.money(v.total)}"
        if v.fee_total:
            totals += f"  (value {self.money(v.value)} less restocking fees {self.money(v.fee_total)})"
        if v.voucher_codes:
            totals += "  ·  store credit voucher " + ", ".join(v.voucher_codes)
        self.totals_label.setText(totals)

        self._row(self.decision_label, OUTCOME_LABELS.get(v.decision, v.decision) + (" — overridden by a manager" if v.override else ""),
                  DECISION_ROLES.get(v.decision, "muted"))
        lines = [f"• {r}" for r in v.policy_reasons] + [f"• {n}" for n in v.policy_notes]
        self._row(self.policy_label, "\n".join(lines))
        if v.approved_by_name:
            how = "from the approval queue" if v.approval_id else "at the desk"
            when = f", {local_time_text(v.approved_at, self.locale)}" if v.approved_at else ""
            verb = "Overridden" if v.override else "Approved"
            self._row(self.approval_label, f"{verb} by {v.approved_by_name} ({v.approved_by_code}) {how}{when}"
                      + (f": “{v.approval_note}”" if v.approval_note else ""))
        else:
            self._row(self.approval_label, "No approval needed" if v.decision == "allowed" else "")
        self._row(self.note_label, v.note)
        if voided:
            self._row(self.void_label, self.void_text(v))
        else:
            self._row(self.void_label, "")
        can_void = auth.can(self.ctx.staff, "returns.void")
        self.void_button.setVisible(can_void and not voided)

    # -- actions ------------------------------------------------------------------------------
    def void(self) -> bool:
        """Ask for the reason, then void through the service; a refusal is shown in red."""
        reason = VoidReturnDialog.ask_reason(self, self.view, self.locale)
        if reason is None:
            return False
        return self.void_with(lambda: returns_service.void_return(self.ctx.staff, self.view.number, reason),
                              ("returns", "sales", "vouchers"))

    @classmethod
    def show_return(cls, ctx: AppContext, parent: QWidget | None, number: str) -> bool:
        """Open return ``number``. Returns True when it was voided from the dialog."""
        try:
            view = returns_service.return_view(number)
        except DeskError as exc:
            messages.show_error(parent, exc)
            return False
        dialog = cls(ctx, view, parent)
        dialog.exec()
        return dialog.voided
