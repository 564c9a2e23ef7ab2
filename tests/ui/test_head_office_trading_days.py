"""The Head office window's Stores tab edits a store's trading days; Coverage shows closed days."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from desk.services import head_office
from desk.ui.screens.head_office import COVERAGE_MARKS, HeadOfficeScreen


def test_trading_days_are_edited_on_the_stores_tab_and_coverage_shows_them_closed(head_office_screen, qtbot, store_ctx, messages):
    admin = store_ctx.staff
    head_office.register_store(admin, "LDN01", "London")
    head_office.register_store(admin, "MAN01", "Manchester")
    screen = head_office_screen(3)
    assert not screen.days_button.isEnabled()  # no store picked yet

    screen.stores_table.selectRow(1)
    assert screen.selected_store() == "MAN01" and screen.days_button.isEnabled()
    screen.weekday_boxes[6].setChecked(True)  # Sundays
    screen.closed_dates_edit.setText("2026-12-25, 2026-13-01")
    screen.save_trading_days()
    assert messages[-1][1] == "Closed dates: '2026-13-01' is not a date: write it as YYYY-MM-DD"
    assert head_office.trading_calendar("MAN01").closed_weekdays == ()  # nothing saved
    screen.closed_dates_edit.setText("2026-12-26 2026-12-25")
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)  # shortcuts need the window active
    screen.closed_dates_edit.setFocus()
    qtbot.keyClick(screen.closed_dates_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    cal = head_office.trading_calendar("MAN01")
    assert cal.closed_weekdays == (6,) and cal.closed_dates == (dt.date(2026, 12, 25), dt.date(2026, 12, 26))
    assert screen.selected_store() == "MAN01" and screen.stores_table.item(1, 4).text() == "sun"
    assert screen.closed_dates_edit.text() == "2026-12-25, 2026-12-26"
    assert "saved: closed on sun" in screen.days_title.text()
    screen.grab().save("/tmp/x/ho-trading-days.png")

    screen.stores_table.selectRow(0)  # the other store trades every day
    assert not any(b.isChecked() for b in screen.weekday_boxes) and screen.closed_dates_edit.text() == ""
    screen.stores_table.selectRow(1)
    assert screen.weekday_boxes[6].isChecked()

    # coverage: the coming Sunday and Christmas are closed for MAN01, not for LDN01
    screen.tabs.setCurrentIndex(1)
    today = dt.date.today()
    sunday = today + dt.timedelta(days=(6 - today.weekday()) % 7 or 7)
    screen.cov_from.setDate(QDate(sunday.year, sunday.month, sunday.day))
    screen.cov_to.setDate(QDate(sunday.year, sunday.month, sunday.day))
    screen.show_coverage()
    table = screen.coverage_table
    assert [table.item(r, 0).text() for r in range(2)] == ["", COVERAGE_MARKS["closed"]]
    assert table.item(1, 0).toolTip().endswith("closed: not a trading day")
    screen.cov_from.setDate(QDate(2026, 12, 20))
    screen.cov_to.setDate(QDate(2026, 12, 31))
    screen.show_coverage()
    assert table.item(1, 5).text() == COVERAGE_MARKS["closed"]  # 25 December
    screen.grab().save("/tmp/x/ho-coverage-closed.png")
