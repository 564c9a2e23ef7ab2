"""Changing one's own PIN."""

from __future__ import annotations

import pytest

from desk.errors import AuthFailed
from desk.services import auth
from desk.ui.context import AppContext
from desk.ui.dialogs.change_pin import ChangePinDialog
from tests.conftest import ADMIN_CODE, ADMIN_PIN


@pytest.fixture
def dialog(qtbot, sqlite_url, sqlite_store):
    _store, admin = sqlite_store
    dlg = ChangePinDialog(AppContext(db_url=sqlite_url, staff=admin))
    qtbot.addWidget(dlg)
    return dlg


def fill(dlg: ChangePinDialog, current: str, new: str, again: str | None = None) -> None:
    dlg.current_edit.setText(current)
    dlg.new_edit.setText(new)
    dlg.new_again_edit.setText(new if again is None else again)
    dlg.ok_button.click()


def test_change_own_pin(dialog):
    fill(dialog, ADMIN_PIN, "739164")

    assert dialog.result() == ChangePinDialog.DialogCode.Accepted
    assert auth.sign_in(ADMIN_CODE, "739164").code == ADMIN_CODE
    with pytest.raises(AuthFailed):
        auth.sign_in(ADMIN_CODE, ADMIN_PIN)


def test_wrong_current_pin_is_refused(dialog):
    fill(dialog, "111999", "739164")

    assert dialog.result() != ChangePinDialog.DialogCode.Accepted
    assert dialog.error_text().startswith("Current PIN")
    assert "not changed" in dialog.error_text()
    assert dialog.current_edit.text() == ""  # cleared for another try
    assert auth.sign_in(ADMIN_CODE, ADMIN_PIN).code == ADMIN_CODE


def test_new_pins_must_match_and_be_hard_to_guess(dialog):
    fill(dialog, ADMIN_PIN, "739164", again="739165")
    assert dialog.error_text().startswith("New PIN again")

    fill(dialog, ADMIN_PIN, "1234")
    assert dialog.error_text().startswith("New PIN:")
    assert dialog.result() != ChangePinDialog.DialogCode.Accepted
    assert auth.sign_in(ADMIN_CODE, ADMIN_PIN).code == ADMIN_CODE


def test_run_returns_false_when_cancelled(qtbot, sqlite_url, sqlite_store, monkeypatch):
    _store, admin = sqlite_store
    monkeypatch.setattr(ChangePinDialog, "exec", lambda self: ChangePinDialog.DialogCode.Rejected)
    assert ChangePinDialog.run(AppContext(db_url=sqlite_url, staff=admin)) is False


def test_run_returns_true_once_changed(qtbot, sqlite_url, sqlite_store, monkeypatch):
    _store, admin = sqlite_store

    def fake_exec(self):
        fill(self, ADMIN_PIN, "739164")
        return self.result()

    monkeypatch.setattr(ChangePinDialog, "exec", fake_exec)
    assert ChangePinDialog.run(AppContext(db_url=sqlite_url, staff=admin)) is True
    assert auth.sign_in(ADMIN_CODE, "739164").code == ADMIN_CODE
