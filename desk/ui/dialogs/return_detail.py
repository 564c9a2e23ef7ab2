"""One return as the returns log opens it: lines with reasons, condition and what happened to
them; refunds per tender and any voucher; the policy's decision, approver and note; Reprint slip
and (manager, same day) Void.

``ReturnDetailDialog.show_return(ctx, parent, number)`` opens it (tests replace this step).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.money import format_money
from desk.services import auth, documents
from desk.services import returns as returns_service
from desk.services.policy import KIND_LABELS, OUTCOME_LABELS
from desk.services.returns import ReturnView
from desk.services.store import current_store
from desk.ui import messages
from desk.ui.context import AppContext
from desk.ui.dialogs.void_return import VoidReturnDialog
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets.style import repolish

CONDITION_LABELS = {"unopened": "Unopened", "opened": "Opened", "damaged": "Damaged", "defective": "Defective"}
DECISION_ROLES = {"allowed": "allowed", "needs_approval": "approval", "refused": "error"}


def _label(text: str = "", role: str | None = None, name: str | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(32)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _cell(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ReturnDetailDialog(QDialog):
    LINE_COLUMNS = ("#", "Item", "Qty", "Reason", "Condition", "What happens", "Value", "Fee", "Refund")
    TENDER_COLUMNS = ("Refunded to", "Amount", "Reference", "Voucher")

    def __init__(self, ctx: AppContext, view: ReturnView, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.view = view
        self.voided = False
        self.setObjectName("returnDetailDialog")
        store = current_store()
        self.locale = store.locale if store else "en_GB"

        self.title_label = _label("", "heading", "returnNumber", wrap=False)
        self.status_label = _label("", None, "returnStatus", wrap=False)
        self.header_label = _label("", "muted", "returnHeader")

        self.lines_table = _table(self.LINE_COLUMNS, "returnLines")
        self.tenders_table = _table(self.TENDER_COLUMNS, "returnTenders")
        self.totals_label = _label("", "subheading", "returnTotals")

        self.decision_label = _label("", None, "returnDecision")
        self.policy_label = _label("", None, "returnPolicy")
        self.approval_label = _label("", None, "returnApproval")
        self.note_label = _label("", "muted", "returnNote")
        self.void_label = _label("", "error", "returnVoidInfo")
        self.message = _label("", "error", "returnMessage")

        self.reprint_button = QPushButton("Reprint slip  (Ctrl+P)")
        self.reprint_button.setObjectName("reprintButton")
        self.reprint_button.setProperty("primary", True)
        self.reprint_button.setMinimumSize(220, 48)
        self.reprint_button.setShortcut("Ctrl+P")
        self.reprint_button.setToolTip("Preview the refund slip to print or save it again")
        self.reprint_button.clicked.connect(self.reprint)
        self.void_button = QPushButton("Void…")
        self.void_button.setObjectName("voidButton")
        self.void_button.setMinimumSize(130, 48)
        self.void_button.setToolTip("Undo this return (manager, the same day only, with a reason)")
        self.void_button.clicked.connect(self.void)
        close = QPushButton("Close  (Esc)")
        close.setMinimumSize(130, 48)
        close.clicked.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addSpacing(12)
        top.addWidget(self.status_label)
        top.addStretch(1)

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
            head = _label(title, "muted", wrap=False)
            head.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(head, row, 0)
            grid.addWidget(widget, row, 1)
            self._heads[widget] = head
        grid.setColumnStretch(1, 1)

        inner = QVBoxLayout()
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(8)
        inner.addWidget(_label("Lines", "subheading"))
        inner.addWidget(self.lines_table)
        inner.addWidget(_label("Refunds", "subheading"))
        inner.addWidget(self.tenders_table)
        inner.addWidget(self.totals_label)
        inner.addWidget(decision_box)
        inner.addStretch(1)

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
        layout.addLayout(inner, 1)
        layout.addLayout(buttons)
        self.resize(1100, 700)
        self.show_view(view)
        self.reprint_button.setFocus()

    # -- showing -----------------------------------------------------------------------------
    def money(self, minor: int) -> str:
        return format_money(minor, self.view.currency, self.locale)

    def _row(self, widget: QLabel, text: str, role: str | None = None) -> None:
        widget.setText(text)
        if role is not None:
            widget.setProperty("role", role)
            repolish(widget)
        widget.setVisible(bool(text))
        self._heads[widget].setVisible(bool(text))

    def show_view(self, v: ReturnView) -> None:
        self.view = v
        self.setWindowTitle(f"Return {v.number}")
        self.title_label.setText(f"Return {v.number}")
        voided = v.status == "voided"
        self.status_label.setText("VOIDED" if voided else "Done")
        self.status_label.setProperty("role", "error" if voided else "allowed")
        repolish(self.status_label)
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
            cells = (_cell(str(l.line_no)), _cell(l.description + (f"  ({l.sku})" if l.sku else "")),
                     _cell(str(l.quantity), True), _cell(reason), _cell(CONDITION_LABELS.get(l.condition, l.condition)),
                     _cell(l.disposition_label), _cell(self.money(l.value), True),
                     _cell(self.money(l.fee) if l.fee else "—", True), _cell(self.money(l.refund), True))
            for c, item in enumerate(cells):
                self.lines_table.setItem(i, c, item)
        self._size_table(self.lines_table, (40, 0, 50, 180, 100, 130, 90, 80, 95), stretch=1)

        tenders = v.tender_totals()
        self.tenders_table.setRowCount(len(tenders))
        for i, t in enumerate(tenders):
            for c, item in enumerate((_cell(t.label), _cell(self.money(t.amount), True), _cell(t.reference or "—"),
                                      _cell(t.voucher_code or "—"))):
                self.tenders_table.setItem(i, c, item)
        self._size_table(self.tenders_table, (260, 120, 0, 220), stretch=2)

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
            when = local_time_text(v.voided_at, self.locale) if v.voided_at else ""
            self._row(self.void_label, f"Voided {when} by {v.voided_by_name}: {v.void_reason}")
        else:
            self._row(self.void_label, "")
        can_void = auth.can(self.ctx.staff, "returns.void")
        self.void_button.setVisible(can_void and not voided)

    @staticmethod
    def _size_table(table: QTableWidget, widths: tuple[int, ...], stretch: int) -> None:
        header = table.horizontalHeader()
        for c, w in enumerate(widths):
            if c == stretch:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Stretch)
            else:
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(c, w)
        rows = table.rowCount()
        height = table.horizontalHeader().sizeHint().height() + rows * table.verticalHeader().defaultSectionSize() + 6
        table.setFixedHeight(min(max(height, 80), 300))

    def set_message(self, text: str, role: str = "error") -> None:
        self.message.setText(text)
        self.message.setProperty("role", role)
        repolish(self.message)

    # -- actions ------------------------------------------------------------------------------
    def reprint(self) -> bool:
        from desk.ui.printing import print_document

        try:
            doc = documents.render("refund", self.view.number, self.ctx.staff)
        except DeskError as exc:
            self.set_message(messages.describe(exc))
            messages.show_error(self, exc)
            return False
        return print_document(self.ctx, self, doc)

    def void(self) -> bool:
        """Ask for the reason, then void through the service; a refusal is shown in red."""
        reason = VoidReturnDialog.ask_reason(self, self.view, self.locale)
        if reason is None:
            return False
        try:
            done = returns_service.void_return(self.ctx.staff, self.view.number, reason)
        except DeskError as exc:
            self.set_message("Not voided. " + messages.describe(exc))
            messages.show_error(self, exc)
            return False
        self.voided = True
        self.show_view(done)
        self.set_message(f"Return {done.number} voided.", "allowed")
        self.ctx.events.emit_changed("returns", "sales", "vouchers")
        return True

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
