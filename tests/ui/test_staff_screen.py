"""The Staff screen: admins add, deactivate, reset PINs and change roles; others only look."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.errors import AuthFailed, NotAllowed
from desk.services import auth
from desk.services import staff as staff_service
from desk.ui.context import AppContext
from desk.ui.dialogs.staff_edit import AddStaffDialog, ChangeRoleDialog, ResetPinDialog
from desk.ui.screens.staff import StaffScreen
from desk.ui.tables.staff_table import StaffTableModel

NEW_PIN = "518274"


@pytest.fixture
def admin_screen(qtbot, sqlite_url, sqlite_store):
    _store, admin = sqlite_store
    ctx = AppContext(db_url=sqlite_url, staff=admin)
    screen = StaffScreen(ctx)
    qtbot.addWidget(screen)
    return screen


@pytest.fixture
def changes(admin_screen):
    seen: list[str] = []
    admin_screen.ctx.events.changed.connect(seen.append)
    return seen


@pytest.fixture
def refusals(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(StaffScreen, "show_refusal", classmethod(lambda cls, parent, error: shown.append(str(error))))
    return shown


def cell(screen: StaffScreen, code: str, column: int) -> str:
    row = screen.model.row_of_code(code)
    assert row >= 0, f"{code} is not in the table"
    return screen.model.index(row, column).data()


def codes(screen: StaffScreen) -> list[str]:
    return [screen.model.index(r, StaffTableModel.CODE).data() for r in range(screen.model.rowCount())]


def fill_add_dialog(monkeypatch, qtbot, code, name, role, pin, pin_again=None):
    """Replace AddStaffDialog.ask with one that fills the real dialog and presses OK."""
    seen = {}

    def fake_ask(parent, submit=None):
        dialog = AddStaffDialog(parent, submit)
        qtbot.addWidget(dialog)
        seen["dialog"] = dialog
        qtbot.keyClicks(dialog.code_edit, code)
        dialog.name_edit.setText(name)
        dialog.role_choice.buttons[role].click()
        dialog.pin_edit.setText(pin)
        dialog.pin_again_edit.setText(pin if pin_again is None else pin_again)
        dialog.ok_button.click()
        return dialog.result_value if dialog.result() == AddStaffDialog.DialogCode.Accepted else None

    monkeypatch.setattr(AddStaffDialog, "ask", fake_ask)
    return seen


def test_admin_adds_staff_who_can_then_sign_in(admin_screen, changes, monkeypatch, qtbot):
    assert codes(admin_screen) == ["900"]
    fill_add_dialog(monkeypatch, qtbot, "105", "Nina Nowak", "supervisor", NEW_PIN)

    qtbot.mouseClick(admin_screen.add_button, Qt.MouseButton.LeftButton)

    assert cell(admin_screen, "105", StaffTableModel.NAME) == "Nina Nowak"
    assert cell(admin_screen, "105", StaffTableModel.ROLE) == "Supervisor"
    assert cell(admin_screen, "105", StaffTableModel.STATUS) == "Active"
    assert admin_screen.selected_code() == "105"
    assert "staff" in changes
    signed_in = auth.sign_in("105", NEW_PIN)
    assert signed_in.name == "Nina Nowak" and signed_in.role == "supervisor"


def test_duplicate_code_is_shown_inline_naming_staff_code(admin_screen, changes, monkeypatch, qtbot):
    seen = fill_add_dialog(monkeypatch, qtbot, "900", "Someone Else", "clerk", NEW_PIN)

    admin_screen.add_staff()

    dialog = seen["dialog"]
    assert dialog.result() != AddStaffDialog.DialogCode.Accepted  # still open for a fix
    assert dialog.error_text().startswith("Staff code")
    assert "already taken" in dialog.error_text()
    assert dialog.code_edit.property("invalid") is True  # the field itself is marked
    assert not dialog.name_edit.property("invalid")
    assert codes(admin_screen) == ["900"]
    assert changes == []


def test_mismatched_pins_are_refused_before_anything_is_written(admin_screen, monkeypatch, qtbot):
    seen = fill_add_dialog(monkeypatch, qtbot, "106", "Pat Smith", "clerk", NEW_PIN, pin_again="518275")

    admin_screen.add_staff()

    assert seen["dialog"].error_text().startswith("PIN again")
    assert codes(admin_screen) == ["900"]


def test_deactivate_makes_sign_in_fail_and_reactivate_restores_it(admin_screen, changes, monkeypatch, refusals):
    staff_service.add_staff(admin_screen.ctx.staff, "105", "Nina Nowak", "clerk", NEW_PIN)
    admin_screen.ctx.events.emit_changed("staff")  # another part of the app added someone
    admin_screen.select_code("105")
    asked = []
    monkeypatch.setattr(StaffScreen, "confirm", classmethod(lambda cls, parent, title, text: asked.append(text) or True))

    admin_screen.active_button.click()

    assert "Nina Nowak" in asked[0]
    assert cell(admin_screen, "105", StaffTableModel.STATUS) == "Deactivated"
    assert admin_screen.active_button.text().startswith("Reactivate")
    with pytest.raises(AuthFailed, match="deactivated"):
        auth.sign_in("105", NEW_PIN)

    admin_screen.active_button.click()
    assert cell(admin_screen, "105", StaffTableModel.STATUS) == "Active"
    assert auth.sign_in("105", NEW_PIN).code == "105"
    assert refusals == []


def test_cancelled_confirmation_changes_nothing(admin_screen, monkeypatch):
    staff_service.add_staff(admin_screen.ctx.staff, "105", "Nina Nowak", "clerk", NEW_PIN)
    admin_screen.refresh()
    admin_screen.select_code("105")
    monkeypatch.setattr(StaffScreen, "confirm", classmethod(lambda cls, parent, title, text: False))

    admin_screen.active_button.click()

    assert cell(admin_screen, "105", StaffTableModel.STATUS) == "Active"


def test_deactivating_yourself_is_refused_with_a_message(admin_screen, monkeypatch, refusals):
    monkeypatch.setattr(StaffScreen, "confirm", classmethod(lambda cls, parent, title, text: True))
    admin_screen.select_code("900")

    admin_screen.active_button.click()

    assert len(refusals) == 1 and "your own account" in refusals[0]
    assert cell(admin_screen, "900", StaffTableModel.STATUS) == "Active"


# Showing a top-level dialog on the offscreen platform warns about size hints; harmless.
@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_reset_pin_unlocks_a_locked_account(admin_screen, monkeypatch, qtbot):
    staff_service.add_staff(admin_screen.ctx.staff, "105", "Nina Nowak", "clerk", NEW_PIN)
    for _ in range(auth.MAX_FAILED_PINS):
        with pytest.raises(AuthFailed):
            auth.sign_in("105", "999111")
    admin_screen.refresh()
    assert cell(admin_screen, "105", StaffTableModel.STATUS) == "Locked"
    admin_screen.select_code("105")
    asked = {}

    def fake_ask(parent, staff_name, submit=None):
        dialog = ResetPinDialog(parent, staff_name, submit)
        qtbot.addWidget(dialog)
        asked["intro"] = dialog.intro.text()
        dialog.pin_edit.setText("739164")
        dialog.pin_again_edit.setText("739164")
        dialog.show()
        qtbot.keyClick(dialog.pin_again_edit, Qt.Key.Key_Return)  # Enter confirms
        return dialog.result_value if dialog.result() == ResetPinDialog.DialogCode.Accepted else None

    monkeypatch.setattr(ResetPinDialog, "ask", fake_ask)

    admin_screen.reset_button.click()

    assert "Nina Nowak" in asked["intro"]
    assert cell(admin_screen, "105", StaffTableModel.STATUS) == "Active"
    assert auth.sign_in("105", "739164").code == "105"


def test_reset_pin_refuses_an_easy_pin_inline(admin_screen, monkeypatch, qtbot):
    staff_service.add_staff(admin_screen.ctx.staff, "105", "Nina Nowak", "clerk", NEW_PIN)
    admin_screen.refresh()
    admin_screen.select_code("105")
    seen = {}

    def fake_ask(parent, staff_name, submit=None):
        dialog = ResetPinDialog(parent, staff_name, submit)
        qtbot.addWidget(dialog)
        seen["dialog"] = dialog
        dialog.pin_edit.setText("1111")
        dialog.pin_again_edit.setText("1111")
        dialog.ok_button.click()
        return None

    monkeypatch.setattr(ResetPinDialog, "ask", fake_ask)
    admin_screen.reset_pin()

    assert seen["dialog"].error_text().startswith("New PIN")
    assert auth.sign_in("105", NEW_PIN).code == "105"  # old PIN still works


def test_change_role_and_last_admin_refusal(admin_screen, monkeypatch, refusals):
    staff_service.add_staff(admin_screen.ctx.staff, "105", "Nina Nowak", "clerk", NEW_PIN)
    admin_screen.refresh()
    admin_screen.select_code("105")
    monkeypatch.setattr(ChangeRoleDialog, "ask", lambda parent, name, role, submit=None: "supervisor")

    admin_screen.role_button.click()

    assert cell(admin_screen, "105", StaffTableModel.ROLE) == "Supervisor"
    assert auth.sign_in("105", NEW_PIN).role == "supervisor"

    admin_screen.select_code("900")
    monkeypatch.setattr(ChangeRoleDialog, "ask", lambda parent, name, role, submit=None: "manager")
    admin_screen.role_button.click()

    assert len(refusals) == 1 and "last active admin" in refusals[0]
    assert cell(admin_screen, "900", StaffTableModel.ROLE) == "Admin"


def test_change_role_dialog_offers_every_role_and_starts_at_the_current_one(qtbot):
    dialog = ChangeRoleDialog(None, "Nina Nowak", "supervisor")
    qtbot.addWidget(dialog)
    assert set(dialog.role_choice.buttons) == set(auth.ROLES)
    assert dialog.values() == "supervisor"
    dialog.role_choice.buttons["manager"].click()
    dialog.ok_button.click()
    assert dialog.result_value == "manager"


def test_manager_sees_the_list_but_cannot_change_it(qtbot, sqlite_url, sqlite_store, monkeypatch):
    _store, admin = sqlite_store
    staff_service.add_staff(admin, "300", "Maja Manager", "manager", NEW_PIN)
    manager = auth.sign_in("300", NEW_PIN)
    screen = StaffScreen(AppContext(db_url=sqlite_url, staff=manager))
    qtbot.addWidget(screen)
    monkeypatch.setattr(AddStaffDialog, "ask", lambda *a, **k: pytest.fail("the add dialog opened for a manager"))

    assert sorted(codes(screen)) == ["300", "900"]
    for button in (screen.add_button, screen.active_button, screen.reset_button, screen.role_button):
        assert not button.isEnabled(), button.text()
    assert "Only an admin" in screen.hint.text()
    screen.add_staff()  # e.g. through its shortcut: nothing happens
    # and the service refuses on its own
    with pytest.raises(NotAllowed):
        staff_service.add_staff(manager, "106", "Sneaky", "admin", "739164")
    with pytest.raises(NotAllowed):
        staff_service.reset_pin(manager, "900", "739164")


def test_clerk_sees_no_staff(qtbot, sqlite_url, sqlite_store):
    _store, admin = sqlite_store
    staff_service.add_staff(admin, "105", "Nina Nowak", "clerk", NEW_PIN)
    clerk = auth.sign_in("105", NEW_PIN)
    screen = StaffScreen(AppContext(db_url=sqlite_url, staff=clerk))
    qtbot.addWidget(screen)

    assert screen.model.rowCount() == 0
    assert "may not see the staff list" in screen.subtitle.text()
    assert not screen.add_button.isEnabled()


def test_staff_table_model_passes_qtmodeltester(qtmodeltester, sqlite_store):
    _store, admin = sqlite_store
    staff_service.add_staff(admin, "105", "Nina Nowak", "clerk", NEW_PIN)
    staff_service.add_staff(admin, "106", "Zoë Ødegård", "supervisor", "739164")
    staff_service.set_active(admin, "106", False)
    model = StaffTableModel()
    model.set_rows(staff_service.list_staff(admin))

    qtmodeltester.check(model)

    assert model.rowCount() == 3
    assert [model.index(r, StaffTableModel.STATUS).data() for r in range(3)] == ["Active", "Active", "Deactivated"]


def test_a_deleted_screen_ignores_later_events(qtbot, sqlite_url, sqlite_store):
    from PySide6.QtCore import QCoreApplication, QEvent

    _store, admin = sqlite_store
    ctx = AppContext(db_url=sqlite_url, staff=admin)
    screen = StaffScreen(ctx)
    screen.deleteLater()
    QCoreApplication.sendPostedEvents(screen, QEvent.Type.DeferredDelete)

    ctx.events.emit_changed("staff")
    ctx.set_staff(admin)  # would raise "already deleted" in a slot left connected
