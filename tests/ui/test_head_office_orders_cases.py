"""The Head office window's reports tab lists the special orders and cases reports and shows them."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate

from desk.services import head_office
from desk.services.export import export_bundle
from tests.services.test_ho_orders_cases import T0, make_shop, utc_local_time  # noqa: F401 - a fixture


def test_the_reports_tab_shows_orders_and_cases_reports(head_office_screen, qtbot, store_ctx, sqlite_store, clock_at, utc_local_time,
                                                        tmp_path):
    st, admin = sqlite_store
    make_shop(st, admin, clock_at)
    head_office.import_bundle(admin, export_bundle(admin, tmp_path).path)
    clock_at(T0 + dt.timedelta(days=40))
    screen = head_office_screen(2)
    names = [screen.report_combo.itemData(i) for i in range(screen.report_combo.count())]
    assert {"orders_overdue", "open_orders_by_status", "cases_by_category", "satisfaction_by_store"} <= set(names)

    screen.report_combo.setCurrentIndex(names.index("cases_by_category"))
    screen.rep_from.setDate(QDate(2026, 3, 2))
    screen.rep_to.setDate(QDate(2026, 3, 7))
    screen.run_report()
    table = screen.report_table
    assert table.rowCount() == 2 and table.horizontalHeaderItem(6).text() == "First response (median h)"
    assert [table.item(1, c).text() for c in range(table.columnCount())] == [
        "TST01", "Product quality", "product_quality", "2", "0", "0", "4.0", "7.0"]
    screen.grab().save("/tmp/x/ho-cases-report.png")

    screen.report_combo.setCurrentIndex(names.index("orders_overdue"))
    screen.rep_to.setDate(QDate(2026, 3, 22))
    screen.run_report()
    assert table.rowCount() == 1 and table.item(0, 5).text() == "80.00"
    screen.grab().save("/tmp/x/ho-orders-report.png")
