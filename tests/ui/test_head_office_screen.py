"""The Head office screen: register a store, import bundles with progress and a log,
coverage, reports with CSV."""

from __future__ import annotations

import datetime as dt
import zipfile

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog

from desk.models import HoBundle, HoRecord
from desk.services import head_office
from desk.services.export import export_bundle, set_ho_key
from desk.ui.screens import SCREEN_CLASSES
from desk.ui.screens.head_office import HeadOfficeScreen
from tests.services.test_head_office import activity, add_team


def test_register_import_coverage_report(head_office_screen, qtbot, store_ctx, messages, tmp_path, monkeypatch):
    assert HeadOfficeScreen in SCREEN_CLASSES
    screen = head_office_screen()

    # register the store: its key is shown once
    screen.tabs.setCurrentIndex(3)
    screen.code_edit.setText("tst01")
    screen.name_edit.setText("Test Store")
    screen.register_store()
    key = screen.key_shown.text()
    assert len(key) == 64 and screen.stores_table.item(0, 0).text() == "TST01"
    screen.grab().save("/tmp/x/ho-stores.png")
    screen.register_store()  # empty code
    assert messages[-1][1].startswith("Store code: must be 2 to 8 letters")

    # the store (same database here) exports two bundles; one is tampered with
    admin = store_ctx.staff
    set_ho_key(admin, key)
    st = admin.store
    activity(st, add_team(st))
    good = export_bundle(admin, tmp_path).path
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b'"total":', b'"total": ', 1) if name == "data/returns.jsonl" else data)

    screen.tabs.setCurrentIndex(0)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(bad), str(good)], "")))
    screen.choose_bundles()
    qtbot.waitUntil(lambda: not screen.is_busy() and screen.import_button.isEnabled())
    log = screen.log.toPlainText().splitlines()
    assert log[0].startswith("bad.zip: refused. data/returns.jsonl does not match its hash")
    assert "bundle 1 of store TST01 imported" in log[1]
    assert HoRecord.select().count() > 0 and HoBundle.select().count() == 2
    assert screen.bundles.rowCount() == 2
    assert {screen.bundles.item(r, 4).text() for r in range(2)} == {"imported", "refused"}
    screen.grab().save("/tmp/x/ho-import.png")

    screen.tabs.setCurrentIndex(1)
    today = QDate.currentDate()
    screen.cov_from.setDate(today.addDays(-3))
    screen.cov_to.setDate(today)
    screen.show_coverage()
    assert screen.coverage_table.rowCount() == 1 and screen.coverage_table.columnCount() == 4
    assert screen.coverage_table.item(0, 3).toolTip().endswith("arrived: bundle 1")
    screen.grab().save("/tmp/x/ho-coverage.png")

    screen.tabs.setCurrentIndex(2)
    screen.report_combo.setCurrentIndex(screen.report_combo.findData("refunds_by_reason"))
    screen.rep_from.setDate(today)
    screen.rep_to.setDate(today)
    screen.run_report()
    assert screen.report_table.rowCount() == 3 and screen.csv_button.isEnabled()
    assert screen.report_table.horizontalHeaderItem(1).text() == "Reason"
    out = tmp_path / "reasons.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    screen.export_csv()
    assert out.read_text(encoding="utf-8-sig").startswith("Store,Reason,Currency,Lines,Refunded")
    screen.grab().save("/tmp/x/ho-reports.png")


def test_head_office_staff_reach_it_by_shift_f11_and_store_staff_do_not(make_window, store_ctx, add_staff, qtbot):
    from PySide6.QtCore import Qt

    from desk.services import auth

    assert not auth.can(store_ctx.staff, "ho.window")  # a store's admin has the commands, not the window
    assert not auth.can(add_staff("300", "Maja Manager", "manager"), "ho.window")
    store_ctx.staff = add_staff("800", "Hana Office", "head_office")
    window = make_window(store_ctx)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "Head office" in titles
    qtbot.keyClick(window.nav, Qt.Key.Key_F11, Qt.KeyboardModifier.ShiftModifier)
    assert window.current_screen_name() == "screen.head_office"


def test_sign_out_after_closing_time_writes_the_days_bundle(make_window, store_ctx, sign_in_answers, tmp_path,
                                                            monkeypatch):
    from desk.services import export as export_service
    from desk.services import settings as settings_service

    admin = store_ctx.staff
    _, key = head_office.register_store(admin, "TST01", "Test Store")
    set_ho_key(admin, key)
    settings_service.update(admin, {"export.auto": True, "export.folder": str(tmp_path / "auto")})
    window = make_window(store_ctx)
    due = [True]  # past closing time once; after the bundle, not again
    monkeypatch.setattr(export_service, "export_due", lambda now=None: due.pop() if due else False)
    sign_in_answers.queue.append(admin)
    window.sign_out_button.click()
    assert [p.name[:12] for p in (tmp_path / "auto").glob("*.zip")] == ["TST01-000001"]
    assert "Bundle 1 written to" in window.statusBar().currentMessage()
