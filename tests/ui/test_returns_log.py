"""The returns log: filters, totals, CSV export, lazy loading; the return's detail dialog with
Reprint slip and Void (same day, manager; refused for a spent voucher, another day, a clerk)."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import Qt

from desk import clock
from desk.errors import NotAllowed
from desk.models import Return
from desk.services import credit
from desk.services.returns import ReturnQuery, count_returns, create_return, return_view, void_return
from desk.services.sale_lookup import returned_quantities
from desk.services.staff import find_staff
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.dialogs.return_detail import ReturnDetailDialog
from desk.ui.dialogs.void_return import VoidReturnDialog
from desk.ui.screens.returns_log import ReturnsLogScreen
from tests.services.test_returns import add_team, make_request, make_sale


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def manager_ctx(demo_ctx):
    demo_ctx.staff = find_staff("300")
    return demo_ctx


@pytest.fixture
def log(qtbot, manager_ctx):
    screen = ReturnsLogScreen(manager_ctx)
    qtbot.addWidget(screen)
    screen.resize(1280, 800)
    return screen


@pytest.fixture
def shown(monkeypatch):
    calls: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": calls.append(doc) or False))
    return calls


@pytest.fixture
def void_reasons(monkeypatch):
    answers: list = []
    monkeypatch.setattr(VoidReturnDialog, "ask_reason",
                        classmethod(lambda cls, parent, view, locale="en_GB": answers.pop(0) if answers else None))
    return answers


def rows(screen):
    return [screen.model.row_at(i) for i in range(screen.model.rowCount())]


# ----------------------------------------------------------------------------- the log


def test_the_log_shows_every_return_with_totals(log):
    everything = Return.select().count()
    assert everything >= 10
    assert log.model.total_count == everything
    done = Return.select().where(Return.status == "completed")
    refunded = sum(r.total for r in done)
    assert log.totals.count == done.count() and log.totals.total == refunded
    text = log.totals_label.text()
    assert f"{done.count()} returns" in text and f"£{refunded / 100:,.2f} refunded" in text
    assert "voided not counted" in text
    assert sum(log.totals.by_tender.values()) == refunded
    assert "Store credit £" in text
    # newest first
    dates = [r.created_at for r in rows(log)]
    assert dates == sorted(dates, reverse=True)


def test_filters_by_reason_tender_approval_and_status(log, qtbot):
    log.reason_combo.setCurrentIndex(log.reason_combo.findData("wrong_size"))
    qtbot.keyClick(log.customer_edit, "\r")  # Enter searches
    assert rows(log) and all("Wrong size" in r.reasons for r in rows(log))
    assert log.model.total_count < Return.select().count()

    log.clear_filters()
    log.tender_combo.setCurrentIndex(log.tender_combo.findData("store_credit"))
    assert log.search()
    assert rows(log) and all("Store credit" in r.tenders for r in rows(log))
    assert set(log.totals.by_tender) == {"store_credit"} or "store_credit" in log.totals.by_tender

    log.clear_filters()
    log.approval_combo.setCurrentIndex(log.approval_combo.findData("approved"))
    assert log.search()
    assert rows(log) and all(r.approved_by for r in rows(log))
    assert all(log.model.data(log.model.index(i, log.model.APPROVED)) not in ("", "—") for i in range(log.model.rowCount()))

    log.clear_filters()
    assert log.search()
    unapproved = next(i for i, r in enumerate(rows(log)) if not r.approved_by)
    assert log.model.data(log.model.index(unapproved, log.model.APPROVED)) == "—"  # an empty cell reads as in every list

    log.clear_filters()
    log.status_combo.setCurrentIndex(log.status_combo.findData("voided"))
    assert log.search()
    # the demo voids one return, and one exchange (whose returned half is a return too)
    voided = Return.select().where(Return.status == "voided").count()
    assert voided == 2 and len(rows(log)) == voided
    total = log.model.index(0, log.model.TOTAL)
    assert log.model.data(total, Qt.ItemDataRole.ToolTipRole).startswith("Voided")
    assert log.model.data(total, Qt.ItemDataRole.FontRole).strikeOut()
    assert log.model.data(total, log.model.StatusRole) == "voided"
    assert log.totals.count == voided


def test_filters_by_clerk_customer_amount_and_date(log, qtbot):
    log.clerk_combo.setEditText("100")
    assert log.search()
    assert rows(log) and {r.clerk_code for r in rows(log)} == {"100"}

    log.clear_filters()
    some = next(r for r in Return.select().order_by(Return.id) if r.customer_name)
    log.customer_edit.setText(some.customer_name.split()[0])
    assert log.search()
    assert some.number in [r.number for r in rows(log)]

    log.clear_filters()
    big = max(r.total for r in Return.select())
    log.amount_edit.setText(f">{(big - 1) / 100:.2f}")
    qtbot.keyClick(log.amount_edit, "\r")
    assert rows(log) and all(r.total >= big - 1 for r in rows(log))

    log.clear_filters()
    today = clock.to_local(clock.utcnow()).date()
    log.from_edit.setText(today.isoformat())
    assert log.search()
    assert rows(log) and all(clock.to_local(r.created_at).date() == today for r in rows(log))


def test_a_bad_filter_names_the_field_and_keeps_the_list(log):
    before = log.model.rowCount()
    log.from_edit.setText("31/31/2026")
    assert not log.search()
    assert log.message.text().startswith("From:") and log.message.isVisibleTo(log)
    assert log.model.rowCount() == before
    log.from_edit.setText("2026-05-02")
    log.to_edit.setText("2026-05-01")
    assert not log.search()
    assert log.message.text().startswith("To:")
    log.to_edit.clear()
    log.from_edit.clear()
    log.amount_edit.setText("lots")
    assert not log.search()
    assert log.message.text().startswith("Amount:")


def test_export_csv_writes_the_filtered_returns(log, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "out" / "returns"
    target.parent.mkdir()
    monkeypatch.setattr(ReturnsLogScreen, "choose_export_path", classmethod(lambda cls, parent, suggested: str(target)))
    log.reason_combo.setCurrentIndex(log.reason_combo.findData("changed_mind"))
    assert log.search()
    assert log.export_csv()
    assert not log.export_button.isEnabled()
    qtbot.waitUntil(lambda: not log.exporting, timeout=20000)
    assert log.export_button.isEnabled()
    n = log.model.total_count
    with open(str(target) + ".csv", newline="", encoding="utf-8") as fh:
        data = list(csv.DictReader(fh))
    assert len(data) == n and n > 0
    assert f"Exported {n} returns" in log.message.text()
    assert not (target.parent / "returns.csv.part").exists()
    assert {d["number"] for d in data} == {r.number for r in rows(log)}
    assert all("Changed mind" in d["reasons"] for d in data)
    first = next(r for r in rows(log) if r.number == data[0]["number"])
    assert data[0]["total"] == f"{first.total / 100:.2f}"


def test_export_cancelled_writes_nothing(log, tmp_path, monkeypatch):
    monkeypatch.setattr(ReturnsLogScreen, "choose_export_path", classmethod(lambda cls, parent, suggested: None))
    assert not log.export_csv()
    assert not log.exporting and not list(tmp_path.glob("*.csv"))


def test_an_export_that_cannot_be_written_says_so_and_leaves_nothing(log, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "missing" / "returns.csv"
    monkeypatch.setattr(ReturnsLogScreen, "choose_export_path", classmethod(lambda cls, parent, suggested: str(target)))
    assert log.export_csv()
    qtbot.waitUntil(lambda: not log.exporting, timeout=20000)
    assert log.message.text().startswith("Not exported: cannot write")
    assert not target.parent.exists()


def test_the_list_loads_lazily_in_pages(log, qtmodeltester):
    log.model.page_size = 4
    assert log.search()
    total = log.model.total_count
    assert log.model.rowCount() == 4 and log.model.canFetchMore()
    log.model.fetchMore()
    assert log.model.rowCount() == 8
    while log.model.canFetchMore():
        log.model.fetchMore()
    assert log.model.rowCount() == total
    assert len({r.number for r in rows(log)}) == total
    qtmodeltester.check(log.model)


def test_enter_opens_the_selected_return(log, qtbot, monkeypatch):
    opened = []
    monkeypatch.setattr(ReturnDetailDialog, "show_return",
                        classmethod(lambda cls, ctx, parent, number: opened.append(number) or False))
    log.show()
    qtbot.waitExposed(log)
    log.select_row(2)
    log.table.setFocus()
    qtbot.keyClick(log.table, "\r")
    assert opened == [log.model.row_at(2).number]


# ----------------------------------------------------------------------------- the detail dialog


def test_the_detail_dialog_shows_lines_refunds_and_the_approver(qtbot, manager_ctx, shown):
    ret = Return.select().where(Return.approved_by.is_null(False) & (Return.status == "completed")).first()
    view = return_view(ret.number)
    dialog = ReturnDetailDialog(manager_ctx, view)
    qtbot.addWidget(dialog)
    assert dialog.title_label.text() == f"Return {ret.number}"
    assert dialog.lines_table.rowCount() == len(view.lines)
    line = view.lines[0]
    assert dialog.lines_table.item(0, 3).text().startswith(line.reason_label)
    assert dialog.lines_table.item(0, 5).text() == line.disposition_label
    assert dialog.tenders_table.rowCount() == len(view.tender_totals())
    assert view.approved_by_name in dialog.approval_label.text()
    assert view.approval_note in dialog.approval_label.text()
    assert dialog.void_button.isVisibleTo(dialog)
    assert dialog.reprint() is False  # the preview (replaced) printed nothing
    assert [d.kind for d in shown] == ["refund"] and shown[0].number == ret.number


def test_the_detail_dialog_of_a_voided_return_says_so(qtbot, manager_ctx):
    ret = Return.get(Return.status == "voided")
    dialog = ReturnDetailDialog(manager_ctx, return_view(ret.number))
    qtbot.addWidget(dialog)
    assert dialog.status_label.text() == "VOIDED"
    assert ret.void_reason in dialog.void_label.text()
    assert not dialog.void_button.isVisibleTo(dialog)


# ----------------------------------------------------------------------------- void


@pytest.fixture
def small(sqlite_store, ctx):
    store, _admin = sqlite_store
    clerk, _clerk2, _sup, mgr = add_team(store)
    sale = make_sale(store, "V-1", [("Shirt", 2, 2000, 0, "Clothing")])
    ctx.staff = mgr
    return {"store": store, "clerk": clerk, "mgr": mgr, "sale": sale, "ctx": ctx}


def open_dialog(qtbot, ctx, number):
    dialog = ReturnDetailDialog(ctx, return_view(number))
    qtbot.addWidget(dialog)
    return dialog


def test_void_the_same_day_makes_the_quantities_returnable_again(qtbot, small, void_reasons):
    line_id = small["sale"].lines[0].id
    done = create_return(small["clerk"], make_request(small["sale"], {1: 2}))
    assert returned_quantities([line_id])[line_id] == 2
    dialog = open_dialog(qtbot, small["ctx"], done.number)
    seen = []
    small["ctx"].events.changed.connect(seen.append)
    assert not dialog.void()  # backed out: nothing happens
    assert return_view(done.number).status == "completed"
    void_reasons.append("rang up the wrong receipt")
    assert dialog.void()
    assert returned_quantities([line_id])[line_id] == 0
    after = return_view(done.number)
    assert after.status == "voided" and after.void_reason == "rang up the wrong receipt"
    assert dialog.status_label.text() == "VOIDED" and "voided" in dialog.message.text()
    assert not dialog.void_button.isVisibleTo(dialog)
    assert "returns" in seen


def test_void_is_refused_when_the_voucher_was_spent(qtbot, small, void_reasons, messages):
    done = create_return(small["clerk"], make_request(small["sale"], {1: 1}, refund_to="store_credit"))
    code = done.voucher_codes[0]
    credit.redeem(small["clerk"], code, 500)
    dialog = open_dialog(qtbot, small["ctx"], done.number)
    void_reasons.append("customer changed their mind")
    assert not dialog.void()
    assert "already spent" in dialog.message.text() and dialog.message.text().startswith("Not voided")
    assert messages and "already spent" in messages[-1][1]
    assert return_view(done.number).status == "completed"
    assert credit.voucher_view(code).status == "active"


def test_void_is_refused_on_another_day(qtbot, small, void_reasons, clock_at, messages):
    done = create_return(small["clerk"], make_request(small["sale"], {1: 1}))
    clock_at(clock.utcnow() + dt.timedelta(days=1))
    dialog = open_dialog(qtbot, small["ctx"], done.number)
    void_reasons.append("too late")
    assert not dialog.void()
    assert "not made today" in dialog.message.text()
    assert return_view(done.number).status == "completed"


def test_a_clerk_cannot_void(qtbot, small):
    done = create_return(small["clerk"], make_request(small["sale"], {1: 1}))
    small["ctx"].staff = small["clerk"]
    dialog = open_dialog(qtbot, small["ctx"], done.number)
    assert not dialog.void_button.isVisibleTo(dialog)
    with pytest.raises(NotAllowed, match="may not void"):
        void_return(small["clerk"], done.number, "oops")
    assert count_returns(small["mgr"], ReturnQuery(status="voided")) == 0


def test_the_void_dialog_requires_a_reason(qtbot, small):
    done = create_return(small["clerk"], make_request(small["sale"], {1: 1}, refund_to="store_credit"))
    dialog = VoidReturnDialog(return_view(done.number))
    qtbot.addWidget(dialog)
    dialog.show()
    assert done.voucher_codes[0] in dialog.findChild(type(dialog.error), "voidEffects").text()
    dialog.ok_button.click()
    assert dialog.result() == 0 and "Reason" in dialog.error.text()
    qtbot.keyClicks(dialog.reason_edit, "wrong receipt")
    qtbot.keyClick(dialog.reason_edit, "\r")
    assert dialog.result() == VoidReturnDialog.DialogCode.Accepted and dialog.reason() == "wrong receipt"


def test_at_1280_by_800_the_log_needs_no_sideways_scroll(demo_ctx, make_window, qtbot):
    """Nine columns do not fit beside the navigation: Approver and Clerk (the return's detail
    shows both) give way, so Customer, Reasons and Tender are shown whole, with no horizontal
    scroll bar."""
    from desk.app import application
    from desk.ui.tables.returns_log_table import ReturnsLogTableModel as M

    application()  # the app's palette, font and stylesheet, as the user sees them
    demo_ctx.staff = find_staff("300")
    window = make_window(demo_ctx)
    screen = window.open_screen("screen.returns_log")
    table = screen.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    assert table.isColumnHidden(M.APPROVED) and table.isColumnHidden(M.CLERK)
    metrics = table.fontMetrics()
    for col, text in ((M.CUSTOMER, "Mateusz MacLeod"), (M.REASONS, "Not as described"), (M.TENDERS, "Store credit")):
        assert table.columnWidth(col) >= metrics.horizontalAdvance(text) + 8, table.model().COLUMNS[col]
    last = max(c for c in range(table.model().columnCount()) if not table.isColumnHidden(c))
    assert table.columnViewportPosition(last) + table.columnWidth(last) <= table.viewport().width() + 1
    assert not table.horizontalScrollBar().isVisible()


def test_a_log_date_is_written_short_with_the_weekday_for_the_week_before():
    """One helper writes the logs' Date: today, a weekday in the six days before (every return
    is behind us), else the day and month; more than half a year ago the day, month and year
    with no time, so it fits the column sized for "28 May 12:58" (TZ is UTC here)."""
    from desk.ui.tables.sales_table import compact_time_sample, compact_time_text

    now = dt.datetime(2026, 11, 23, 18, 0)  # a Monday
    assert compact_time_text(dt.datetime(2026, 11, 23, 9, 5), "en_GB", now, past=True) == "Today 09:05"
    assert compact_time_text(dt.datetime(2026, 11, 22, 17, 10), "en_GB", now, past=True) == "Sun 17:10"
    assert compact_time_text(dt.datetime(2026, 11, 17, 17, 10), "en_GB", now, past=True) == "Tue 17:10"
    assert compact_time_text(dt.datetime(2026, 11, 16, 16, 16), "en_GB", now, past=True) == "16 Nov 16:16"  # a week ago
    assert compact_time_text(dt.datetime(2026, 6, 1, 16, 16), "en_GB", now, past=True) == "1 Jun 16:16"
    assert compact_time_text(dt.datetime(2026, 5, 3, 16, 16), "en_GB", now, past=True) == "3 May 2026"
    assert compact_time_text(dt.datetime(2026, 11, 25, 8, 0), "en_GB", now, past=True) == "25 Nov 08:00"  # a clock ahead
    assert compact_time_sample("en_GB", past=True) == "28 May 12:58"


def test_the_date_reads_today_a_weekday_or_the_day_with_the_full_date_in_its_tip(log, clock_at):
    """A return made today reads "Today 10:43", one made this week its weekday, an earlier one
    its day and month; the tooltip gives the full date and time."""
    from desk.ui.tables.returns_log_table import ReturnsLogTableModel as M

    log.search()
    m = log.model
    made = m.row_at(0).created_at
    local = clock.to_local(made)
    cell = m.index(0, M.DATE)
    clock_at(made + dt.timedelta(minutes=1))
    assert m.data(cell) == f"Today {local:%H:%M}"
    clock_at(made + dt.timedelta(days=3))
    assert m.data(cell) == f"{local:%a %H:%M}"
    clock_at(made + dt.timedelta(days=30))
    assert m.data(cell) == f"{local.day} {local:%b %H:%M}"
    clock_at(made + dt.timedelta(days=400))
    assert m.data(cell) == f"{local.day} {local:%b %Y}"
    tip = m.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert f"{local.day} {local:%B %Y}" in tip and f"{local:%H:%M}" in tip  # "Monday, 23 November 2026 at 18:25:00 ..."


def test_the_date_column_is_sized_from_the_short_sample_not_the_rows(demo_ctx, make_window, qtbot):
    """The Date column is as wide as its declared sample ("28 May 12:58"), narrower than the long
    form it had ("23/11/2026, 18:25"): the room goes to Customer, Reasons and Tender."""
    from desk.app import application
    from desk.ui.tables.paged import ColumnFit
    from desk.ui.tables.returns_log_table import ReturnsLogTableModel as M
    from desk.ui.tables.sales_table import compact_time_sample

    application()
    demo_ctx.staff = find_staff("300")
    window = make_window(demo_ctx)
    screen = window.open_screen("screen.returns_log")
    table = screen.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    metrics = table.fontMetrics()
    width = table.columnWidth(M.DATE)
    assert width >= metrics.horizontalAdvance(compact_time_sample("en_GB", past=True)) + 8
    assert width < metrics.horizontalAdvance("23/11/2026, 18:25")
    fit = table.findChild(ColumnFit)  # the width is the model's sample's, no row read
    assert fit.minimum(M.DATE) == width
    assert M(locale="en_GB").column_sample(M.DATE) == compact_time_sample("en_GB", past=True)
