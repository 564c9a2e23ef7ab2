"""A supervisor or manager approves a return at the clerk's desk: staff code, PIN and a note.

``ApproveAtDeskDialog.ask(parent, reasons)`` returns a ``DeskApproval`` or None (tests
replace it). The dialog checks only that the fields are filled in; the returns service
checks the PIN (wrong PINs count toward the approver's lockout), the approver's role, and
that nobody approves their own return.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desk.services.returns import DeskApproval


class ApproveAtDeskDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, reasons: list[str] | None = None, override: bool = False,
                 subject: str = "return"):
        super().__init__(parent)
        self.setObjectName("approveAtDesk")
        self.setWindowTitle("Approve at the desk")
        self.setModal(True)
        self.result_value: DeskApproval | None = None

        heading = QLabel("A manager overrides the refusal" if override else "A supervisor or manager approves")
        heading.setProperty("role", "heading")
        heading.setWordWrap(True)
        self.subject = subject
        why = QLabel(f"This {subject} needs their approval because:")
        why.setProperty("role", "muted")
        self.reasons = QLabel("\n".join(f"• {r[:1].upper()}{r[1:]}" for r in (reasons or [])))
        self.reasons.setObjectName("approvalReasons")
        self.reasons.setProperty("role", "error" if override else "approval")
        self.reasons.setWordWrap(True)
        rule = QLabel(f"The clerk taking the {subject} cannot approve it. Wrong PINs count toward the approver's lockout.")
        rule.setProperty("role", "muted")
        rule.setWordWrap(True)

        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("approverCode")
        self.code_edit.setPlaceholderText("e.g. 300")
        self.code_edit.setMaxLength(16)
        self.code_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z0-9]{0,16}"), self))
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("approverPin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(8)
        self.pin_edit.setPlaceholderText("4 to 8 digits")
        self.pin_edit.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,8}"), self))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("approvalNote")
        self.note_edit.setPlaceholderText("Why it is approved (printed on the slip)")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(80)
        for edit in (self.code_edit, self.pin_edit):
            edit.setMinimumHeight(38)
            edit.setMinimumWidth(260)

        form = QFormLayout()
        form.setSpacing(10)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Approver's code", self.code_edit)
        form.addRow("PIN", self.pin_edit)
        form.addRow("Note", self.note_edit)

        self.error = QLabel("")
        self.error.setObjectName("approvalError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()

        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setMinimumHeight(42)
        self.cancel_button.clicked.connect(self.reject)
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setProperty("primary", True)
        self.approve_button.setDefault(True)
        self.approve_button.setMinimumWidth(180)
        self.approve_button.clicked.connect(self.try_accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.approve_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(why)
        layout.addWidget(self.reasons)
        layout.addWidget(rule)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.setMinimumWidth(560)
        self.code_edit.setFocus()

    def try_accept(self) -> bool:
        code = self.code_edit.text().strip()
        pin = self.pin_edit.text().strip()
        note = self.note_edit.toPlainText().strip()
        problem = ""
        if not code:
            problem, focus = "Approver's code: enter the supervisor's or manager's staff code.", self.code_edit
        elif not (4 <= len(pin) <= 8 and pin.isdigit()):
            problem, focus = "PIN: 4 to 8 digits.", self.pin_edit
        elif not note:
            problem, focus = f"Note: say why the {self.subject} is approved.", self.note_edit
        if problem:
            self.error.setText(problem)
            self.error.show()
            focus.setFocus()
            return False
        self.result_value = DeskApproval(code, pin, note)
        self.accept()
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, reasons: list[str], override: bool = False,
            subject: str = "return") -> DeskApproval | None:
        """The approver's code, PIN and note, or None when cancelled. ``override``: the policy
        refused the return and a manager overrides it (the screen passes the reasons only)."""
        dialog = cls(parent, reasons, override, subject)
        try:
            dialog.exec()
            return dialog.result_value
        finally:
            dialog.deleteLater()
