"""The Return screen (F4) driven through the main window: receipted, approval at the desk and
through the queue, refusals, gift receipts, returns without a receipt, the service's own
quantity check, the scan field, and the six-action speed rule."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desk.models import Approval, Product, Return, Voucher
from desk.services import approvals, archive, documents
from desk.services.policy import load_policy, save_policy
from desk.services.returns import DeskApproval
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.dialogs.no_receipt_return import NoReceiptDialog
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.screens.returns import DONE, EDIT, POLL_MS, START, VIEW, WAIT, CardReferenceDialog, ReturnScreen
from desk.ui.tables.return_lines_table import LineChoice, ReturnLinesModel
from tests.services.test_returns import CLERK, MANAGER, SUPERVISOR, add_team, make_product, make_sale


# ----------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def printed(monkeypatch):
    """Documents handed to the print preview (kind, number), in order."""
    docs: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": docs.append(doc) or False))
    return docs


@pytest.fixture
def card_reference(monkeypatch):
    asked: list[str] = []

    def ask(cls, parent, what):
        asked.append(what)
        return "RF-0042"

    monkeypatch.setattr(CardReferenceDialog, "ask", classmethod(ask))
    return asked


@pytest.fixture
def team(sqlite_store):
    store, _admin = sqlite_store
    return store, add_team(store)


def open_returns(make_window, ctx, staff):
    ctx.staff = staff
    window = make_window(ctx)
    screen = window.open_screen("screen.returns")
    assert isinstance(screen, ReturnScreen)
    return window, screen


def scan(window, qtbot, code: str) -> None:
    qtbot.keyClick(window.nav, Qt.Key.Key_F2)
    qtbot.keyClicks(window.scan_edit, code)
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)


def choose(screen: ReturnScreen, qtbot, row: int = 0, reason_letter: str = "W", plus: int = 1) -> None:
    """Make ``row`` current, press + ``plus`` times, type the reason's first letter."""
    screen.table.setCurrentIndex(screen.model.index(row, ReturnLinesModel.C_QTY))
    for _ in range(plus):
        qtbot.keyClick(screen.table, Qt.Key.Key_Plus)
    qtbot.keyClicks(screen.reason_combo, reason_letter)


def set_policy(manager, **values):
    pol = load_policy()
    for k, v in values.items():
        setattr(pol, k, v)
    save_policy(manager, pol)


def when_modal(cls, action, tries: int = 500) -> dict:
    """Run ``action(dialog)`` once a modal dialog of ``cls`` is open (it runs inside its exec).
    Set the returned dict's "stop" to give up waiting."""
    state = {"stop": False}

    def tick(left=tries):
        if state["stop"]:
            return
        widget = QApplication.activeModalWidget()
        if isinstance(widget, cls) and widget.isVisible():
            state["stop"] = True
            action(widget)
        elif left > 0:
            QTimer.singleShot(10, lambda: tick(left - 1))

    QTimer.singleShot(0, tick)
    return state


# ----------------------------------------------------------------------------- receipted, allowed


def test_receipted_return_allowed_end_to_end(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, _c2, _sup, _mgr) = team
    shoe = make_product("SHOE-1", "Footwear", 2500, stock=3)
    sale = make_sale(store, "T1-0001", [("Trainers", 2, 2500, 0, "Footwear", shoe), ("Socks", 1, 500, 0, "Clothing")])
    changed: list[str] = []
    ctx.events.changed.connect(changed.append)
    window, screen = open_returns(make_window, ctx, clerk)
    assert screen.pages.currentIndex() == START

    scan(window, qtbot, "t1-0001")
    assert window.current_screen_name() == "screen.returns"
    assert screen.pages.currentIndex() == EDIT
    assert screen.heading.text() == "Return · receipt T1-0001"
    assert [r[:6] for r in screen.line_texts()] == [["1", "Trainers", "2", "0", "2", "0"], ["2", "Socks", "1", "0", "1", "0"]]
    assert not screen.confirm_button.isEnabled()

    choose(screen, qtbot, 0, "W")
    assert screen.model.rows[0].quantity == 1 and screen.model.rows[0].reason == "wrong_size"
    assert screen.banner.state == "allowed"
    assert screen.total_label.text() == "£25.00"
    assert screen.tenders_label.text() == "Visa •••• 4242: £25.00"
    assert screen.card_reference.isVisible()
    assert "This clerk today: 0 refunds" in screen.signals_label.text()
    assert screen.confirm_button.text() == "Refund £25.00"

    qtbot.keyClick(screen.reason_combo, Qt.Key.Key_Return)  # Enter confirms
    ret = Return.get()
    assert (ret.total, ret.kind, ret.clerk_id) == (2500, "receipted", clerk.id)
    assert card_reference == ["£25.00 to Visa •••• 4242"]
    assert Product.get_by_id(shoe.id).stock_on_hand == 4  # back to stock
    assert screen.pages.currentIndex() == DONE
    assert screen.done_number.text() == ret.number
    assert "Visa •••• 4242: £25.00 (ref. RF-0042)" in screen.done_tenders.text()
    assert [(d.kind, d.number) for d in printed] == [("refund", ret.number)]
    assert [r.number for r in archive.search_archive(kind="refund")] == [ret.number]
    assert {"returns", "sales"} <= set(changed)

    qtbot.keyClick(screen.next_button, Qt.Key.Key_Return)  # next customer
    assert screen.pages.currentIndex() == START


def test_returned_units_show_and_plus_stops_at_what_is_left(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0002", [("Mugs", 2, 800, 0, "Kitchen")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0002")
    choose(screen, qtbot, 0, "C", plus=1)
    qtbot.keyClick(screen.reason_combo, Qt.Key.Key_Return)
    qtbot.keyClick(screen.next_button, Qt.Key.Key_Escape)
    scan(window, qtbot, "T1-0002")
    assert screen.line_texts()[0][:5] == ["1", "Mugs", "2", "1", "1"]
    for _ in range(3):
        qtbot.keyClick(screen.table, Qt.Key.Key_Plus)
    assert screen.model.rows[0].quantity == 1
    qtbot.keyClick(screen.table, Qt.Key.Key_Minus)
    assert screen.model.rows[0].quantity == 0


def test_other_needs_words(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0003", [("Lamp", 1, 4000, 0, "Home")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0003")
    choose(screen, qtbot, 0, "O")
    assert screen.model.rows[0].reason == "other"
    assert screen.problem.text() == "Line 1 reason: 'Other' needs a few words saying what is wrong"
    assert not screen.confirm_button.isEnabled()
    screen.reason_text.setText("Flickers when switched on")
    screen.reason_text.editingFinished.emit()
    assert screen.banner.state == "allowed"
    assert screen.line_texts()[0][6].startswith("Other: Flickers when switched on")


# ----------------------------------------------------------------------------- approval


def test_needs_approval_approved_at_the_desk(make_window, ctx, team, qtbot, printed, card_reference, monkeypatch):
    store, (clerk, _c2, _sup, mgr) = team
    set_policy(mgr, approval_above=1000)
    make_sale(store, "T1-0004", [("Coat", 1, 9000, 0, "Clothing")])
    asked = []
    monkeypatch.setattr(ApproveAtDeskDialog, "ask", classmethod(
        lambda cls, parent, reasons, override=False: asked.append(reasons) or DeskApproval(MANAGER[0], MANAGER[1], "Regular customer")))
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0004")
    choose(screen, qtbot)
    assert screen.banner.state == "needs_approval"
    assert screen.banner.reason_lines() == ["A refund of £90.00 is over £10.00 and needs a manager's approval"]
    assert screen.confirm_button.text() == "Approve at the desk…"
    assert screen.queue_button.isVisible()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert asked == [["a refund of £90.00 is over £10.00 and needs a manager's approval"]]
    ret = Return.get()
    assert (ret.approved_by_id, ret.approval_note) == (mgr.id, "Regular customer")
    assert "Approved by Maja Manager: Regular customer" in screen.done_note.text()
    assert [d.kind for d in printed] == ["refund"]


def test_nobody_approves_their_own_return_and_wrong_pins_are_refused(make_window, ctx, team, qtbot, printed, card_reference,
                                                                     monkeypatch, messages):
    store, (_clerk, _c2, sup, mgr) = team
    set_policy(mgr, approval_above=1000)
    make_sale(store, "T1-0005", [("Coat", 1, 9000, 0, "Clothing")])
    answers = [DeskApproval(SUPERVISOR[0], SUPERVISOR[1], "I say so"), DeskApproval(MANAGER[0], "000000", "ok")]
    monkeypatch.setattr(ApproveAtDeskDialog, "ask", classmethod(lambda cls, parent, reasons, override=False: answers.pop(0)))
    window, screen = open_returns(make_window, ctx, sup)  # a supervisor takes the return
    scan(window, qtbot, "T1-0005")
    choose(screen, qtbot)
    assert screen.confirm() is False
    assert messages[-1] == ("Not allowed", "Sam Supervisor cannot approve their own return: another supervisor or manager must.")
    assert screen.confirm() is False
    assert messages[-1][0] == "Cannot sign in"
    assert Return.select().count() == 0
    assert screen.pages.currentIndex() == EDIT
    assert printed == []


def test_queue_flow_a_manager_approves_from_another_desk(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, _c2, _sup, mgr) = team
    set_policy(mgr, approval_above=1000)
    make_sale(store, "T1-0006", [("Coat", 1, 9000, 0, "Clothing")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0006")
    choose(screen, qtbot)
    qtbot.mouseClick(screen.queue_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == WAIT
    assert screen.wait_heading.text() == "Waiting for a manager…"
    assert screen.poll_timer.isActive() and screen.poll_timer.interval() == POLL_MS == 2000
    assert screen.poll_approval() == "pending"
    assert Return.select().count() == 0

    # The manager answers from another desk (their own session on the same database).
    pending = approvals.pending_approvals(mgr)
    assert [p.summary.startswith("T1-0006") for p in pending] == [True]
    approvals.decide(mgr, pending[0].id, True, "Fine by me")

    assert screen.poll_approval() == "approved"
    ret = Return.get()
    assert ret.approval_id == pending[0].id and ret.approved_by_id == mgr.id
    assert Approval.get_by_id(pending[0].id).status == "used"
    assert screen.pages.currentIndex() == DONE and not screen.poll_timer.isActive()
    assert [d.kind for d in printed] == ["refund"]


def test_queue_refused_shows_the_managers_note(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, _c2, _sup, mgr) = team
    set_policy(mgr, approval_above=1000)
    make_sale(store, "T1-0007", [("Coat", 1, 9000, 0, "Clothing")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0007")
    choose(screen, qtbot)
    assert screen.send_to_manager()
    approvals.decide(mgr, screen.approval_id, False, "Worn outside, not faulty")
    assert screen.poll_approval() == "refused"
    assert screen.pages.currentIndex() == EDIT
    assert screen.problem.text() == "Maja Manager refused the return: Worn outside, not faulty"
    assert Return.select().count() == 0 and printed == []


# ----------------------------------------------------------------------------- refused


def test_refused_shows_every_reason_and_writes_nothing(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, _c2, _sup, mgr) = team
    set_policy(mgr, final_sale_categories=["Clearance"])
    make_sale(store, "T1-0008", [("Old stock", 1, 1000, 0, "Clearance")], days_ago=45)
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0008")
    choose(screen, qtbot)
    assert screen.banner.state == "refused"
    assert screen.banner.heading.text() == "Refused — nobody can override this"
    assert screen.banner.reason_lines() == ["Old stock is final sale (the Clearance category cannot be returned)",
                                            "Old stock: bought 45 days ago; the return window is 30 days"]
    assert not screen.confirm_button.isEnabled() and screen.confirm_button.text() == "Refused"
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert Return.select().count() == 0 and printed == [] and card_reference == []


def test_a_refusal_a_manager_may_override(make_window, ctx, team, qtbot, printed, card_reference, monkeypatch):
    store, (clerk, _c2, _sup, mgr) = team
    make_sale(store, "T1-0009", [("Jumper", 1, 3000, 0, "Clothing")], days_ago=40)
    got = []
    monkeypatch.setattr(ApproveAtDeskDialog, "ask", classmethod(
        lambda cls, parent, reasons: got.append(reasons) or DeskApproval(MANAGER[0], MANAGER[1], "Gift, late")))
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0009")
    choose(screen, qtbot)
    assert screen.banner.state == "refused"
    assert screen.banner.heading.text() == "Refused — a manager can override it"
    assert screen.confirm_button.text() == "Manager override…"
    assert screen.confirm()
    assert got == [["Jumper: bought 40 days ago; the return window is 30 days"]]
    assert Return.get().override is True


# ----------------------------------------------------------------------------- gift receipts and store credit


def test_gift_receipt_return_is_store_credit_and_the_voucher_prints(make_window, ctx, team, qtbot, printed):
    store, (clerk, *_rest) = team
    sale = make_sale(store, "T1-0010", [("Scarf", 1, 1800, 300, "Clothing"), ("Hat", 1, 1200, 0, "Clothing")])
    gift = documents.gift_receipt(clerk, sale.receipt, [1])
    window, screen = open_returns(make_window, ctx, clerk)
    window.show_screen("screen.home")
    scan(window, qtbot, gift.code)  # from another screen: the sale opens on the Sales screen
    assert window.current_screen_name() == "screen.sales"
    sales = window.current_screen()
    qtbot.keyClick(sales.receipt_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Return items
    assert window.current_screen_name() == "screen.returns"
    assert screen.heading.text() == f"Gift return · {gift.code}"
    assert [r[1] for r in screen.line_texts()] == ["Scarf"]  # only what the gift receipt covers
    assert [screen.refund_to_combo.itemData(i) for i in range(screen.refund_to_combo.count())] == ["store_credit"]
    choose(screen, qtbot)
    assert screen.total_label.text() == "£15.00"  # the price paid, not the shelf price
    assert screen.tenders_label.text() == "Store credit: £15.00"
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    ret = Return.get()
    voucher = Voucher.get()
    assert (ret.kind, voucher.amount) == ("gift", 1500)
    assert screen.done_voucher.text() == f"Store credit voucher: {voucher.code}"
    assert [(d.kind, d.number) for d in printed] == [("refund", ret.number), ("voucher", voucher.code)]


def test_scanning_a_gift_code_on_the_return_screen_starts_the_gift_return(make_window, ctx, team, qtbot, printed):
    store, (clerk, *_rest) = team
    sale = make_sale(store, "T1-0011", [("Scarf", 1, 1800, 0, "Clothing")])
    gift = documents.gift_receipt(clerk, sale.receipt)
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, gift.code)
    assert window.current_screen_name() == "screen.returns"
    assert screen.kind == "gift" and screen.gift_code == gift.code


def test_card_paid_can_be_refunded_as_store_credit_where_the_policy_allows(make_window, ctx, team, qtbot, printed,
                                                                          card_reference):
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0012", [("Towel", 1, 2000, 0, "Home")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0012")
    options = [screen.refund_to_combo.itemData(i) for i in range(screen.refund_to_combo.count())]
    assert options == ["original", "store_credit"]  # card-paid: card or store credit, never cash
    choose(screen, qtbot)
    assert screen.set_refund_to("store_credit")
    assert screen.tenders_label.text() == "Store credit: £20.00"
    assert not screen.card_reference.isVisible()
    assert screen.confirm()
    assert card_reference == []
    assert [d.kind for d in printed] == ["refund", "voucher"]


# ----------------------------------------------------------------------------- no receipt


def test_unverified_return_needs_customer_details(make_window, ctx, team, qtbot, printed, monkeypatch):
    store, (clerk, *_rest) = team
    make_product("LAMP-9", "Home", 2200)
    window, screen = open_returns(make_window, ctx, clerk)

    dialog = NoReceiptDialog(ctx, screen)
    qtbot.addWidget(dialog)
    dialog.search_edit.setText("lamp-9")
    assert dialog.search() == 1  # one match: added at once
    dialog.describe_edit.setText("Blue cushion")
    dialog.price_edit.setText("12.50")
    assert dialog.add_described()
    assert dialog.try_accept() is False
    assert dialog.error.text() == "Customer's name: a return without a receipt needs the customer's name."
    dialog.name_edit.setText("Nia Jones")
    assert dialog.try_accept() is False
    assert dialog.error.text() == "Phone or email: a return without a receipt needs a way to reach the customer."
    dialog.phone_edit.setText("07700 900123")
    assert dialog.try_accept()
    answer = dialog.result_value
    assert [(i.description, i.unit_value) for i in answer.items] == [("Product LAMP-9", 2200), ("Blue cushion", 1250)]

    monkeypatch.setattr(NoReceiptDialog, "ask", classmethod(lambda cls, parent, c: answer))
    qtbot.mouseClick(screen.no_receipt_button_start, Qt.MouseButton.LeftButton)
    assert screen.kind == "unverified" and screen.pages.currentIndex() == EDIT
    assert [r[1:3] for r in screen.line_texts()] == [["Product LAMP-9", "—"], ["Blue cushion", "—"]]
    assert [screen.refund_to_combo.itemData(i) for i in range(screen.refund_to_combo.count())] == ["store_credit"]
    for row in (0, 1):
        screen.table.setCurrentIndex(screen.model.index(row, 0))
        screen.reason_combo.setCurrentIndex(screen.reason_combo.findData("changed_mind"))
    assert screen.banner.state == "allowed"
    assert screen.total_label.text() == "£34.50"

    # Without a way to reach the customer the policy refuses it.
    screen.phone_edit.clear()
    screen.phone_edit.editingFinished.emit()
    assert screen.banner.state == "refused"
    assert "An unverified return needs the customer's name and a phone number or email" in screen.banner.reason_lines()
    assert screen.confirm() is False and Return.select().count() == 0

    screen.email_edit.setText("nia@example.com")
    screen.email_edit.editingFinished.emit()
    assert screen.confirm()
    ret = Return.get()
    assert (ret.kind, ret.customer_name, ret.customer_email, ret.total) == ("unverified", "Nia Jones", "nia@example.com", 3450)
    assert [d.kind for d in printed] == ["refund", "voucher"]


# ----------------------------------------------------------------------------- the service has the last word


def test_quantity_above_returnable_is_refused_by_the_service_even_if_the_screen_is_forced(
        make_window, ctx, team, qtbot, printed, card_reference, messages):
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0013", [("Plates", 2, 1000, 0, "Kitchen")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0013")
    choose(screen, qtbot, plus=5)
    assert screen.model.rows[0].quantity == 2  # the screen stops at what is left
    screen.model.rows[0].quantity = 5  # forced past it
    screen.model.rows[0].returnable = 9
    assert screen.confirm() is False
    assert screen.problem.text() == "Line 1 quantity: only 2 of the 2 sold can still be returned (0 already returned), not 5"
    screen.model.rows[0].quantity = 2
    # Someone else returns one meanwhile: the screen's 2 is refused when it writes.
    from desk.services.returns import create_return
    from tests.services.test_returns import make_request
    from desk.services.sale_lookup import find_receipt

    create_return(clerk, make_request(find_receipt("T1-0013"), {1: 1}))
    ok = screen.complete()
    assert ok is False
    assert messages[-1] == ("Please check the input",
                            "Line 1 quantity: only 1 of the 2 sold can still be returned (1 already returned), not 2")
    assert Return.select().count() == 1


# ----------------------------------------------------------------------------- the scan field


def test_a_return_number_opens_the_return_and_a_voucher_shows_its_balance(make_window, ctx, team, qtbot, printed):
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0014", [("Towel", 1, 2000, 0, "Home")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0014")
    choose(screen, qtbot)
    screen.set_refund_to("store_credit")
    assert screen.confirm()
    ret = Return.get()
    voucher = Voucher.get()
    window.show_screen("screen.home")

    scan(window, qtbot, ret.number.lower())
    assert window.current_screen_name() == "screen.returns"
    assert screen.pages.currentIndex() == VIEW
    assert screen.view_heading.text() == f"Return {ret.number}"
    assert screen.view_lines.item(0, 0).text() == "Towel"
    assert f"Store credit: £20.00 · voucher {voucher.code}" in screen.view_refunds.text()
    qtbot.keyClick(screen.view_close, Qt.Key.Key_Escape)
    assert screen.pages.currentIndex() == START

    scan(window, qtbot, voucher.code)
    assert window.scan_message.isVisible()
    assert window.scan_message.text() == f"Voucher {voucher.code}: £20.00 left of £20.00. Issued by return {ret.number}."


def test_a_clerk_sees_the_return_screen_at_f4(make_window, ctx, team, qtbot):
    _store, (clerk, *_rest) = team
    ctx.staff = clerk
    window = make_window(ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F4)
    assert window.current_screen_name() == "screen.returns"
    assert window.scan_edit.hasFocus()  # ready for the next receipt


def test_lines_model_passes_the_model_tester(qtmodeltester):
    model = ReturnLinesModel()
    model.set_lines([LineChoice("Mug", 2, 0, 2, 1000, 1, sale_line_id=1),
                     LineChoice("Plate", 1, 1, 0, 500, 2, sale_line_id=2),
                     LineChoice("Cushion", None, 0, None, unit_value=1250, quantity=1, reason="other", reason_text="odd")])
    model.reason_labels = {"other": "Other"}
    qtmodeltester.check(model)
    assert model.set_quantity(0, 7) and model.rows[0].quantity == 2
    assert not model.flags(model.index(1, ReturnLinesModel.C_QTY)) & Qt.ItemFlag.ItemIsEditable
    assert model.data(model.index(2, ReturnLinesModel.C_REASON)) == "Other: odd · Unopened · Back to stock"


# ----------------------------------------------------------------------------- speed


def test_a_one_item_return_with_a_receipt_takes_six_user_actions(make_window, ctx, team, qtbot, monkeypatch, tmp_path):
    """Scan, choose the line, reason, confirm, tender (the card terminal's reference), print."""
    from pypdf import PdfReader

    store, (clerk, *_rest) = team
    make_sale(store, "T1-0100", [("Trainers", 1, 6000, 0, "Footwear"), ("Laces", 2, 300, 0, "Footwear")])
    pdf_path = tmp_path / "slip.pdf"
    monkeypatch.setattr(PrintPreviewDialog, "printers", staticmethod(lambda: ["Desk PDF"]))

    def to_pdf(cls, parent, printer):  # the system print dialog's last step: print to a PDF file
        from PySide6.QtPrintSupport import QPrinter

        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf_path))
        return True

    monkeypatch.setattr(PrintPreviewDialog, "choose_printer", classmethod(to_pdf))
    ctx.staff = clerk
    window = make_window(ctx)
    qtbot.keyClick(window.nav, Qt.Key.Key_F4)  # the desk is on the Return screen, waiting for the queue
    screen = window.current_screen()
    actions: list[str] = []

    def act(name: str) -> None:
        actions.append(name)

    # 1. scan the receipt (the scanner types it and Enter into the focused scan field)
    act("scan")
    qtbot.keyClicks(QApplication.focusWidget(), "T1-0100")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert screen.pages.currentIndex() == EDIT
    # 2. choose the line
    act("choose the line")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Plus)
    # 3. the reason
    act("reason")
    qtbot.keyClicks(screen.reason_combo, "W")
    assert screen.banner.state == "allowed"

    def tender(dialog):
        act("tender")
        qtbot.keyClicks(dialog.edit, "RF-778")
        qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

    def print_it(dialog):
        act("print")
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        QTimer.singleShot(0, dialog.reject)  # the slip is out; the preview closes

    when_modal(CardReferenceDialog, tender)
    when_modal(PrintPreviewDialog, print_it, tries=1000)
    # 4. confirm
    act("confirm")
    qtbot.keyClick(screen.reason_combo, Qt.Key.Key_Return)

    assert actions == ["scan", "choose the line", "reason", "confirm", "tender", "print"]
    assert len(actions) <= 6
    ret = Return.get()
    assert screen.done_number.text() == ret.number
    assert len(PdfReader(str(pdf_path)).pages) == 1  # printed (the printer gets the page as an image)
    slip = archive.search_archive(kind="refund")[0]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.archived_pdf(slip.id))).pages)
    assert ret.number in text and "Trainers" in text and "RF-778" in text


def test_typing_a_quantity_on_the_table(make_window, ctx, team, qtbot, printed, card_reference):
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0015", [("Glasses", 6, 500, 0, "Kitchen")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0015")
    assert screen.table.hasFocus()
    qtbot.keyClicks(screen.table, "4")  # starts the editor with the digit
    editor = QApplication.focusWidget()
    assert editor is not screen.table
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # commits the number (queued by the delegate), confirms nothing
    QApplication.processEvents()
    assert screen.model.rows[0].quantity == 4
    assert screen.pages.currentIndex() == EDIT and Return.select().count() == 0
    assert screen.banner.heading.text() == "Give a reason for line 1."
    qtbot.keyClicks(screen.reason_combo, "D")
    assert screen.total_label.text() == "£20.00"


def test_the_same_person_back_from_the_lock_keeps_the_return(make_window, ctx, team, qtbot, add_staff):
    store, (clerk, clerk2, *_rest) = team
    make_sale(store, "T1-0016", [("Glasses", 6, 500, 0, "Kitchen")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0016")
    choose(screen, qtbot)
    ctx.set_staff(clerk)
    assert screen.pages.currentIndex() == EDIT and screen.model.rows[0].quantity == 1
    ctx.set_staff(clerk2)
    assert screen.pages.currentIndex() == START


def test_ctrl_n_starts_a_return_without_a_receipt_only_on_the_return_screen(make_window, ctx, team, qtbot, monkeypatch):
    _store, (clerk, *_rest) = team
    asked = []
    monkeypatch.setattr(NoReceiptDialog, "ask", classmethod(lambda cls, parent, c: asked.append(parent) and None))
    window, screen = open_returns(make_window, ctx, clerk)
    qtbot.keyClick(window.scan_edit, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked == [screen]
    window.show_screen("screen.sales")
    qtbot.keyClick(window.current_screen(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked == [screen]


def test_the_refund_choice_fits_its_box_for_a_split_payment(make_window, ctx, team, qtbot):
    """"Back to Cash + Mastercard •••• 9487" was cut at the box's edge; the card and its last four
    are on the refund's lines just above, so the choice names the kinds of payment, and fits."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    from desk.services.sales import TenderInput
    from desk.ui.theme import apply_theme

    apply_theme(QApplication.instance())
    store, (clerk, *_rest) = team
    make_sale(store, "T1-0031", [("Towel", 1, 2000, 0, "Home")],
              tenders=[TenderInput("cash", 500),
                       TenderInput("card", 1500, card_brand="Mastercard", card_last4="9487", reference="AUTH9")])
    window, screen = open_returns(make_window, ctx, clerk)
    scan(window, qtbot, "T1-0031")
    choose(screen, qtbot)
    QApplication.processEvents()
    combo = screen.refund_to_combo
    assert combo.currentText() == "Cash and card (as paid)"
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    assert combo.fontMetrics().horizontalAdvance(combo.currentText()) <= field.width()
    assert "Mastercard •••• 9487" in screen.tenders_label.text()  # the card is still named on the refund's lines


def test_today_shows_the_desks_returns_and_updates_when_one_is_taken(qtbot, ctx, team):
    """The desk takes returns, not sales: Today (F11) counts them too, and a return taken at the
    desk shows there without leaving the screen."""
    from desk.services.returns import ReturnLineRequest, ReturnRequest, create_return
    from desk.services.sale_lookup import find_receipt, sale_view
    from desk.ui.screens.home import HomeScreen

    store, (clerk, *_rest) = team
    ctx.staff = clerk
    make_sale(store, "T1-0040", [("Towel", 2, 2000, 0, "Home")])
    home = HomeScreen(ctx)
    qtbot.addWidget(home)
    home.show()
    home.refresh()
    assert home.returns_count.text() == "0" and home.returns_value.text() == "None yet"
    view = sale_view(find_receipt("T1-0040").id)
    create_return(clerk, ReturnRequest(lines=[ReturnLineRequest(1, "wrong_size", sale_line_id=view.lines[0].id)],
                                       sale_id=view.id, refund_to="store_credit"))
    ctx.events.emit_changed("returns", "sales")
    assert home.returns_count.text() == "1" and home.returns_value.text() == "worth £20.00"
