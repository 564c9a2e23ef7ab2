"""Settings' Head office tab: the key, the automatic export, the change log's limits, Export now."""

from __future__ import annotations

import json
import zipfile

from PySide6.QtCore import QTime

from desk.models import AuditEvent, ExportBundle
from desk.services import head_office
from desk.services import settings as settings_service
from desk.ui.screens.settings import SettingsScreen


def test_key_auto_export_and_export_now(qtbot, store_ctx, messages, tmp_path):
    admin = store_ctx.staff
    _, key = head_office.register_store(admin, "TST01", "Test Store")
    screen = SettingsScreen(store_ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    page = screen.head_office_page
    screen.show_section("export")
    assert "Not set" in page.key_status.text()

    page.key_edit.setText("12345")
    assert not page.save_key()
    assert messages[-1][1].startswith("Head office key: a head office key is 64 hexadecimal digits")
    page.key_edit.setText(key)
    assert page.save_key()
    assert page.key_edit.text() == "" and "Set (fingerprint " in page.key_status.text()
    assert key not in "".join(e.details for e in AuditEvent.select())

    page.auto_check.setChecked(True)
    page.closing_edit.setTime(QTime(17, 30))
    page.folder_edit.setText(str(tmp_path / "bundles"))
    screen._save_shortcut()  # Ctrl+S on this tab saves this tab
    assert settings_service.get("export.auto") is True
    assert settings_service.get("export.closing_time") == "17:30"

    screen.show()
    qtbot.waitExposed(screen)
    page.export_now()
    assert ExportBundle.select().count() == 1
    assert page.last_label.text().startswith("Bundle 1 written to")
    bundle = next((tmp_path / "bundles").glob("TST01-000001-*.zip"))
    with zipfile.ZipFile(bundle) as zf:
        assert "manifest.sig" in zf.namelist()
    screen.grab().save("/tmp/x/settings-head-office.png")


def test_a_clerk_cannot_export(qtbot, store_ctx, add_staff):
    clerk = add_staff("100", "Cleo Clerk", "clerk")
    store_ctx.staff = clerk
    from desk.ui.screens.head_office_export import HeadOfficeExportPage

    page = HeadOfficeExportPage(store_ctx)
    qtbot.addWidget(page)
    assert not page.export_button.isEnabled() and not page.key_edit.isEnabled()
    page.export_now()
    assert ExportBundle.select().count() == 0


def test_the_change_log_limits_are_shown_with_their_hints_and_saved(qtbot, store_ctx, messages):
    screen = SettingsScreen(store_ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    screen.show()
    qtbot.waitExposed(screen)
    page = screen.head_office_page
    screen.show_section("export")
    bundles = page.keep_spins[settings_service.KEEP_BUNDLES_KEY]
    days = page.keep_spins[settings_service.KEEP_DAYS_KEY]
    assert (bundles.value(), days.value()) == (30, 90)
    assert (bundles.minimum(), days.minimum()) == (7, 14)  # the spin boxes go no lower than the settings allow
    assert bundles.isVisible() and days.isVisible() and bundles.suffix() == " bundles" and days.suffix() == " days"
    bundle_hint = page.keep_hints[settings_service.KEEP_BUNDLES_KEY]
    day_hint = page.keep_hints[settings_service.KEEP_DAYS_KEY]
    assert bundle_hint.isVisible() and bundle_hint.text().startswith("At least 7")
    assert day_hint.isVisible() and day_hint.text().startswith("At least 14") and "desk export --day" in day_hint.text()
    # each hint sits under its own field, above the next row
    hint_bottom = bundle_hint.mapTo(page, bundle_hint.rect().bottomLeft()).y()
    assert bundles.mapTo(page, bundles.rect().bottomLeft()).y() < bundle_hint.mapTo(page, bundle_hint.rect().topLeft()).y()
    assert hint_bottom < days.mapTo(page, days.rect().topLeft()).y()
    # the filter finds the section by the settings' words
    screen.filter_edit.setText("change records days")
    assert screen.visible_sections() == ["export"]
    screen.filter_edit.clear()

    bundles.setValue(7)
    days.setValue(14)
    screen._save_shortcut()  # Ctrl+S on this tab saves this tab
    assert messages == []
    assert settings_service.get(settings_service.KEEP_BUNDLES_KEY) == 7
    assert settings_service.get(settings_service.KEEP_DAYS_KEY) == 14
    event = AuditEvent.select().where(AuditEvent.action == "settings.changed").order_by(AuditEvent.seq.desc()).get()
    assert json.loads(event.details) == {settings_service.KEEP_BUNDLES_KEY: {"from": 30, "to": 7},
                                         settings_service.KEEP_DAYS_KEY: {"from": 90, "to": 14}}
    page.load()
    assert (bundles.value(), days.value()) == (7, 14)


def test_a_limit_below_the_minimum_is_refused_naming_it(qtbot, store_ctx, messages, monkeypatch):
    """The spin box stops at the minimum; should a value below it still reach the service, the
    message names the setting and nothing is written."""
    from desk.ui.screens.head_office_export import HeadOfficeExportPage

    page = HeadOfficeExportPage(store_ctx)
    qtbot.addWidget(page)
    spin = page.keep_spins[settings_service.KEEP_DAYS_KEY]
    monkeypatch.setattr(spin, "value", lambda: 10)
    page.auto_check.setChecked(True)
    assert not page.save_settings()
    label = settings_service.SPECS[settings_service.KEEP_DAYS_KEY].label
    assert messages[-1] == ("Please check the input", f"{label}: must be at least 14")
    assert settings_service.get(settings_service.KEEP_DAYS_KEY) == 90
    assert settings_service.get("export.auto") is False
