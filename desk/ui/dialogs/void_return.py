"""Void a return (manager, the same day): asks for the reason and a confirmation.

``VoidReturnDialog.ask_reason(parent, view)`` returns the reason typed, or None when the manager
backed out (tests replace this step). The void itself is ``desk.services.returns.void_return``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk.money import format_money
from desk.services.returns import ReturnView


class VoidReturnDialog(QDialog):
    def __init__(self, view: ReturnView, parent: QWidget | None = None, *, locale: str = "en_GB"):
        super().__init__(parent)
        self.setObjectName("voidReturnDialog")
        self.setWindowTitle(f"Void return {view.number}")
        heading = QLabel(f"Void return {view.number}?")
        heading.setProperty("role", "heading")
        money = format_money(view.total, view.currency, locale)
        tenders = ", ".join(f"{t.label} {format_money(t.amount, view.currency, locale)}" for t in view.tender_totals())
        what = QLabel(f"The refund of {money} ({tenders or 'nothing refunded'}) is undone in the records.")
        what.setWordWrap(True)
        effects = ["The items become returnable again on the sale."]
        if any(l.disposition == "stock" for l in view.lines):
            effects.append("Items put back to stock are taken out of stock again.")
        if view.voucher_codes:
            effects.append("Store credit voucher " + ", ".join(view.voucher_codes)
                           + " is cancelled (the void is refused if it was spent).")
        if view.cash_refunded:
            effects.append(f"Take back the {format_money(view.cash_refunded, view.currency, locale)} cash handed out.")
        effects_label = QLabel("\n".join(f"• {e}" for e in effects))
        effects_label.setObjectName("voidEffects")
        effects_label.setWordWrap(True)
        prompt = QLabel("Reason (required), kept in the audit trail:")
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("voidReasonEdit")
        self.reason_edit.setMinimumHeight(40)
        self.reason_edit.setMaxLength(300)
        self.reason_edit.setPlaceholderText("e.g. rang up the wrong receipt")
        prompt.setBuddy(self.reason_edit)
        self.error = QLabel()
        self.error.setObjectName("voidError")
        self.error.setProperty("role", "error")
        self.error.hide()
        self.reason_edit.textEdited.connect(lambda _t: self.error.hide())
        self.ok_button = QPushButton("Void the return  (Enter)")
        self.ok_button.setObjectName("confirmVoidButton")
        self.ok_button.setProperty("primary", True)
        self.ok_button.setStyleSheet("QPushButton { background: #b3261e; border-color: #8c1d17; color: white; }")
        self.ok_button.setDefault(True)
        self.ok_button.setMinimumSize(220, 48)
        self.ok_button.clicked.connect(self.confirm)
        back = QPushButton("Keep it  (Esc)")
        back.setMinimumSize(140, 48)
        back.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        for w in (heading, what, effects_label, prompt, self.reason_edit, self.error):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self.resize(620, self.sizeHint().height())
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def confirm(self) -> None:
        if not self.reason():
            self.error.setText("Reason: say why the return is voided.")
            self.error.show()
            self.reason_edit.setFocus()
            return
        self.accept()

    @classmethod
    def ask_reason(cls, parent: QWidget | None, view: ReturnView, locale: str = "en_GB") -> str | None:
        dialog = cls(view, parent, locale=locale)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason()
        return None
