"""Settings screen, Printing group: paper per document kind, returns policy text, logo."""

from __future__ import annotations

import base64
import json

import pytest
from PySide6.QtCore import Qt

from desk.services import audit, documents
from desk.services import settings as settings_service
from desk.ui.context import AppContext
from desk.ui.screens.settings import SettingsScreen, paper_kinds

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def screen(qtbot, sqlite_url, sqlite_store):
    _store, admin = sqlite_store
    widget = SettingsScreen(AppContext(db_url=sqlite_url, staff=admin))
    qtbot.addWidget(widget)
    return widget


def choose(combo, value):
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def test_the_printing_group_shows_what_is_stored(screen):
    assert set(paper_kinds()) >= {"receipt", "gift"}
    assert set(screen.paper_combos) == set(paper_kinds())
    combo = screen.paper_combos["receipt"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["80 mm receipt roll", "A4", "Letter"]
    assert combo.currentData() == "roll"
    assert screen.policy_edit.toPlainText() == settings_service.RETURNS_POLICY
    assert screen.logo_edit.text() == ""
    assert screen.logo_edit.placeholderText() == "No logo"
    assert "Receipt paper" in screen.fields and "Gift receipt paper" in screen.fields


def test_saves_paper_per_kind_and_the_policy_text(screen, qtbot):
    choose(screen.paper_combos["receipt"], "a4")
    choose(screen.paper_combos["gift"], "letter")
    screen.policy_edit.setPlainText("Returns within 14 days.\nKeep your receipt.")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)

    assert screen.message_text() == "Saved."
    assert settings_service.get("paper.receipt") == "a4"
    assert settings_service.get("paper.gift") == "letter"
    assert settings_service.get("returns_policy_text") == "Returns within 14 days.\nKeep your receipt."
    assert documents.paper_for("receipt") == "a4"
    changed = json.loads(next(e for e in audit.recent_events(5) if e.action == "settings.changed").details)
    assert changed["paper.receipt"] == {"from": "roll", "to": "a4"}
    # Shown again as stored.
    screen.load()
    assert screen.paper_combos["gift"].currentData() == "letter"


def test_a_logo_is_chosen_shown_saved_and_cleared(screen, tmp_path, monkeypatch):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    asked: list[str] = []

    def fake(cls, parent, current):
        asked.append(current)
        return str(logo)

    monkeypatch.setattr(SettingsScreen, "choose_logo", classmethod(fake))
    screen.logo_choose_button.click()
    assert screen.logo_edit.text() == str(logo)
    assert screen.dirty
    assert screen.save()
    assert settings_service.get("logo_path") == str(logo)

    screen.logo_clear_button.click()
    assert screen.logo_edit.text() == ""
    assert screen.save()
    assert settings_service.get("logo_path") == ""


def test_cancelling_the_logo_picker_keeps_the_logo(screen, monkeypatch):
    screen.logo_edit.setText("/somewhere/logo.png")
    monkeypatch.setattr(SettingsScreen, "choose_logo", classmethod(lambda cls, parent, current: None))
    screen.logo_choose_button.click()
    assert screen.logo_edit.text() == "/somewhere/logo.png"


def test_a_logo_that_is_not_a_picture_is_refused_and_nothing_is_saved(screen, tmp_path, monkeypatch):
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    monkeypatch.setattr(SettingsScreen, "choose_logo", classmethod(lambda cls, parent, current: str(bad)))
    choose(screen.paper_combos["receipt"], "a4")
    screen.logo_choose_button.click()

    assert screen.save() is False
    assert screen.error_of("Logo") == "Logo: notes.png is not a PNG or JPEG picture"
    assert screen.message_text() == "Not saved. Logo: notes.png is not a PNG or JPEG picture"
    assert settings_service.get("paper.receipt") == "roll"  # nothing half-written
    assert settings_service.get("logo_path") == ""


def test_a_logo_file_that_went_missing_is_named(screen, tmp_path):
    screen.logo_edit.setText(str(tmp_path / "gone.png"))
    assert screen.save() is False
    assert "is not there" in screen.error_of("Logo")


def test_a_value_the_service_refuses_is_named_under_its_field(screen):
    screen.paper_combos["receipt"].addItem("Legal", "legal")
    choose(screen.paper_combos["receipt"], "legal")
    assert screen.save() is False
    assert screen.error_of("Receipt paper") == "Receipt paper: 'legal' is not one of: roll, a4, letter"
    assert settings_service.get("paper.receipt") == "roll"


def test_a_clerk_sees_the_printing_settings_read_only(qtbot, sqlite_url, add_staff):
    clerk = add_staff("120", "Cara Clerk", "clerk")
    widget = SettingsScreen(AppContext(db_url=sqlite_url, staff=clerk))
    qtbot.addWidget(widget)
    assert not widget.paper_combos["receipt"].isEnabled()
    assert not widget.policy_edit.isEnabled()
    assert widget.logo_choose_button.isHidden() and widget.logo_clear_button.isHidden()
