"""Ask why (and, when the person at the desk may not do it, a manager's code and PIN) before a
manager's action: voiding an exchange, cancelling a voucher.

``ManagerReasonDialog.ask(parent, title=..., heading=..., effects=[...], confirm=..., need_manager=...)``
returns a ``ReasonAnswer`` (the reason and, with ``need_manager``, a ``DeskApproval``) or None when
backed out (tests replace this step). The service checks the PIN and the manager's right.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk.services.returns import DeskApproval


@dataclass(frozen=True)
class ReasonAnswer:
    reason: str
    approver: DeskApproval | None = None


class ManagerReasonDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, title: str, heading: str, effects: list[str], confirm: str,
                 need_manager: bool, placeholder: str = ""):
        super().__init__(parent)
        self.setObjectName("managerReasonDialog")
        self.setWindowTitle(title)
        self.need_manager = need_manager
        self.answer: ReasonAnswer | None = None
        head = QLabel(heading)
        head.setProperty("role", "heading")
        head.setWordWrap(True)
        self.effects_label = QLabel("\n".join(f"• {e}" for e in effects))
        self.effects_label.setObjectName("reasonEffects")
        self.effects_label.setWordWrap(True)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMinimumHeight(40)
        self.reason_edit.setMaxLength(300)
        self.reason_edit.setPlaceholderText(placeholder)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("managerCode")
        self.code_edit.setPlaceholderText("e.g. 300")
        self.code_edit.setMaxLength(16)
        self.code_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z0-9]{0,16}"), self))
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("managerPin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(8)
        self.pin_edit.setPlaceholderText("4 to 8 digits")
        self.pin_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), self))
        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Reason (required)", self.reason_edit)
        manager_note = QLabel("Only a manager may do this: a manager types their code and PIN here. "
                              "Wrong PINs count toward their lockout.")
        manager_note.setProperty("role", "approval")
        manager_note.setWordWrap(True)
        if need_manager:
            for edit in (self.code_edit, self.pin_edit):
                edit.setMinimumHeight(40)
            form.addRow("Manager's code", self.code_edit)
            form.addRow("Manager's PIN", self.pin_edit)
        else:
            self.code_edit.hide()
            self.pin_edit.hide()
            manager_note.hide()
        self.error = QLabel()
        self.error.setObjectName("reasonError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        for edit in (self.reason_edit, self.code_edit, self.pin_edit):
            edit.textEdited.connect(lambda _t: self.error.hide())
        self.ok_button = QPushButton(f"{confirm}  (Enter)")
        self.ok_button.setObjectName("confirmButton")
        self.ok_button.setProperty("primary", True)
        self.ok_button.setStyleSheet("QPushButton { background: #b3261e; border-color: #8c1d17; color: white; }")
        self.ok_button.setDefault(True)
        self.ok_button.setMinimumSize(220, 48)
        self.ok_button.clicked.connect(self.confirm)
        back = QPushButton("Keep it  (Esc)")
        back.setAutoDefault(False)
        back.setMinimumSize(140, 48)
        back.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        for w in (head, self.effects_label, manager_note):
            layout.addWidget(w)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.resize(640, self.sizeHint().height())
        self.reason_edit.setFocus()

    def _problem(self, text: str, focus: QLineEdit) -> None:
        self.error.setText(text)
        self.error.show()
        focus.setFocus()

    def confirm(self) -> bool:
        reason = self.reason_edit.text().strip()
        if not reason:
            self._problem("Reason: say why.", self.reason_edit)
            return False
        approver = None
        if self.need_manager:
            code, pin = self.code_edit.text().strip(), self.pin_edit.text().strip()
            if not code:
                self._problem("Manager's code: enter the manager's staff code.", self.code_edit)
                return False
            if not (4 <= len(pin) <= 8 and pin.isdigit()):
                self._problem("Manager's PIN: 4 to 8 digits.", self.pin_edit)
                return False
            approver = DeskApproval(code, pin, reason)
        self.answer = ReasonAnswer(reason, approver)
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, *, title: str, heading: str, effects: list[str], confirm: str,
            need_manager: bool, placeholder: str = "") -> ReasonAnswer | None:
        dialog = cls(parent, title=title, heading=heading, effects=effects, confirm=confirm,
                     need_manager=need_manager, placeholder=placeholder)
        try:
            dialog.exec()
            return dialog.answer
        finally:
            dialog.deleteLater()
