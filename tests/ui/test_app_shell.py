"""The main window: navigation by role, the scan field, the status bar, sessions, geometry, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from desk.errors import NotFound
from desk.models import AuditEvent, Sale
from desk.models.db import close_database, describe_url, sqlite_version
from desk.services import staff as staff_service
from desk.ui.actions import ACTIONS, ShortcutsDialog
from desk.ui.main_window import GEOMETRY_KEY, MainWindow, qsettings
from desk.ui.widgets.scan_edit import ScanEdit
from tests.conftest import ADMIN_CODE

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(make_window, store_ctx):
    return make_window(store_ctx)


def nav_titles(window: MainWindow) -> list[str]:
    return [window.nav.item(i).text() for i in range(window.nav.count())]


def test_admin_sees_staff_and_settings(window):
    assert nav_titles(window) == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Approvals", "Returns log", "Exchange log", "Vouchers", "Archive", "Staff", "Settings"]
    assert [window.nav.item(i).data(Qt.ItemDataRole.UserRole + 1) for i in range(14)] == [
        "F11", "F3", "F4", "F5", "F6", "F7", "F8", "Ctrl+F4", "Shift+F4", "Shift+F5", "Ctrl+F5", "F12", "F9", "F10"]
    assert window.current_screen_name() == "screen.home"


def test_manager_sees_staff_and_settings(make_window, store_ctx, add_staff):
    store_ctx.staff = add_staff("300", "Mo Manager", "manager")
    window = make_window(store_ctx)
    assert nav_titles(window) == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Approvals", "Returns log", "Exchange log", "Vouchers", "Archive", "Staff", "Settings"]


def test_manager_screens_by_key(make_window, store_ctx, add_staff, qtbot):
    store_ctx.staff = add_staff("300", "Mo Manager", "manager")
    window = make_window(store_ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_screen_name() == "screen.approvals"
    qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_F4, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_screen_name() == "screen.returns_log"


def test_clerk_sees_neither_staff_nor_settings_and_their_keys_do_nothing(make_window, store_ctx, add_staff):
    store_ctx.staff = add_staff("100", "Cleo Clerk", "clerk")
    window = make_window(store_ctx)
    assert nav_titles(window) == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Vouchers", "Archive"]
    assert not window.action["screen.staff"].isEnabled()
    assert not window.action["screen.settings"].isEnabled()
    assert window.show_screen("screen.staff") is False
    assert window.current_screen_name() == "screen.home"


def test_f_keys_switch_screens(window, qtbot):
    assert QApplication.activeWindow() is window
    qtbot.keyClick(window.nav, Qt.Key.Key_F9)
    assert window.current_screen_name() == "screen.staff"
    qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_F10)
    assert window.current_screen_name() == "screen.settings"
    qtbot.keyClick(window.stack.currentWidget(), Qt.Key.Key_F11)
    assert window.current_screen_name() == "screen.home"


def test_signing_in_as_someone_else_rebuilds_the_navigation(window, store_ctx, add_staff):
    clerk = add_staff("100", "Cleo Clerk", "clerk")
    store_ctx.set_staff(clerk)
    assert nav_titles(window) == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Vouchers", "Archive"]
    assert window.person_button.text() == "Cleo Clerk · Clerk"
    assert window.status_staff.text() == "Signed in: Cleo Clerk (Clerk)"


def test_status_bar_shows_store_staff_database_and_sqlite(window, store_ctx):
    assert window.status_store.text() == "Store TST01 · Test Store · Desk 01"
    assert window.status_staff.text() == "Signed in: Ada Admin (Admin)"
    assert window.status_db.text() == describe_url(store_ctx.db_url)
    assert window.status_db.text().startswith("SQLite ")
    assert window.status_sqlite.text() == "SQLite " + ".".join(map(str, sqlite_version()))
    assert window.store_name_label.text() == "Test Store"


def test_f2_focuses_and_selects_the_scan_field_from_another_widget(window, qtbot):
    assert QApplication.activeWindow() is window
    window.scan_edit.setText("R-OLD")
    window.nav.setFocus()
    assert not window.scan_edit.hasFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    assert window.scan_edit.hasFocus()
    assert window.scan_edit.selectedText() == "R-OLD"


def test_an_unknown_code_says_nothing_matches(window, qtbot):
    qtbot.keyClicks(window.scan_edit, "XYZ")
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert window.scan_message.isVisible()
    assert window.scan_message.text() == "Nothing matches 'XYZ': scan a receipt, document or voucher code"
    assert window.scan_edit.selectedText() == "XYZ"  # the next scan replaces it
    qtbot.keyClicks(window.scan_edit, "R")
    assert not window.scan_message.isVisible()


def test_scanning_a_receipt_opens_it_on_the_sales_screen(make_window, demo_ctx, qtbot):
    sale = Sale.select().order_by(Sale.id.desc()).first()
    window = make_window(demo_ctx)
    assert window.current_screen_name() == "screen.home"
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    qtbot.keyClicks(window.scan_edit, sale.receipt_no)
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert not window.scan_message.isVisible()
    assert window.current_screen_name() == "screen.sales"
    assert window.current_screen().detail.sale.receipt == sale.receipt_no
    assert window.scan_edit.text() == ""


def test_a_registered_handler_gets_the_code(window, qtbot):
    seen: list[str] = []
    ScanEdit.register(lambda code: seen.append(("first", code)) and False)
    ScanEdit.register(lambda code: seen.append(("second", code)) or True)
    qtbot.keyClicks(window.scan_edit, "  R-TST01-01-000042 ")
    with qtbot.waitSignal(window.scan_edit.opened, timeout=1000) as opened:
        qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
    assert opened.args == ["R-TST01-01-000042"]
    assert seen == [("first", "R-TST01-01-000042"), ("second", "R-TST01-01-000042")]
    assert window.scan_edit.text() == ""
    assert not window.scan_message.isVisible()


def test_a_handler_refusal_is_shown(window, qtbot):
    def refuse(code):
        raise NotFound(f"Receipt {code} is not in the sales ledger.")

    ScanEdit.register(refuse)
    window.scan_edit.setText("R-1")
    window.scan_edit.submit()
    assert window.scan_message.text() == "Receipt R-1 is not in the sales ledger."


def test_shortcuts_dialog_lists_every_shortcut(qtbot, window):
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    keys = {dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert {"F1", "F2", "F3", "F4", "F9", "F10", "F11", "Ctrl+L", "Ctrl+U", "Ctrl+Shift+Q", "Ctrl+Q"} <= keys
    assert dialog.table.rowCount() == len([a for a in ACTIONS if a.shortcut])


def test_action_table_has_unique_names_and_shortcuts():
    names = [a.name for a in ACTIONS]
    shortcuts = [a.shortcut for a in ACTIONS if a.shortcut]
    assert len(names) == len(set(names))
    assert len(shortcuts) == len(set(shortcuts))
    # One F-key per screen of the shop floor; F12 is the Archive.
    by_key = {a.shortcut: a.name for a in ACTIONS if a.shortcut}
    assert [by_key[k] for k in ("F3", "F4", "F5", "F6", "F7", "F8")] == [
        "screen.sales", "screen.returns", "screen.exchange", "screen.orders", "screen.cases", "screen.customers"]
    assert shortcuts.count("F12") == 1


def test_switch_user_signs_the_first_person_out(window, store_ctx, add_staff, sign_in_answers):
    clerk = add_staff("100", "Cleo Clerk", "clerk")
    sign_in_answers.queue.append(clerk)
    window.action["session.switch_user"].trigger()
    assert sign_in_answers.calls[0]["mode"] == "switch"
    assert store_ctx.staff.code == "100"
    assert nav_titles(window) == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Vouchers", "Archive"]
    out = AuditEvent.select().where(AuditEvent.action == "auth.sign_out").order_by(AuditEvent.seq.desc()).first()
    assert out.staff_code == ADMIN_CODE and "switch user" in out.details


def test_switch_user_cancelled_keeps_the_person(window, store_ctx, sign_in_answers):
    window.switch_user()
    assert store_ctx.staff.code == ADMIN_CODE
    assert not AuditEvent.select().where(AuditEvent.action == "auth.sign_out").exists()


def test_sign_out_writes_the_event_and_returns_to_sign_in(window, store_ctx, add_staff, sign_in_answers):
    clerk = add_staff("100", "Cleo Clerk", "clerk")
    seen_while_open = []
    sign_in_answers.during = lambda call: seen_while_open.append((window.locked, store_ctx.staff))
    sign_in_answers.queue.append(clerk)
    window.sign_out_button.click()
    assert sign_in_answers.calls[0]["mode"] == "start"
    assert seen_while_open == [(True, None)]  # content hidden, nobody signed in while the dialog is up
    assert AuditEvent.select().where(AuditEvent.action == "auth.sign_out", AuditEvent.staff_code == ADMIN_CODE).exists()
    assert store_ctx.staff.code == "100"
    assert not window.locked
    assert nav_titles(window) == ["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Vouchers", "Archive"]


def test_escape_after_sign_out_closes_the_window(window, store_ctx, sign_in_answers):
    window.sign_out()
    assert not window.isVisible()
    assert store_ctx.staff is None


def test_home_screen_shows_real_figures(make_window, demo_ctx, clock_at):
    last = Sale.select().where(Sale.status == "completed").order_by(Sale.sold_at.desc()).first()
    clock_at(last.sold_at)
    window = make_window(demo_ctx)
    home = window.current_screen()
    home.refresh()
    from desk.ui.screens.home import local_day_bounds_utc

    start, end = local_day_bounds_utc(last.sold_at)
    # voided sales (a voided exchange's replacement) do not count
    today = Sale.select().where((Sale.sold_at >= start) & (Sale.sold_at < end) & (Sale.status == "completed"))
    assert today.count() >= 1
    assert home.today_count.text() == f"{today.count():,}"
    total = sum(s.total for s in today)
    assert home.today_total.text() == f"£{total // 100:,}.{total % 100:02d}"
    assert home.ledger_size.text() == f"{Sale.select().where(Sale.status == 'completed').count():,} sales"
    assert home.ledger_range.text().startswith("From ")
    assert home.store_name.text() == "Harbour Street Home & Style"
    assert home.store_address.text() == "12 Harbour Street, Bristol BS1 4RN, United Kingdom"


def test_home_screen_on_an_empty_ledger(window):
    home = window.current_screen()
    assert home.today_count.text() == "0"
    assert home.today_total.text() == "£0.00"
    assert home.ledger_size.text() == "0 sales"
    assert home.ledger_range.text() == "No sales imported yet"


def test_geometry_is_saved_on_close_and_restored(qtbot, store_ctx):
    qsettings().remove(GEOMETRY_KEY)
    first = MainWindow(store_ctx)
    qtbot.addWidget(first)
    assert first.restore_geometry() is False
    assert (first.width(), first.height()) == (1280, 800)
    # (The offscreen test screen is 800x600: a window larger than it would be moved back onto it.)
    first.setGeometry(QRect(30, 40, 760, 540))
    first.show()
    qtbot.waitExposed(first)
    saved = first.geometry()
    first.close()

    store_ctx.staff = staff_service._get(ADMIN_CODE)  # closing signed Ada out
    second = MainWindow(store_ctx)
    qtbot.addWidget(second)
    assert second.restore_geometry() is True
    assert second.geometry() == saved
    assert (second.width(), second.height()) == (760, 540)


def test_quitting_signs_the_person_out(window, store_ctx):
    window.action["app.quit"].trigger()
    assert not window.isVisible()
    assert AuditEvent.select().where(AuditEvent.action == "auth.sign_out", AuditEvent.staff_code == ADMIN_CODE).exists()


def test_run_gui_paints_and_exits_on_a_demo_database(demo, sqlite_url):
    close_database()
    code = textwrap.dedent(f"""
        import sys
        from desk.app import run_gui
        sys.exit(run_gui({sqlite_url!r}, exit_after_paint=True, staff_code="900"))
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "painted"
    from desk.models.db import open_database

    open_database(sqlite_url)
    # The benchmark's sign-in writes no audit event.
    assert not AuditEvent.select().where(AuditEvent.action == "auth.sign_in").exists()


def test_run_gui_reports_a_database_it_cannot_open(qtbot, messages, capsys, tmp_path):
    from desk.app import EXIT_DATABASE, run_gui

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    result = run_gui("sqlite:///" + str(blocker / "desk.sqlite3"))
    assert result == EXIT_DATABASE
    assert messages and messages[0][0] == "Desk cannot open its database"
    assert "Cannot create the data folder" in messages[0][1]
    assert "Cannot create the data folder" in capsys.readouterr().err
    app = QApplication.instance()
    assert "Desk: one stylesheet" in app.styleSheet()
    assert app.font().pointSizeF() >= 11


def test_run_gui_first_run_then_sign_in_then_the_main_window(qtbot, monkeypatch, sqlite_url, sign_in_answers):
    """The first minutes: no store -> the wizard (here: a small demo) -> sign-in -> the main window."""
    from desk.app import run_gui
    from desk.services import demo as demo_service
    from desk.services import staff as staff_service
    from desk.ui.dialogs.first_run import FirstRunWizard

    wizard_runs = []

    def wizard(cls, ctx, parent=None):
        wizard_runs.append(ctx.db_url)
        demo_service.build_demo(lines=200, customers=20)
        return True

    monkeypatch.setattr(FirstRunWizard, "run", classmethod(wizard))
    sign_in_answers.during = lambda call: sign_in_answers.queue.append(staff_service._get("100"))
    shown = []

    def fake_exec(app):
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        shown.append(([window.nav.item(i).text() for i in range(window.nav.count())], window.status_staff.text()))
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    assert run_gui(sqlite_url) == 0
    assert wizard_runs == [sqlite_url]
    assert [c["mode"] for c in sign_in_answers.calls] == ["start"]
    assert shown == [(["Today", "Sales", "Return", "Exchange", "Orders", "Cases", "Customers", "Vouchers", "Archive"], "Signed in: Łucja Wiśniewska (Clerk)")]


def test_run_gui_escape_at_sign_in_exits_without_a_window(qtbot, monkeypatch, sqlite_store, sqlite_url, sign_in_answers):
    from desk.app import run_gui
    from desk.ui.dialogs.first_run import FirstRunWizard

    monkeypatch.setattr(FirstRunWizard, "run", classmethod(lambda cls, ctx, parent=None: pytest.fail("store exists")))
    monkeypatch.setattr(QApplication, "exec", lambda app: pytest.fail("no window should open"))
    assert run_gui(sqlite_url) == 0
    assert [c["mode"] for c in sign_in_answers.calls] == ["start"]


def test_show_error_names_the_field_and_attempt_reports_a_refusal(qtbot, messages):
    from desk.errors import InvalidInput, NotAllowed
    from desk.ui.messages import attempt, show_error

    show_error(None, InvalidInput("Store code", "must be 2 to 8 letters or digits"))
    assert messages[-1] == ("Please check the input", "Store code: must be 2 to 8 letters or digits")

    def refuse():
        raise NotAllowed("Cleo Clerk (Clerk) may not see the settings.")

    assert attempt(None, refuse) == (False, None)
    assert messages[-1] == ("Not allowed", "Cleo Clerk (Clerk) may not see the settings.")
    assert attempt(None, lambda x: x * 2, 21) == (True, 42)
    assert len(messages) == 2


def test_the_idle_lock_waits_while_switch_user_is_open(window, sign_in_answers):
    sign_in_answers.during = lambda call: sign_in_answers.calls.append({"mode": "timer", "active": window.idle.timer.isActive()})
    window.switch_user()
    assert sign_in_answers.calls[-1] == {"mode": "timer", "active": False}
    assert window.idle.timer.isActive()


def test_f2_reaches_the_scan_field_from_a_table_on_another_screen(window, qtbot):
    from PySide6.QtWidgets import QAbstractItemView

    window.show_screen("screen.staff")
    table = window.current_screen().findChild(QAbstractItemView)
    assert table is not None
    table.setFocus()
    assert QApplication.focusWidget() is table
    qtbot.keyClick(table, Qt.Key.Key_F2)
    assert window.scan_edit.hasFocus()


def test_every_navigation_entry_fits_at_1280x800(make_window, store_ctx, qtbot):
    """With the app's stylesheet, the admin's longest navigation (Settings last) is not cut off
    at the bottom of a 1280x800 window."""
    from desk.app import application

    application()  # the app's palette and stylesheet, as the user sees them
    window = make_window(store_ctx)
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.nav.height() > 0)
    last = window.nav.item(window.nav.count() - 1)
    assert last.text() == "Settings"
    rect = window.nav.visualItemRect(last)
    assert rect.bottom() <= window.nav.viewport().height()


def test_f1_lists_every_screens_own_keys(qtbot, window, store_ctx, monkeypatch):
    """Each key a screen makes (a QShortcut, a button's shortcut) is declared in its ``keys``, so
    that F1 lists it under the screen; the Orders screen's keys are there."""
    from PySide6.QtGui import QKeySequence, QShortcut
    from PySide6.QtWidgets import QAbstractButton

    shown: list = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self.rows()))
    window.action["help.shortcuts"].trigger()
    rows = shown[0]
    orders = {(key, does) for key, does, where, _tip in rows if where == "Orders"}
    assert {("Ctrl+O", "Mark ordered (the order shown)"), ("Ctrl+R", "Receive (the order shown)"),
            ("Ctrl+T", "Customer told (the order shown)"), ("Ctrl+K", "Collect (the order shown)"),
            ("Ctrl+N", "Take an order")} <= orders
    wheres = {where for _k, _d, where, _t in rows}
    assert {"Anywhere", "Orders", "Cases", "Customers", "Vouchers", "Exchange log", "Settings", "Sales"} <= wheres
    assert ("Alt+1…6", "The board's views, Mine to All", "Cases", "") in rows

    def text(seq: QKeySequence) -> str:
        return seq.toString(QKeySequence.SequenceFormat.PortableText)

    for name in window.screen_names():
        screen = window.screen(name)
        declared = {text(seq) for key in screen.keys for seq in key.sequences()}
        made = {text(s.key()) for s in screen.findChildren(QShortcut) if not s.key().isEmpty()}
        made |= {text(b.shortcut()) for b in screen.findChildren(QAbstractButton) if not b.shortcut().isEmpty()}
        assert made <= declared, f"{screen.title}: {sorted(made - declared)} not in its keys (F1)"


def test_a_long_store_name_is_shortened_in_the_top_bar_with_the_whole_name_in_its_tooltip(make_window, store_ctx,
                                                                                          add_staff, qtbot):
    from PySide6.QtCore import QPoint

    from desk.app import application
    from desk.services import store as store_service

    application()
    details = store_service.details_of(store_service.current_store())
    details.name = "Harbour Street Home & Style — Head Office, Northern Region Distribution Centre"
    admin = store_ctx.staff
    store_service.update_store(admin, details)
    store_ctx.staff = add_staff("800", "Hana Office", "head_office")
    window = make_window(store_ctx)
    qtbot.waitUntil(lambda: window.store_name_label.width() > 0)
    label = window.store_name_label
    assert label.text() == details.name
    assert label.is_elided() and label.elided_text().endswith("…")
    assert label.fontMetrics().horizontalAdvance(label.elided_text()) <= label.contentsRect().width()
    assert label.toolTip() == details.name
    # the rest of the bar keeps its room
    assert window.scan_edit.width() >= 240
    right = window.sign_out_button.mapTo(window, QPoint(window.sign_out_button.width(), 0)).x()
    assert right <= window.width()
    # a short name is shown whole, with no tooltip
    details.name = "Quay Street"
    store_service.update_store(admin, details)
    window.rebuild()
    qtbot.waitUntil(lambda: not label.is_elided())
    assert label.elided_text() == "Quay Street" and label.toolTip() == ""
