"""The Settings screen: the store's details and the idle lock, saved through the services."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desk.errors import NotAllowed
from desk.services import audit, auth
from desk.services import settings as settings_service
from desk.services import staff as staff_service
from desk.services import store as store_service
from desk.ui.context import AppContext
from desk.ui.screens.settings import SettingsScreen

PIN = "518274"


def make_screen(qtbot, url, staff) -> SettingsScreen:
    screen = SettingsScreen(AppContext(db_url=url, staff=staff))
    qtbot.addWidget(screen)
    return screen


@pytest.fixture
def admin_screen(qtbot, sqlite_url, sqlite_store):
    _store, admin = sqlite_store
    return make_screen(qtbot, sqlite_url, admin)


def stored_name() -> str:
    return store_service.details_of(store_service.current_store()).name


def test_shows_what_is_stored(admin_screen):
    assert admin_screen.name_edit.text() == "Test Store"
    assert admin_screen.code_edit.text() == "TST01"
    assert admin_screen.address_edit.toPlainText() == "1 High Street"
    assert admin_screen.currency_edit.text() == "GBP"
    assert admin_screen.locale_edit.text() == "en_GB"
    assert admin_screen.tax_check.isChecked()
    assert admin_screen.idle_spin.value() == settings_service.SPECS["idle_lock_minutes"].default
    assert admin_screen.save_button.isVisible() or not admin_screen.isVisible()
    assert not admin_screen.save_button.isHidden()


def test_save_changes_store_name_and_idle_minutes_and_audits(admin_screen, qtbot):
    seen: list[str] = []
    admin_screen.ctx.events.changed.connect(seen.append)
    admin_screen.name_edit.clear()
    qtbot.keyClicks(admin_screen.name_edit, "Harbour Street Outlet")
    admin_screen.address_edit.setPlainText("2 Quay Road\nBristol")
    admin_screen.idle_spin.setValue(15)

    qtbot.mouseClick(admin_screen.save_button, Qt.MouseButton.LeftButton)

    assert admin_screen.message_text() == "Saved."
    assert stored_name() == "Harbour Street Outlet"
    assert store_service.details_of(store_service.current_store()).address == "2 Quay Road\nBristol"
    assert settings_service.get("idle_lock_minutes") == 15
    assert seen == ["settings", "store"]
    events = {e.action: json.loads(e.details) for e in audit.recent_events(10)}
    assert events["store.changed"]["name"] == {"from": "Test Store", "to": "Harbour Street Outlet"}
    assert events["settings.changed"]["idle_lock_minutes"]["to"] == 15
    assert audit.verify_chain().ok


def test_idle_lock_zero_means_never(admin_screen):
    admin_screen.idle_spin.setValue(0)
    assert admin_screen.idle_spin.text() == "Never"
    assert "0 = never" in admin_screen.fields["Idle lock"].hint.text()
    assert admin_screen.save()
    assert settings_service.get("idle_lock_minutes") == 0
    assert admin_screen.idle_spin.maximum() == 240


def test_enter_in_a_field_saves(admin_screen, qtbot):
    admin_screen.tax_edit.setText("GB 555")
    qtbot.keyClick(admin_screen.tax_edit, Qt.Key.Key_Return)
    assert store_service.details_of(store_service.current_store()).tax_number == "GB 555"


def test_bad_currency_is_shown_naming_currency_and_nothing_is_written(admin_screen):
    before = len(audit.recent_events(100))
    admin_screen.name_edit.setText("Renamed Store")
    admin_screen.currency_edit.setText("XYZ")
    admin_screen.idle_spin.setValue(30)

    assert not admin_screen.save()

    assert admin_screen.error_of("Currency").startswith("Currency:")
    assert "XYZ" in admin_screen.error_of("Currency")
    assert admin_screen.error_of("Store name") == ""
    assert "Currency" in admin_screen.message_text()
    assert admin_screen.currency_edit.hasFocus() or not admin_screen.isVisible()
    assert stored_name() == "Test Store"
    assert settings_service.get("idle_lock_minutes") != 30
    assert len(audit.recent_events(100)) == before
    # what was typed is kept for a fix
    assert admin_screen.name_edit.text() == "Renamed Store"

    admin_screen.currency_edit.setText("eur")
    assert admin_screen.save()
    assert admin_screen.error_of("Currency") == ""
    assert store_service.details_of(store_service.current_store()).currency == "EUR"
    assert settings_service.get("idle_lock_minutes") == 30


def test_revert_reloads_from_the_database(admin_screen):
    admin_screen.name_edit.setText("Not saved")
    admin_screen.idle_spin.setValue(99)
    admin_screen.revert_button.click()
    assert admin_screen.name_edit.text() == "Test Store"
    assert admin_screen.idle_spin.value() == settings_service.get("idle_lock_minutes")


def test_refreshes_when_another_part_changes_the_store(admin_screen):
    store_service.update_store(admin_screen.ctx.staff, store_service.StoreDetails(
        name="Changed Elsewhere", code="TST01", address="1 High Street", tax_number="GB999"))
    admin_screen.ctx.events.emit_changed("store")
    assert admin_screen.name_edit.text() == "Changed Elsewhere"


@pytest.mark.parametrize("role", ["clerk", "supervisor"])
def test_clerk_or_supervisor_cannot_save(qtbot, sqlite_url, sqlite_store, role):
    _store, admin = sqlite_store
    staff_service.add_staff(admin, "105", "Nina Nowak", role, PIN)
    person = auth.sign_in("105", PIN)
    screen = make_screen(qtbot, sqlite_url, person)

    assert screen.save_button.isHidden()
    assert not screen.name_edit.isEnabled()
    assert not screen.idle_spin.isEnabled()
    assert "Read only" in screen.subtitle.text()
    screen.name_edit.setText("Sneaky")  # even if the text changed somehow
    assert not screen.save()
    assert stored_name() == "Test Store"
    # and the services refuse on their own
    with pytest.raises(NotAllowed):
        store_service.update_store(person, screen.details())
    with pytest.raises(NotAllowed):
        settings_service.update(person, {"idle_lock_minutes": 1})


def test_a_deleted_screen_ignores_later_events(qtbot, sqlite_url, sqlite_store):
    from PySide6.QtCore import QCoreApplication, QEvent

    _store, admin = sqlite_store
    ctx = AppContext(db_url=sqlite_url, staff=admin)
    screen = SettingsScreen(ctx)
    screen.deleteLater()
    QCoreApplication.sendPostedEvents(screen, QEvent.Type.DeferredDelete)

    ctx.events.emit_changed("settings", "store")
    ctx.set_staff(admin)


def test_the_desk_number_is_kept_for_this_computer_and_goes_into_document_numbers(admin_screen, qtbot):
    from desk.ui.desk_identity import desk_code, set_desk_code

    set_desk_code("01")
    admin_screen.load()
    assert admin_screen.desk_edit.text() == "01"
    admin_screen.desk_edit.clear()
    qtbot.keyClicks(admin_screen.desk_edit, "k2")
    assert admin_screen.save() and admin_screen.message_text() == "Saved."
    assert desk_code() == "K2" and admin_screen.desk_edit.text() == "K2"
    set_desk_code("01")


def test_a_bad_desk_number_is_named_and_nothing_is_saved(admin_screen, qtbot):
    from desk.ui.desk_identity import desk_code, set_desk_code

    set_desk_code("01")
    admin_screen.load()
    admin_screen.name_edit.setText("Changed Name")
    admin_screen.desk_edit.setText("01-A")
    assert not admin_screen.save()
    assert admin_screen.error_of("Desk number").startswith("Desk number:") and "01-A" in admin_screen.error_of("Desk number")
    assert desk_code() == "01" and stored_name() == "Test Store"
