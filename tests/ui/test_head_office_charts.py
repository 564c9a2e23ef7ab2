"""The Head office window draws each report's chart above its table, as the report declares it;
the chart follows the report and the dates, and Ctrl+G hides and shows it."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from desk.services import head_office, ho_reports
from desk.services.export import export_bundle
from tests.services.test_head_office import activity
from tests.services.test_ho_orders_cases import T0, make_shop, utc_local_time  # noqa: F401 - a fixture


def test_every_report_has_its_chart_and_ctrl_g_toggles_it(head_office_screen, qtbot, store_ctx, sqlite_store, clock_at, utc_local_time,
                                                          tmp_path):
    st, admin = sqlite_store
    d = make_shop(st, admin, clock_at)
    activity(st, (d["clerk"],))
    head_office.import_bundle(admin, export_bundle(admin, tmp_path).path)
    clock_at(T0 + dt.timedelta(days=40))
    screen = head_office_screen(2)
    assert not screen.chart_shown()  # nothing run yet
    screen.rep_from.setDate(QDate(2026, 3, 2))
    screen.rep_to.setDate(QDate(2026, 3, 22))
    seen = {}
    for i in range(screen.report_combo.count()):
        screen.report_combo.setCurrentIndex(i)
        screen.run_report()
        name = screen.report_combo.currentData()
        assert screen.chart_shown(), name
        seen[name] = (screen.report_chart.categories(), screen.report_chart.bar_sets(),
                      screen.report_chart.axis_title())
        qtbot.wait(20)  # the chart's scene lays out on the event loop
        screen.grab().save(f"/tmp/x/ho-chart-{name}.png")
    assert set(seen) == set(ho_reports.REPORTS)
    categories, bars, axis = seen["refunds_by_reason"]
    assert categories == ["defective", "changed_mind", "wrong_size"] and axis == "Amount (GBP)"
    assert bars == {"Refunded": [25.0, 22.0, 19.99]}  # largest first, in pounds
    categories, bars, _ = seen["cases_by_category"]
    assert categories == ["Product quality", "(no category)"] and bars["Cases"] == [2.0, 1.0]
    assert seen["orders_overdue"][1] == {"Late from supplier": [1.0], "Not collected by deadline": [1.0]}
    assert seen["satisfaction_by_store"][1] == {"Average (1-5)": [3.0]}
    screen.report_combo.setCurrentIndex(screen.report_combo.findData("satisfaction_by_store"))
    assert screen.report_chart.axis_range() == (0.0, 5.0)  # a score's axis runs to 5

    # Ctrl+G hides the chart and shows it again
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)  # shortcuts need the window active
    screen.report_table.setFocus()
    qtbot.keyClick(screen.report_table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert not screen.chart_shown() and not screen.chart_button.isChecked()
    screen.grab().save("/tmp/x/ho-chart-hidden.png")
    qtbot.keyClick(screen.report_table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert screen.chart_shown()


def test_the_chart_follows_the_report_and_the_dates(head_office_screen, qtbot, store_ctx, sqlite_store, clock_at, utc_local_time,
                                                    tmp_path):
    st, admin = sqlite_store
    make_shop(st, admin, clock_at)
    head_office.import_bundle(admin, export_bundle(admin, tmp_path).path)
    clock_at(T0 + dt.timedelta(days=40))
    screen = head_office_screen(2)
    screen.report_combo.setCurrentIndex(screen.report_combo.findData("open_orders_by_status"))
    screen.rep_from.setDate(QDate(2026, 3, 2))
    screen.rep_to.setDate(QDate(2026, 3, 22))
    screen.run_report()
    assert screen.report_chart.categories() == ["requested", "ordered", "arrived"]
    # picking another report or other days re-runs it: table and chart together
    screen.report_combo.setCurrentIndex(screen.report_combo.findData("cases_by_category"))
    assert screen.report_chart.categories() == ["Product quality", "(no category)"]
    assert screen.report_table.rowCount() == 2
    screen.rep_from.setDate(QDate(2026, 2, 1))
    screen.rep_to.setDate(QDate(2026, 2, 28))
    assert screen.report_chart.categories() == ["(no records)"] and screen.report_table.rowCount() == 0
    screen.rep_from.setDate(QDate(2026, 3, 5))  # a moment after the last day: not run, no message
    assert screen.report_note.text() == "No records in these days."
