"""How the customer pays an amount: cash, card (last four digits and the terminal's reference),
gift card (its reference) or a store credit voucher (its code). One tender; the fields a method
needs are the only ones shown. ``tender()`` gives a ``SettlementTender`` or raises InvalidInput
naming the field that is wrong (the service checks again: a voucher's balance, the amounts).
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from desk.errors import InvalidInput
from babel.numbers import format_decimal

from desk.money import exponent, from_minor, parse_amount
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

    def __init__(self, currency: str, locale: str, parent: QWidget | None = None, *, fixed_amount: bool = False):
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
        self.amount_edit.setMaximumWidth(170)
        self.last4_edit.setMaximumWidth(130)

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
        grid.addWidget(self.last4_label, 0, 2)
        grid.addWidget(self.last4_edit, 1, 2)
        grid.addWidget(self.reference_label, 0, 3)
        grid.addWidget(self.reference_edit, 1, 3)
        grid.addWidget(self.voucher_label, 0, 2, 1, 2)
        grid.addWidget(self.voucher_edit, 1, 2, 1, 2)
        grid.setColumnStretch(3, 1)
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
        card, gift, voucher = method == "card", method == "gift_card", method == "store_credit"
        self.last4_label.setVisible(card)
        self.last4_edit.setVisible(card)
        self.reference_label.setVisible(card or gift)
        self.reference_edit.setVisible(card or gift)
        self.reference_label.setText("Terminal's reference" if card else "Gift card number or reference")
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
            return SettlementTender("card", amount, card_brand="Card", card_last4=last4,
                                    reference=self.reference_edit.text().strip())
        if method == "store_credit":
            code = self.voucher_edit.text().strip().upper()
            if not code:
                raise InvalidInput("Voucher", "scan or type the store credit voucher's code")
            return SettlementTender("store_credit", amount, voucher_code=code)
        if method == "gift_card":
            return SettlementTender("gift_card", amount, reference=self.reference_edit.text().strip())
        return SettlementTender("cash", amount)


__all__ = ["TenderEdit", "METHODS", "amount_text"]
