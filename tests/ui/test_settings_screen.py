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


# -- sections ----------------------------------------------------------------------------


@pytest.fixture
def shown_screen(admin_screen, qtbot):
    admin_screen.resize(1280, 800)
    with qtbot.waitActive(admin_screen):
        admin_screen.show()
        admin_screen.activateWindow()
    return admin_screen


def section_titles(screen) -> list[str]:
    return [screen.section_list.item(i).text() for i in range(screen.section_list.count())]


def test_settings_come_in_sections_each_setting_in_the_section_its_spec_names(shown_screen):
    assert section_titles(shown_screen) == list(settings_service.SECTIONS.values())
    assert section_titles(shown_screen)[:3] == ["Store", "This desk", "Receipts and printing"]
    for key, spec in settings_service.SPECS.items():
        if spec.section == "export":
            continue  # on the head office export page, which has its own Save
        assert shown_screen.section_of(key) == spec.section, key
        field = shown_screen.fields[key]
        page = shown_screen._section_pages[spec.section]
        assert page.isAncestorOf(field), key
    assert shown_screen.section_of("Store name") == "store"
    assert shown_screen.section_of("Desk number") == "desk"
    # only the section chosen is shown, and the first one at the start
    assert shown_screen.current_section() == "store"
    assert shown_screen.name_edit.isVisible()
    assert not shown_screen.fields["smtp.port"].isVisible()


def test_ctrl_page_down_and_up_move_through_the_sections(shown_screen, qtbot):
    shown_screen.name_edit.setFocus()
    qtbot.keyClick(shown_screen.name_edit, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert shown_screen.current_section() == "desk"
    assert shown_screen.desk_edit.isVisible()
    qtbot.keyClick(shown_screen.desk_edit, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(shown_screen.name_edit, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert shown_screen.current_section() == "export"  # round from the first to the last
    assert shown_screen.save_bar.isHidden()  # the export page has its own Save
    shown_screen.step_section(1)
    assert shown_screen.current_section() == "store" and shown_screen.save_bar.isVisible()


def test_the_filter_keeps_the_sections_with_a_matching_setting(shown_screen, qtbot):
    qtbot.keyClick(shown_screen.name_edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert shown_screen.filter_edit.hasFocus()
    qtbot.keyClicks(shown_screen.filter_edit, "smtp port")
    assert shown_screen.visible_sections() == ["email"]
    assert shown_screen.current_section() == "email"
    qtbot.keyClick(shown_screen.filter_edit, Qt.Key.Key_Return)
    assert shown_screen.spec_editors["smtp.port"].hasFocus()
    shown_screen.filter_edit.setText("paper")
    assert shown_screen.visible_sections() == ["printing"]
    shown_screen.filter_edit.clear()
    assert len(shown_screen.visible_sections()) == len(settings_service.SECTIONS)


def test_an_error_brings_its_section_to_the_front_and_marks_it(shown_screen):
    shown_screen.show_section("store")
    shown_screen.goodwill_edit.setText("lots")
    shown_screen.spec_editors["smtp.port"].setValue(25)

    assert not shown_screen.save()

    assert shown_screen.current_section() == "cases"
    assert shown_screen.goodwill_edit.isVisible() and shown_screen.goodwill_edit.hasFocus()
    assert "Goodwill approval above" in shown_screen.error_of("Goodwill approval above")
    assert "Not saved. Goodwill approval above" in shown_screen.message_text()
    cases_row = shown_screen.section_keys.index("cases")
    assert "⚠" in shown_screen.section_list.item(cases_row).text()
    assert settings_service.get("smtp.port") == 587  # nothing half-written
    # the wrong currency is on another section: the screen goes there
    shown_screen.goodwill_edit.setText("20.00")
    shown_screen.currency_edit.setText("POUNDS")
    assert not shown_screen.save()
    assert shown_screen.current_section() == "store"
    assert "⚠" not in shown_screen.section_list.item(cases_row).text()
    shown_screen.currency_edit.setText("GBP")
    assert shown_screen.save()
    assert settings_service.get("smtp.port") == 25
    assert all("⚠" not in title for title in section_titles(shown_screen))


def test_the_voucher_expiry_is_set_in_the_vouchers_section(shown_screen):
    shown_screen.show_section("vouchers")
    editor = shown_screen.spec_editors["voucher_expiry_days"]
    assert editor.isVisible()
    editor.setValue(365)
    assert shown_screen.save()
    assert settings_service.get("voucher_expiry_days") == 365


def test_an_unsaved_change_in_one_section_survives_going_to_another(shown_screen, qtbot):
    shown_screen.name_edit.clear()
    qtbot.keyClicks(shown_screen.name_edit, "Quay Street")
    shown_screen.show_section("cases")
    shown_screen.activated()  # e.g. coming back to the screen: unsaved edits are not reloaded over
    assert shown_screen.dirty and shown_screen.name_edit.text() == "Quay Street"
    assert shown_screen.save()
    assert stored_name() == "Quay Street"


def _rect_in(widget, ancestor):
    from PySide6.QtCore import QRect

    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def test_no_two_rows_of_any_section_overlap(shown_screen, qtbot):
    """Every label, editor, hint and error of a section lies clear of the others (a hint under a
    narrow field once ran over the next row)."""
    from PySide6.QtWidgets import QLabel

    for section in settings_service.SECTIONS:
        if section in ("policy", "export"):
            continue
        shown_screen.show_section(section)
        for field in {id(f): f for f in shown_screen.fields.values()}.values():
            field.set_error("A long error message to show under the field, long enough to wrap at least once here" * 2)
        qtbot.wait(1)
        page = shown_screen._section_pages[section].widget()
        form = shown_screen._forms[section]
        boxes = []
        for row in range(form.rowCount()):
            from PySide6.QtWidgets import QFormLayout

            label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = form.itemAt(row, QFormLayout.ItemRole.FieldRole).widget()
            if label is not None and isinstance(label.widget(), QLabel):
                boxes.append((f"{section} label {label.widget().text()}", _rect_in(label.widget(), page)))
            for part in (field.editor, field.hint, field.error):
                if part.isVisible():
                    boxes.append((f"{section} {field.editor.objectName() or type(field.editor).__name__} {type(part).__name__}",
                                  _rect_in(part, page)))
        assert len(boxes) > 2
        for i, (name_a, a) in enumerate(boxes):
            assert page.rect().contains(a), name_a
            for name_b, b in boxes[i + 1:]:
                assert not a.intersects(b), f"{name_a} overlaps {name_b}"
    shown_screen.clear_errors()
