"""The small dialogs of an order's life: mark it ordered, receive (which waiting order an arrival
fills), contact the customer, collect (the balance by any tender), cancel (what happens to the
deposit) and a manager's decision past the collection deadline.

Each gathers input only and has a classmethod ``ask(...)`` that returns the answer or None (tests
replace it); the Orders screen calls the service. Enter confirms, Esc backs out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import format_date
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desk import clock
from desk.errors import DeskError, InvalidInput
from desk.money import format_money
from desk.services import orders
from desk.services.exchanges import SettlementTender
from desk.services.orders import EmailMessageView, OrderView, WaitingLine
from desk.ui.messages import describe
from desk.ui.widgets.tender_edit import SplitTenders

# One wording with the services (and the slips).
METHOD_LABELS = orders.METHOD_LABELS
OUTCOME_LABELS = orders.OUTCOME_LABELS


def date_text(day: dt.date | None, locale: str) -> str:
    return format_date(day, "medium", locale=locale) if day else ""


def today_local() -> dt.date:
    return clock.to_local(clock.utcnow()).date()


class _OrderDialog(QDialog):
    """Heading, a body, an inline error, Cancel (Esc) and a primary button; Enter confirms."""

    def __init__(self, parent: QWidget | None, title: str, heading: str, ok_text: str, name: str):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.heading = QLabel(heading)
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        self.error = QLabel("")
        self.error.setObjectName("orderDialogError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.setMinimumHeight(44)
        self.cancel_button.clicked.connect(self.reject)
        self.ok_button = QPushButton(ok_text)
        self.ok_button.setObjectName("orderDialogOk")
        self.ok_button.setProperty("primary", True)
        self.ok_button.setMinimumSize(220, 48)
        self.ok_button.clicked.connect(self.try_accept)
        for b in (self.cancel_button, self.ok_button):
            b.setAutoDefault(False)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.cancel_button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addLayout(self.body)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addLayout(self.buttons)
        self.setMinimumWidth(620)
        self.value = None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def collect(self):
        """The answer, or raise InvalidInput naming the field."""
        raise NotImplementedError

    def try_accept(self) -> bool:
        try:
            self.value = self.collect()
        except DeskError as exc:
            self.show_error(describe(exc))
            return False
        self.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not isinstance(self.focusWidget(), QPlainTextEdit):
            self.try_accept()
            return
        super().keyPressEvent(event)

    @classmethod
    def _run(cls, *args, **kwargs):
        dialog = cls(*args, **kwargs)
        try:
            dialog.exec()
            return dialog.value if dialog.result() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setSpacing(10)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def _edit(name: str, placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(38)
    return edit


def _day(edit: QLineEdit, field: str, locale: str) -> dt.date | None:
    from desk.ui.screens.sales import parse_day  # the screens package imports these dialogs

    try:
        return parse_day(edit.text(), locale)
    except ValueError as exc:
        raise InvalidInput(field, str(exc)) from None


# ---------------------------------------------------------------------------------- mark ordered
@dataclass(frozen=True)
class OrderedAnswer:
    supplier_ref: str
    supplier: str
    expected_date: dt.date | None
    ordered_on: dt.date | None


class MarkOrderedDialog(_OrderDialog):
    def __init__(self, parent: QWidget | None, view: OrderView, locale: str):
        super().__init__(parent, "Mark ordered", f"Order {view.number}: ordered from the supplier",
                         "Mark ordered (Enter)", "markOrderedDialog")
        self.locale = locale
        self.ref_edit = _edit("supplierRef", "The supplier's order reference")
        self.supplier_edit = _edit("orderedSupplier", "Who it was ordered from", view.supplier)
        self.expected_edit = _edit("orderedExpected", "dd/mm/yyyy",
                                   view.expected_date.strftime("%d/%m/%Y") if view.expected_date else "")
        self.on_edit = _edit("orderedOn", "today", today_local().strftime("%d/%m/%Y"))
        form = _form()
        form.addRow("Supplier's reference", self.ref_edit)
        form.addRow("Supplier", self.supplier_edit)
        form.addRow("Expected on", self.expected_edit)
        form.addRow("Ordered on", self.on_edit)
        self.body.addLayout(form)
        self.ref_edit.setFocus()

    def collect(self) -> OrderedAnswer:
        ref = self.ref_edit.text().strip()
        if not ref:
            raise InvalidInput("Supplier's reference", "type the reference the supplier gave the order")
        return OrderedAnswer(ref, self.supplier_edit.text().strip(), _day(self.expected_edit, "Expected on", self.locale),
                             _day(self.on_edit, "Ordered on", self.locale))

    @classmethod
    def ask(cls, parent: QWidget | None, view: OrderView, locale: str) -> OrderedAnswer | None:
        return cls._run(parent, view, locale)


class ExpectedDateDialog(_OrderDialog):
    """The supplier's new date for an order already ordered (clears 'overdue at the supplier')."""

    def __init__(self, parent: QWidget | None, view: OrderView, locale: str):
        super().__init__(parent, "New expected date", f"Order {view.number}: when will it come?",
                         "Save the date (Enter)", "expectedDateDialog")
        self.locale = locale
        was = date_text(view.expected_date, locale) if view.expected_date else "no date"
        note = QLabel(f"Expected {was} from {view.supplier or 'the supplier'}"
                      + (f" (ref. {view.supplier_ref})" if view.supplier_ref else "") + ".")
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        self.date_edit = _edit("newExpected", "dd/mm/yyyy")
        self.note_edit = _edit("expectedNote", "e.g. the supplier says it is delayed at the port")
        form = _form()
        form.addRow("New date", self.date_edit)
        form.addRow("Note", self.note_edit)
        self.body.addWidget(note)
        self.body.addLayout(form)
        self.date_edit.setFocus()

    def collect(self) -> tuple[dt.date, str]:
        day = _day(self.date_edit, "New date", self.locale)
        if day is None:
            raise InvalidInput("New date", "type the date the supplier gave")
        return day, self.note_edit.text().strip()

    @classmethod
    def ask(cls, parent: QWidget | None, view: OrderView, locale: str) -> tuple[dt.date, str] | None:
        return cls._run(parent, view, locale)


# ---------------------------------------------------------------------------------- receive
@dataclass(frozen=True)
class ReceiveAnswer:
    number: str
    line_no: int
    quantity: int
    from_stock: bool = False


class ReceiveDialog(_OrderDialog):
    """Which waiting order an arrival fills: the orders waiting for the item, oldest first."""

    def __init__(self, parent: QWidget | None, waiting: list[WaitingLine], code: str, locale: str,
                 prefer: str = ""):
        what = waiting[0].description if waiting else code
        super().__init__(parent, "Receive", f"Arrived: {what}", "Set aside for this order (Enter)", "receiveDialog")
        self.waiting = list(waiting)
        lead = QLabel(f"{len(waiting)} order line{'s' if len(waiting) != 1 else ''} wait for it. Choose which one it "
                      "fills (the oldest first).")
        lead.setProperty("role", "muted")
        lead.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("waitingList")
        self.list.setMinimumHeight(180)
        self.list.setSpacing(4)
        for w in waiting:
            expected = f" · expected {date_text(w.expected_date, locale)}" if w.expected_date else ""
            self.list.addItem(f"{w.number} · {w.customer_name} · {w.waiting} × {w.description} "
                              f"(line {w.line_no}) · {orders.STATUS_LABELS.get(w.status, w.status)}{expected}")
        self.qty_spin = QSpinBox()
        self.qty_spin.setObjectName("receiveQuantity")
        self.qty_spin.setMinimumHeight(38)
        self.qty_spin.setMinimumWidth(110)
        self.qty_spin.setMaximumWidth(160)
        self.list.currentRowChanged.connect(self._row_changed)
        self.from_stock = QCheckBox("Taken from the shelf (it was in stock), not a delivery")
        self.from_stock.setObjectName("receiveFromStock")
        form = _form()
        form.addRow("How many arrived", self.qty_spin)
        form.addRow("", self.from_stock)
        self.body.addWidget(lead)
        self.body.addWidget(self.list)
        self.body.addLayout(form)
        start = next((i for i, w in enumerate(waiting) if w.number == prefer), 0)
        if waiting:
            self.list.setCurrentRow(start)
        self.list.setFocus()
        self.resize(760, 440)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self.waiting):
            self.qty_spin.setRange(1, max(1, self.waiting[row].waiting))
            self.qty_spin.setValue(1)

    def choose(self, number: str, line_no: int | None = None) -> bool:
        for i, w in enumerate(self.waiting):
            if w.number == number and (line_no is None or w.line_no == line_no):
                self.list.setCurrentRow(i)
                return True
        return False

    def collect(self) -> ReceiveAnswer:
        row = self.list.currentRow()
        if not (0 <= row < len(self.waiting)):
            raise InvalidInput("Order", "choose the order this arrival fills")
        w = self.waiting[row]
        return ReceiveAnswer(w.number, w.line_no, self.qty_spin.value(), self.from_stock.isChecked())

    @classmethod
    def ask(cls, parent: QWidget | None, waiting: list[WaitingLine], code: str, locale: str,
            prefer: str = "") -> ReceiveAnswer | None:
        return cls._run(parent, waiting, code, locale, prefer)


# ---------------------------------------------------------------------------------- contact
@dataclass(frozen=True)
class ContactAnswer:
    send_email: bool
    method: str = ""
    outcome: str = ""
    note: str = ""


class ContactDialog(_OrderDialog):
    """Log an attempt to reach the customer, or send the email (when SMTP is configured)."""

    def __init__(self, parent: QWidget | None, view: OrderView, email: EmailMessageView | None):
        super().__init__(parent, "Contact the customer", f"Tell {view.customer_name} that order {view.number} is here",
                         "Log the attempt (Enter)", "contactDialog")
        self.email = email
        how = {"phone": "a phone call", "email": "an email", "sms": "a text message"}.get(view.contact_via, view.contact_via)
        who = QLabel(f"They asked for {how}.\nPhone: {view.customer_phone or '—'}    Email: {view.customer_email or '—'}")
        who.setObjectName("contactWho")
        who.setProperty("role", "subheading")
        who.setWordWrap(True)
        who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(who)
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("contactMethod")
        for code in orders.CONTACT_METHODS:
            if code != "email":
                self.method_combo.addItem(METHOD_LABELS.get(code, code), code)
        if view.contact_via == "sms":
            self.method_combo.setCurrentIndex(self.method_combo.findData("sms"))
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("contactOutcome")
        for code in ("reached", "voicemail", "no_answer", "wrong_number"):
            self.outcome_combo.addItem(OUTCOME_LABELS[code], code)
        self.note_edit = _edit("contactNote", "e.g. will come on Saturday")
        for w in (self.method_combo, self.outcome_combo):
            w.setMinimumHeight(38)
        form = _form()
        form.addRow("How", self.method_combo)
        form.addRow("Outcome", self.outcome_combo)
        form.addRow("Note", self.note_edit)
        self.body.addLayout(form)
        self.email_button = QPushButton("Send email")
        self.email_button.setObjectName("sendEmailButton")
        self.email_button.setMinimumHeight(44)
        self.email_button.setAutoDefault(False)
        self.email_button.clicked.connect(self.send_email)
        self.email_note = QLabel("")
        self.email_note.setObjectName("emailNote")
        self.email_note.setProperty("role", "muted")
        self.email_note.setWordWrap(True)
        # They asked for email and it is set up: Enter sends it; logging a call is the other button.
        self.prefer_email = email is not None and view.contact_via == "email"
        if email is not None:
            self.email_note.setText(f"Email to {email.to}: “{email.subject}”")
            self.email_button.setToolTip(email.body)
            self.buttons.insertWidget(3 if self.prefer_email else 1, self.email_button)
            if self.prefer_email:
                self.email_button.setText("Send email (Enter)")
                self.email_button.setProperty("primary", True)
                self.email_button.setMinimumSize(220, 48)
                self.ok_button.setText("Log a call instead")
                self.ok_button.setProperty("primary", False)
                self.ok_button.setMinimumSize(0, 44)
                self.ok_button.clicked.disconnect()
                self.ok_button.clicked.connect(lambda: _OrderDialog.try_accept(self))
        elif not view.customer_email:
            self.email_note.setText("No email address: phone them (or text them) and log how it went.")
            self.email_button.hide()
        else:
            self.email_note.setText("Email is not set up (Settings, Email): phone them and log how it went.")
            self.email_button.hide()
        self.body.addWidget(self.email_note)
        self.setMinimumWidth(720)
        self.outcome_combo.setFocus()

    def send_email(self) -> None:
        self.value = ContactAnswer(True)
        self.accept()

    def try_accept(self) -> bool:
        """Enter: send the email when that is how they asked to hear, else log the attempt."""
        if self.prefer_email:
            self.send_email()
            return True
        return super().try_accept()

    def collect(self) -> ContactAnswer:
        return ContactAnswer(False, self.method_combo.currentData(), self.outcome_combo.currentData(),
                             self.note_edit.text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, view: OrderView, email: EmailMessageView | None) -> ContactAnswer | None:
        return cls._run(parent, view, email)


# ---------------------------------------------------------------------------------- collect / pay
class PayDialog(_OrderDialog):
    """The balance at collection (or more deposit), split across tenders if the customer wants:
    cash + card, a voucher + card... (Add payment, Ctrl+P, as on the exchange's settle step)."""

    def __init__(self, parent: QWidget | None, view: OrderView, currency: str, locale: str, *, deposit: bool = False):
        money = lambda v: format_money(v, currency, locale)  # noqa: E731
        if deposit:
            title, heading, ok = "Take a deposit", f"Order {view.number}: more deposit", "Take the deposit (Enter)"
        elif view.balance:
            title, heading, ok = "Collect", f"Order {view.number}: {money(view.balance)} to pay", f"Take {money(view.balance)} and hand over (Enter)"
        else:
            title, heading, ok = "Collect", f"Order {view.number}: nothing left to pay", "Hand over (Enter)"
        super().__init__(parent, title, heading, ok, "payDialog")
        self.balance = view.balance
        self.deposit = deposit
        self.money = money
        items = "\n".join(f"{l.quantity} × {l.description}" for l in view.lines)
        facts = QLabel(f"{items}\n\nTotal {money(view.total)} · deposit paid {money(view.deposit_paid)}"
                       + (f" · still to pay {money(view.balance)}" if view.balance else ""))
        facts.setObjectName("payFacts")
        facts.setWordWrap(True)
        self.body.addWidget(facts)
        self.split = SplitTenders(currency, locale)
        self.tender = self.split.edit  # the payment being typed
        self.split.problem.connect(self.show_error)
        if view.balance:
            self.split.set_due(0 if deposit else view.balance, most=view.balance)
            self.body.addWidget(self.split)
            self.tender.method_combo.setFocus()
        self.resize(820, 360)

    def collect(self) -> list[SettlementTender]:
        if not self.balance:
            return []
        tenders = self.split.tenders()
        if not tenders:
            raise InvalidInput("Amount", "type how much the customer pays")
        paid = sum(t.amount for t in tenders)
        if not self.deposit and paid != self.balance:
            raise InvalidInput("Payment", f"the customer owes {self.money(self.balance)} but the payments add up to "
                                          f"{self.money(paid)}: Add payment (Ctrl+P) takes one part, then the rest")
        return tenders

    @classmethod
    def ask(cls, parent: QWidget | None, view: OrderView, currency: str, locale: str,
            deposit: bool = False) -> list[SettlementTender] | None:
        return cls._run(parent, view, currency, locale, deposit=deposit)


# ---------------------------------------------------------------------------------- cancel
DEPOSIT_LABELS = {"refund": "Refund it to how it was paid", "store_credit": "Give it as store credit (a voucher)",
                  "keep": "Keep it (the policy allows it; a manager approves)"}


@dataclass(frozen=True)
class CancelAnswer:
    reason: str
    deposit: str
    card_reference: str


class CancelDialog(_OrderDialog):
    def __init__(self, parent: QWidget | None, view: OrderView, currency: str, locale: str, keep_allowed: bool,
                 deposit: str = "refund"):
        super().__init__(parent, "Cancel the order", f"Cancel order {view.number}", "Cancel the order (Enter)",
                         "cancelOrderDialog")
        self.view = view
        money = format_money(view.deposit_paid, currency, locale)
        self.reason_edit = _edit("cancelReason", "Why, e.g. the customer changed their mind")
        form = _form()
        form.addRow("Reason", self.reason_edit)
        self.body.addLayout(form)
        self.choices: dict[str, QRadioButton] = {}
        group = QButtonGroup(self)
        if view.deposit_paid:
            paid = " + ".join(dict.fromkeys(t.label for t in view.tenders if t.kind == "deposit" and t.direction == "in"))
            lead = QLabel(f"The deposit of {money} ({paid}):")
            lead.setProperty("role", "subheading")
            self.body.addWidget(lead)
            for code in orders.DEPOSIT_CHOICES:
                radio = QRadioButton(DEPOSIT_LABELS[code])
                radio.setObjectName(f"deposit_{code}")
                radio.setEnabled(code != "keep" or keep_allowed)
                group.addButton(radio)
                self.choices[code] = radio
                self.body.addWidget(radio)
            if not keep_allowed:
                self.choices["keep"].setToolTip("The policy (Settings) does not let this order's deposit be kept")
            start = self.choices.get(deposit)
            (start if start is not None and start.isEnabled() else self.choices["refund"]).setChecked(True)
        card = any(t.method == "card" for t in view.tenders if t.kind == "deposit" and t.direction == "in")
        self.card_edit = _edit("cancelCardReference", "The card terminal's refund reference")
        self.card_label = QLabel("Card refund reference")
        self.card_label.setProperty("role", "muted")
        self.card_edit.setVisible(card)
        self.card_label.setVisible(card)
        self.body.addWidget(self.card_label)
        self.body.addWidget(self.card_edit)
        self.reason_edit.setFocus()

    def set_deposit(self, code: str) -> None:
        self.choices[code].setChecked(True)

    def deposit(self) -> str:
        return next((code for code, radio in self.choices.items() if radio.isChecked()), "refund")

    def collect(self) -> CancelAnswer:
        reason = self.reason_edit.text().strip()
        if not reason:
            raise InvalidInput("Reason", "say why the order is cancelled")
        return CancelAnswer(reason, self.deposit(), self.card_edit.text().strip())

    @classmethod
    def ask(cls, parent: QWidget | None, view: OrderView, currency: str, locale: str, keep_allowed: bool,
            deposit: str = "refund") -> CancelAnswer | None:
        return cls._run(parent, view, currency, locale, keep_allowed, deposit)


# ---------------------------------------------------------------------------------- past the deadline
@dataclass(frozen=True)
class DeadlineAnswer:
    choice: str  # extend | refund | keep
    new_date: dt.date | None = None
    note: str = ""


class DeadlineDialog(_OrderDialog):
    """A manager's decision on an order not collected by its deadline."""

    def __init__(self, parent: QWidget | None, view: OrderView, locale: str, keep_allowed: bool):
        super().__init__(parent, "Past the collection deadline",
                         f"Order {view.number}: not collected by {date_text(view.collection_deadline, locale)}",
                         "Decide (Enter)", "deadlineDialog")
        self.locale = locale
        group = QButtonGroup(self)
        self.extend = QRadioButton("Extend the deadline")
        self.extend.setObjectName("decideExtend")
        self.refund = QRadioButton("Cancel and refund the deposit")
        self.refund.setObjectName("decideRefund")
        self.keep = QRadioButton("Cancel and keep the deposit (as the policy allows)")
        self.keep.setObjectName("decideKeep")
        self.keep.setEnabled(keep_allowed and view.deposit_paid > 0)
        for radio in (self.extend, self.refund, self.keep):
            group.addButton(radio)
            self.body.addWidget(radio)
        self.extend.setChecked(True)
        self.date_edit = _edit("newDeadline", "dd/mm/yyyy", (today_local() + dt.timedelta(days=7)).strftime("%d/%m/%Y"))
        self.note_edit = _edit("decisionNote", "Why, e.g. the customer is away until the 20th")
        form = _form()
        form.addRow("New deadline", self.date_edit)
        form.addRow("Note", self.note_edit)
        self.body.addLayout(form)
        self.extend.toggled.connect(self.date_edit.setEnabled)
        self.note_edit.setFocus()

    def collect(self) -> DeadlineAnswer:
        note = self.note_edit.text().strip()
        if not note:
            raise InvalidInput("Note", "say why")
        if self.extend.isChecked():
            day = _day(self.date_edit, "New deadline", self.locale)
            if day is None:
                raise InvalidInput("New deadline", "type the new date")
            return DeadlineAnswer("extend", day, note)
        return DeadlineAnswer("keep" if self.keep.isChecked() else "refund", None, note)

    @classmethod
    def ask(cls, parent: QWidget | None, view: OrderView, locale: str, keep_allowed: bool) -> DeadlineAnswer | None:
        return cls._run(parent, view, locale, keep_allowed)


# ---------------------------------------------------------------------------------- who to phone
PHONE_REASONS = {"not_contacted": "Arrived, not told yet", "reminder_due": "Reminder due",
                 "past_deadline": "Past the deadline"}


class WhoToPhoneDialog(QDialog):
    """Customers to call today who cannot be emailed; Enter opens the chosen order."""

    def __init__(self, parent: QWidget | None, rows: list):
        super().__init__(parent)
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

        self.setObjectName("whoToPhoneDialog")
        self.setWindowTitle("Who to phone")
        self.rows = list(rows)
        self.value: str | None = None
        heading = QLabel("Who to phone today")
        heading.setProperty("role", "heading")
        lead = QLabel("Arrived orders whose customer has not been told, or is due a reminder, and who cannot be "
                      "emailed. Log each call on the order (Enter opens it).")
        lead.setProperty("role", "muted")
        lead.setWordWrap(True)
        self.table = QTableWidget(len(self.rows), 5)
        self.table.setObjectName("whoToPhone")
        self.table.setHorizontalHeaderLabels(["Customer", "Phone", "Why", "Items", "Last attempt"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setDefaultSectionSize(34)
        for r, row in enumerate(self.rows):
            values = (row.customer_name, row.phone, PHONE_REASONS.get(row.reason, row.reason), row.items,
                      row.last_attempt or "none yet")
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{row.number}: {text}")
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda index: self.open_row(index.row()))
        if self.rows:
            self.table.selectRow(0)
        close = QPushButton("Close (Esc)")
        close.setMinimumHeight(44)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.open_button = QPushButton("Open the order (Enter)")
        self.open_button.setProperty("primary", True)
        self.open_button.setMinimumSize(220, 48)
        self.open_button.setAutoDefault(False)
        self.open_button.setEnabled(bool(self.rows))
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        buttons = QHBoxLayout()
        buttons.addWidget(close)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(lead)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(980, 520)
        self.table.setFocus()

    def open_row(self, row: int) -> bool:
        if not (0 <= row < len(self.rows)):
            return False
        self.value = self.rows[row].number
        self.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_row(self.table.currentRow())
            return
        super().keyPressEvent(event)

    @classmethod
    def ask(cls, parent: QWidget | None, rows: list) -> str | None:
        """The number of the order chosen, or None."""
        dialog = cls(parent, rows)
        try:
            dialog.exec()
            return dialog.value
        finally:
            dialog.deleteLater()


__all__ = ["WhoToPhoneDialog", "ExpectedDateDialog", "MarkOrderedDialog", "ReceiveDialog", "ContactDialog", "PayDialog", "CancelDialog", "DeadlineDialog",
           "OrderedAnswer", "ReceiveAnswer", "ContactAnswer", "CancelAnswer", "DeadlineAnswer", "METHOD_LABELS",
           "OUTCOME_LABELS", "date_text", "today_local"]
