"""Redeem part of a voucher at the desk: the amount (at most the balance) and a reference.

``RedeemVoucherDialog.ask(parent, view, locale) -> (amount in minor units, reference) | None``
(tests replace this step). The dialog parses the amount; ``credit.redeem`` refuses more than
the balance and names it, and that refusal is what the screen shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk.money import format_money, parse_amount
from desk.services.credit import VoucherView


class RedeemVoucherDialog(QDialog):
    def __init__(self, view: VoucherView, parent: QWidget | None = None, *, locale: str = "en_GB"):
        super().__init__(parent)
        self.setObjectName("redeemVoucherDialog")
        self.setWindowTitle(f"Redeem voucher {view.code}")
        self.view, self.locale = view, locale
        self.result_value: tuple[int, str] | None = None
        heading = QLabel(f"Redeem voucher {view.code}")
        heading.setProperty("role", "heading")
        left = QLabel(f"{format_money(view.balance, view.currency, locale)} left of "
                      f"{format_money(view.amount, view.currency, locale)}")
        left.setObjectName("redeemBalance")
        left.setProperty("role", "subheading")
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("redeemAmount")
        self.amount_edit.setMinimumHeight(40)
        self.amount_edit.setPlaceholderText(f"e.g. {format_money(min(view.balance, 1000) or 1000, view.currency, locale)}")
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("redeemReference")
        self.reference_edit.setMinimumHeight(40)
        self.reference_edit.setMaxLength(80)
        self.reference_edit.setPlaceholderText("Till receipt or what it paid for")
        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Amount", self.amount_edit)
        form.addRow("Reference", self.reference_edit)
        self.error = QLabel()
        self.error.setObjectName("redeemError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.amount_edit.textEdited.connect(lambda _t: self.error.hide())
        ok = QPushButton("Redeem  (Enter)")
        ok.setObjectName("confirmRedeem")
        ok.setProperty("primary", True)
        ok.setDefault(True)
        ok.setMinimumSize(180, 48)
        ok.clicked.connect(self.confirm)
        back = QPushButton("Cancel  (Esc)")
        back.setAutoDefault(False)
        back.setMinimumSize(130, 48)
        back.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(left)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(520, self.sizeHint().height())
        self.amount_edit.setFocus()

    def confirm(self) -> bool:
        try:
            amount = parse_amount(self.amount_edit.text(), self.view.currency, self.locale)
        except ValueError as err:
            self.error.setText(f"Amount: {err}")
            self.error.show()
            self.amount_edit.setFocus()
            return False
        self.result_value = (amount, self.reference_edit.text().strip())
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, view: VoucherView, locale: str = "en_GB") -> tuple[int, str] | None:
        dialog = cls(view, parent, locale=locale)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()
