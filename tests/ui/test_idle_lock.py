"""The idle lock: after the set idle minutes the desk hides behind sign-in; Ctrl+L locks on demand."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk.models import AuditEvent
from desk.services import settings as settings_service
from tests.conftest import ADMIN_CODE


def test_the_idle_timer_runs_with_the_minutes_from_settings(make_window, store_ctx):
    window = make_window(store_ctx)
    assert window.idle.minutes == settings_service.get("idle_lock_minutes") == 5
    assert window.idle.timer.isActive()
    assert window.idle.timer.interval() == 5 * 60_000


def test_idle_timeout_locks_and_signing_in_again_restores(make_window, store_ctx, sign_in_answers):
    window = make_window(store_ctx)
    admin = store_ctx.staff
    seen = []
    sign_in_answers.during = lambda call: seen.append((
        window.lock_stack.currentWidget() is window.locked_page,
        window.content.isVisible(),
        window.idle.timer.isActive(),
    ))
    sign_in_answers.queue.append(admin)
    window.idle.timer.timeout.emit()
    assert sign_in_answers.calls[0]["mode"] == "lock"
    assert sign_in_answers.calls[0]["current"] == admin
    assert seen == [(True, False, False)]  # content hidden and the timer stopped while locked
    assert not window.locked
    assert window.lock_stack.currentWidget() is window.content
    assert window.idle.timer.isActive()
    assert store_ctx.staff == admin
    assert not AuditEvent.select().where(AuditEvent.action == "auth.sign_out").exists()


def test_someone_else_signing_in_at_the_lock_switches_user(make_window, store_ctx, add_staff, sign_in_answers):
    window = make_window(store_ctx)
    clerk = add_staff("100", "Cleo Clerk", "clerk")
    sign_in_answers.queue.append(clerk)
    window.idle.timer.timeout.emit()
    assert store_ctx.staff.code == "100"
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Vouchers", "Archive"]
    out = AuditEvent.get(AuditEvent.action == "auth.sign_out")
    assert out.staff_code == ADMIN_CODE


def test_ctrl_l_locks_on_demand(make_window, store_ctx, qtbot, sign_in_answers):
    window = make_window(store_ctx)
    assert QApplication.activeWindow() is window
    sign_in_answers.queue.append(store_ctx.staff)
    qtbot.keyClick(window.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert [c["mode"] for c in sign_in_answers.calls] == ["lock"]


def test_nobody_signing_in_at_the_lock_signs_out_and_closes(make_window, store_ctx, sign_in_answers):
    window = make_window(store_ctx)
    window.lock()
    assert not window.isVisible()
    assert store_ctx.staff is None
    assert AuditEvent.select().where(AuditEvent.action == "auth.sign_out", AuditEvent.staff_code == ADMIN_CODE).exists()


def test_zero_minutes_means_never(make_window, store_ctx, sign_in_answers):
    window = make_window(store_ctx)
    settings_service.update(store_ctx.staff, {"idle_lock_minutes": 0})
    store_ctx.events.emit_changed("settings")
    assert window.idle.minutes == 0
    assert not window.idle.timer.isActive()
    window.idle.timer.timeout.emit()
    assert sign_in_answers.calls == []
    assert not window.locked


def test_new_minutes_are_read_when_settings_change(make_window, store_ctx):
    window = make_window(store_ctx)
    settings_service.update(store_ctx.staff, {"idle_lock_minutes": 12})
    store_ctx.events.emit_changed("settings")
    assert window.idle.timer.interval() == 12 * 60_000
    assert window.idle.timer.isActive()


def test_input_restarts_the_countdown_and_is_never_swallowed(make_window, store_ctx, qtbot, monkeypatch):
    window = make_window(store_ctx)
    restarts = []
    real_start = window.idle.timer.start
    monkeypatch.setattr(window.idle.timer, "start", lambda *a: (restarts.append(a), real_start(*a)))
    qtbot.keyClicks(window.scan_edit, "ab")
    assert len(restarts) >= 2  # each key press (and release) restarted the countdown
    assert window.scan_edit.text() == "ab"  # the filter let the keys through
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton)
    assert len(restarts) >= 3


def test_the_lock_cancels_a_dialog_left_open(make_window, store_ctx, qtbot, sign_in_answers):
    """Nothing that was open stays on screen above a locked desk."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

    window = make_window(store_ctx)
    dialog = QDialog(window)
    QVBoxLayout(dialog).addWidget(QLineEdit("half-typed details"))
    dialog.setModal(True)
    seen = []
    sign_in_answers.during = lambda call: seen.append(dialog.isVisible())
    sign_in_answers.queue.append(store_ctx.staff)
    QTimer.singleShot(0, window.idle.timer.timeout.emit)  # the idle lock fires while the dialog is open
    QTimer.singleShot(3000, dialog.reject)  # never hang the suite if the lock leaves it open
    result = dialog.exec()
    assert seen == [False]  # hidden before the sign-in dialog came up
    assert result == QDialog.DialogCode.Rejected
    assert not window.locked
