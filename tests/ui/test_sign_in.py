"""The sign-in dialog: success, wrong PINs with tries left, lockout, demo PINs for a demo store only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit

from desk.models import AuditEvent, Staff
from desk.services.demo import DEMO_STAFF
from desk.ui.dialogs.sign_in import LOCK, START, SWITCH, SignInDialog
from tests.conftest import ADMIN_CODE, ADMIN_PIN


def open_dialog(qtbot, ctx, **kwargs) -> SignInDialog:
    dialog = SignInDialog(ctx, None, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(qtbot, dialog: SignInDialog, code: str, pin: str) -> None:
    dialog.code_edit.setText(code)
    dialog.pin_edit.setText(pin)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def test_right_pin_signs_in_and_accepts(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    attempt(qtbot, dialog, ADMIN_CODE, ADMIN_PIN)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.staff is not None and dialog.staff.code == ADMIN_CODE
    assert AuditEvent.select().where(AuditEvent.action == "auth.sign_in", AuditEvent.staff_code == ADMIN_CODE).exists()


def test_enter_in_the_pin_field_signs_in(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    dialog.code_edit.setText(ADMIN_CODE)
    qtbot.keyClicks(dialog.pin_edit, ADMIN_PIN)
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)
    assert dialog.staff is not None and dialog.staff.code == ADMIN_CODE


def test_pin_field_hides_the_pin_and_takes_only_digits(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    assert dialog.pin_edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(dialog.pin_edit, "12ab34x567890")
    assert dialog.pin_edit.text() == "12345678"


def test_wrong_pin_says_how_many_tries_are_left(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    attempt(qtbot, dialog, ADMIN_CODE, "135790")
    assert dialog.staff is None
    assert dialog.isVisible()
    assert dialog.error_label.text() == "Wrong PIN. 4 more wrong PINs and the account locks for 5 minutes."
    assert dialog.pin_edit.text() == ""


def test_five_wrong_pins_lock_the_account_and_say_for_how_long(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    for _ in range(4):
        attempt(qtbot, dialog, ADMIN_CODE, "135790")
    assert "1 more wrong PIN and the account locks" in dialog.error_label.text()
    attempt(qtbot, dialog, ADMIN_CODE, "135790")
    assert "locked after 5 wrong PINs" in dialog.error_label.text()
    assert "Try again in 5 minutes" in dialog.error_label.text()
    # Now even the right PIN is refused, with the same message.
    attempt(qtbot, dialog, ADMIN_CODE, ADMIN_PIN)
    assert dialog.staff is None
    assert "locked after 5 wrong PINs" in dialog.error_label.text()
    assert Staff.get(Staff.code == ADMIN_CODE).locked_until is not None


def test_a_short_pin_is_not_tried_and_costs_no_attempt(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    attempt(qtbot, dialog, ADMIN_CODE, "12")
    assert dialog.error_label.text() == "Enter your PIN: 4 to 8 digits."
    assert Staff.get(Staff.code == ADMIN_CODE).failed_attempts == 0


def test_unknown_code_is_named(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    attempt(qtbot, dialog, "555", "135790")
    assert dialog.error_label.text() == "No staff member has the code '555'."


def _all_text(dialog) -> str:
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    table = getattr(dialog, "demo_table", None)
    if table is not None:
        for r in range(table.rowCount()):
            for c in range(table.columnCount()):
                texts.append(table.item(r, c).text())
    return "\n".join(texts)


def test_demo_store_shows_demo_staff_with_their_pins(qtbot, ctx, demo):
    dialog = open_dialog(qtbot, ctx)
    assert dialog.demo_panel is not None and dialog.demo_panel.isVisible()
    text = _all_text(dialog)
    for person in DEMO_STAFF:
        assert person.code in text and person.pin in text and person.name in text
    # Clicking a row fills the code and PIN in; Sign in then works.
    clerk_row = next(i for i, p in enumerate(DEMO_STAFF) if p.role == "clerk")
    dialog.fill_demo(clerk_row)
    assert dialog.code_edit.text() == DEMO_STAFF[clerk_row].code
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.staff is not None and dialog.staff.role == "clerk"


def test_a_real_store_shows_no_pins(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx)
    assert dialog.demo_panel is None
    text = _all_text(dialog)
    assert ADMIN_PIN not in text
    assert all(person.pin not in text for person in DEMO_STAFF)


def test_escape_at_start_up_cancels(qtbot, ctx, sqlite_store):
    dialog = open_dialog(qtbot, ctx, mode=START)
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()
    assert dialog.staff is None


def test_escape_does_not_open_a_locked_desk(qtbot, store_ctx):
    dialog = open_dialog(qtbot, store_ctx, mode=LOCK, current=store_ctx.staff)
    assert dialog.code_edit.text() == ADMIN_CODE  # the person who was signed in, ready for the PIN
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Escape)
    dialog.reject()
    assert dialog.isVisible()
    assert dialog.staff is None


def test_switch_mode_says_who_is_signed_in(qtbot, store_ctx):
    dialog = open_dialog(qtbot, store_ctx, mode=SWITCH, current=store_ctx.staff)
    assert "Ada Admin is signed in" in _all_text(dialog)
