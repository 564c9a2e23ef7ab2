"""How the customer pays an amount: cash, card (last four digits and the terminal's reference),
gift card (its reference) or a store credit voucher (its code). ``TenderEdit`` is one tender; the
fields a method needs are the only ones shown. ``tender()`` gives a ``SettlementTender`` or raises
InvalidInput naming the field that is wrong (the service checks again: a voucher's balance, the
amounts, with ``exchanges.check_tenders``).

``SplitTenders`` takes several (the exchange's settle step and the order dialogs): the fields
describe one payment, *Add payment* (Ctrl+P) takes it and fills the fields with what is still to
pay, and the list shows what was taken. ``tenders()`` is the payments taken plus the one still in
the fields. ``narrow=True`` stacks the fields for a side panel (the exchange's, 300 px).
"""

from __future__ import annotations

from babel.numbers import format_decimal
from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk.errors import DeskError, InvalidInput
from desk.money import exponent, format_money, from_minor, parse_amount
from desk.services.exchanges import SettlementTender

def amount_text(minor: int, currency: str, locale: str) -> str:
    """An amount as a person types it in the store's locale, no symbol, no grouping: 1250 -> '12.50'."""
    places = exponent(currency)
    pattern = "0." + "0" * places if places else "0"
    return format_decimal(from_minor(minor, currency), format=pattern, locale=locale)


METHODS = (("cash", "Cash"), ("card", "Card"), ("gift_card", "Gift card"), ("store_credit", "Store credit voucher"))


class TenderEdit(QWidget):
    """Amount, method and the method's details in one grid."""

    changed = Signal()

    def __init__(self, currency: str, locale: str, parent: QWidget | None = None, *, fixed_amount: bool = False,
                 narrow: bool = False):
        super().__init__(parent)
        self.setObjectName("tenderEdit")
        self.currency, self.locale = currency, locale
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("tenderAmount")
        self.amount_edit.setPlaceholderText("e.g. 12.50")
        self.amount_edit.setReadOnly(fixed_amount)
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("tenderMethod")
        for code, label in METHODS:
            self.method_combo.addItem(label, code)
        self.last4_edit = QLineEdit()
        self.last4_edit.setObjectName("tenderLast4")
        self.last4_edit.setPlaceholderText("last 4 digits")
        self.last4_edit.setMaxLength(4)
        self.last4_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,4}"), self))
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("tenderReference")
        self.reference_edit.setMaxLength(80)
        self.voucher_edit = QLineEdit()
        self.voucher_edit.setObjectName("tenderVoucher")
        self.voucher_edit.setPlaceholderText("Scan or type the voucher code (V-…)")
        self.voucher_edit.setMaxLength(40)
        for w in (self.amount_edit, self.method_combo, self.last4_edit, self.reference_edit, self.voucher_edit):
            w.setMinimumHeight(38)
        self.amount_edit.setMaximumWidth(100 if narrow else 170)
        self.last4_edit.setMaximumWidth(110 if narrow else 130)
        self.narrow = narrow
        if narrow:  # a side panel: short words, the amount never squeezed by the method's name
            self.amount_edit.setMinimumWidth(100)
            self.method_combo.setItemText(self.method_combo.findData("store_credit"), "Store credit")
            self.method_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            self.method_combo.setMinimumContentsLength(6)  # "Store credit" still shows: the combo takes the room left
            self.last4_edit.setPlaceholderText("")

        self.last4_label = QLabel("Card's last 4")
        self.reference_label = QLabel("Reference")
        self.voucher_label = QLabel("Voucher")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for col, (text, widget) in enumerate((("Amount", self.amount_edit), ("Paid by", self.method_combo))):
            label = QLabel(text)
            label.setProperty("role", "muted")
            label.setBuddy(widget)
            grid.addWidget(label, 0, col)
            grid.addWidget(widget, 1, col)
        for label in (self.last4_label, self.reference_label, self.voucher_label):
            label.setProperty("role", "muted")
        # wide: one row (amount, method, details); narrow: the details on the rows below
        row, col = (2, 0) if narrow else (0, 2)
        grid.addWidget(self.last4_label, row, col)
        grid.addWidget(self.last4_edit, row + 1, col)
        grid.addWidget(self.reference_label, row, col + 1)
        grid.addWidget(self.reference_edit, row + 1, col + 1)
        grid.addWidget(self.voucher_label, row, col, 1, 2)
        grid.addWidget(self.voucher_edit, row + 1, col, 1, 2)
        grid.setColumnStretch(col + 1, 1)
        self.method_combo.currentIndexChanged.connect(self._method_changed)
        self.amount_edit.textEdited.connect(lambda _t: self.changed.emit())
        self._method_changed()

    # -- state -----------------------------------------------------------------------------
    def method(self) -> str:
        return self.method_combo.currentData()

    def set_method(self, method: str) -> None:
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(method)))

    def set_amount(self, minor: int) -> None:
        self.amount_edit.setText(amount_text(minor, self.currency, self.locale) if minor else "")

    def _method_changed(self, *_args) -> None:
        method = self.method()
        if self.method_combo.hasFocus() and method in ("card", "store_credit"):
            # the card's digits or the scanner go straight where they belong
            (self.last4_edit if method == "card" else self.voucher_edit).setFocus()
        card, gift, voucher = method == "card", method == "gift_card", method == "store_credit"
        self.last4_label.setVisible(card)
        self.last4_edit.setVisible(card)
        self.reference_label.setVisible(card or gift)
        self.reference_edit.setVisible(card or gift)
        self.reference_label.setText("Terminal's reference" if card else "Gift card number or reference")
        if not self.narrow:  # (narrow: the label says it; a placeholder would be cut)
            self.reference_edit.setPlaceholderText("as the card terminal prints it" if card else "the gift card's number")
        self.voucher_label.setVisible(voucher)
        self.voucher_edit.setVisible(voucher)
        self.changed.emit()

    def amount(self) -> int:
        """The amount typed, in minor units (InvalidInput('Amount', ...) when it is not one)."""
        text = self.amount_edit.text().strip()
        if not text:
            return 0
        try:
            value = parse_amount(text, self.currency, self.locale)
        except ValueError as exc:
            raise InvalidInput("Amount", str(exc)) from None
        if value < 0:
            raise InvalidInput("Amount", "must be zero or more")
        return value

    def tender(self) -> SettlementTender | None:
        """The tender as typed (None when the amount is zero)."""
        amount = self.amount()
        if amount == 0:
            return None
        method = self.method()
        if method == "card":
            last4 = self.last4_edit.text().strip()
            if len(last4) != 4:
                raise InvalidInput("Card's last 4", "type the last four digits of the card")
            reference = self.reference_edit.text().strip()
            if not reference:  # the service asks for it too (exchanges.check_tenders)
                raise InvalidInput("Terminal's reference", "type the reference the card terminal printed")
            return SettlementTender("card", amount, card_brand="Card", card_last4=last4, reference=reference)
        if method == "store_credit":
            code = self.voucher_edit.text().strip().upper()
            if not code:
                raise InvalidInput("Voucher", "scan or type the store credit voucher's code")
            return SettlementTender("store_credit", amount, voucher_code=code)
        if method == "gift_card":
            return SettlementTender("gift_card", amount, reference=self.reference_edit.text().strip())
        return SettlementTender("cash", amount)


class SplitTenders(QWidget):
    """Several tenders for one amount (cash + card, voucher + card...): a ``TenderEdit`` for the
    payment being typed, Add payment (Ctrl+P) and Clear, and the payments taken with what is
    still to pay. ``problem`` carries a refusal to show (a field named).

    ``narrow``: stacked for a side panel; ``shortcut=False`` when the screen holding it declares
    Ctrl+P itself (two shortcuts on one key would cancel each other); ``show_due``: "Still to pay"
    shows before anything is taken too."""

    changed = Signal()
    problem = Signal(str)

    def __init__(self, currency: str, locale: str, parent: QWidget | None = None, *, narrow: bool = False,
                 shortcut: bool = True, show_due: bool = False):
        super().__init__(parent)
        self.setObjectName("splitTenders")
        self.currency, self.locale = currency, locale
        self.show_due = show_due
        self.payments: list[SettlementTender] = []
        self.due = 0
        self.most: int | None = None
        self.edit = TenderEdit(currency, locale, narrow=narrow)
        self.edit.changed.connect(self.changed.emit)
        self.add_button = QPushButton("Add payment (Ctrl+P)")
        self.add_button.setObjectName("addPayment")
        self.add_button.setToolTip("Split tenders: take this part now, then choose how the rest is paid")
        self.add_button.clicked.connect(self.add_clicked)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearPayments")
        self.clear_button.clicked.connect(self.clear)
        for b in (self.add_button, self.clear_button):
            b.setAutoDefault(False)
            b.setMinimumHeight(38)
        self.taken_label = QLabel("")
        self.taken_label.setObjectName("paymentsTaken")
        self.taken_label.setTextFormat(Qt.TextFormat.PlainText)
        self.taken_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button, 1 if narrow else 0)
        buttons.addWidget(self.clear_button)
        if not narrow:
            buttons.addWidget(self.taken_label, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        self.voucher_hint = QLabel("")
        self.voucher_hint.setObjectName("voucherBalance")
        self.voucher_hint.setProperty("role", "muted")
        self.voucher_hint.setWordWrap(True)
        self.voucher_hint.hide()
        self.edit.voucher_edit.textChanged.connect(lambda _t: self._voucher_changed())
        self.edit.method_combo.currentIndexChanged.connect(lambda _i: self._voucher_changed())
        box.addWidget(self.edit)
        box.addWidget(self.voucher_hint)
        box.addLayout(buttons)
        if narrow:
            box.addWidget(self.taken_label)
        if shortcut:
            key = QShortcut(QKeySequence("Ctrl+P"), self)
            key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(self.add_clicked)
        self._show()

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def taken(self) -> int:
        return sum(t.amount for t in self.payments)

    def remaining(self) -> int:
        return max(0, self.due - self.taken())

    def set_due(self, amount: int, most: int | None = None) -> None:
        """What is to pay (the fields offer what is left of it); ``most``: what may be paid at most
        (a deposit: the order's total), when it is more than ``amount``."""
        self.due = max(0, int(amount))
        self.most = None if most is None else max(self.due, int(most))
        self.edit.set_amount(self.remaining())
        self._show()

    def add_payment(self) -> SettlementTender:
        """Take the payment the fields describe; the fields then offer the rest (DeskError naming the field)."""
        tender = self.edit.tender()
        if tender is None:
            raise InvalidInput("Amount", "type how much this payment is")
        limit = (self.most if self.most is not None else self.due) - self.taken()
        if (self.due or self.most) and tender.amount > limit:
            raise InvalidInput("Amount", f"only {self.money(max(0, limit))} is left to pay")
        if tender.method == "store_credit":
            self._check_voucher(tender)
        self.payments.append(tender)
        self.edit.set_method("cash")
        for w in (self.edit.last4_edit, self.edit.reference_edit, self.edit.voucher_edit):
            w.clear()
        self.edit.set_amount(self.remaining())
        self._show()
        self.edit.amount_edit.setFocus()
        self.changed.emit()
        return tender

    def _check_voucher(self, tender: SettlementTender) -> None:
        """A voucher pays no more than it holds (and a voucher is taken once): refused here, with
        its field named, rather than when the whole sale is written."""
        from desk.errors import NotFound
        from desk.services import credit

        code = tender.voucher_code
        if not credit.is_voucher_code(code):
            raise InvalidInput("Voucher", f"'{code}' is not a voucher code")
        try:
            view = credit.voucher_view(code)
        except NotFound:
            raise NotFound(f"No voucher has the code {code}.") from None
        left = view.balance - sum(t.amount for t in self.payments if t.voucher_code == code)
        if view.status != "active" or left <= 0:
            raise InvalidInput("Voucher", f"{code} has nothing left to spend")
        if tender.amount > left:
            raise InvalidInput("Voucher", f"{code} has only {self.money(left)} left")

    def _voucher_changed(self) -> None:
        """A voucher's balance as its code is scanned (as on the exchange's settle step); the amount
        offered is what it can pay of what is left."""
        from desk.errors import NotFound
        from desk.services import credit

        code = self.edit.voucher_edit.text().strip().upper()
        text = ""
        if self.edit.method() == "store_credit" and code:
            if not credit.is_voucher_code(code):
                text = "Scan or type the voucher's code (V- and 12 letters and digits)."
            else:
                try:
                    view = credit.voucher_view(code)
                except NotFound as exc:
                    text = str(exc)
                else:
                    if view.status != "active":
                        text = f"Voucher {view.code} is {view.status}: nothing can be taken from it."
                    else:
                        take = min(view.balance, self.remaining()) if self.remaining() else view.balance
                        text = f"Balance {self.money(view.balance)}: {self.money(take)} can be taken now."
                        self.edit.set_amount(take)
        self.voucher_hint.setText(text)
        self.voucher_hint.setVisible(bool(text))

    def add_clicked(self) -> bool:
        try:
            self.add_payment()
        except DeskError as exc:
            from desk.ui.messages import describe

            self.problem.emit(describe(exc))
            return False
        self.problem.emit("")
        return True

    def clear(self) -> None:
        self.payments = []
        self.edit.set_amount(self.remaining())
        self._show()
        self.changed.emit()

    def tenders(self) -> list[SettlementTender]:
        """The payments taken and the one in the fields (when it has an amount)."""
        pending = self.edit.tender()
        return list(self.payments) + ([pending] if pending is not None else [])

    def refresh(self) -> None:
        """Show the payments taken again (after ``payments`` was set from outside)."""
        self._show()

    def _show(self) -> None:
        from desk.services.returns import tender_label

        lines = [f"{tender_label(t.method, t.card_brand, t.card_last4)}: {self.money(t.amount)}"
                 + (f" · {t.voucher_code}" if t.voucher_code else "") for t in self.payments]
        if (self.payments or self.show_due) and self.due:
            left = self.remaining()
            lines.append(f"Still to pay: {self.money(left)}" if left else "Paid in full.")
        self.taken_label.setText("\n".join(lines))
        self.clear_button.setVisible(bool(self.payments))


__all__ = ["TenderEdit", "SplitTenders", "METHODS", "amount_text"]
