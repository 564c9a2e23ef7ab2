"""Return (F4): take goods back and refund them. Keyboard first; a queue is waiting.

Start from a scanned receipt (while this screen is shown), the Sales screen's sale (Ctrl+R
there), a scanned gift receipt code, or "No receipt…". Choose lines and quantities (+ / -
or a number on the table), a reason, the condition and what happens to the goods; the
returns service previews the refund, the policy's decision (green / amber / red, with its
reasons) and the tenders after every change. Enter confirms: allowed -> the return is
written, then the slip prints; needs approval -> a manager approves at the desk or from the
queue; refused -> nothing is written. The screen's numbers are never trusted: the service
recomputes everything when it writes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, NotFound
from desk.money import format_money
from desk.services import approvals, documents, returns, sale_lookup
from desk.services import policy as policy_service
from desk.services.policy import ALLOWED, CONDITIONS, DISPOSITION_LABELS, DISPOSITIONS, KIND_LABELS, NEEDS_APPROVAL, REFUSED
from desk.services.returns import METHOD_LABELS, ReturnLineRequest, ReturnPreview, ReturnRequest, ReturnView
from desk.services.store import current_store
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.desk_identity import desk_code
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.dialogs.no_receipt_return import NoReceiptDialog, NoReceiptStart
from desk.ui.messages import attempt, show_error
from desk.ui.screens.base import Screen
from desk.ui.tables.return_lines_table import CONDITION_LABELS, LineChoice, ReturnLinesModel
from desk.ui.tables.sales_table import local_time_text
from desk.ui.widgets.decision_banner import DecisionBanner
from desk.ui.widgets import style

POLL_MS = 2000  # how often the waiting screen asks whether a manager answered

START, EDIT, WAIT, DONE, VIEW = range(5)


_label = style.label
_set_role = style.set_role


class CardReferenceDialog(QDialog):
    """The card terminal's reference of the refund (typed or scanned from the terminal's slip)."""

    def __init__(self, parent: QWidget | None, what: str):
        super().__init__(parent)
        self.setObjectName("cardReferenceDialog")
        self.setWindowTitle("Card refund")
        self.value = ""
        heading = _label("Refund on the card terminal", "heading")
        note = _label(f"Refund {what} on the card terminal, then type the reference it prints.", wrap=True)
        self.edit = QLineEdit()
        self.edit.setObjectName("cardReference")
        self.edit.setPlaceholderText("e.g. RF-20260412-0042")
        self.edit.setMinimumHeight(40)
        self.edit.setMaxLength(80)
        self.edit.returnPressed.connect(self.try_accept)
        self.error = _label("", "error", "cardReferenceError", wrap=True)
        self.error.hide()
        cancel = QPushButton("Cancel (Esc)")
        cancel.setAutoDefault(False)
        cancel.setMinimumHeight(42)
        cancel.clicked.connect(self.reject)
        ok = QPushButton("Done")
        ok.setObjectName("cardReferenceDone")
        ok.setProperty("primary", True)
        ok.setAutoDefault(False)
        ok.clicked.connect(self.try_accept)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addStretch(1)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addWidget(self.edit)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        self.edit.setFocus()

    def try_accept(self) -> None:
        text = self.edit.text().strip()
        if not text:
            self.error.setText("Reference: type the reference the card terminal printed.")
            self.error.show()
            return
        self.value = text
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, what: str) -> str | None:
        dialog = cls(parent, what)
        try:
            dialog.exec()
            return dialog.value or None
        finally:
            dialog.deleteLater()


class _TableKeys(QObject):
    """+ / - on the lines table change the current line's quantity."""

    def __init__(self, screen: "ReturnScreen"):
        super().__init__(screen)
        self.screen = screen

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
                self.screen.step_current(1)
                return True
            if key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
                self.screen.step_current(-1)
                return True
        return False


class ReturnScreen(Screen):
    title = "Return"
    action_name = "screen.returns"
    permission = "returns.create"
    keys = (ScreenKey("Ctrl+N", "No receipt: a return without a receipt"),)
    # How a gift receipt's heading explains the money (the Exchange screen says it its way).
    gift_note = "refunded as store credit at the price paid"
    slip_kind = "refund"  # the document printed when it is written (documents.render)

    def _build_confirm_buttons(self, text: str, name: str, tip: str, queue_tip: str, height: int) -> None:
        """The primary confirm button (Enter) and "Send to a manager" beneath it."""
        self.confirm_button = QPushButton(text)
        self.confirm_button.setObjectName(name)
        self.confirm_button.setProperty("primary", True)
        self.confirm_button.setMinimumHeight(height)
        self.confirm_button.setAutoDefault(False)
        self.confirm_button.setToolTip(tip)
        self.confirm_button.clicked.connect(self.confirm)
        self.queue_button = QPushButton("Send to a manager")
        self.queue_button.setObjectName("sendToManager")
        self.queue_button.setMinimumHeight(height - 12)
        self.queue_button.setAutoDefault(False)
        self.queue_button.setToolTip(queue_tip)
        self.queue_button.clicked.connect(self.send_to_manager)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("returnScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.currency = store.currency if store else "GBP"
        self.policy = policy_service.load_policy()

        # What the return is about
        self.kind = ""
        self.sale = None  # SaleView
        self.gift_code = ""
        self.customer_id: int | None = None
        self.customer_name = ""
        self.customer_phone = ""
        self.customer_email = ""
        self.preview_result: ReturnPreview | None = None
        self.problem_text = ""
        self.approval_id: int | None = None
        self.waiting_request: ReturnRequest | None = None
        self.done_view: ReturnView | None = None
        self.shown_view: ReturnView | None = None
        self._loading = False

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll_approval)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_start())
        self.pages.addWidget(self._build_edit())
        self.pages.addWidget(self._build_wait())
        self.pages.addWidget(self._build_done())
        self.pages.addWidget(self._build_view())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 14, 24, 14)
        layout.setSpacing(0)
        layout.addWidget(self.pages)

        ctx.events.changed.connect(self._on_changed)
        # Ctrl+N anywhere in the window while this screen is shown (the Staff screen's Ctrl+N is its own).
        no_receipt = QShortcut(QKeySequence("Ctrl+N"), self)
        no_receipt.setContext(Qt.ShortcutContext.WindowShortcut)
        no_receipt.activated.connect(self._no_receipt_key)
        self._staff_id = ctx.staff.id if ctx.staff is not None else None
        ctx.events.session_changed.connect(self._on_session_changed)
        self.reset()

    # ================================================================== building
    def _build_start(self) -> QWidget:
        page = QWidget()
        page.setObjectName("returnStart")
        heading = _label(self.title, "heading")
        lead = _label(f"Next customer: how does the {self.title.lower()} start?", "subheading", "returnStartHint", wrap=True)
        card = QFrame()
        card.setProperty("role", "card")
        grid = QGridLayout(card)
        grid.setContentsMargins(22, 18, 22, 18)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(14)
        steps = self.start_steps()
        for row, (key, title, text) in enumerate(steps):
            k = _label(key, "key")
            k.setAlignment(Qt.AlignmentFlag.AlignCenter)
            k.setMinimumWidth(64)
            grid.addWidget(k, row, 0, Qt.AlignmentFlag.AlignTop)
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(_label(title, "subheading"))
            box.addWidget(_label(text, "muted", wrap=True))
            grid.addLayout(box, row, 1)
        grid.setColumnStretch(1, 1)
        self.no_receipt_button_start = QPushButton("No receipt…")
        self.no_receipt_button_start.setObjectName("noReceiptStart")
        self.no_receipt_button_start.setMinimumSize(220, 48)
        self.no_receipt_button_start.setToolTip("The customer has no receipt: unverified or blind return (Ctrl+N)")
        self.no_receipt_button_start.clicked.connect(self.start_no_receipt)
        grid.addWidget(self.no_receipt_button_start, len(steps) - 1, 2, Qt.AlignmentFlag.AlignVCenter)
        note = _label(self.start_note(), "muted", wrap=True)
        self.start_message = _label("", "error", "returnStartMessage", wrap=True)
        self.start_message.hide()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(heading)
        layout.addWidget(lead)
        layout.addWidget(card)
        layout.addWidget(note)
        layout.addWidget(self.start_message)
        layout.addStretch(1)
        return page

    def start_steps(self) -> tuple[tuple[str, str, str], ...]:
        """The start page's ways in: (key, title, text); the last one gets the No receipt button."""
        return (
            ("F2", "Scan the receipt", "Scan its barcode or type its number: the sale's lines open here, ready to pick."),
            ("F2", "Scan a gift receipt", "Only the lines it covers; refunded as store credit at the price paid."),
            ("Ctrl+R", "From the Sales screen (F3)", "Find the sale by date, amount, customer or card, then Return items."),
            ("Ctrl+N", "No receipt", "Unverified or blind: the customer's details and the items; the policy decides."),
        )

    def start_note(self) -> str:
        return "Scanning a return number (R-…) shows that return; a voucher code (V-…) shows its balance."

    def _build_edit(self) -> QWidget:
        page = QWidget()
        page.setObjectName("returnEdit")
        top = self._build_edit_top()
        left = self._build_lines_panel()
        body = QHBoxLayout()
        body.setSpacing(18)
        body.addLayout(left, 1)
        body.addWidget(self._build_side())
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        return page

    def _build_edit_top(self) -> QHBoxLayout:
        """The edit page's header: what the return is against, No receipt…, Cancel."""
        self.heading = _label(self.title, "heading", "returnHeading")
        self.subheading = _label("", "muted", "returnSubheading", wrap=True)
        self.no_receipt_button = QPushButton("No receipt…")
        self.no_receipt_button.setObjectName("noReceiptButton")
        self.no_receipt_button.setMinimumHeight(40)
        self.no_receipt_button.setAutoDefault(False)
        self.no_receipt_button.clicked.connect(self.start_no_receipt)
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.setObjectName("cancelReturn")
        self.cancel_button.setMinimumHeight(40)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setToolTip(f"Drop this {self.title.lower()}: nothing is written")
        self.cancel_button.clicked.connect(self.reset)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        titles.addWidget(self.heading)
        titles.addWidget(self.subheading)
        top = QHBoxLayout()
        top.addLayout(titles, 1)
        top.addWidget(self.no_receipt_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        return top

    def _build_lines_panel(self) -> QVBoxLayout:
        """What comes back: the customer (no receipt), the lines table and the current line's choices."""
        # -- customer (no receipt)
        self.customer_box = QFrame()
        self.customer_box.setObjectName("customerBox")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("returnCustomerName")
        self.name_edit.setPlaceholderText("Customer's name")
        self.phone_edit = QLineEdit()
        self.phone_edit.setObjectName("returnCustomerPhone")
        self.phone_edit.setPlaceholderText("Phone")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("returnCustomerEmail")
        self.email_edit.setPlaceholderText("Email")
        crow = QHBoxLayout(self.customer_box)
        crow.setContentsMargins(0, 0, 0, 0)
        crow.addWidget(_label("Customer", "muted"))
        for edit, stretch in ((self.name_edit, 3), (self.phone_edit, 2), (self.email_edit, 3)):
            edit.setMinimumHeight(36)
            edit.editingFinished.connect(self._customer_edited)
            crow.addWidget(edit, stretch)

        # -- lines
        self.model = ReturnLinesModel(self, currency=self.currency, locale=self.locale)
        self.model.reason_labels = {r.code: r.label for r in self.policy.reasons}
        self.model.choices_changed.connect(self.refresh_preview)
        self.table = QTableView()
        self.table.setObjectName("returnLines")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(34)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        m = ReturnLinesModel
        for col, width in ((m.C_NO, 30), (m.C_SOLD, 50), (m.C_RETURNED, 92), (m.C_RETURNABLE, 48), (m.C_QTY, 70),
                           (m.C_REASON, 140), (m.C_REFUND, 84)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(m.C_ITEM, QHeaderView.ResizeMode.Stretch)
        self.table.installEventFilter(_TableKeys(self))
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._load_line_editor(cur.row()))

        # -- the current line's choices
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("reasonCombo")
        self.reason_combo.setToolTip("Why the customer brings it back (type its first letter)")
        self.reason_text = QLineEdit()
        self.reason_text.setObjectName("reasonText")
        self.reason_text.setPlaceholderText("Say what is wrong (needed for Other)")
        self.condition_combo = QComboBox()
        self.condition_combo.setObjectName("conditionCombo")
        for code in CONDITIONS:
            self.condition_combo.addItem(CONDITION_LABELS.get(code, code), code)
        self.disposition_combo = QComboBox()
        self.disposition_combo.setObjectName("dispositionCombo")
        for code in DISPOSITIONS:
            self.disposition_combo.addItem(DISPOSITION_LABELS.get(code, code), code)
        self._fill_reasons()
        for w in (self.reason_combo, self.reason_text, self.condition_combo, self.disposition_combo):
            w.setMinimumHeight(38)
        self.reason_combo.setMinimumWidth(170)
        self.reason_combo.currentIndexChanged.connect(lambda _i: self._line_editor_changed("reason"))
        self.reason_text.editingFinished.connect(lambda: self._line_editor_changed("reason_text"))
        self.condition_combo.currentIndexChanged.connect(lambda _i: self._line_editor_changed("condition"))
        self.disposition_combo.currentIndexChanged.connect(lambda _i: self._line_editor_changed("disposition"))
        editor = QGridLayout()
        editor.setHorizontalSpacing(10)
        editor.setVerticalSpacing(2)
        self.line_title = _label("", "muted", "lineEditorTitle")
        for col, (title, w, stretch) in enumerate((("Reason", self.reason_combo, 2), ("Reason in words", self.reason_text, 3),
                                                    ("Condition", self.condition_combo, 1),
                                                    ("What happens to it", self.disposition_combo, 2))):
            editor.addWidget(_label(title, "muted"), 0, col)
            editor.addWidget(w, 1, col)
            editor.setColumnStretch(col, stretch)

        # -- refund to (built here: the Exchange screen places them in its own side panel)
        self.refund_to_combo = QComboBox()
        self.refund_to_combo.setObjectName("refundToCombo")
        self.refund_to_combo.setMinimumHeight(38)
        self.refund_to_combo.currentIndexChanged.connect(lambda _i: self.refresh_preview())
        self.card_reference = QLineEdit()
        self.card_reference.setObjectName("cardReferenceEdit")
        self.card_reference.setPlaceholderText("Card terminal's refund reference")
        self.card_reference.setMinimumHeight(38)
        self.card_reference_label = _label("Card refund reference", "muted")

        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.customer_box)
        left.addWidget(self.table, 1)
        left.addWidget(self.line_title)
        left.addLayout(editor)
        return left

    def _build_side(self) -> QWidget:
        """The right column: decision, refund, signals, confirm."""
        self.banner = DecisionBanner()
        self.problem = _label("", "error", "returnProblem", wrap=True)
        self.problem.hide()
        refund_card = QFrame()
        refund_card.setProperty("role", "card")
        rc = QVBoxLayout(refund_card)
        rc.setContentsMargins(14, 10, 14, 10)
        rc.setSpacing(4)
        rc.addWidget(_label("Refund", "subheading"))
        self.total_label = _label("", "figure", "refundTotal")
        rc.addWidget(self.total_label)
        self.fee_label = _label("", "muted", "refundFees", wrap=True)
        rc.addWidget(self.fee_label)
        self.tenders_label = _label("", None, "plannedTenders", wrap=True)
        self.tenders_label.setTextFormat(Qt.TextFormat.PlainText)
        rc.addWidget(self.tenders_label)
        rc.addSpacing(4)
        rc.addWidget(_label("Refund to", "muted"))
        rc.addWidget(self.refund_to_combo)
        rc.addWidget(self.card_reference_label)
        rc.addWidget(self.card_reference)

        signals_card = QFrame()
        signals_card.setProperty("role", "card")
        signals_card.setObjectName("signalsPanel")
        sc = QVBoxLayout(signals_card)
        sc.setContentsMargins(14, 10, 14, 10)
        sc.setSpacing(4)
        sc.addWidget(_label("Signals", "subheading"))
        self.signals_label = _label("", "muted", "fraudSignals", wrap=True)
        sc.addWidget(self.signals_label)

        self._build_confirm_buttons("Refund", "confirmReturn", "Confirm the return (Enter)",
                                    "Put the return in the approval queue; a manager answers from any desk", 56)

        right_box = QWidget()
        right_box.setFixedWidth(300)
        right = QVBoxLayout(right_box)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(10)
        right.addWidget(self.banner)
        right.addWidget(self.problem)
        right.addWidget(refund_card)
        right.addWidget(signals_card)
        right.addStretch(1)
        right.addWidget(self.queue_button)
        right.addWidget(self.confirm_button)
        keys = _label("Enter confirms · Esc drops the return", "muted", "returnKeysHint")
        keys.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right.addWidget(keys)
        return right_box

    def _build_wait(self) -> QWidget:
        page = QWidget()
        page.setObjectName("returnWait")
        self.wait_heading = _label("Waiting for a manager…", "heading", "waitHeading")
        self.wait_summary = _label("", "subheading", "waitSummary", wrap=True)
        self.wait_reasons = _label("", "approval", "waitReasons", wrap=True)
        self.wait_status = _label("", "muted", "waitStatus", wrap=True)
        self.check_button = QPushButton("Check now")
        self.check_button.setMinimumHeight(44)
        self.check_button.clicked.connect(self.poll_approval)
        self.withdraw_button = QPushButton("Withdraw the request")
        self.withdraw_button.setObjectName("withdrawApproval")
        self.withdraw_button.setMinimumHeight(44)
        self.withdraw_button.clicked.connect(self.withdraw_approval)
        row = QHBoxLayout()
        row.addWidget(self.check_button)
        row.addWidget(self.withdraw_button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(14)
        layout.addWidget(self.wait_heading)
        layout.addWidget(self.wait_summary)
        layout.addWidget(self.wait_reasons)
        layout.addWidget(self.wait_status)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget()
        page.setObjectName("returnDone")
        card = QFrame()
        card.setObjectName("successPanel")
        card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        card.setStyleSheet("QFrame#successPanel { background: #e8f4eb; border: 1px solid #1e7b34;"
                           " border-left: 8px solid #1e7b34; border-radius: 8px; }")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 22, 28, 22)
        inner.setSpacing(10)
        self.done_heading = _label("Return complete", "heading", "doneHeading")
        self.done_heading.setStyleSheet("color: #1e7b34;")
        self.done_number = _label("", "figure", "doneNumber")
        self.done_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_items = _label("", None, "doneItems", wrap=True)
        self.done_items.setTextFormat(Qt.TextFormat.PlainText)
        self.done_tenders = _label("", "subheading", "doneTenders", wrap=True)
        self.done_tenders.setTextFormat(Qt.TextFormat.PlainText)
        self.done_voucher = _label("", "subheading", "doneVoucher", wrap=True)
        self.done_voucher.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_note = _label("", "muted", "doneNote", wrap=True)
        for w in (self.done_heading, self.done_number, self.done_items, self.done_tenders, self.done_voucher, self.done_note):
            inner.addWidget(w)
        self.reprint_button = QPushButton("Print the slip again")
        self.reprint_button.setObjectName("reprintSlip")
        self.reprint_button.setMinimumHeight(44)
        self.reprint_button.setAutoDefault(False)
        self.reprint_button.clicked.connect(lambda: self.print_slips(self.done_view) if self.done_view else None)
        self.next_button = QPushButton("Next customer (Enter)")
        self.next_button.setObjectName("nextCustomer")
        self.next_button.setProperty("primary", True)
        self.next_button.setMinimumSize(260, 56)
        self.next_button.setAutoDefault(False)
        self.next_button.clicked.connect(self.reset)
        row = QHBoxLayout()
        row.addWidget(self.reprint_button)
        row.addStretch(1)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        layout.addWidget(_label(self.title, "heading"))
        layout.addWidget(card)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def _build_view(self) -> QWidget:
        page = QWidget()
        page.setObjectName("returnView")
        self.view_heading = _label("", "heading", "viewHeading")
        self.view_status = _label("", "allowed", "viewStatus")
        self.view_facts = _label("", None, "viewFacts", wrap=True)
        self.view_facts.setTextFormat(Qt.TextFormat.PlainText)
        self.view_lines = QTableWidget(0, 6)
        self.view_lines.setObjectName("viewLines")
        self.view_lines.setHorizontalHeaderLabels(["Item", "Qty", "Reason", "Condition", "What happens", "Refund"])
        self.view_lines.verticalHeader().hide()
        self.view_lines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view_lines.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view_lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view_refunds = _label("", None, "viewRefunds", wrap=True)
        self.view_refunds.setTextFormat(Qt.TextFormat.PlainText)
        self.view_approval = _label("", "muted", "viewApproval", wrap=True)
        self.view_approval.setTextFormat(Qt.TextFormat.PlainText)
        self.view_print = QPushButton("Print the slip")
        self.view_print.setMinimumHeight(44)
        self.view_print.clicked.connect(lambda: self.print_slips(self.shown_view, vouchers=False) if self.shown_view else None)
        self.view_close = QPushButton("Close (Esc)")
        self.view_close.setMinimumHeight(44)
        self.view_close.clicked.connect(self.reset)
        row = QHBoxLayout()
        row.addWidget(self.view_print)
        row.addStretch(1)
        row.addWidget(self.view_close)
        top = QHBoxLayout()
        top.addWidget(self.view_heading)
        top.addStretch(1)
        top.addWidget(self.view_status)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.view_facts)
        layout.addWidget(self.view_lines, 1)
        layout.addWidget(self.view_refunds)
        layout.addWidget(self.view_approval)
        layout.addLayout(row)
        return page

    # ================================================================== helpers
    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def page(self) -> int:
        return self.pages.currentIndex()

    def _fill_reasons(self) -> None:
        self.reason_combo.blockSignals(True)
        self.reason_combo.clear()
        self.reason_combo.addItem("Choose a reason…", "")
        for r in self.policy.reasons:
            self.reason_combo.addItem(r.label, r.code)
        self.reason_combo.blockSignals(False)

    def _focus_scan(self) -> None:
        window = self.window()
        focus = getattr(window, "focus_scan", None)
        if callable(focus):
            focus()

    # ================================================================== starting
    def activated(self) -> None:
        if self.page() == START:
            self._focus_scan()
        elif self.page() == EDIT:
            self.table.setFocus()

    def reset(self) -> None:
        """Back to the start: nothing chosen, nothing written."""
        self.poll_timer.stop()
        self.kind = ""
        self.sale = None
        self.gift_code = ""
        self.customer_id = None
        self.customer_name = self.customer_phone = self.customer_email = ""
        self.preview_result = None
        self.approval_id = None
        self.waiting_request = None
        self.done_view = None
        self.shown_view = None
        self.policy = policy_service.load_policy()
        self.model.reason_labels = {r.code: r.label for r in self.policy.reasons}
        self._fill_reasons()
        self._loading = True
        self.model.clear()
        self._loading = False
        self.start_message.hide()
        self.pages.setCurrentIndex(START)
        if self.isVisible():
            self._focus_scan()

    def _begin(self, kind: str) -> None:
        self.poll_timer.stop()
        self.kind = kind
        self.preview_result = None
        self.approval_id = None
        self.waiting_request = None
        self.policy = policy_service.load_policy()
        self.model.reason_labels = {r.code: r.label for r in self.policy.reasons}
        self._fill_reasons()
        self.card_reference.clear()
        self.pages.setCurrentIndex(EDIT)

    def start_from_sale(self, sale_id: int, gift_code: str = "", line_ids: list[int] | None = None) -> bool:
        """A return against a sale (a gift return when ``gift_code``): its lines, nothing chosen yet."""
        try:
            sale = sale_lookup.sale_view(sale_id, actor=self.ctx.staff)
            returns.check_sale_returnable(sale_id)  # a voided sale: said before anything is shown
        except DeskError as exc:
            show_error(self, exc)
            return False
        self._begin("gift" if gift_code else "receipted")
        self.sale = sale
        self.gift_code = gift_code
        self.customer_id = sale.customer.id if sale.customer else None
        self.customer_name = sale.customer.name if sale.customer else ""
        self.customer_phone = sale.customer.phone if sale.customer else ""
        self.customer_email = sale.customer.email if sale.customer else ""
        rows = []
        for line in sale.lines:
            if line_ids is not None and line.id not in line_ids:
                continue
            rows.append(LineChoice(description=line.description, sold=line.qty, returned=line.returned_qty,
                                   returnable=line.returnable_qty, paid=line.paid, line_no=line.line_no, sku=line.sku,
                                   sale_line_id=line.id))
        when = local_time_text(sale.sold_at, self.locale, "medium")
        if gift_code:
            self.heading.setText(f"Gift {self.title.lower()} · {gift_code}")
            self.subheading.setText(f"Receipt {sale.receipt} · bought {when} · {self.gift_note}")
        else:
            self.heading.setText(f"{self.title} · receipt {sale.receipt}")
            who = sale.customer.name if sale.customer else "no customer recorded"
            paid = " + ".join(t.label for t in sale.tenders) or "no tenders recorded"
            self.subheading.setText(f"Bought {when} · {who} · paid by {paid}")
        self.customer_box.hide()
        self._fill_refund_to()
        self._loading = True
        self.model.set_lines(rows)
        self._loading = False
        first = next((i for i, r in enumerate(rows) if r.returnable), 0)
        if rows:
            self.table.setCurrentIndex(self.model.index(first, ReturnLinesModel.C_QTY))
        self._load_line_editor(first)
        self.refresh_preview()
        self.table.setFocus()
        return True

    def start_gift(self, code: str) -> bool:
        try:
            start = returns.gift_start(code)
        except DeskError as exc:
            show_error(self, exc)
            return False
        return self.start_from_sale(start.sale_id, gift_code=start.code, line_ids=start.sale_line_ids)

    def start_no_receipt(self) -> bool:
        """Ask for the customer and the items (NoReceiptDialog), then a return without a sale."""
        answer = NoReceiptDialog.ask(self, self.ctx)
        if answer is None:
            return False
        return self.start_without_sale(answer)

    def _no_receipt_key(self) -> None:
        """Ctrl+N: only while this screen is shown and no approval is awaited."""
        if self.isVisible() and self.page() in (START, EDIT, DONE):
            self.start_no_receipt()

    def start_without_sale(self, answer: NoReceiptStart) -> bool:
        self._begin(answer.kind)
        self.customer_name = answer.customer_name
        self.customer_phone = answer.customer_phone
        self.customer_email = answer.customer_email
        self.name_edit.setText(answer.customer_name)
        self.phone_edit.setText(answer.customer_phone)
        self.email_edit.setText(answer.customer_email)
        self.customer_box.show()
        self.heading.setText(f"{self.title} without a receipt")
        self.subheading.setText(KIND_LABELS.get(answer.kind, answer.kind).capitalize()
                                + " · refunded at today's price" + (" as store credit" if self.policy.no_receipt_store_credit_only else ""))
        rows = [LineChoice(description=i.description, sold=None, returned=0, returnable=None, sku=i.sku,
                           product_id=i.product_id, unit_value=None if i.product_id else i.unit_value,
                           quantity=i.quantity) for i in answer.items]
        self._fill_refund_to()
        self._loading = True
        self.model.set_lines(rows)
        self._loading = False
        if rows:
            self.table.setCurrentIndex(self.model.index(0, ReturnLinesModel.C_QTY))
        self._load_line_editor(0)
        self.refresh_preview()
        self.reason_combo.setFocus()
        return True

    def _customer_edited(self) -> None:
        if self.kind in ("unverified", "blind"):
            self.customer_name = self.name_edit.text().strip()
            self.customer_phone = self.phone_edit.text().strip()
            self.customer_email = self.email_edit.text().strip()
            self.refresh_preview()

    # ================================================================== refund to
    def refund_options(self) -> list[tuple[str, str]]:
        """(code, label) of where this return may refund to, the policy's table applied."""
        if self.kind == "gift":
            return [("store_credit", "Store credit (voucher)")]
        if self.kind in ("unverified", "blind"):
            if self.policy.no_receipt_store_credit_only:
                return [("store_credit", "Store credit (voucher)")]
            return [("store_credit", "Store credit (voucher)"), ("cash", "Cash"), ("card", "Card"), ("other", "Other")]
        tenders = self.sale.tenders if self.sale else []
        methods = list(dict.fromkeys(t.method for t in tenders))
        # the card and its last four are on the refund's lines just above: the choice names the
        # kinds of payment, short enough for the panel ("Cash and card (as paid)", where
        # "Back to Cash + Mastercard •••• 9487" was cut at the box's edge)
        names = [METHOD_LABELS.get(m, m.replace("_", " ").capitalize()) for m in methods]
        label = " and ".join([names[0]] + [n.lower() for n in names[1:]]) if names else "Original payment"
        options = [("original", f"{label} (as paid)")]
        for method in returns.REFUND_METHODS:
            if methods and all(method in self.policy.allowed_refunds(m) for m in methods):
                if methods == [method]:
                    continue  # the same as the original payment
                options.append((method, METHOD_LABELS.get(method, method) + (" (voucher)" if method == "store_credit" else "")))
        return options

    def _fill_refund_to(self) -> None:
        self.refund_to_combo.blockSignals(True)
        self.refund_to_combo.clear()
        for code, label in self.refund_options():
            self.refund_to_combo.addItem(label, code)
        self.refund_to_combo.setCurrentIndex(0)
        self.refund_to_combo.setEnabled(self.refund_to_combo.count() > 1)
        self.refund_to_combo.blockSignals(False)

    def refund_to(self) -> str:
        return self.refund_to_combo.currentData() or "original"

    def set_refund_to(self, code: str) -> bool:
        i = self.refund_to_combo.findData(code)
        if i < 0:
            return False
        self.refund_to_combo.setCurrentIndex(i)
        return True

    # ================================================================== the lines
    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def step_current(self, delta: int) -> None:
        row = self.current_row()
        if row < 0 and self.model.rowCount():
            row = 0
            self.table.setCurrentIndex(self.model.index(0, ReturnLinesModel.C_QTY))
        self.model.step_quantity(row, delta)

    def set_quantity(self, row: int, quantity: int) -> None:
        self.model.set_quantity(row, quantity)

    def _load_line_editor(self, row: int) -> None:
        line = self.model.row(row)
        widgets = (self.reason_combo, self.reason_text, self.condition_combo, self.disposition_combo)
        for w in widgets:
            w.blockSignals(True)
        if line is None:
            self.line_title.setText("")
            for w in widgets:
                w.setEnabled(False)
        else:
            self.line_title.setText(f"Line {line.line_no}: {line.description}" if line.line_no else line.description)
            for w in widgets:
                w.setEnabled(line.returnable is None or line.returnable > 0)
            self.reason_combo.setCurrentIndex(max(0, self.reason_combo.findData(line.reason)))
            self.reason_text.setText(line.reason_text)
            self.condition_combo.setCurrentIndex(max(0, self.condition_combo.findData(line.condition)))
            self.disposition_combo.setCurrentIndex(max(0, self.disposition_combo.findData(line.disposition)))
        for w in widgets:
            w.blockSignals(False)

    def _line_editor_changed(self, what: str) -> None:
        row = self.current_row()
        line = self.model.row(row)
        if line is None:
            return
        if what == "reason":
            code = self.reason_combo.currentData() or ""
            reason = self.policy.reason(code)
            self.model.set_choice(row, reason=code)
            if line.quantity == 0 and code and (line.returnable is None or line.returnable > 0):
                self.model.set_quantity(row, 1)  # a reason given for a line means it comes back
            if reason is not None and reason.needs_text and not line.reason_text:
                self.reason_text.setFocus()
        elif what == "reason_text":
            self.model.set_choice(row, reason_text=self.reason_text.text().strip())
        elif what == "condition":
            self.model.set_choice(row, condition=self.condition_combo.currentData())
        elif what == "disposition":
            self.model.set_choice(row, disposition=self.disposition_combo.currentData())

    # ================================================================== asking the service
    def build_request(self) -> ReturnRequest | None:
        """The return as chosen now, or None when nothing is chosen (problem_text says what is missing)."""
        chosen = self.model.chosen()
        self.problem_text = ""
        if not self.kind or not chosen:
            return None
        missing = [r for r in chosen if not r.reason]
        if missing:
            first = missing[0]
            name = f"line {first.line_no}" if first.line_no else first.description
            self.problem_text = f"Give a reason for {name}."
            return None
        lines = []
        for r in chosen:
            if self.sale is not None:
                lines.append(ReturnLineRequest(quantity=r.quantity, reason=r.reason, condition=r.condition,
                                               disposition=r.disposition, reason_text=r.reason_text,
                                               sale_line_id=r.sale_line_id))
            else:
                lines.append(ReturnLineRequest(quantity=r.quantity, reason=r.reason, condition=r.condition,
                                               disposition=r.disposition, reason_text=r.reason_text,
                                               product_id=r.product_id, description=r.description if not r.product_id else "",
                                               unit_value=r.unit_value))
        return ReturnRequest(
            lines=lines,
            kind=self.kind,
            sale_id=self.sale.id if self.sale is not None and self.kind == "receipted" else None,
            gift_code=self.gift_code if self.kind == "gift" else "",
            refund_to="store_credit" if self.kind == "gift" else self.refund_to(),
            card_reference=self.card_reference.text().strip(),
            customer_id=self.customer_id if self.kind in ("unverified", "blind") else None,
            customer_name=self.customer_name if self.kind in ("unverified", "blind") else "",
            customer_phone=self.customer_phone if self.kind in ("unverified", "blind") else "",
            customer_email=self.customer_email if self.kind in ("unverified", "blind") else "",
            desk_code=desk_code(),
        )

    def refresh_preview(self) -> ReturnPreview | None:
        """Ask the service what this return would do now, and show it."""
        if self._loading or self.page() != EDIT:
            return None
        request = self.build_request()
        self.preview_result = None
        if request is None:
            self.banner.show_idle(self.problem_text or "Choose what the customer brings back: + on a line, or type how many.")
            self._show_problem("")
            self._show_refund(None)
            return None
        try:
            result = returns.preview(self.ctx.staff, request)
        except DeskError as exc:
            from desk.ui.messages import describe

            self.banner.show_idle("Check the return")
            self._show_problem(describe(exc))
            self._show_refund(None)
            return None
        self.preview_result = result
        self.model.apply_preview(result.lines)
        self.banner.show_decision(result.decision)
        self._show_problem("")
        self._show_refund(result)
        return result

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _show_refund(self, result: ReturnPreview | None) -> None:
        card_planned = False
        if result is None:
            self.total_label.setText(self.money(0))
            self.fee_label.setText("")
            self.fee_label.hide()
            self.tenders_label.setText("Nothing to refund yet.")
            self._set_buttons(None)
        else:
            self.total_label.setText(self.money(result.total))
            if result.fee_total:
                self.fee_label.setText(f"Value {self.money(result.value)} less restocking fees {self.money(result.fee_total)}")
                self.fee_label.show()
            else:
                self.fee_label.hide()
            lines = [f"{t.label}: {self.money(t.amount)}" for t in result.tenders]
            self.tenders_label.setText("\n".join(lines) if lines else "Nothing to refund.")
            card_planned = any(t.method == "card" for t in result.tenders)
            self._set_buttons(result.decision)
            self._show_signals(result.signals)
        self.card_reference.setVisible(card_planned)
        self.card_reference_label.setVisible(card_planned)
        if result is None:
            self._show_signals(None)

    def _show_signals(self, signals) -> None:
        if signals is None:
            try:
                signals = returns.fraud_signals(self.customer_id, self.customer_phone, self.customer_email, self.ctx.staff)
            except DeskError:
                signals = None
        if signals is None:
            self.signals_label.setText("")
            return
        text = "\n".join(signals.lines(self.money))
        if not (self.customer_id or self.customer_phone or self.customer_email):
            text = "No customer recorded for this return.\n" + signals.lines(self.money)[1]
        self.signals_label.setText(text)
        busy = signals.customer_returns_90_days >= 3 or signals.customer_no_receipt_90_days >= 1
        _set_role(self.signals_label, "approval" if busy else "muted")

    def _allowed_text(self) -> str:
        """The confirm button's words when the policy allows it."""
        return f"Refund {self.money(self.preview_result.total)}" if self.preview_result else "Refund"

    def _set_buttons(self, decision) -> None:
        b = self.confirm_button
        self.queue_button.hide()
        if decision is None:
            b.setText("Refund")
            b.setEnabled(False)
            return
        if decision.outcome == ALLOWED:
            b.setText(self._allowed_text())
            b.setEnabled(True)
        elif decision.outcome == NEEDS_APPROVAL:
            b.setText("Approve at the desk…")
            b.setEnabled(True)
            self.queue_button.show()
        elif decision.outcome == REFUSED and decision.overridable:
            b.setText("Manager override…")
            b.setEnabled(True)
            self.queue_button.show()
        else:
            b.setText("Refused")
            b.setEnabled(False)

    # ================================================================== confirming
    def confirm(self) -> bool:
        """Enter: do what the decision allows. True when a return was written."""
        if self.page() != EDIT:
            return False
        result = self.refresh_preview()
        if result is None:
            if self.problem_text or self.problem.text():
                self._show_problem(self.problem_text or self.problem.text())
            return False
        decision = result.decision
        if decision.outcome == REFUSED and not decision.overridable:
            return False  # the banner says why; nothing is written
        if decision.outcome == ALLOWED:
            if not self._card_reference_ready(result):
                return False
            return self.complete()
        approval = ApproveAtDeskDialog.ask(self, list(decision.reasons))
        if approval is None:
            return False
        if not self._card_reference_ready(result):
            return False
        return self.complete(approver=approval)

    def _card_reference_ready(self, result: ReturnPreview) -> bool:
        card = [t for t in result.tenders if t.method == "card"]
        if not card or self.card_reference.text().strip():
            return True
        what = " and ".join(f"{self.money(t.amount)} to {t.label}" for t in card)
        reference = CardReferenceDialog.ask(self, what)
        if not reference:
            return False
        self.card_reference.setText(reference)
        return True

    def complete(self, approver=None, approval_id: int | None = None, request: ReturnRequest | None = None) -> bool:
        """Write the return (the service decides again), then print its slip."""
        request = request or self.build_request()
        if request is None:
            return False
        if request.card_reference == "" and self.card_reference.text().strip():
            request.card_reference = self.card_reference.text().strip()
        ok, view = attempt(self, returns.create_return, self.ctx.staff, request, approver=approver, approval_id=approval_id)
        if not ok or view is None:
            self.refresh_preview()
            return False
        self.ctx.events.emit_changed("returns", "sales")
        self.show_done(view)
        self.print_slips(view)
        return True

    def print_slips(self, view: ReturnView, vouchers: bool = True) -> bool:
        """The refund slip (``slip_kind``), then any voucher the return issued: archived and previewed."""
        from desk.ui.printing import print_document

        ok, doc = attempt(self, documents.render, self.slip_kind, view.number, self.ctx.staff)
        if not ok or doc is None:
            return False
        printed = print_document(self.ctx, self, doc)
        if vouchers:
            for code in view.voucher_codes:
                ok, voucher = attempt(self, documents.render, "voucher", code, self.ctx.staff)
                if ok and voucher is not None:
                    print_document(self.ctx, self, voucher)
        return printed

    # ================================================================== the approval queue
    def send_to_manager(self) -> bool:
        if self.page() != EDIT:
            return False
        result = self.refresh_preview()
        if result is None:
            return False
        request = self.build_request()
        ok, answer = attempt(self, approvals.request_approval, self.ctx.staff, request)
        if not ok or answer is None:
            return False
        self.approval_id = answer.id
        self.waiting_request = request
        self.wait_heading.setText("Waiting for a manager…")
        self.wait_summary.setText(f"Request {answer.id}: {answer.summary}")
        self.wait_reasons.setText("\n".join(f"• {r[:1].upper()}{r[1:]}" for r in answer.reasons))
        self.wait_status.setText("A supervisor or manager answers it from the approval queue on any desk. "
                                 "This screen completes the return as soon as it is approved.")
        self.pages.setCurrentIndex(WAIT)
        self.poll_timer.start()
        return True

    def poll_approval(self) -> str:
        """Ask whether the manager answered; complete the return when approved. Returns the status."""
        if self.approval_id is None:
            self.poll_timer.stop()
            return ""
        try:
            answer = approvals.approval_status(self.approval_id)
        except DeskError as exc:
            self.poll_timer.stop()
            show_error(self, exc)
            return ""
        if answer.status == "pending":
            return "pending"
        self.poll_timer.stop()
        request = self.waiting_request
        approval_id = self.approval_id
        if answer.status == "approved":
            self.pages.setCurrentIndex(EDIT)
            if request is not None and request.card_reference == "" and self.preview_result is not None:
                if not self._card_reference_ready(self.preview_result):
                    self.pages.setCurrentIndex(WAIT)
                    self.wait_status.setText(f"Approved by {answer.decided_by_name}. Type the card refund reference "
                                             "to complete the return (Check now).")
                    return "approved"
                request.card_reference = self.card_reference.text().strip()
            if not self.complete(approval_id=approval_id, request=request):
                self.pages.setCurrentIndex(EDIT)
            return "approved"
        self.approval_id = None
        self.waiting_request = None
        self.pages.setCurrentIndex(EDIT)
        self.refresh_preview()
        if answer.status == "refused":
            who = answer.decided_by_name or "The manager"
            self._show_problem(f"{who} refused the return: {answer.note}" if answer.note else f"{who} refused the return.")
        else:
            self._show_problem(f"Approval request {answer.id} is {answer.status}.")
        return answer.status

    def withdraw_approval(self) -> None:
        if self.approval_id is not None:
            attempt(self, approvals.withdraw, self.ctx.staff, self.approval_id)
        self.poll_timer.stop()
        self.approval_id = None
        self.waiting_request = None
        self.pages.setCurrentIndex(EDIT)
        self.refresh_preview()

    # ================================================================== after
    def show_done(self, view: ReturnView) -> None:
        self.done_view = view
        self.done_number.setText(view.number)
        items = [f"{l.quantity} × {l.description} — {l.reason_label} · {l.disposition_label}" for l in view.lines]
        self.done_items.setText("\n".join(items))
        lines = [f"{t.label}: {self.money(t.amount)}" + (f" (ref. {t.reference})" if t.reference else "")
                 for t in view.tender_totals()]
        self.done_tenders.setText("Refunded " + self.money(view.total) + (":\n" + "\n".join(lines) if lines else ""))
        codes = view.voucher_codes
        self.done_voucher.setText(("Store credit voucher: " + ", ".join(codes)) if codes else "")
        self.done_voucher.setVisible(bool(codes))
        notes = []
        if view.approved_by_name:
            notes.append(f"Approved by {view.approved_by_name}: {view.approval_note}")
        if view.cash_refunded:
            notes.append("Cash refund: the customer signs the slip.")
        self.done_note.setText("\n".join(notes))
        self.done_note.setVisible(bool(notes))
        self.pages.setCurrentIndex(DONE)
        self.next_button.setFocus()

    # ================================================================== viewing a return
    def show_return(self, number: str) -> bool:
        try:
            view = returns.return_view(number, self.ctx.staff)
        except NotFound:
            raise
        self.shown_view = view
        self.view_heading.setText(f"Return {view.number}")
        if view.status == "voided":
            self.view_status.setText(f"Voided {local_time_text(view.voided_at, self.locale, 'medium')} by {view.voided_by_name}")
            _set_role(self.view_status, "error")
        else:
            self.view_status.setText("Completed")
            _set_role(self.view_status, "allowed")
        facts = [f"{local_time_text(view.created_at, self.locale, 'medium')} · desk {view.desk_code} · "
                 f"clerk {view.clerk_name} ({view.clerk_code}) · {KIND_LABELS.get(view.kind, view.kind)}"]
        if view.receipt_no:
            facts.append(f"Receipt {view.receipt_no}" + (f" · gift receipt {view.gift_code}" if view.gift_code else ""))
        if view.customer_name:
            facts.append("Customer: " + " · ".join(p for p in (view.customer_name, view.customer_phone, view.customer_email) if p))
        self.view_facts.setText("\n".join(facts))
        self.view_lines.setRowCount(len(view.lines))
        for r, line in enumerate(view.lines):
            values = (line.description, str(line.quantity),
                      line.reason_label + (f": {line.reason_text}" if line.reason_text else ""),
                      CONDITION_LABELS.get(line.condition, line.condition), line.disposition_label, self.money(line.refund))
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (1, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.view_lines.setItem(r, c, item)
        refunds = [f"{t.label}: {self.money(t.amount)}" + (f" · ref. {t.reference}" if t.reference else "")
                   + (f" · voucher {t.voucher_code}" if t.voucher_code else "") for t in view.tender_totals()]
        self.view_refunds.setText(f"Refunded {self.money(view.total)}" + (":\n" + "\n".join(refunds) if refunds else ""))
        approval = []
        if view.approved_by_name:
            how = "Override" if view.override else "Approved"
            approval.append(f"{how} by {view.approved_by_name} ({view.approved_by_code}): {view.approval_note}")
        if view.policy_reasons:
            approval.append("Policy: " + "; ".join(view.policy_reasons))
        if view.void_reason:
            approval.append(f"Void reason: {view.void_reason}")
        self.view_approval.setText("\n".join(approval))
        self.view_approval.setVisible(bool(approval))
        self.pages.setCurrentIndex(VIEW)
        return True

    # ================================================================== the scan field
    def open_code(self, code: str) -> bool:
        """A scan handler: a return number shows that return; a gift receipt code starts a gift
        return; a receipt starts a return against its sale when this screen is the one shown."""
        code = (code or "").strip()
        if not code or self.page() == WAIT:
            return False  # waiting for a manager: nothing replaces the return on this screen
        if returns.is_return_number(code):
            try:
                return self.show_return(code)
            except NotFound:
                return False
        if documents.is_gift_code(code):
            start = returns.gift_start(code)  # NotFound names the code in the scan field
            return self.start_from_sale(start.sale_id, gift_code=start.code, line_ids=start.sale_line_ids)
        if not self.isVisible():
            return False
        view = sale_lookup.find_receipt(code, actor=self.ctx.staff)
        if view is None:
            return False
        return self.start_from_sale(view.id)

    # ================================================================== keys and events
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        page = self.page()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if page == EDIT:
                self.confirm()
                return
            if page == DONE:
                self.reset()
                return
        if key == Qt.Key.Key_Escape:
            if page in (EDIT, DONE, VIEW):
                self.reset()
                return
        super().keyPressEvent(event)

    def _on_session_changed(self, staff) -> None:
        """Someone else signed in: the return in progress is dropped (the same person back from the lock keeps it)."""
        staff_id = getattr(staff, "id", None)
        if staff_id != self._staff_id:
            self._staff_id = staff_id
            self.reset()

    def _on_changed(self, kind: str) -> None:
        if kind in ("returns", "sales", "settings") and self.page() == EDIT:
            if kind == "settings":
                self.policy = policy_service.load_policy()
            self.refresh_preview()

    # ================================================================== what a test reads
    def line_texts(self) -> list[list[str]]:
        return [[self.model.data(self.model.index(r, c)) or "" for c in range(self.model.columnCount())]
                for r in range(self.model.rowCount())]


__all__ = ["ReturnScreen", "CardReferenceDialog", "desk_code", "POLL_MS"]
