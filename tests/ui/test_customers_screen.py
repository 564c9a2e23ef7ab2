"""The Customers screen (F8): search as you type, the record edited (a bad email named under its
field), a duplicate merged after seeing what moves, a customer erased on request by a manager,
and the timeline whose entries open their screens."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desk.models import Customer, Sale
from desk.services import customers as customers_service
from desk.services.customers import CustomerInput, create_customer
from desk.ui.dialogs.customer_dialogs import CustomerEditDialog, EraseDialog, MergeDialog
from desk.ui.screens.customers import CustomersScreen
from tests.services.test_returns import add_team, make_product, make_sale


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def people(store_ctx):
    from desk.models import Store

    st = Store.select().first()
    clerk, _clerk2, sup, mgr = add_team(st)
    ann = create_customer(clerk, CustomerInput("Ann Example", phone="07700 900123", email="ann@example.com"))
    dup = create_customer(clerk, CustomerInput("Ann Exampel", phone="07700900123"))
    bob = create_customer(clerk, CustomerInput("Bob Builder", phone="0161 496 0000", email="bob@example.org"))
    kettle = make_product("KET-1", "Kitchen", price=3000, stock=4)
    make_sale(st, "T-200", [("Kettle", 1, 3000, 0, "Kitchen", kettle)], customer_id=dup.id)
    store_ctx.staff = sup
    return dict(ctx=store_ctx, clerk=clerk, sup=sup, mgr=mgr, ann=ann, dup=dup, bob=bob)


@pytest.fixture
def screen(qtbot, people):
    s = CustomersScreen(people["ctx"])
    qtbot.addWidget(s)
    s.resize(1280, 800)
    with qtbot.waitExposed(s):
        s.show()
    return s


def names(screen) -> list[str]:
    return [r.name for r in screen.model.rows]


def test_search_as_you_type_by_name_phone_or_email(screen, qtbot):
    assert len(names(screen)) == 3
    qtbot.keyClicks(screen.search_edit, "bui")
    assert names(screen) == ["Bob Builder"] and screen.customer.name == "Bob Builder"
    screen.search_edit.clear()
    qtbot.keyClicks(screen.search_edit, "07700")
    assert sorted(names(screen)) == ["Ann Exampel", "Ann Example"]
    screen.search_edit.clear()
    qtbot.keyClicks(screen.search_edit, "bob@")
    assert names(screen) == ["Bob Builder"]
    assert "1 customer match" in screen.count_label.text()
    qtbot.keyClick(screen.search_edit, Qt.Key.Key_Escape)
    assert len(names(screen)) == 3


def test_edit_names_a_bad_email_under_its_field_then_saves(screen, people, qtbot):
    screen.show_customer(people["bob"].id)
    dialog = CustomerEditDialog(people["ctx"], screen, screen.customer)
    qtbot.addWidget(dialog)
    dialog.email_edit.setText("bob@example")
    assert not dialog.try_accept()
    assert dialog.error_of("Email") == "Email: 'bob@example' is not an email address (like name@example.com)"
    assert dialog.email_edit.property("invalid") is True
    assert customers_service.get_customer(people["bob"].id).email == "bob@example.org"
    dialog.email_edit.setText("bob.builder@example.org")
    dialog.preferred_combo.setCurrentIndex(dialog.preferred_combo.findData("email"))
    dialog.consent_check.setChecked(True)
    assert dialog.try_accept()
    saved = customers_service.get_customer(people["bob"].id)
    assert (saved.email, saved.preferred_contact, saved.contact_consent) == ("bob.builder@example.org", "email", True)


def test_merge_shows_what_moves_then_moves_it(screen, people, qtbot):
    screen.show_customer(people["ann"].id)
    assert screen.merge_button.isEnabled()
    dialog = MergeDialog(people["ctx"], screen, screen.customer)
    qtbot.addWidget(dialog)
    assert dialog.duplicate_id() == people["dup"].id  # the same phone number: offered first
    assert "1 sales" in dialog.moves.text()
    assert dialog.try_accept()
    assert Sale.get(Sale.receipt_no == "T-200").customer_id == people["ann"].id
    screen.refresh()
    assert "Ann Exampel" not in names(screen)
    screen.show_customer(people["ann"].id)
    assert [e.number for e in screen.timeline_entries()] == ["T-200"]


def test_a_clerk_cannot_merge_or_erase(qtbot, people):
    people["ctx"].staff = people["clerk"]
    s = CustomersScreen(people["ctx"])
    qtbot.addWidget(s)
    s.show_customer(people["ann"].id)
    assert s.edit_button.isEnabled()
    assert not s.merge_button.isEnabled() and not s.erase_button.isVisibleTo(s)


def test_erase_on_request_confirmed_by_typing(screen, people, qtbot, monkeypatch):
    people["ctx"].staff = people["mgr"]
    screen._update_buttons()
    screen.show_customer(people["dup"].id)
    dialog = EraseDialog(people["ctx"], screen, screen.customer)
    qtbot.addWidget(dialog)
    what = dialog.findChild(type(dialog.message), "eraseWhat").text()
    assert "<b>Kept:</b> the sales, returns" in what and "<b>Removed:</b> name, phone, email" in what
    dialog.reason_edit.setText("Written request of 3 March")
    assert not dialog.erase_button.isEnabled()
    dialog.confirm_edit.setText("erase")
    assert dialog.erase_button.isEnabled()
    monkeypatch.setattr(EraseDialog, "exec", lambda d: d.try_accept())
    # through the screen's button: the dialog it opens is confirmed the same way
    monkeypatch.setattr(EraseDialog, "__init__", _prefilled(EraseDialog.__init__))
    screen.erase_customer()
    c = Customer.get_by_id(people["dup"].id)
    assert c.erased_at is not None and c.phone is None and c.name == customers_service.ERASED_NAME
    assert Sale.get(Sale.receipt_no == "T-200").customer_id == c.id  # the sale stays
    assert "erased" in screen.message.text()
    screen.search_edit.setText("Exampel")
    screen.search()
    assert names(screen) == []


def _prefilled(init):
    def wrapped(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.reason_edit.setText("Written request of 3 March")
        self.confirm_edit.setText("ERASE")

    return wrapped


def test_timeline_enter_opens_the_sale_and_the_case(make_window, people, qtbot):
    from desk.services import cases as cases_service
    from desk.services.cases import CaseInput

    people["ctx"].staff = people["sup"]
    case = cases_service.open_case(people["sup"], CaseInput(summary="Kettle leaks", receipt_no="T-200"))
    window = make_window(people["ctx"])
    qtbot.keyClick(window, Qt.Key.Key_F8)
    screen = window.screen("screen.customers")
    screen.show_customer(people["dup"].id)
    kinds = [e.kind for e in screen.timeline_entries()]
    assert kinds == ["case", "sale"]  # newest first
    assert screen.open_timeline_row(1)
    assert window.current_screen_name() == "screen.sales"
    assert window.screen("screen.sales").detail.sale.receipt == "T-200"
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert screen.open_timeline_row(0)
    assert window.current_screen_name() == "screen.cases"
    assert window.screen("screen.cases").case.number == case.number


def test_a_contact_joins_the_timeline(screen, people, monkeypatch):
    from desk.ui.dialogs.case_dialogs import FormDialog

    def fill(d):
        d.set_value("Channel", "email")
        d.set_value("Summary", "Asked whether the kettle is back in stock")
        d.try_accept()
        return 0

    monkeypatch.setattr(FormDialog, "exec", fill)
    screen.show_customer(people["bob"].id)
    screen.log_contact()
    first = screen.timeline_entries()[0]
    assert (first.kind, first.title) == ("contact", "Email to the customer")
    assert first.detail == "Asked whether the kettle is back in stock"


def test_timeline_opens_exchanges_vouchers_and_orders_where_they_live(make_window, people, qtbot):
    from desk.models import Product, database
    from desk.services import credit, exchanges, orders
    from desk.services.exchanges import ExchangeRequest, ReplacementLine, SettlementTender
    from desk.services.orders import OrderLineInput, OrderRequest
    from desk.ui.dialogs.exchange_detail import ExchangeDetailDialog
    from tests.services.test_returns import make_request
    from tests.ui.test_return_screen import when_modal

    sup, dup = people["sup"], people["dup"]
    sale = Sale.get(Sale.receipt_no == "T-200")
    kettle = Product.get(Product.sku == "KET-1")
    r = make_request(sale, {1: 1})
    ex = exchanges.create_exchange(sup, ExchangeRequest(returned=r.lines, replacements=[ReplacementLine(kettle.id, 1)],
                                                        kind="receipted", sale_id=sale.id))
    with database.atomic():
        code = credit.issue_voucher(Sale.get(Sale.receipt_no == "T-200").store, 700, sup,
                                    customer=Customer.get_by_id(dup.id), reference="goodwill").code
    order = orders.take_order(sup, OrderRequest([OrderLineInput(1, product_id=kettle.id)], customer_id=dup.id,
                                                deposit_tenders=[SettlementTender("cash", 3000)]))
    window = make_window(people["ctx"])
    qtbot.keyClick(window, Qt.Key.Key_F8)
    screen = window.screen("screen.customers")
    screen.show_customer(dup.id)
    rows = {e.kind: i for i, e in enumerate(screen.timeline_entries())}
    assert {"exchange", "voucher", "order"} <= set(rows)

    seen = {}
    when_modal(ExchangeDetailDialog, lambda d: (seen.setdefault("number", d.view.number), d.reject()))
    assert screen.open_timeline_row(rows["exchange"])  # the Exchange log's detail
    assert seen["number"] == ex.number and window.current_screen_name() == "screen.customers"

    assert screen.open_timeline_row(rows["voucher"])
    assert window.current_screen_name() == "screen.vouchers"
    assert window.screen("screen.vouchers").view.code == code

    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert screen.open_timeline_row(rows["order"])
    assert window.current_screen_name() == "screen.orders"
    assert window.screen("screen.orders").view.number == order.number


def test_ctrl_shift_e_erases_for_a_manager_and_does_nothing_for_a_clerk(screen, people, qtbot, monkeypatch):
    """Every action has a key: Erase… too (it still asks for the reason and the typed ERASE)."""
    opened: list[int] = []
    monkeypatch.setattr(EraseDialog, "erase", classmethod(lambda cls, ctx, parent, customer: opened.append(customer.id)))
    people["ctx"].staff = people["mgr"]
    screen._update_buttons()
    screen.show_customer(people["dup"].id)
    assert "Ctrl+Shift+E" in screen.erase_button.text()
    qtbot.keyClick(screen.search_edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert opened == [people["dup"].id]
    people["ctx"].staff = people["clerk"]
    screen._update_buttons()
    screen.show_customer(people["dup"].id)
    qtbot.keyClick(screen.search_edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert opened == [people["dup"].id]
