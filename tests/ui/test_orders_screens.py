"""The Orders screen (F6) driven through the main window: the full life of an order (taken with a
deposit, ordered, received by scanning, the customer told, collected with the balance, the slips),
one arrival when two orders wait for it, cancelling with a refund and keeping a deposit with a
manager's approval, the scan field, Find, the navigation's count, email not set up or failing.

Dialogs are the real ones: a test fills the dialog's fields where ``exec`` would have shown it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desk.models import Product, Sale, database
from desk.services import orders, settings
from desk.services.exchanges import SettlementTender
from desk.services.orders import OrderLineInput, OrderRequest
from desk.services.returns import DeskApproval
from desk.ui.dialogs.approve_at_desk import ApproveAtDeskDialog
from desk.ui.dialogs.order_actions import (
    CancelDialog,
    ContactDialog,
    DeadlineDialog,
    ExpectedDateDialog,
    MarkOrderedDialog,
    PayDialog,
    ReceiveDialog,
)
from desk.ui.dialogs.print_preview import PrintPreviewDialog
from desk.ui.dialogs.take_order import TakeOrderDialog
from desk.ui.screens.orders import BOARD, DETAIL, OrdersScreen
from tests.services.test_returns import MANAGER, add_team, make_product

KETTLE_BARCODE = "5000000000011"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def printed(monkeypatch):
    """Documents handed to the print preview, in order."""
    docs: list = []
    monkeypatch.setattr(PrintPreviewDialog, "show_document",
                        classmethod(lambda cls, ctx, parent, doc, note="": docs.append(doc) or False))
    return docs


@pytest.fixture
def dialogs(monkeypatch):
    """fill[DialogClass] = function(dialog): instead of being shown, the real dialog is filled in by
    the function and confirmed as Enter would (``shown`` lists the dialogs in order)."""

    class Fill(dict):
        shown: list = []

    fill = Fill()
    fill.shown = []

    def fake_exec(self):
        fill.shown.append(self)
        fn = fill.get(type(self))
        if fn is None:
            self.reject()
        else:
            if fn(self) is not False:
                self.try_accept()
        return self.result()

    for cls in (TakeOrderDialog, ExpectedDateDialog, MarkOrderedDialog, ReceiveDialog, ContactDialog, PayDialog, CancelDialog, DeadlineDialog):
        monkeypatch.setattr(cls, "exec", fake_exec)
    return fill


@pytest.fixture
def shop(sqlite_store):
    store, admin = sqlite_store
    clerk, clerk2, sup, mgr = add_team(store)
    kettle = make_product("KET-1", category="Kitchen", price=4000, stock=0)
    mug = make_product("MUG-1", category="Kitchen", price=1000, stock=3)
    with database.atomic():
        Product.update(name="Copper kettle", barcode=KETTLE_BARCODE).where(Product.id == kettle.id).execute()
        Product.update(name="Stoneware mug", barcode="5000000000028").where(Product.id == mug.id).execute()
    return dict(store=store, admin=admin, clerk=clerk, clerk2=clerk2, sup=sup, mgr=mgr, kettle=kettle, mug=mug)


def orders_window(make_window, ctx, staff):
    ctx.staff = staff
    window = make_window(ctx)
    window.action["screen.orders"].trigger()  # F6
    screen = window.current_screen()
    assert isinstance(screen, OrdersScreen)
    return window, screen


def take_directly(shop, name="Ann Lee", deposit=800, method="cash", **kw):
    tender = SettlementTender(method, deposit, card_brand="Card" if method == "card" else "",
                              card_last4="4242" if method == "card" else "", reference="AUTH1" if method == "card" else "")
    kw.setdefault("customer_phone", "07700 900123")
    kw.setdefault("supplier", "Kettles Ltd")
    return orders.take_order(shop["clerk"], OrderRequest(lines=[OrderLineInput(1, product_id=shop["kettle"].id)],
                                                         customer_name=name, deposit_tenders=[tender], **kw))


def scan(window, code):
    window.scan_edit.setText(code)
    return window.scan_edit.submit()


# ----------------------------------------------------------------------------- the full life


def test_the_full_life_of_an_order_through_the_screens(qtbot, make_window, ctx, shop, dialogs, printed, messages):
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    assert screen.pages.currentIndex() == BOARD
    assert window.badge("screen.orders") == 0

    def take(d: TakeOrderDialog):
        d.name_edit.setText("Ann Lee")
        d.phone_edit.setText("07700 900123")
        d.product_search.setText(KETTLE_BARCODE)
        assert d.search_products() == 1  # one match: added at once
        assert d.table.item(0, d.C_STOCK).text() == "0"  # what is on the shelf: nothing
        assert d.total_label.text() == "Total £40.00"
        assert d.tender.amount_edit.text() == "8.00"  # the Settings' 20 %
        d.supplier_edit.setText("Kettles Ltd")
        d.expected_edit.setText("2030-03-17")
        d.tender.set_method("card")
        d.tender.last4_edit.setText("4242")
        d.tender.reference_edit.setText("AUTH-77")

    dialogs[TakeOrderDialog] = take
    screen.take_button.click()
    assert messages == []
    view = screen.view
    assert view is not None and view.status == "requested" and screen.pages.currentIndex() == DETAIL
    assert (view.total, view.deposit_paid, view.balance) == (4000, 800, 3200)
    assert [(t.kind, t.method, t.card_last4, t.reference) for t in view.tenders] == [("deposit", "card", "4242", "AUTH-77")]
    assert view.expected_date == dt.date(2030, 3, 17) and view.supplier == "Kettles Ltd"
    assert [(d.kind, d.number) for d in printed] == [("order", view.number)]
    assert "Total £40.00 · deposit paid £8.00 · to pay £32.00" == screen.detail_money.text()
    number = view.number

    # Enter on a requested order: mark it ordered
    dialogs[MarkOrderedDialog] = lambda d: d.ref_edit.setText("KL-5531")
    qtbot.keyClick(screen.detail_page, Qt.Key.Key_Return)
    assert screen.view.status == "ordered" and screen.view.supplier_ref == "KL-5531"
    assert "Ordered from the supplier" in screen.timeline.item(1).text()
    assert "Cleo Clerk" in screen.timeline.item(1).text()
    assert "expected 17 Mar 2030" in screen.timeline.item(1).text()  # as on the rest of the page, not 2030-03-17

    # back on the board: it is in the Ordered column
    qtbot.keyClick(screen.detail_page, Qt.Key.Key_Escape)
    assert screen.pages.currentIndex() == BOARD
    assert screen.board_numbers("ordered") == [number]

    # the kettle arrives: scanning its barcode on the board lists the order waiting for it
    def receive(d: ReceiveDialog):
        assert [w.number for w in d.waiting] == [number]

    dialogs[ReceiveDialog] = receive
    assert scan(window, KETTLE_BARCODE)
    assert screen.view.status == "arrived" and screen.view.lines[0].received == 1
    assert Product.get_by_id(shop["kettle"].id).stock_on_hand == 0  # set aside, not on the shelf
    assert window.badge("screen.orders") == 1  # arrived, customer not told
    assert screen.action_buttons["contact"].property("primary")

    # Contact: email is not set up, so the dialog says to phone; the call reached them
    def contact(d: ContactDialog):
        assert d.email_button.isHidden()
        assert "07700 900123" in d.findChild(type(d.heading), "contactWho").text()
        d.outcome_combo.setCurrentIndex(d.outcome_combo.findData("reached"))
        d.note_edit.setText("coming on Saturday")

    dialogs[ContactDialog] = contact
    screen.action_buttons["contact"].click()
    assert screen.view.status == "contacted"
    assert "Reached" in screen.contacts.item(0).text() and "coming on Saturday" in screen.contacts.item(0).text()
    assert window.badge("screen.orders") == 0

    # Collect: the balance by cash, then the collection slip
    def pay(d: PayDialog):
        assert d.tender.amount_edit.text() == "32.00"  # the balance, editable: a part of it can be paid one way
        d.tender.set_method("cash")

    dialogs[PayDialog] = pay
    screen.action_buttons["collect"].click()
    assert messages == []
    view = screen.view
    assert view.status == "collected" and view.balance == 0 and view.balance_paid == 3200
    assert [(d.kind, d.number) for d in printed] == [("order", number), ("collection", number)]
    assert Sale.get(Sale.receipt_no == number).total == 4000
    assert not any(b.isEnabled() for name, b in screen.action_buttons.items() if name != "print")
    assert screen.detail_status.text() == "Collected"


def test_the_take_order_dialog_refuses_what_is_missing(qtbot, ctx, shop):
    ctx.staff = shop["clerk"]
    d = TakeOrderDialog(ctx)
    qtbot.addWidget(d)
    assert not d.try_accept()
    assert d.error.text().startswith("Customer:")
    d.customer_search.setText("Nobody Here")
    assert d.search_customers() == 0
    assert d.name_edit.text() == "Nobody Here"  # typed as the new customer's name
    d.phone_edit.setText("07700 900999")
    assert not d.try_accept()
    assert d.error.text().startswith("Items:")
    d.describe_edit.setText("Oak side table, walnut")
    d.line_supplier_edit.setText("Woodworks")
    d.supplier_code_edit.setText("WW-88")
    d.price_edit.setText("120.00")
    assert d.add_described()
    assert d.table.item(0, d.C_SUPPLIER).text() == "Woodworks · WW-88"
    assert d.supplier_edit.text() == "Woodworks"
    d.set_price(0, "100.00")  # the agreed price
    assert d.total_label.text() == "Total £100.00" and d.tender.amount_edit.text() == "20.00"
    d.tender.amount_edit.setText("200.00")  # more than the order costs
    d.tender.amount_edit.textEdited.emit("200.00")
    assert not d.try_accept()
    assert d.result_view is None and d.error.text()
    d.tender.amount_edit.setText("0")
    assert not d.try_accept()  # less than the deposit the rule asks
    d.tender.amount_edit.setText("25.00")
    assert d.try_accept()
    v = d.result_view
    assert v.lines[0].supplier_code == "WW-88" and v.deposit_paid == 2500 and v.customer_name == "Nobody Here"


def test_an_existing_customer_is_found_and_chosen(qtbot, ctx, shop):
    take_directly(shop, name="Beatrice Moss", customer_email="bea@example.com")
    ctx.staff = shop["clerk"]
    d = TakeOrderDialog(ctx)
    qtbot.addWidget(d)
    d.customer_search.setText("moss")
    assert d.search_customers() == 1
    assert d.choose_customer()
    assert d.customer_id is not None and d.email_edit.text() == "bea@example.com"
    d.product_search.setText("Copper")
    d.search_products()
    d.tender.amount_edit.setText("8.00")
    assert d.try_accept()
    assert d.result_view.customer_id == d.customer_id


# ----------------------------------------------------------------------------- receiving


def test_one_arrival_when_two_orders_wait_for_it(make_window, ctx, shop, dialogs, printed, messages):
    older = take_directly(shop, name="Ann Lee")
    newer = take_directly(shop, name="Bob Stone")
    for v in (older, newer):
        orders.mark_ordered(shop["clerk"], v.number, "KL-1")
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    assert screen.board_numbers("ordered") == [older.number, newer.number]

    listed = []

    def receive(d: ReceiveDialog):
        listed.extend(d.list.item(i).text() for i in range(d.list.count()))
        assert d.list.currentRow() == 0  # the oldest first
        assert d.choose(newer.number)  # the clerk gives it to Bob's order

    dialogs[ReceiveDialog] = receive
    assert scan(window, KETTLE_BARCODE)
    assert listed[0].startswith(older.number) and "Ann Lee" in listed[0]
    assert listed[1].startswith(newer.number) and "Bob Stone" in listed[1]
    assert messages == []
    assert orders.order_view(newer.number).status == "arrived"
    assert orders.order_view(older.number).status == "ordered"
    assert screen.view.number == newer.number
    # the next scan lists only Ann's order
    dialogs[ReceiveDialog] = lambda d: [w.number for w in d.waiting] == [older.number] or False
    assert scan(window, KETTLE_BARCODE)
    assert orders.order_view(older.number).status == "arrived"


def test_a_barcode_nothing_waits_for_is_not_taken_by_the_board(make_window, ctx, shop, dialogs):
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    assert not scan(window, "5000000000028")
    assert dialogs.shown == []
    assert "Nothing matches" in window.scan_message.text()


def test_receive_from_the_order_page(make_window, ctx, shop, dialogs):
    v = take_directly(shop)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.open_order(v.number)
    assert screen.action_buttons["receive"].isEnabled()  # a requested order can be received too
    dialogs[ReceiveDialog] = lambda d: None
    screen.action_buttons["receive"].click()
    assert screen.view.status == "arrived"


# ----------------------------------------------------------------------------- cancelling


def test_cancel_with_the_deposit_refunded_to_the_card(make_window, ctx, shop, dialogs, printed, messages):
    v = take_directly(shop, method="card")
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    assert scan(window, v.number.lower())  # the scan field opens an order by its number
    assert screen.pages.currentIndex() == DETAIL and screen.view.number == v.number

    def cancel(d: CancelDialog):
        assert not d.choices["keep"].isEnabled()  # the policy keeps deposits only after the deadline
        assert d.deposit() == "refund" and d.card_edit.isVisibleTo(d)
        d.reason_edit.setText("Found it elsewhere")
        d.card_edit.setText("RF-0042")

    dialogs[CancelDialog] = cancel
    screen.action_buttons["cancel"].click()
    assert messages == []
    view = screen.view
    assert view.status == "cancelled" and view.refunded == 800 and view.kept == 0
    refund = [t for t in view.tenders if t.direction == "out"]
    assert [(t.kind, t.method, t.amount) for t in refund] == [("refund", "card", 800)]
    assert "refunded £8.00" in screen.detail_money.text()
    assert screen.detail_status.text() == "Cancelled"
    assert printed == []  # no voucher to print
    # cancelled orders leave the board, and Find with the status finds them
    screen.show_board()
    assert v.number not in sum((screen.board_numbers(s) for s in orders.OPEN_STATUSES), [])
    screen.status_combo.setCurrentIndex(screen.status_combo.findData("cancelled"))
    assert screen.search() == 1 and screen.model.row_at(0).number == v.number


def test_cancel_as_store_credit_prints_the_voucher(make_window, ctx, shop, dialogs, printed):
    v = take_directly(shop)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.open_order(v.number)

    def cancel(d: CancelDialog):
        d.reason_edit.setText("Changed their mind")
        d.set_deposit("store_credit")

    dialogs[CancelDialog] = cancel
    assert screen.cancel_order()
    assert [d.kind for d in printed] == ["voucher"]
    assert printed[0].number == screen.view.voucher_codes[0]


def test_keeping_the_deposit_needs_a_managers_approval_at_the_desk(make_window, ctx, shop, dialogs, monkeypatch, messages):
    settings.update(shop["admin"], {"orders.keep_deposit": "always"})
    v = take_directly(shop)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.open_order(v.number)
    asked = []
    monkeypatch.setattr(ApproveAtDeskDialog, "ask", classmethod(
        lambda cls, parent, reasons, override=False: asked.append(reasons) or DeskApproval(MANAGER[0], MANAGER[1], "made to measure")))

    def cancel(d: CancelDialog):
        assert d.choices["keep"].isEnabled()
        d.reason_edit.setText("Never collected")
        d.set_deposit("keep")

    dialogs[CancelDialog] = cancel
    assert screen.cancel_order()
    assert messages == [] and len(asked) == 1
    view = screen.view
    assert view.status == "cancelled" and view.kept == 800 and view.approved_by_name == "Maja Manager"


# ----------------------------------------------------------------------------- the board, Find, the badge


def test_board_find_and_the_navigation_count(qtbot, make_window, ctx, shop, clock_at, dialogs):
    clock_at(dt.datetime(2030, 2, 20, 10, 0))
    late = take_directly(shop, name="Ann Lee", expected_date=dt.date(2030, 3, 1), supplier="Kettles Ltd")
    orders.mark_ordered(shop["clerk"], late.number, "KL-1")
    clock_at(dt.datetime(2030, 3, 10, 10, 0))  # the supplier is late
    fine = take_directly(shop, name="Bob Stone", expected_date=dt.date(2030, 4, 1), supplier="Home Goods")
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    assert window.badge("screen.orders") == 1
    assert "1 overdue at the supplier" in screen.todo_label.text()
    assert screen.board_numbers("ordered") == [late.number]
    assert screen.board_numbers("requested") == [fine.number]
    assert "1 order needs doing today" in window.nav.item(window.screen_names().index("screen.orders")).toolTip()

    screen.todo_check.setChecked(True)  # only what needs doing
    assert screen.board_stack.currentIndex() == 1
    assert [r.number for r in screen.model.rows] == [late.number]
    screen.clear_find()
    assert screen.board_stack.currentIndex() == 0

    screen.search_edit.setText("bob")
    assert screen.search() == 1 and screen.model.row_at(0).number == fine.number
    screen.search_edit.setText("kettles")  # the supplier
    assert screen.search() == 1 and screen.model.row_at(0).number == late.number
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert screen.pages.currentIndex() == DETAIL and screen.view.number == late.number
    assert dialogs.shown == []
    assert "Overdue at the supplier" in screen.detail_flags.text()

    # the supplier gives a new date: Ctrl+O on an ordered order
    assert screen.action_buttons["ordered"].text().startswith("New date")

    def new_date(d: ExpectedDateDialog):
        d.date_edit.setText("2030-03-20")
        d.note_edit.setText("delayed at the port")

    dialogs[ExpectedDateDialog] = new_date
    qtbot.keyClick(screen.detail_page, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert screen.view.expected_date == dt.date(2030, 3, 20) and not screen.view.flags
    assert window.badge("screen.orders") == 0
    assert "expected 20 Mar 2030" in screen.timeline.item(screen.timeline.count() - 1).text()
    assert "delayed at the port" in screen.timeline.item(screen.timeline.count() - 1).text()

    # a change made on another desk refreshes the count when the hub says so
    with database.atomic():
        orders.receive(shop["clerk"], fine.number, 1)
    ctx.events.emit_changed("orders")
    assert window.badge("screen.orders") == 1  # arrived, customer not told


def test_a_manager_extends_the_deadline(make_window, ctx, shop, clock_at, dialogs):
    clock_at(dt.datetime(2030, 3, 1, 10, 0))
    v = take_directly(shop)
    orders.receive(shop["clerk"], v.number, 1)
    clock_at(dt.datetime(2030, 4, 1, 10, 0))  # past the 14 days
    window, screen = orders_window(make_window, ctx, shop["mgr"])
    screen.open_order(v.number)
    assert "past_deadline" in screen.view.flags and screen.action_buttons["decide"].isEnabled()

    def decide(d: DeadlineDialog):
        d.date_edit.setText("2030-04-15")
        d.note_edit.setText("customer away")

    dialogs[DeadlineDialog] = decide
    assert screen.next_step()  # Enter: the manager decides
    assert screen.view.collection_deadline == dt.date(2030, 4, 15) and "past_deadline" not in screen.view.flags


def test_an_email_that_cannot_be_sent_is_logged_as_failed(make_window, ctx, shop, dialogs, messages):
    from tests.services.test_orders_email import _free_port

    settings.update(shop["admin"], {"smtp.server": "127.0.0.1", "smtp.port": _free_port(), "smtp.tls": "none",
                                    "smtp.sender": "desk@example.com"})  # nothing listens there
    v = take_directly(shop, customer_email="ann@example.com", contact_via="email")
    orders.receive(shop["clerk"], v.number, 1)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.open_order(v.number)

    def contact(d: ContactDialog):
        assert d.email_button.isVisibleTo(d) and "ann@example.com" in d.email_note.text()
        assert d.prefer_email  # they asked for email: Enter sends it

    dialogs[ContactDialog] = contact
    assert not screen.contact()
    assert len(messages) == 1 and "was not sent" in messages[0][1]
    assert screen.view.status == "arrived"
    assert "Failed" in screen.contacts.item(0).text()


# ----------------------------------------------------------------------------- settings


def test_the_settings_screen_edits_the_orders_and_email_settings(make_window, ctx, shop):
    from desk.ui.screens.settings import SettingsScreen

    ctx.staff = shop["admin"]
    window = make_window(ctx)
    screen = window.open_screen("screen.settings")
    assert isinstance(screen, SettingsScreen)
    editors = screen.spec_editors
    assert editors["orders.deposit_percent"].value() == 20
    assert editors["smtp.password"].echoMode() == editors["smtp.password"].EchoMode.Password
    assert "{customer}" in editors["orders.email_body"].toPlainText()
    editors["orders.deposit_percent"].setValue(50)
    editors["orders.keep_deposit"].setCurrentIndex(editors["orders.keep_deposit"].findData("never"))
    editors["smtp.server"].setText("mail.example.com")
    editors["smtp.sender"].setText("desk@example.com")
    assert screen.save()
    assert settings.get("orders.deposit_percent") == 50 and settings.get("orders.keep_deposit") == "never"
    assert orders.email_configured()
    assert orders.deposit_for(4000) == 2000
    # the paper of the two new slips is chosen with the others
    assert {"order", "collection"} <= set(screen.paper_combos)


def test_who_to_phone_lists_the_customers_to_call_and_opens_the_order(make_window, ctx, shop, monkeypatch):
    from desk.ui.dialogs.order_actions import WhoToPhoneDialog

    v = take_directly(shop, name="Ann Lee")
    orders.receive(shop["clerk"], v.number, 1)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    assert screen.phone_button.text() == "Who to phone · 1  (Ctrl+Shift+T)"
    seen = []

    def fake_exec(self):
        seen.append([self.table.item(0, c).text() for c in range(3)])
        self.open_row(0)
        return self.result()

    monkeypatch.setattr(WhoToPhoneDialog, "exec", fake_exec)
    assert screen.who_to_phone()
    assert seen == [["Ann Lee", "07700 900123", "Arrived, not told yet"]]
    assert screen.pages.currentIndex() == DETAIL and screen.view.number == v.number


def test_the_board_by_keyboard(qtbot, make_window, ctx, shop, dialogs):
    requested = take_directly(shop, name="Ann Lee")
    ordered = take_directly(shop, name="Bob Stone")
    orders.mark_ordered(shop["clerk"], ordered.number, "KL-1")
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.search_edit.setFocus()
    qtbot.keyClick(screen.search_edit, Qt.Key.Key_Down)
    assert screen.columns["requested"].hasFocus()
    qtbot.keyClick(screen.columns["requested"], Qt.Key.Key_Right)
    assert screen.columns["ordered"].hasFocus()
    qtbot.keyClick(screen.columns["ordered"], Qt.Key.Key_Right)  # nothing further right: stays
    assert screen.columns["ordered"].hasFocus()
    qtbot.keyClick(screen.columns["ordered"], Qt.Key.Key_Return)
    assert screen.pages.currentIndex() == DETAIL and screen.view.number == ordered.number
    assert dialogs.shown == []  # Enter opened the order, and did not also start its next step
    qtbot.keyClick(screen.detail_page, Qt.Key.Key_Escape)
    assert screen.pages.currentIndex() == BOARD
    assert screen.board_numbers("requested") == [requested.number]


def test_an_order_number_scanned_anywhere_opens_it(make_window, ctx, shop):
    v = take_directly(shop)
    ctx.staff = shop["clerk"]
    window = make_window(ctx)
    window.show_screen("screen.sales")
    assert scan(window, v.number)
    assert window.current_screen_name() == "screen.orders"
    assert window.current_screen().view.number == v.number
    window.show_screen("screen.home")
    assert not scan(window, "O-TST01-01-999999")
    assert "O-TST01-01-999999" in window.scan_message.text()
    assert window.current_screen_name() == "screen.home"


def test_more_deposit_and_a_unit_taken_from_the_shelf(qtbot, make_window, ctx, shop, dialogs, messages):
    v = orders.take_order(shop["clerk"], OrderRequest(
        lines=[OrderLineInput(1, product_id=shop["mug"].id)], customer_name="Ann Lee", customer_phone="07700 900123",
        supplier="Mugs Ltd", deposit_tenders=[SettlementTender("cash", 200)]))
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.open_order(v.number)
    assert screen.deposit_button.isVisibleTo(screen)

    def more(d: PayDialog):
        assert not d.tender.amount_edit.isReadOnly()
        d.tender.amount_edit.setText("3.00")

    dialogs[PayDialog] = more
    assert screen.deposit_button.isEnabled()
    qtbot.keyClick(screen.detail_page, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert messages == []
    assert screen.view.deposit_paid == 500 and screen.view.balance == 500

    def from_shelf(d: ReceiveDialog):
        d.from_stock.setChecked(True)

    dialogs[ReceiveDialog] = from_shelf
    screen.action_buttons["receive"].click()
    assert screen.view.status == "arrived"
    assert Product.get_by_id(shop["mug"].id).stock_on_hand == 2  # one of the three taken off the shelf
    assert not screen.deposit_button.isVisibleTo(screen)


def test_send_email_tells_the_customer_through_a_real_smtp_server(make_window, ctx, shop, dialogs, messages):
    from tests.services.test_orders_email import Controller, Inbox, _free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        settings.update(shop["admin"], {"smtp.server": "127.0.0.1", "smtp.port": controller.port, "smtp.tls": "none",
                                        "smtp.sender": "desk@example.com"})
        v = take_directly(shop, customer_email="ann@example.com", contact_via="email")
        orders.receive(shop["clerk"], v.number, 1)
        window, screen = orders_window(make_window, ctx, shop["clerk"])
        screen.open_order(v.number)
        assert screen.next_hint.text().startswith("Enter: contact the customer")

        def contact(d: ContactDialog):
            assert d.email_button.text() == "Send email (Enter)"  # confirmed by Enter below

        dialogs[ContactDialog] = contact
        assert screen.next_step()  # Enter
    finally:
        controller.stop()
    assert messages == []
    assert screen.view.status == "contacted"
    assert "Email sent" in screen.contacts.item(0).text()
    (sender, to, message), = inbox.messages
    assert to == ["ann@example.com"] and v.number in message["Subject"]


def test_the_orders_list_model_passes_the_model_tester(qtmodeltester, ctx, shop):
    from desk.services.orders import OrderQuery
    from desk.ui.tables.orders_table import OrdersTableModel

    for name in ("Ann Lee", "Bob Stone", "Cara Dunn"):
        take_directly(shop, name=name)
    model = OrdersTableModel(page_size=2, fetch=orders.search_orders, count=orders.count_orders)
    model.set_query(OrderQuery(status="open"))
    assert model.rowCount() == 2 and model.total_count == 3 and model.canFetchMore()
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == 3
    assert model.data(model.index(0, OrdersTableModel.STATUS)) == "Requested"


# ----------------------------------------------------------------------------- split tenders


def test_the_balance_is_paid_by_split_tenders_at_collection(qtbot, make_window, ctx, shop, dialogs, printed, messages):
    v = take_directly(shop)
    orders.receive(shop["clerk"], v.number, 1)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    screen.open_order(v.number)
    seen = {}

    def pay(d: PayDialog):
        assert d.tender.amount_edit.text() == "32.00"
        d.tender.amount_edit.setText("40.00")  # more than is owed: refused, naming what is left
        assert not d.split.add_clicked()
        assert d.error.text() == "Amount: only £32.00 is left to pay"
        d.tender.amount_edit.setText("10.00")  # cash first...
        assert d.split.add_clicked()
        assert d.tender.amount_edit.text() == "22.00"  # ...the fields offer the rest
        seen["taken"] = d.split.taken_label.text()
        d.tender.set_method("card")
        d.tender.last4_edit.setText("4242")
        d.tender.reference_edit.setText("AUTH-9")

    dialogs[PayDialog] = pay
    screen.action_buttons["collect"].click()
    assert messages == []
    assert seen["taken"] == "Cash: £10.00\nStill to pay: £22.00"
    view = screen.view
    assert view.status == "collected"
    assert [(t.kind, t.method, t.amount) for t in view.tenders] == [
        ("deposit", "cash", 800), ("balance", "cash", 1000), ("balance", "card", 2200)]
    from desk.models import Tender

    sale = Sale.get(Sale.receipt_no == v.number)
    assert [(t.method, t.amount) for t in Tender.select().where(Tender.sale == sale).order_by(Tender.seq)] == [
        ("cash", 800), ("cash", 1000), ("card", 2200)]
    assert [d.kind for d in printed] == ["collection"]


def test_a_collection_that_does_not_add_up_is_refused_in_the_dialog(qtbot, ctx, shop):
    v = take_directly(shop)
    orders.receive(shop["clerk"], v.number, 1)
    d = PayDialog(None, orders.order_view(v.number), "GBP", "en_GB")
    qtbot.addWidget(d)
    d.tender.amount_edit.setText("10.00")
    assert d.split.add_clicked()
    d.tender.amount_edit.setText("")  # nothing more typed
    assert not d.try_accept()
    assert d.error.text().startswith("Payment: the customer owes £32.00 but the payments add up to £10.00")
    d.split.clear()
    assert d.split.payments == [] and d.tender.amount_edit.text() == "32.00"


def test_a_deposit_split_between_cash_and_card_when_taking_the_order(qtbot, ctx, shop):
    ctx.staff = shop["clerk"]
    d = TakeOrderDialog(ctx)
    qtbot.addWidget(d)
    d.name_edit.setText("Ann Lee")
    d.phone_edit.setText("07700 900123")
    d.product_search.setText(KETTLE_BARCODE)
    assert d.search_products() == 1
    assert d.tender.amount_edit.text() == "8.00"
    d.tender.amount_edit.setText("5.00")
    assert d.split.add_clicked()
    assert d.tender.amount_edit.text() == "3.00"
    d.tender.set_method("card")
    d.tender.last4_edit.setText("4242")
    d.tender.reference_edit.setText("AUTH-1")
    d.supplier_edit.setText("Kettles Ltd")
    assert d.try_accept(), d.error.text()
    assert [(t.method, t.amount) for t in d.result_view.tenders] == [("cash", 500), ("card", 300)]
    assert d.result_view.deposit_paid == 800


# ----------------------------------------------------------------------------- keys


def test_f1_lists_every_orders_key_with_what_it_is_for(qtbot, make_window, ctx, shop, monkeypatch):
    from PySide6.QtGui import QKeySequence, QShortcut

    from desk.ui.actions import ShortcutsDialog
    from desk.ui.screens.orders import KEYS

    shown = []
    monkeypatch.setattr(ShortcutsDialog, "exec", lambda self: shown.append(self.rows()) or 0)
    window, screen = orders_window(make_window, ctx, shop["clerk"])
    window.action["help.shortcuts"].trigger()  # F1

    rows = shown[-1]
    orders_rows = {does: (key, tip) for key, does, where, tip in rows if where == "Orders"}
    native = lambda k: QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)  # noqa: E731
    assert sorted(key for key, _tip in orders_rows.values()) == sorted([native(k) for k in KEYS.values()] + ["Enter", "Esc"])
    assert orders_rows["Collect (the order shown)"][0] == "Ctrl+K"
    assert orders_rows["Customers to call today"][0] == "Ctrl+Shift+T"
    assert all(tip for _key, tip in orders_rows.values())  # each says what it is for
    anywhere = {does: key for key, does, where, _tip in rows if where == "Anywhere"}
    assert anywhere["Orders"] == "F6" and anywhere["Keyboard shortcuts"] == "F1"  # the app's own keys stay
    # every key listed is wired on the screen (board or order page)
    wired = {sc.key().toString() for sc in screen.findChildren(QShortcut)}
    assert {QKeySequence(k).toString() for k in KEYS.values()} <= wired
    assert "Ctrl+Shift+T" in screen.phone_button.text()


def test_a_voucher_pays_what_it_can_of_the_deposit_and_card_the_rest(qtbot, ctx, shop):
    from desk.services import credit

    with database.atomic():
        code = credit.issue_voucher(shop["store"], 500, shop["clerk"], reference="goodwill").code
    ctx.staff = shop["clerk"]
    d = TakeOrderDialog(ctx)
    qtbot.addWidget(d)
    d.name_edit.setText("Ann Lee")
    d.phone_edit.setText("07700 900123")
    d.product_search.setText(KETTLE_BARCODE)
    assert d.search_products() == 1
    d.tender.set_method("store_credit")
    d.tender.voucher_edit.setText(code)
    assert d.split.voucher_hint.text() == "Balance £5.00: £5.00 can be taken now."
    assert d.tender.amount_edit.text() == "5.00"  # what the voucher can pay of the 8.00 asked
    assert d.split.add_clicked()
    assert d.tender.amount_edit.text() == "3.00" and d.tender.method() == "cash"
    d.tender.set_method("card")
    d.tender.last4_edit.setText("4242")
    d.tender.reference_edit.setText("AUTH-2")
    d.supplier_edit.setText("Kettles Ltd")
    assert d.try_accept(), d.error.text()
    assert [(t.method, t.amount, t.voucher_code) for t in d.result_view.tenders] == [
        ("store_credit", 500, code), ("card", 300, "")]
    assert credit.voucher_view(code).balance == 0


def test_the_take_order_dialog_fits_a_1280x800_screen(qtbot, ctx, shop):
    """With a search's answers listed, two payments and a message shown, the dialog still fits
    800 pixels of height (less a title bar), so Take the order is never below the screen's edge."""
    from desk.ui.theme import apply_theme

    apply_theme(QApplication.instance())
    ctx.staff = shop["clerk"]
    d = TakeOrderDialog(ctx)
    qtbot.addWidget(d)
    d.product_results.show()
    d.split.set_due(5000)
    d.split.edit.set_amount(2000)
    d.split.add_payment()  # cash, and the rest by card: its last four and reference fields show
    d.split.edit.set_method("card")
    d.error.setText("Items: add at least one item.")
    d.error.show()
    assert d.minimumSizeHint().height() <= 760, d.minimumSizeHint()
    assert d.height() <= 760
