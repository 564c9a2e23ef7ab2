"""Settings' Head office tab: the key, the automatic export, Export now."""

from __future__ import annotations

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
