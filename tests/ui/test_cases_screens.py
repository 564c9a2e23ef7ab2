"""The Cases screen (F7) driven as a clerk would: a complaint about a sold kettle found by its
receipt, an apology, goodwill store credit above the limit approved by a manager at the desk,
the follow-up call and the case closed; the board's counts and the navigation badge; a case
number in the scan field; printing; the figures with their chart."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desk.models import Voucher
from desk.services import cases as cases_service
from desk.services.cases import CaseInput
from desk.services.customers import CustomerInput, create_customer
from desk.services.returns import DeskApproval
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.dialogs.case_dialogs import FiguresDialog, FormDialog, NewCaseDialog
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from tests.services.test_returns import MANAGER, add_team, make_product, make_sale

T0 = dt.datetime(2026, 3, 2, 9, 0)
H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()  # the local time of the tests that follow is the machine's again


@pytest.fixture
def shop(store_ctx, clock_at):
    """A store with a team, Ann and the kettle she bought (receipt T-100); the clerk signed in."""
    store, _admin = store_ctx.staff.store, store_ctx.staff
    from desk.models import Store

    st = Store.select().first()
    clock_at(T0 - dt.timedelta(days=2))
    clerk, _clerk2, sup, mgr = add_team(st)
    ann = create_customer(clerk, CustomerInput("Ann Example", phone="07700 900123", email="ann@example.com",
                                               preferred_contact="phone", contact_consent=True))
    kettle = make_product("KET-1", "Kitchen", price=3000, stock=4)
    make_sale(st, "T-100", [("Kettle", 1, 3000, 0, "Kitchen", kettle)], customer_id=ann.id)
    clock_at(T0)
    store_ctx.staff = clerk
    return dict(ctx=store_ctx, clerk=clerk, sup=sup, mgr=mgr, ann=ann, kettle=kettle, at=clock_at)


class Forms:
    """Stands in for the person at the keyboard in each dialog: ``queue`` holds, in order, what
    to do in each FormDialog that opens (a function given the dialog)."""

    def __init__(self):
        self.queue: list = []
        self.seen: list[str] = []


@pytest.fixture
def forms(monkeypatch):
    f = Forms()

    def exec_(dialog):
        f.seen.append(dialog.windowTitle())
        step = f.queue.pop(0)
        step(dialog)
        return QDialog.DialogCode.Accepted if dialog.result_value is not None else QDialog.DialogCode.Rejected

    monkeypatch.setattr(FormDialog, "exec", exec_)
    return f


def new_case_steps(monkeypatch, fill):
    monkeypatch.setattr(NewCaseDialog, "exec", lambda dialog: fill(dialog) or 0)


def test_a_complaint_about_a_sold_item_from_receipt_to_closed_with_goodwill(shop, make_window, qtbot, monkeypatch,
                                                                             forms, messages):
    window = make_window(shop["ctx"])
    qtbot.keyClick(window, Qt.Key.Key_F7)
    screen = window.screen("screen.cases")
    assert window.current_screen_name() == "screen.cases"

    # New case (Ctrl+N): the receipt scanned finds the sale and its customer.
    def fill(d: NewCaseDialog):
        d.summary_edit.setText("Kettle leaks after a week")
        d.receipt_edit.setText("T-100")
        d.product_edit.setText("KET-1")
        d.words_edit.setPlainText("It leaked all over my worktop.")
        d.priority_combo.setCurrentIndex(d.priority_combo.findData("high"))
        assert d.try_accept()

    new_case_steps(monkeypatch, fill)
    qtbot.keyClick(screen.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    case = screen.case
    assert case is not None and case.number.startswith("C-")
    assert case.receipt_no == "T-100" and case.customer_name == "Ann Example" and case.product_name == "Product KET-1"
    assert case.owner_id == shop["clerk"].id and "Mine  1" in screen.tabs.tabText(0)
    assert "First response due" in screen.due_label.text()
    assert "It leaked all over my worktop." in screen.page.toPlainText()
    assert window.badge("screen.cases") == 0  # due tomorrow: not yet on the badge

    # A day later with no answer it is overdue: red on the board and counted in the navigation.
    shop["at"](T0 + 25 * H)
    screen.refresh()
    window.refresh_badges("cases")
    assert window.badge("screen.cases") == 1
    assert screen.case.overdue and screen.due_label.text().startswith("OVERDUE")
    assert "Overdue  1" in screen.tabs.tabText(2)

    # An apology is the first response.
    def apology(d: FormDialog):
        d.set_value("Kind of note", "apology")
        d.set_value("Note", "We are sorry the kettle leaked; we will put it right.")
        d.try_accept()

    forms.queue.append(apology)
    qtbot.keyClick(screen.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert screen.case.first_response_at == T0 + 25 * H and not screen.case.overdue
    window.refresh_badges("cases")
    assert window.badge("screen.cases") == 0

    # Resolve with £25 goodwill: above the £20 a clerk may give, a manager approves at the desk.
    asked: list = []
    monkeypatch.setattr(ApproveAtDeskDialog, "ask", classmethod(
        lambda cls, parent, reasons, override=False, subject="return":
        asked.append((reasons, subject)) or DeskApproval(MANAGER[0], MANAGER[1], "ok")))

    def goodwill(d: FormDialog):
        d.set_value("Resolution", "goodwill")
        d.set_value("Goodwill", "25.00")
        d.set_value("What was done", "Store credit for the trouble; kettle replaced from stock.")
        d.try_accept()

    forms.queue.append(goodwill)
    qtbot.keyClick(screen.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    case = screen.case
    assert asked and "above" in asked[0][0][0] and asked[0][1] == "goodwill credit"
    assert case.status == "resolved" and case.resolution_kind == "goodwill" and case.goodwill_amount == 2500
    voucher = Voucher.get(Voucher.code == case.voucher_code)
    assert voucher.amount == 2500 and voucher.source == "goodwill"
    assert "Goodwill voucher" in screen.message.text() and "Follow-up due" in screen.message.text()
    assert screen.action_buttons["follow_up"].isEnabled() and not screen.action_buttons["add_note"].isEnabled()

    # The follow-up call: reached, happy; the case closes.
    shop["at"](T0 + 4 * 24 * H)

    def call(d: FormDialog):
        assert "07700 900123" in d.intro.text()
        d.set_value("Reached", True)
        d.set_value("Outcome", "New kettle works; thanks for the credit.")
        d.set_value("Satisfaction", "5")
        d.try_accept()

    forms.queue.append(call)
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    case = screen.case
    assert case.status == "closed" and case.follow_up.satisfaction == 5
    assert "Closed" in screen.due_label.text() and "satisfaction 5/5" in screen.page.toPlainText()
    assert forms.seen == [f"Note on {case.number}", f"Resolve {case.number}", f"Follow up {case.number}"]
    assert messages == []


def test_a_refusal_stays_in_the_form_with_its_field_named(shop, qtbot, forms):
    from desk.ui.screens.cases import CasesScreen

    view = cases_service.open_case(shop["clerk"], CaseInput(summary="Where is my order?", type="enquiry"))
    screen = CasesScreen(shop["ctx"])
    qtbot.addWidget(screen)
    assert screen.open_case(view.number)
    seen = {}

    def empty_resolution(d: FormDialog):
        d.set_value("Resolution", "refund")
        d.set_value("What was done", "Refunded")
        assert not d.try_accept()
        seen["error"] = d.error.text()
        seen["marked"] = d.fields["Resolution"].property("invalid")

    forms.queue.append(empty_resolution)
    screen.resolve_case()
    assert seen["error"].startswith("Resolution: link the refund's return")
    assert seen["marked"] is True
    assert screen.case.status == "open"
    # Enter on a case offers what can be done with it now
    labels = [a.text() for a in screen.action_menu().actions()]
    assert labels[:2] == ["Note", "Owner"] and "Resolve" in labels and "Follow up" not in labels


def test_waiting_on_the_customer_pauses_the_clock_and_a_case_number_scanned_opens_it(shop, make_window, forms):
    view = cases_service.open_case(shop["clerk"], CaseInput(summary="Sofa cushions missing", customer_id=shop["ann"].id))
    window = make_window(shop["ctx"])
    assert window.open_scanned(view.number)
    screen = window.screen("screen.cases")
    assert window.current_screen_name() == "screen.cases" and screen.case.number == view.number

    def waiting(d: FormDialog):
        d.set_value("Status", "waiting_customer")
        d.set_value("Note", "Asked for a photo of the label")
        d.try_accept()

    forms.queue.append(waiting)
    screen.change_status()
    assert screen.case.status == "waiting_customer"
    assert "clock is paused" in screen.due_label.text()
    assert screen.model.row_at(screen.table.currentIndex().row()).number == view.number


def test_print_the_summary_and_the_letter(shop, qtbot, monkeypatch):
    from desk.ui.screens.cases import CasesScreen

    docs: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": docs.append(doc) or False))
    view = cases_service.open_case(shop["clerk"], CaseInput(summary="Rude reply on the phone", customer_id=shop["ann"].id))
    screen = CasesScreen(shop["ctx"])
    qtbot.addWidget(screen)
    with qtbot.waitExposed(screen):
        screen.show()
    screen.open_case(view.number)
    qtbot.keyClick(screen.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(screen.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [(d.kind, d.number) for d in docs] == [("case", view.number), ("case_letter", view.number)]
    assert docs[0].pdf.startswith(b"%PDF")


def test_figures_for_a_manager_with_a_chart_by_category(shop, qtbot):
    from desk.ui.screens.cases import CasesScreen

    cat = next(c for c in cases_service.list_categories() if c.name == "Product quality")
    for summary in ("Kettle leaks", "Toaster sparks"):
        cases_service.open_case(shop["clerk"], CaseInput(summary=summary, category_id=cat.id))
    clerk_screen = CasesScreen(shop["ctx"])
    qtbot.addWidget(clerk_screen)
    assert not clerk_screen.figures_button.isVisibleTo(clerk_screen)  # clerks do not see the figures
    shop["ctx"].staff = shop["mgr"]
    dialog = FiguresDialog(shop["ctx"])
    qtbot.addWidget(dialog)
    assert "Product quality" in dialog.chart_categories()
    assert dialog.chart_view.bar_sets()["Opened"][dialog.chart_categories().index("Product quality")] == 2
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(20)  # the chart's scene lays out on the event loop
    dialog.grab().save("/tmp/x/case-figures.png")
    assert dialog.table.item(0, 0).text() == "All cases" and dialog.table.item(0, 1).text() == "2"
    assert "2 cases opened" in dialog.summary.text()
    dialog.by_combo.setCurrentIndex(dialog.by_combo.findData("product"))
    assert dialog.chart_categories() == ["(no cases)"]


def test_settings_show_and_save_the_case_deadlines_and_the_goodwill_limit(store_ctx, qtbot):
    from desk.services import settings
    from desk.ui.screens.settings import SettingsScreen

    screen = SettingsScreen(store_ctx)
    qtbot.addWidget(screen)
    assert screen.case_spins["cases.first_response_hours"].value() == 24
    assert screen.case_spins["cases.resolve_hours.low"].value() == 336
    assert screen.goodwill_edit.text() == "20.00"
    screen.case_spins["cases.follow_up_days"].setValue(5)
    screen.goodwill_edit.setText("35.50")
    assert screen.save()
    assert settings.get("cases.follow_up_days") == 5 and settings.get("cases.goodwill_limit") == 3550
    screen.goodwill_edit.setText("lots")
    assert not screen.save()
    assert screen.error_of("Goodwill approval above").startswith("Goodwill approval above: 'lots' is not an amount")


def test_a_return_started_from_the_case_is_linked_to_it_and_resolves_it_as_a_refund(shop, make_window, forms):
    from desk.services.returns import create_return
    from desk.services.sale_lookup import find_receipt
    from tests.services.test_returns import make_request

    view = cases_service.open_case(shop["clerk"], CaseInput(summary="Kettle leaks", receipt_no="T-100"))
    window = make_window(shop["ctx"])
    window.open_scanned(view.number)
    screen = window.screen("screen.cases")
    screen.start_return()
    assert window.current_screen_name() == "screen.returns"
    # The clerk takes the return on the Return screen (here through its service) ...
    sale = find_receipt("T-100", actor=shop["clerk"])
    ret = create_return(shop["clerk"], make_request(sale, {1: 1}, refund_to="store_credit"))
    shop["ctx"].events.emit_changed("returns", "sales")
    # ... and the case links it.
    assert cases_service.get_case(view.number).return_number == ret.number
    window.open_scanned(view.number)

    def refund(d: FormDialog):
        assert d.value("Resolution") == "refund"  # offered first now that a return is linked
        d.set_value("What was done", "Refunded to the card")
        d.try_accept()

    forms.queue.append(refund)
    screen.resolve_case()
    assert screen.case.status == "resolved" and screen.case.resolution_kind == "refund"


def test_a_manager_keeps_the_categories(shop, qtbot):
    from desk.ui.dialogs.case_dialogs import CategoriesDialog

    shop["ctx"].staff = shop["mgr"]
    dialog = CategoriesDialog(shop["ctx"])
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Parking")
    assert dialog.add()
    assert "Parking" in dialog.names()
    dialog.name_edit.setText("parking")
    assert not dialog.add() and "Category: 'parking' is already a category" in dialog.error.text()
    dialog.select("Parking")
    dialog.name_edit.setText("Car park")
    assert dialog.rename() and "Car park" in dialog.names()
    assert dialog.toggle() and not dialog.current().active
    assert "Car park" not in [c.name for c in cases_service.list_categories()]


def test_a_follow_up_call_that_does_not_reach_the_customer_is_counted(shop, qtbot, forms):
    from desk.ui.screens.cases import CasesScreen

    view = cases_service.open_case(shop["clerk"], CaseInput(summary="Late delivery", customer_id=shop["ann"].id))
    cases_service.resolve(shop["clerk"], view.number, "explanation", "Explained the courier's delay")
    screen = CasesScreen(shop["ctx"])
    qtbot.addWidget(screen)
    screen.open_case(view.number)
    assert screen.action_buttons["follow_up"].isEnabled()

    def no_answer(d: FormDialog):
        assert "(0 so far)" in d.intro.text()
        d.set_value("Reached", False)
        d.set_value("Outcome", "No answer; left a voicemail")
        d.try_accept()

    forms.queue.append(no_answer)
    screen.follow_up()
    case = screen.case
    assert case.status == "resolved" and case.follow_up.attempts == 1
    assert "1 call" in screen.page.toPlainText()


def test_an_unknown_case_number_scanned_is_named(shop, make_window):
    window = make_window(shop["ctx"])
    window.scan_edit.setText("C-TST01-01-000999")
    assert not window.scan_edit.submit()
    assert window.scan_message.text() == "No case has the number C-TST01-01-000999."


def test_the_case_list_fits_a_whole_number_and_a_bold_due_time(shop, make_window, qtbot):
    """Overdue cases are written bold: the Due column fits such a (short) time, the Number column a whole
    case number; Summary takes the rest and stays on screen."""
    from PySide6.QtGui import QFont, QFontMetrics

    from desk.ui.tables.cases_table import CasesTableModel as M

    from desk.app import application

    application()  # the app's palette, font and stylesheet, as the user sees them
    cases_service.open_case(shop["clerk"], CaseInput(summary="Sofa cushions missing", customer_id=shop["ann"].id))
    window = make_window(shop["ctx"])
    screen = window.open_screen("screen.cases")
    table = screen.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    bold = QFont(table.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    import datetime as _dt

    from desk.ui.tables.sales_table import compact_time_text

    now = _dt.datetime(2026, 12, 1, 9, 0)
    wide_time = compact_time_text(_dt.datetime(2026, 12, 28, 22, 58), "en_GB", now)  # 28 Dec 22:58
    assert wide_time == "28 Dec 22:58"
    assert table.columnWidth(M.DUE) >= metrics.horizontalAdvance(wide_time)
    assert table.columnWidth(M.NUMBER) >= metrics.horizontalAdvance("C-TST01-01-000123")
    right_edge = table.columnViewportPosition(M.DUE) + table.columnWidth(M.DUE)
    assert right_edge <= table.viewport().width() + 1
    assert table.columnWidth(M.SUMMARY) >= table.horizontalHeader().fontMetrics().horizontalAdvance("Summary")


def test_ctrl_shift_g_opens_the_categories_for_a_manager_only(shop, qtbot, monkeypatch):
    """Every action has a key: Categories… too, listed in F1 with the board's keys."""
    from desk.ui.dialogs.case_dialogs import CategoriesDialog
    from desk.ui.screens.cases import CasesScreen

    opened: list[str] = []
    monkeypatch.setattr(CategoriesDialog, "show_for", classmethod(lambda cls, ctx, parent: opened.append(ctx.staff.code)))
    for who in ("mgr", "clerk"):
        shop["ctx"].staff = shop[who]
        screen = CasesScreen(shop["ctx"])
        qtbot.addWidget(screen)
        with qtbot.waitExposed(screen):
            screen.show()
        qtbot.keyClick(screen.table, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        screen.close()
    assert opened == [shop["mgr"].code]
    assert "Ctrl+Shift+G" in [k.keys for k in CasesScreen.keys]


def test_a_due_time_is_written_short_for_the_narrow_list():
    """One helper writes the Due column: today, a weekday in the six days ahead, else the day and
    month; the year only when it is more than half a year away (TZ is UTC here)."""
    from desk.ui.tables.sales_table import compact_time_text

    now = dt.datetime(2026, 11, 23, 9, 0)  # a Monday
    assert compact_time_text(dt.datetime(2026, 11, 23, 17, 10), "en_GB", now) == "Today 17:10"
    assert compact_time_text(dt.datetime(2026, 11, 24, 17, 10), "en_GB", now) == "Tue 17:10"
    assert compact_time_text(dt.datetime(2026, 11, 29, 17, 10), "en_GB", now) == "Sun 17:10"
    assert compact_time_text(dt.datetime(2026, 11, 30, 16, 16), "en_GB", now) == "30 Nov 16:16"
    assert compact_time_text(dt.datetime(2026, 11, 20, 16, 16), "en_GB", now) == "20 Nov 16:16"  # overdue: no weekday
    assert compact_time_text(dt.datetime(2027, 1, 3, 9, 5), "en_GB", now) == "3 Jan 09:05"
    assert compact_time_text(dt.datetime(2027, 8, 3, 9, 5), "en_GB", now) == "3 Aug 2027, 09:05"


def test_at_1280_by_800_the_case_list_gives_the_summary_room(shop, make_window, qtbot):
    """Beside the case's page the list shows Number, Summary and Due: Due is short ("Today 17:10"),
    so a summary such as "Rude reply on the phone" is shown whole; the full due in the tooltip."""
    from desk.app import application
    from desk.ui.tables.cases_table import CasesTableModel as M

    application()  # the app's palette, font and stylesheet, as the user sees them
    cases_service.open_case(shop["clerk"], CaseInput(summary="Rude reply on the phone", customer_id=shop["ann"].id))
    window = make_window(shop["ctx"])
    screen = window.open_screen("screen.cases")
    table = screen.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    model = table.model()
    assert model.rowCount() >= 1
    due = model.index(0, M.DUE)
    assert model.data(due).startswith(("Today ", "Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "))
    assert "/2026" in model.data(due, Qt.ItemDataRole.ToolTipRole)  # the full date and time
    summary = table.fontMetrics().horizontalAdvance("Rude reply on the phone") + 8
    assert table.columnWidth(M.SUMMARY) >= summary
    assert table.columnWidth(M.SUMMARY) >= 190
    assert not table.horizontalScrollBar().isVisible()
