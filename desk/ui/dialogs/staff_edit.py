"""Dialogs of the Staff screen: add a staff member, reset a PIN, change a role.

Each dialog gathers input and, when given a ``submit`` callback, calls it on OK: a
``DeskError`` it raises is shown inline (an ``InvalidInput`` next to the field it
names) and the dialog stays open, so nothing is lost. The ``ask`` classmethods are
what screens call and what tests monkeypatch.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.services.auth import ROLES
from desk.ui.widgets.field import FIELD_ERROR_STYLE


ROLE_HINTS = {
    "clerk": "returns, exchanges, orders, cases",
    "supervisor": "a clerk who also imports till sales",
    "manager": "approvals, settings, the staff list",
    "head_office": "reports and the audit trail",
    "admin": "everything, including staff and PINs",
}


class RoleChoice(QWidget):
    """The roles as radio buttons: every choice in sight, arrow keys move between them."""

    def __init__(self, current: str = "clerk", parent: QWidget | None = None):
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QRadioButton] = {}
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        for key, label in ROLES.items():
            hint = ROLE_HINTS.get(key, "")
            button = QRadioButton(f"{label}  —  {hint}" if hint else label)
            button.setProperty("roleKey", key)
            self.group.addButton(button)
            self.buttons[key] = button
            box.addWidget(button)
        self.set_role(current)

    def set_role(self, key: str) -> None:
        (self.buttons.get(key) or next(iter(self.buttons.values()))).setChecked(True)

    def role(self) -> str:
        checked = self.group.checkedButton()
        return checked.property("roleKey") if checked else ""

    def setFocus(self, *args) -> None:  # noqa: N802 - Qt's name
        """Focus goes to the chosen role's button, so arrow keys pick another at once."""
        checked = self.group.checkedButton()
        if checked is not None:
            checked.setFocus()
        else:
            super().setFocus(*args)


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property (role, invalid) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    widget.update()


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Outline a field in red (the stylesheet's QLineEdit[invalid="true"]; inline for others)."""
    widget.setProperty("invalid", invalid)
    if not isinstance(widget, QLineEdit):
        # Kept on the Python wrapper: QObject.property() of a name never set leaks a None reference
        base = getattr(widget, "_base_style_sheet", None)
        if base is None:
            base = widget.styleSheet()
            widget._base_style_sheet = base
        widget.setStyleSheet(base + (type(widget).__name__ + " { " + FIELD_ERROR_STYLE + " }" if invalid else ""))
    repolish(widget)


def pin_edit(placeholder: str = "4 to 8 digits") -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setPlaceholderText(placeholder)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
    edit.setMinimumWidth(260)
    edit.setMinimumHeight(34)
    return edit


class FormDialog(QDialog):
    """A dialog with a form, an inline error line, OK (default, Enter) and Cancel (Esc)."""

    ok_text = "OK"

    def __init__(self, parent: QWidget | None = None, submit: Callable | None = None):
        super().__init__(parent)
        self.submit = submit
        self.result_value = None
        self._fields: dict[str, QWidget] = {}
        self.setModal(True)
        self.setMinimumWidth(580)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(14)
        self.intro = QLabel()
        self.intro.setProperty("role", "muted")
        self.intro.setWordWrap(True)
        self.intro.hide()
        outer.addWidget(self.intro)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(10)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(self.form)
        self.error_label = QLabel()
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setProperty("role", "error")
        self.error_label.hide()
        outer.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.ok_text)
        self.ok_button.setDefault(True)
        self.ok_button.setProperty("primary", True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        for b in (self.ok_button, self.cancel_button):
            b.setMinimumSize(120, 40)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

    def add_field(self, label: str, widget: QWidget) -> QWidget:
        """Add a row; ``label`` is also the field name services use in InvalidInput."""
        self._fields[label] = widget
        self.form.addRow(label, widget)
        return widget

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(bool(text))

    # -- errors ------------------------------------------------------------------
    def field_widget(self, name: str) -> QWidget | None:
        if name in self._fields:
            return self._fields[name]
        for label, widget in self._fields.items():  # "New PIN" from a service vs "New PIN" label, case aside
            if label.lower() == name.lower():
                return widget
        return None

    def show_error(self, err: DeskError) -> None:
        self.clear_error()
        self.error_label.setText(str(err))
        self.error_label.show()
        field = getattr(err, "field", None)
        widget = self.field_widget(field) if field else None
        if widget is not None:
            mark_invalid(widget, True)
            widget.setToolTip(str(err))
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()
        for widget in self._fields.values():
            mark_invalid(widget, False)
            widget.setToolTip("")

    def error_text(self) -> str:
        return self.error_label.text() if self.error_label.isVisibleTo(self) else ""

    # -- OK ------------------------------------------------------------------------
    def values(self):
        """What the dialog gathered; raise InvalidInput for what can be checked here."""
        raise NotImplementedError

    def _on_ok(self) -> None:
        try:
            value = self.values()
            if self.submit is not None:
                self.submit(value)
        except DeskError as err:
            self.show_error(err)
            return
        self.result_value = value
        self.accept()

    @staticmethod
    def check_pins_match(first: str, second: str, field: str) -> None:
        if first.strip() and first.strip() != second.strip():
            raise InvalidInput(field, "does not match the PIN typed above; type it again")


class AddStaffDialog(FormDialog):
    ok_text = "Add staff"

    def __init__(self, parent: QWidget | None = None, submit: Callable | None = None):
        super().__init__(parent, submit)
        self.setWindowTitle("Add staff")
        self.set_intro("The new staff member signs in with this code and PIN. Tell them the PIN in person.")
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(16)
        self.code_edit.setPlaceholderText("1 to 16 letters or digits, e.g. 105")
        self.code_edit.setValidator(QRegularExpressionValidator(r"[A-Za-z0-9]{0,16}", self.code_edit))
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(120)
        self.name_edit.setPlaceholderText("Full name as shown on slips")
        self.role_choice = RoleChoice("clerk")
        self.pin_edit = pin_edit()
        self.pin_again_edit = pin_edit("the same PIN again")
        for w in (self.code_edit, self.name_edit):
            w.setMinimumHeight(34)
        self.add_field("Staff code", self.code_edit)
        self.add_field("Name", self.name_edit)
        self.add_field("Role", self.role_choice)
        self.add_field("PIN", self.pin_edit)
        self.add_field("PIN again", self.pin_again_edit)
        self.code_edit.setFocus()

    def values(self) -> dict:
        self.check_pins_match(self.pin_edit.text(), self.pin_again_edit.text(), "PIN again")
        return {
            "code": self.code_edit.text().strip(),
            "name": self.name_edit.text().strip(),
            "role": self.role_choice.role(),
            "pin": self.pin_edit.text().strip(),
        }

    @classmethod
    def ask(cls, parent: QWidget | None = None, submit: Callable[[dict], object] | None = None) -> dict | None:
        """Show the dialog; return {code, name, role, pin} once ``submit`` took them, or None."""
        dialog = cls(parent, submit)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_value
            return None
        finally:
            dialog.deleteLater()


class ResetPinDialog(FormDialog):
    ok_text = "Reset PIN"

    def __init__(self, parent: QWidget | None = None, staff_name: str = "", submit: Callable | None = None):
        super().__init__(parent, submit)
        self.setWindowTitle("Reset PIN")
        self.set_intro(f"Set a new PIN for {staff_name}. This also unlocks the account if it is locked.")
        self.pin_edit = pin_edit()
        self.pin_again_edit = pin_edit("the same PIN again")
        self.add_field("New PIN", self.pin_edit)
        self.add_field("New PIN again", self.pin_again_edit)
        self.pin_edit.setFocus()

    def values(self) -> str:
        self.check_pins_match(self.pin_edit.text(), self.pin_again_edit.text(), "New PIN again")
        return self.pin_edit.text().strip()

    @classmethod
    def ask(cls, parent: QWidget | None, staff_name: str, submit: Callable[[str], object] | None = None) -> str | None:
        """Show the dialog; return the new PIN once ``submit`` took it, or None."""
        dialog = cls(parent, staff_name, submit)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_value
            return None
        finally:
            dialog.deleteLater()


class ChangeRoleDialog(FormDialog):
    ok_text = "Change role"

    def __init__(self, parent: QWidget | None = None, staff_name: str = "", current_role: str = "clerk", submit: Callable | None = None):
        super().__init__(parent, submit)
        self.setWindowTitle("Change role")
        self.set_intro(f"What may {staff_name} do? The change applies at once, on every desk.")
        self.role_choice = RoleChoice(current_role)
        self.add_field("Role", self.role_choice)
        self.role_choice.setFocus()

    def values(self) -> str:
        return self.role_choice.role()

    @classmethod
    def ask(cls, parent: QWidget | None, staff_name: str, current_role: str, submit: Callable[[str], object] | None = None) -> str | None:
        """Show the dialog; return the chosen role key once ``submit`` took it, or None."""
        dialog = cls(parent, staff_name, current_role, submit)
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                return dialog.result_value
            return None
        finally:
            dialog.deleteLater()
