"""The signed-in person changes their own PIN."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from desk.errors import AuthFailed, InvalidInput
from desk.services import staff as staff_service
from desk.ui.context import AppContext
from desk.ui.dialogs.staff_edit import FormDialog, pin_edit


class ChangePinDialog(FormDialog):
    ok_text = "Change PIN"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent, submit=self._change)
        self.ctx = ctx
        self.setWindowTitle("Change my PIN")
        who = ctx.staff.name if ctx.staff is not None else "you"
        self.set_intro(f"Change the PIN {who} signs in with. Type the current PIN first.")
        self.current_edit = pin_edit("the PIN you sign in with now")
        self.new_edit = pin_edit()
        self.new_again_edit = pin_edit("the same new PIN again")
        self.add_field("Current PIN", self.current_edit)
        self.add_field("New PIN", self.new_edit)
        self.add_field("New PIN again", self.new_again_edit)
        self.current_edit.setFocus()

    def values(self) -> tuple[str, str]:
        if not self.current_edit.text().strip():
            raise InvalidInput("Current PIN", "is required")
        self.check_pins_match(self.new_edit.text(), self.new_again_edit.text(), "New PIN again")
        return self.current_edit.text().strip(), self.new_edit.text().strip()

    def _change(self, value: tuple[str, str]) -> None:
        current, new = value
        if self.ctx.staff is None:
            raise AuthFailed("Nobody is signed in.")
        try:
            staff_service.change_own_pin(self.ctx.staff, current, new)
        except AuthFailed as err:
            # Point at the field that was wrong, clear it for another try, and keep the
            # service's words (how many tries are left before the account locks).
            self.current_edit.clear()
            raise InvalidInput("Current PIN", str(err)) from err

    @classmethod
    def run(cls, ctx: AppContext, parent: QWidget | None = None) -> bool:
        """Show the dialog; True when the PIN was changed."""
        dialog = cls(ctx, parent)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()
