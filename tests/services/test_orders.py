"""Special orders: the life of an order, receiving, deposits and balances with every tender,
cancellation both ways, reminders and deadlines on a fixed clock, the board and search.
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desk.errors import AuthFailed, InvalidInput, NeedsApproval, NotAllowed, NotFound
from desk.models import (
    AuditEvent,
    ContactAttempt,
    Customer,
    OrderEvent,
    Product,
    Sale,
    SpecialOrder,
    Staff,
    Tender,
    VoucherEntry,
    database,
)
from desk.services import audit, credit, orders, settings
from desk.services.auth import command_line_actor
from desk.services.exchanges import ExchangeRequest, SettlementTender
from desk.services.orders import OrderLineInput, OrderQuery, OrderRequest
from desk.services.returns import DeskApproval
from desk.services.staff import create_staff
from tests.services.test_returns import MANAGER, SUPERVISOR, add_team, make_product, make_request, make_sale

NOW = dt.datetime(2026, 3, 10, 10, 0)  # naive UTC, a Tuesday


def _shop(store, clock_at):
    clock_at(NOW)
    st, admin = store
    clerk, clerk2, sup, mgr = add_team(st)
    kettle = make_product("KET-1", category="Kitchen", price=4000, stock=0)
    mug = make_product("MUG-1", category="Kitchen", price=1000, stock=3)
    with database.atomic():
        Product.update(name="Copper kettle", barcode="5000000000011").where(Product.id == kettle.id).execute()
        Product.update(name="Stoneware mug", barcode="5000000000028").where(Product.id == mug.id).execute()
    return dict(store=st, admin=admin, clerk=clerk, clerk2=clerk2, sup=sup, mgr=mgr, kettle=kettle, mug=mug,
                clock=clock_at)


@pytest.fixture
def shop(sqlite_store, clock_at):
    """A small shop on SQLite (the rules do not depend on the database)."""
    return _shop(sqlite_store, clock_at)


@pytest.fixture
def any_shop(store, clock_at):
    """The same on SQLite and PostgreSQL: for what the database itself answers (locks, text
    search, dates in SQL)."""
    return _shop(store, clock_at)


def stock(p):
    return Product.get_by_id(p.id).stock_on_hand


def req(shop, *deposit, qty=1, product="kettle", name="Ann Lee", **kw):
    kw.setdefault("customer_phone", "07700 900123")
    return OrderRequest(lines=[OrderLineInput(qty, product_id=shop[product].id)], customer_name=name,
                        deposit_tenders=list(deposit), **kw)


def cash(amount):
    return SettlementTender("cash", amount)


def take(shop, *deposit, who="clerk", **kw):
    if not deposit:
        deposit = (cash(800 * kw.get("qty", 1)),)
    return orders.take_order(shop[who], req(shop, *deposit, **kw))


def actions(number):
    o = SpecialOrder.get(SpecialOrder.number == number)
    return [e.action for e in OrderEvent.select().where(OrderEvent.order == o).order_by(OrderEvent.id)]


def audited(action):
    return AuditEvent.select().where(AuditEvent.action == action).count()


def arrive(shop, number, *, to_contacted=False):
    v = orders.order_view(number)
    for line in v.lines:
        orders.receive(shop["clerk"], number, line.line_no)
    if to_contacted:
        orders.log_contact(shop["clerk"], number, "phone", "reached")
    return orders.order_view(number)


def _day(d):
    return f"{d.day} {d:%b %Y}"  # en_GB medium: 17 Mar 2030


# ----------------------------------------------------------------------------- the life of an order


def test_the_full_life_of_an_order(any_shop):
    v = take(any_shop, expected_date=NOW.date() + dt.timedelta(days=7), supplier="Kettles Ltd")
    assert v.number == "O-TST01-01-000001" and v.status == "requested"
    assert (v.total, v.deposit_required, v.deposit_paid, v.balance) == (4000, 800, 800, 3200)
    customer = Customer.get_by_id(v.customer_id)
    assert customer.name == "Ann Lee" and customer.search_phone == "07700900123"
    assert audited("customer.added") == 1
    assert [(t.kind, t.method, t.amount) for t in v.tenders] == [("deposit", "cash", 800)]

    v = orders.mark_ordered(any_shop["clerk"], v.number, "KL-5531")
    assert v.status == "ordered" and v.supplier_ref == "KL-5531" and v.ordered_at == NOW

    waiting = orders.waiting_for("5000000000011")
    assert [(w.number, w.line_no, w.waiting) for w in waiting] == [(v.number, 1, 1)]
    v = orders.receive(any_shop["clerk2"], v.number, 1)
    assert v.status == "arrived" and v.collection_deadline == NOW.date() + dt.timedelta(days=14)
    assert stock(any_shop["kettle"]) == 0  # set aside, never on the shelf
    assert orders.waiting_for("KET-1") == []

    v = orders.log_contact(any_shop["clerk"], v.number, "phone", "no_answer", "rang twice")
    assert v.status == "arrived" and v.contacted_at is None
    v = orders.log_contact(any_shop["clerk"], v.number, "phone", "reached")
    assert v.status == "contacted" and v.contacted_at == NOW
    assert [(c.outcome, c.address, c.staff_name) for c in v.contacts] == [
        ("no_answer", "07700 900123", "Cleo Clerk"), ("reached", "07700 900123", "Cleo Clerk")]

    v = orders.collect(any_shop["clerk2"], v.number, [SettlementTender("card", 3200, "Visa", "4242", "AUTH7")])
    assert v.status == "collected" and v.balance == 0 and v.balance_paid == 3200 and v.collected_at == NOW
    sale = Sale.get(Sale.receipt_no == v.number)
    assert (sale.source, sale.total, sale.customer_id) == ("order", 4000, customer.id)
    assert sorted((t.method, t.amount) for t in Tender.select().where(Tender.sale == sale)) == [("card", 3200), ("cash", 800)]
    assert v.sale_receipt_no == v.number
    assert stock(any_shop["kettle"]) == 0  # collection takes the set-aside unit: nothing counted twice
    assert actions(v.number) == ["taken", "ordered", "received", "arrived", "contacted", "collected"]
    assert [(e.from_status, e.to_status, e.staff_code) for e in v.events if e.to_status][-1] == ("contacted", "collected", "101")
    for action in ("order.taken", "order.ordered", "order.received", "order.contact", "order.collected"):
        assert audited(action) >= 1, action
    assert audit.verify_chain().ok


def test_an_existing_customer_is_found_not_created_again(any_shop):
    first = take(any_shop)
    again = take(any_shop, name="ann  LEE", customer_phone="+44 7700 900123")
    assert again.customer_id == first.customer_id and Customer.select().count() == 1
    by_id = orders.take_order(any_shop["clerk"], OrderRequest([OrderLineInput(1, product_id=any_shop["mug"].id)],
                                                          customer_id=first.customer_id, deposit_tenders=[cash(200)]))
    assert by_id.customer_name == "Ann Lee" and by_id.customer_phone == "07700 900123"


def test_a_free_text_item_needs_description_price_and_supplier(shop):
    line = OrderLineInput(2, description="Enamel bread bin, duck egg blue", supplier="Bins & Co", supplier_code="BB-44",
                          unit_price=2550, tax_rate=Decimal("20"))
    v = orders.take_order(shop["clerk"], OrderRequest([line], customer_name="Bo Chen", customer_email="bo@example.com",
                                                      contact_via="email", deposit_tenders=[cash(1020)]))
    assert v.total == 5100 and v.deposit_required == 1020
    assert v.lines[0].supplier_code == "BB-44" and v.lines[0].product_id is None
    assert [w.number for w in orders.waiting_for("bb-44")] == [v.number]
    for bad, field in [(OrderLineInput(1, description="", unit_price=100, supplier="X"), "description"),
                       (OrderLineInput(1, description="Bin", supplier="X"), "price"),
                       (OrderLineInput(1, description="Bin", unit_price=100), "supplier")]:
        with pytest.raises(InvalidInput, match=field):
            orders.take_order(shop["clerk"], OrderRequest([bad], customer_name="Bo", customer_phone="0123456789"))


def test_contact_details_must_fit_the_way_the_customer_wants_to_be_told(shop):
    with pytest.raises(InvalidInput, match="phone number or an email"):
        take(shop, customer_phone="")
    with pytest.raises(InvalidInput, match="wants an email"):
        take(shop, contact_via="email")
    with pytest.raises(InvalidInput, match="not an email address"):
        take(shop, customer_email="ann(at)example", contact_via="email")
    with pytest.raises(InvalidInput, match="Contact by"):
        take(shop, contact_via="pigeon")
    assert SpecialOrder.select().count() == 0


def test_statuses_only_move_forward_along_their_transitions(shop):
    v = take(shop)
    with pytest.raises(NotAllowed, match="requested"):
        orders.collect(shop["clerk"], v.number, [cash(3200)])
    arrive(shop, v.number)
    with pytest.raises(NotAllowed, match="arrived"):
        orders.receive(shop["clerk"], v.number, 1)
    with pytest.raises(NotAllowed, match="arrived"):
        orders.mark_ordered(shop["clerk"], v.number, "LATE")
    orders.collect(shop["clerk"], v.number, [cash(3200)])  # walked in before anyone rang
    with pytest.raises(NotAllowed, match="collected"):
        orders.cancel(shop["clerk"], v.number, "changed mind")
    with pytest.raises(NotFound, match="O-TST01-01-999999"):
        orders.order_view("o-tst01-01-999999")
    assert orders.is_order_number(" o-tst01-01-000001 ") and not orders.is_order_number("R-TST01-01-000001")


def test_who_may_do_what(shop):
    with database.atomic():
        ho = create_staff("800", "Hana Office", "head_office", "946271", None)
    with pytest.raises(NotAllowed, match="may not take"):
        orders.take_order(ho, req(shop, cash(800)))
    v = take(shop)
    arrive(shop, v.number)
    with pytest.raises(NotAllowed, match="extend"):
        orders.extend_deadline(shop["clerk"], v.number, NOW.date() + dt.timedelta(days=30), "on holiday")
    assert orders.render_order(v.number, ho).kind == "order"  # head office may look


# ----------------------------------------------------------------------------- receiving


def test_one_arrival_with_two_orders_waiting_fills_the_one_chosen(shop):
    first = take(shop, name="Ann Lee")
    shop["clock"](NOW + dt.timedelta(hours=2))
    second = take(shop, name="Bob Day", customer_phone="07700 900456")
    orders.mark_ordered(shop["clerk"], second.number, "KL-1", supplier="Kettles Ltd")
    waiting = orders.waiting_for("5000000000011")
    assert [(w.number, w.customer_name) for w in waiting] == [(first.number, "Ann Lee"), (second.number, "Bob Day")]
    orders.receive(shop["clerk"], first.number, waiting[0].line_no)
    assert orders.order_view(first.number).status == "arrived"
    assert orders.order_view(second.number).status == "ordered"
    assert [w.number for w in orders.waiting_for("KET-1")] == [second.number]
    assert stock(shop["kettle"]) == 0


def test_a_line_of_several_units_can_arrive_in_parts(shop):
    v = take(shop, cash(2400), qty=3)
    v = orders.receive(shop["clerk"], v.number, 1, quantity=2)
    assert v.status == "requested" and v.lines[0].received == 2
    assert orders.waiting_for("KET-1")[0].waiting == 1
    with pytest.raises(InvalidInput, match="waits for only 1"):
        orders.receive(shop["clerk"], v.number, 1, quantity=2)
    v = orders.receive(shop["clerk"], v.number, 1)
    assert v.status == "arrived" and actions(v.number).count("received") == 2


def test_a_unit_on_the_shelf_can_be_set_aside_for_an_order(shop):
    v = take(shop, cash(200), product="mug")
    orders.receive(shop["clerk"], v.number, 1, from_stock=True)
    assert stock(shop["mug"]) == 2
    v2 = take(shop, cash(200 * 3), product="mug", qty=3)
    with pytest.raises(NotAllowed, match="only 2 on the shelf"):
        orders.receive(shop["clerk"], v2.number, 1, from_stock=True)
    assert stock(shop["mug"]) == 2 and orders.order_view(v2.number).lines[0].received == 0


def test_cancelling_after_arrival_puts_the_goods_on_the_shelf(shop):
    v = take(shop)
    arrive(shop, v.number)
    orders.cancel(shop["clerk"], v.number, "found one elsewhere")
    assert stock(shop["kettle"]) == 1


# ----------------------------------------------------------------------------- money


def test_the_deposit_rule_asks_a_percentage_rounded_half_up(shop):
    assert orders.deposit_for(4000) == 800
    settings.update(shop["admin"], {"orders.deposit_percent": 15})
    assert orders.deposit_for(999) == 150  # 149.85
    assert orders.preview_order(shop["clerk"], req(shop)).deposit_required == 600
    with pytest.raises(InvalidInput, match=r"at least £6.00 \(15% of £40.00\)"):
        take(shop, cash(599))
    with pytest.raises(InvalidInput, match="more than the order's total"):
        take(shop, cash(4001))
    assert take(shop, cash(4000)).balance == 0  # paid in full up front
    settings.update(shop["admin"], {"orders.deposit_percent": 0})
    assert orders.take_order(shop["clerk"], req(shop)).deposit_paid == 0


def test_an_agreed_price_overrides_the_catalogue_price(shop):
    r = OrderRequest([OrderLineInput(2, product_id=shop["kettle"].id, unit_price=3500)], customer_name="Ann Lee",
                     customer_phone="07700 900123", deposit_tenders=[cash(1400)])
    v = orders.take_order(shop["clerk"], r)
    assert v.total == 7000 and v.lines[0].unit_price == 3500


def _tender(method, amount, code=""):
    return SettlementTender(method, amount, card_brand="Visa" if method == "card" else "",
                            card_last4="1111" if method == "card" else "",
                            reference="REF9" if method in ("card", "gift_card") else "", voucher_code=code)


@pytest.mark.parametrize("method", ["cash", "card", "gift_card", "store_credit"])
def test_deposit_and_balance_by_every_tender(any_shop, method):
    code = ""
    if method == "store_credit":
        with database.atomic():
            code = credit.issue_voucher(any_shop["store"], 5000, any_shop["clerk"], reference="goodwill").code
    v = orders.take_order(any_shop["clerk"], req(any_shop, _tender(method, 1000, code)))
    assert (v.deposit_paid, v.balance) == (1000, 3000)
    v = orders.pay_deposit(any_shop["clerk"], v.number, [_tender(method, 500, code)])
    assert (v.deposit_paid, v.balance) == (1500, 2500)
    arrive(any_shop, v.number)
    with pytest.raises(InvalidInput, match=r"owes £25.00 but the payments add up to £25.01"):
        orders.collect(any_shop["clerk"], v.number, [_tender(method, 2501, code)])
    v = orders.collect(any_shop["clerk"], v.number, [_tender(method, 2500, code)])
    assert (v.deposit_paid, v.balance_paid, v.balance) == (1500, 2500, 0)
    assert [(t.kind, t.method, t.amount) for t in v.tenders] == [
        ("deposit", method, 1000), ("deposit", method, 500), ("balance", method, 2500)]
    sale = Sale.get(Sale.receipt_no == v.number)
    assert sum(t.amount for t in Tender.select().where(Tender.sale == sale)) == sale.total == 4000
    if code:
        assert credit.voucher_view(code).balance == 1000
        assert {t.method for t in Tender.select().where(Tender.sale == sale)} == {"other"}
    if method == "card":
        assert v.tenders[0].label == "Visa •••• 1111"


def test_a_balance_already_paid_needs_no_payment_at_collection(shop):
    v = take(shop, cash(4000))
    arrive(shop, v.number)
    with pytest.raises(InvalidInput, match="paid in full"):
        orders.collect(shop["clerk"], v.number, [cash(1)])
    assert orders.collect(shop["clerk"], v.number).status == "collected"


def test_a_card_without_its_last_four_or_reference_is_refused(shop):
    with pytest.raises(InvalidInput, match="last four"):
        take(shop, SettlementTender("card", 800, "Visa", "", "R1"))
    with pytest.raises(InvalidInput, match="reference"):
        take(shop, SettlementTender("card", 800, "Visa", "1234", ""))
    with pytest.raises(InvalidInput, match="voucher"):
        take(shop, SettlementTender("store_credit", 800))
    assert SpecialOrder.select().count() == 0


def test_store_credit_beyond_the_voucher_writes_nothing(shop):
    with database.atomic():
        code = credit.issue_voucher(shop["store"], 500, shop["clerk"], reference="goodwill").code
    with pytest.raises(InvalidInput, match="has only"):
        take(shop, SettlementTender("store_credit", 800, voucher_code=code))
    assert SpecialOrder.select().count() == 0 and credit.voucher_view(code).balance == 500


# ----------------------------------------------------------------------------- cancelling


def test_cancel_refunds_each_deposit_tender_to_where_it_came_from(any_shop):
    with database.atomic():
        code = credit.issue_voucher(any_shop["store"], 1000, any_shop["clerk"], reference="goodwill").code
    v = orders.take_order(any_shop["clerk"], req(any_shop, cash(300), _tender("store_credit", 600, code),
                                             _tender("card", 100)))
    assert credit.voucher_view(code).balance == 400
    v = orders.cancel(any_shop["clerk"], v.number, "customer found it cheaper", card_reference="TERM5")
    assert v.status == "cancelled" and v.deposit_outcome == "refunded" and v.refunded == 1000
    assert [(t.kind, t.direction, t.method, t.amount, t.reference) for t in v.tenders if t.kind == "refund"] == [
        ("refund", "out", "cash", 300, ""), ("refund", "out", "store_credit", 600, ""), ("refund", "out", "card", 100, "TERM5")]
    assert credit.voucher_view(code).balance == 1000
    assert [e.kind for e in credit.voucher_view(code).entries] == ["issue", "redeem", "reverse"]
    assert actions(v.number)[-1] == "cancelled" and audited("order.cancelled") == 1


def test_cancel_gives_the_deposit_as_store_credit(shop):
    v = take(shop)
    v = orders.cancel(shop["clerk"], v.number, "changed mind", deposit="store_credit")
    assert v.deposit_outcome == "store_credit" and len(v.voucher_codes) == 1
    voucher = credit.voucher_view(v.voucher_codes[0])
    assert voucher.balance == 800 and voucher.customer_name == "Ann Lee"


def test_keeping_a_deposit_needs_the_policy_and_a_manager(shop):
    v = take(shop)
    arrive(shop, v.number, to_contacted=True)
    deadline = orders.order_view(v.number).collection_deadline
    with pytest.raises(NotAllowed, match=f"only after {_day(deadline)}"):
        orders.cancel(shop["clerk"], v.number, "never came", deposit="keep")
    shop["clock"](NOW + dt.timedelta(days=15))
    with pytest.raises(NeedsApproval, match="manager's approval"):
        orders.cancel(shop["clerk"], v.number, "never came", deposit="keep")
    with pytest.raises(AuthFailed, match="Wrong PIN"):
        orders.cancel(shop["clerk"], v.number, "never came", deposit="keep",
                      approver=DeskApproval(MANAGER[0], "999999", "no show"))
    with pytest.raises(NotAllowed, match="may not keep"):
        orders.cancel(shop["clerk"], v.number, "never came", deposit="keep",
                      approver=DeskApproval(SUPERVISOR[0], SUPERVISOR[1], "no show"))
    assert orders.order_view(v.number).status == "contacted"
    v = orders.cancel(shop["clerk"], v.number, "never came", deposit="keep",
                      approver=DeskApproval(MANAGER[0], MANAGER[1], "three calls, no show"))
    assert (v.status, v.deposit_outcome, v.kept, v.refunded, v.approved_by_name) == ("cancelled", "kept", 800, 0, "Maja Manager")
    event = AuditEvent.select().where(AuditEvent.action == "order.cancelled").get()
    assert '"approved_by":"300"' in event.details and "three calls" in event.details
    assert stock(shop["kettle"]) == 1


def test_a_store_that_never_keeps_deposits_refuses_even_a_manager(shop):
    settings.update(shop["admin"], {"orders.keep_deposit": "never"})
    v = take(shop)
    with pytest.raises(NotAllowed, match="never keeps"):
        orders.cancel(shop["mgr"], v.number, "x", deposit="keep")
    settings.update(shop["admin"], {"orders.keep_deposit": "always"})
    assert orders.cancel(shop["mgr"], v.number, "x", deposit="keep").deposit_outcome == "kept"


def test_cancel_needs_a_reason_and_a_known_choice(shop):
    v = take(shop)
    with pytest.raises(InvalidInput, match="Reason"):
        orders.cancel(shop["clerk"], v.number, " ")
    with pytest.raises(InvalidInput, match="Deposit"):
        orders.cancel(shop["clerk"], v.number, "x", deposit="donate")


# ----------------------------------------------------------------------------- reminders and deadlines


def test_needs_doing_today_on_a_fixed_clock(any_shop):
    clock = any_shop["clock"]
    late = take(any_shop, expected_date=NOW.date() + dt.timedelta(days=2), name="Ann Lee")
    orders.mark_ordered(any_shop["clerk"], late.number, "KL-9", supplier="Kettles Ltd")
    told = take(any_shop, name="Bob Day", customer_phone="07700 900456")
    arrive(any_shop, told.number, to_contacted=True)
    waiting = take(any_shop, name="Cy Tan", customer_phone="07700 900789")
    arrive(any_shop, waiting.number)
    assert orders.order_view(late.number).flags == ()
    assert orders.order_view(waiting.number).flags == ("not_contacted",)

    clock(NOW + dt.timedelta(days=3))  # expected date passed; reminder days (3) since the call
    assert orders.order_view(late.number).flags == ("overdue_at_supplier",)
    assert orders.order_view(told.number).flags == ("reminder_due",)
    b = orders.board()
    assert b.counts["ordered"] == 1 and b.counts["contacted"] == 1 and b.counts["arrived"] == 1
    assert b.flag_counts == {"overdue_at_supplier": 1, "not_contacted": 1, "reminder_due": 1, "past_deadline": 0}
    assert b.needs_doing == 3
    assert [r.number for r in b.rows["arrived"]] == [waiting.number]
    flagged = {r.number for r in orders.search_orders(OrderQuery(flagged_only=True))}
    assert flagged == {late.number, told.number, waiting.number} and orders.count_orders(OrderQuery(flagged_only=True)) == 3

    orders.log_contact(any_shop["clerk"], told.number, "phone", "voicemail", "reminder")  # the reminder restarts the clock
    assert orders.order_view(told.number).flags == ()
    orders.update_expected_date(any_shop["clerk"], late.number, NOW.date() + dt.timedelta(days=10), "supplier delay")
    assert orders.order_view(late.number).flags == ()

    clock(NOW + dt.timedelta(days=15))  # past the 14-day collection deadline
    assert "past_deadline" in orders.order_view(told.number).flags
    assert orders.board().flag_counts["past_deadline"] == 2
    v = orders.extend_deadline(any_shop["mgr"], told.number, NOW.date() + dt.timedelta(days=20), "customer in hospital")
    assert v.collection_deadline == NOW.date() + dt.timedelta(days=20) and "past_deadline" not in v.flags
    assert "reminder_due" in v.flags
    assert orders.count_orders(OrderQuery(flagged_only=True)) == sum(
        1 for r in orders.search_orders(OrderQuery(status="open")) if r.flags)


def test_reminder_days_come_from_settings(shop):
    settings.update(shop["admin"], {"orders.reminder_days": 7, "orders.collection_days": 30})
    v = take(shop)
    v = arrive(shop, v.number, to_contacted=True)
    assert v.collection_deadline == NOW.date() + dt.timedelta(days=30)
    shop["clock"](NOW + dt.timedelta(days=6))
    assert orders.order_view(v.number).flags == ()
    shop["clock"](NOW + dt.timedelta(days=7))
    assert orders.order_view(v.number).flags == ("reminder_due",)


def test_the_reminder_counts_from_the_arrival_not_from_the_last_call(any_shop):
    """Issue 7 and Settings: an order arrived and not collected after N days comes back for a reminder."""
    clock, clerk = any_shop["clock"], any_shop["clerk"]
    v = take(any_shop)
    arrive(any_shop, v.number)  # arrived on day 0
    clock(NOW + dt.timedelta(days=2))
    orders.log_contact(clerk, v.number, "phone", "no_answer")
    orders.log_contact(clerk, v.number, "phone", "reached")  # told on day 2
    assert orders.order_view(v.number).flags == ()
    clock(NOW + dt.timedelta(days=3))  # 3 days (Settings) since it arrived: remind, though the call was yesterday
    assert orders.order_view(v.number).flags == ("reminder_due",)
    assert orders.needs_doing_count() == 1 and orders.count_orders(OrderQuery(flagged_only=True)) == 1
    orders.log_contact(clerk, v.number, "sms", "reached", "reminder")  # the reminder: the next counts from today
    assert orders.order_view(v.number).flags == () and orders.needs_doing_count() == 0
    clock(NOW + dt.timedelta(days=5))
    assert orders.order_view(v.number).flags == ()
    clock(NOW + dt.timedelta(days=6))
    assert orders.order_view(v.number).flags == ("reminder_due",) and orders.needs_doing_count() == 1


def test_a_customer_first_told_after_the_reminder_day_is_not_reminded_at_once(shop):
    v = take(shop)
    arrive(shop, v.number)
    shop["clock"](NOW + dt.timedelta(days=4))
    assert orders.order_view(v.number).flags == ("not_contacted",)
    orders.log_contact(shop["clerk"], v.number, "phone", "voicemail")  # told at last, on day 4
    assert orders.order_view(v.number).flags == ()
    shop["clock"](NOW + dt.timedelta(days=7))
    assert orders.order_view(v.number).flags == ("reminder_due",)


def test_who_to_phone_lists_customers_email_will_not_reach(shop):
    phone = take(shop, name="Ann Lee")
    mail = take(shop, name="Bo Chen", customer_email="bo@example.com", contact_via="email")
    for n in (phone.number, mail.number):
        arrive(shop, n)
    orders.log_contact(shop["clerk"], phone.number, "phone", "no_answer")
    rows = orders.who_to_phone()  # email not set up: everyone
    assert [(r.number, r.reason, r.attempts) for r in rows] == [(phone.number, "not_contacted", 1), (mail.number, "not_contacted", 0)]
    assert rows[0].last_attempt.startswith("no answer") and rows[0].phone == "07700 900123"
    settings.update(shop["admin"], {"smtp.server": "mail.example.com", "smtp.sender": "desk@example.com"})
    assert [r.number for r in orders.who_to_phone()] == [phone.number]


def test_the_history_shows_the_dates_the_desk_wrote_in_the_stores_locale_but_keeps_them_iso(shop):
    v = take(shop)
    orders.mark_ordered(shop["clerk"], v.number, "PO-1", "Acme", NOW.date() + dt.timedelta(days=7))
    orders.update_expected_date(shop["clerk"], v.number, NOW.date() + dt.timedelta(days=12), "delayed (ref 2026-01-05)")
    arrive(shop, v.number, to_contacted=True)
    deadline = orders.order_view(v.number).collection_deadline
    orders.extend_deadline(shop["mgr"], v.number, deadline + dt.timedelta(days=5), "in hospital")
    events = {e.action: e for e in orders.order_view(v.number).events}
    d7, d12 = NOW.date() + dt.timedelta(days=7), NOW.date() + dt.timedelta(days=12)
    assert events["ordered"].note == f"Acme, ref. PO-1, expected {d7.isoformat()}"  # stored as written
    assert events["ordered"].note_text == f"Acme, ref. PO-1, expected {_day(d7)}"
    assert events["expected_date"].note_text == f"expected {_day(d12)} (was {_day(d7)}): delayed (ref 2026-01-05)"
    assert events["arrived"].note_text == f"collect by {_day(deadline)}"
    assert events["deadline_extended"].note_text == (
        f"collect by {_day(deadline + dt.timedelta(days=5))} (was {_day(deadline)}): in hospital")
    assert OrderEvent.get(OrderEvent.action == "arrived").note == f"collect by {deadline.isoformat()}"
    assert events["taken"].note_text == events["taken"].note


def test_a_date_the_desk_did_not_write_is_shown_as_typed():
    assert orders.event_note_text("ordered", "Acme, ref. 2026-99-99, expected 2026-02-31", "en_GB") == (
        "Acme, ref. 2026-99-99, expected 2026-02-31")
    assert orders.event_note_text("cancelled", "expected 2026-03-17", "en_GB") == "expected 2026-03-17"
    assert orders.event_note_text("arrived", "collect by 2026-03-17", "de_DE") == "collect by 17.03.2026"


def test_date_errors_name_the_date_as_the_desk_shows_it(shop):
    past = NOW.date() - dt.timedelta(days=9)  # 1 Mar 2026
    with pytest.raises(InvalidInput, match="1 Mar 2026 is in the past"):
        take(shop, expected_date=past)
    v = take(shop)
    with pytest.raises(InvalidInput, match="1 Mar 2026 is in the past"):
        orders.update_expected_date(shop["clerk"], v.number, past)
    with pytest.raises(InvalidInput, match="11 Mar 2026 is in the future"):
        orders.mark_ordered(shop["clerk"], v.number, "PO-1", ordered_on=NOW.date() + dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="5 Mar 2026 is before the order was placed"):
        orders.mark_ordered(shop["clerk"], v.number, "PO-1", expected_date=NOW.date() - dt.timedelta(days=5),
                            ordered_on=NOW.date() - dt.timedelta(days=2))


# ----------------------------------------------------------------------------- lists


def test_search_by_number_customer_product_and_supplier_paged(any_shop):
    a = take(any_shop, name="Łucja Wiśniewska", supplier="Kettles Ltd")
    any_shop["clock"](NOW + dt.timedelta(minutes=5))
    b = orders.take_order(any_shop["clerk"], OrderRequest(
        [OrderLineInput(1, description="Bread bin", supplier="Bins & Co", supplier_code="BB-44", unit_price=2500)],
        customer_name="Bob Day", customer_email="bob@example.com", contact_via="email", deposit_tenders=[cash(500)]))
    orders.mark_ordered(any_shop["clerk"], b.number, "BINS-77")

    def found(text, **kw):
        q = OrderQuery(text=text, **kw)
        rows = orders.search_orders(q)
        assert orders.count_orders(q) == len(rows)
        return [r.number for r in rows]

    assert found("") == [b.number, a.number]  # newest first
    assert found(a.number.lower()) == [a.number]
    assert found("wisniew") == [a.number]
    assert found("kettle") == [a.number]
    assert found("ket-1") == [a.number]
    assert found("bins") == [b.number]
    assert found("bins-77") == [b.number]
    assert found("bob@example") == [b.number]
    assert found("900123") == [a.number]
    assert found("", status="ordered") == [b.number]
    assert found("", status="open") == [b.number, a.number]
    assert [r.number for r in orders.search_orders(OrderQuery(), offset=1, limit=1)] == [a.number]
    row = orders.search_orders(OrderQuery(text="bread"))[0]
    assert (row.items, row.balance, row.supplier_ref) == ("1 × Bread bin", 2000, "BINS-77")
    with pytest.raises(InvalidInput, match="Status"):
        orders.count_orders(OrderQuery(status="lost"))


def test_the_command_line_actor_can_print_but_its_events_say_cli(shop):
    v = take(shop)
    doc = orders.render_order(v.number, command_line_actor())
    assert doc.kind == "order" and doc.number == v.number


# ----------------------------------------------------------------------------- exchanges


def test_an_exchange_whose_replacement_is_out_of_stock_becomes_an_order(shop):
    sale = make_sale(shop["store"], "T-9", [("Stoneware mug", 2, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 2})
    ex = ExchangeRequest(returned=r.lines, replacements=[], sale_id=sale.id)
    made = orders.order_from_exchange(shop["clerk"], ex, req(shop, customer_phone="07700 900123"))
    v = made.order
    assert v.source_return_number == made.return_number and made.voucher_code == ""
    assert (v.deposit_paid, v.balance) == (2000, 2000)
    assert [(t.method, t.amount, t.label) for t in v.tenders] == [("exchange", 2000, "Goods returned")]
    assert stock(shop["mug"]) == 5  # the returned mugs went back on the shelf
    # cancelled later: the goods' value comes back as store credit
    v = orders.cancel(shop["clerk"], v.number, "changed mind")
    assert credit.voucher_view(v.voucher_codes[0]).balance == 2000


def test_goods_worth_more_than_the_order_leave_store_credit(shop):
    sale = make_sale(shop["store"], "T-10", [("Stoneware mug", 5, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 5})
    ex = ExchangeRequest(returned=r.lines, replacements=[], sale_id=sale.id)
    made = orders.order_from_exchange(shop["clerk"], ex, req(shop))
    assert made.order.deposit_paid == 4000 and made.order.balance == 0
    assert credit.voucher_view(made.voucher_code).balance == 1000


def test_only_what_is_missing_is_ordered_and_the_rest_goes_out_in_one_exchange(any_shop):
    shop = any_shop
    from desk.models import Exchange, ExchangeTender
    from desk.services import exchanges
    from desk.services.exchanges import ReplacementLine

    sale = make_sale(shop["store"], "T-12", [("Stoneware mug", 2, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 2})
    wanted = ExchangeRequest(returned=r.lines, sale_id=sale.id,
                             replacements=[ReplacementLine(shop["mug"].id, 1), ReplacementLine(shop["kettle"].id, 1)])
    now, later = orders.split_for_order(wanted)
    assert [(x.product_id, x.quantity) for x in now] == [(shop["mug"].id, 1)]
    assert [(x.product_id, x.quantity) for x in later] == [(shop["kettle"].id, 1)]
    wanted.replacements = now
    order = OrderRequest(lines=[OrderLineInput(x.quantity, product_id=x.product_id) for x in later],
                         customer_name="Ann Lee", customer_phone="07700 900123")
    made = orders.order_from_exchange(shop["clerk"], wanted, order)
    v = made.order
    assert [l.description for l in v.lines] == ["Copper kettle"]
    # 2 mugs back (20.00), one mug out (10.00): the 10.00 left is the kettle's deposit
    assert (v.total, v.deposit_paid, v.balance) == (4000, 1000, 3000) and made.voucher_code == ""
    ex = exchanges.exchange_view(made.exchange_number)
    assert [(l.description, l.quantity) for l in ex.went_out] == [("Stoneware mug", 1)]
    assert ex.return_number == made.return_number == v.source_return_number
    assert (ex.returned_value, ex.replacement_total, ex.difference) == (2000, 1000, -1000)
    assert [(t.direction, t.method, t.amount, t.reference) for t in ex.tenders] == [("out", "special_order", 1000, v.number)]
    assert stock(shop["mug"]) == 3 + 2 - 1 and stock(shop["kettle"]) == 0
    assert Sale.get(Sale.receipt_no == made.exchange_number).total == 1000
    assert audited("exchange.created") == 1 and audited("order.from_exchange") == 1
    from desk.services import documents
    from tests.printing.pdfcheck import text_of

    slip = " ".join(text_of(documents.render("exchange", made.exchange_number, shop["clerk"]).pdf).split())
    assert "To the order £10.00" in slip and f"is the deposit of special order {v.number}" in slip
    assert "To refund" not in slip and "Refunded to" not in slip
    with pytest.raises(NotAllowed, match="cancel the order instead"):
        exchanges.void_exchange(shop["mgr"], made.exchange_number, "mistake")
    assert Exchange.select().count() == 1 and ExchangeTender.select().count() == 1


def test_three_wanted_with_one_on_the_shelf_gives_one_now_and_orders_two(shop):
    from desk.services.exchanges import ReplacementLine

    Product.update(stock_on_hand=1).where(Product.id == shop["kettle"].id).execute()
    ex = ExchangeRequest(returned=[], replacements=[ReplacementLine(shop["kettle"].id, 2), ReplacementLine(shop["kettle"].id, 1)])
    now, later = orders.split_for_order(ex)
    assert [(x.product_id, x.quantity) for x in now] == [(shop["kettle"].id, 1)]
    assert [(x.product_id, x.quantity) for x in later] == [(shop["kettle"].id, 1), (shop["kettle"].id, 1)]


def test_the_clerk_may_order_an_in_stock_line_but_not_send_out_a_missing_one(shop):
    from desk.services.exchanges import ReplacementLine

    sale = make_sale(shop["store"], "T-14", [("Stoneware mug", 2, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 2})
    ex = ExchangeRequest(returned=r.lines, sale_id=sale.id,
                         replacements=[ReplacementLine(shop["mug"].id, 1), ReplacementLine(shop["kettle"].id, 1)])
    with pytest.raises(NotAllowed, match=r"Copper kettle \(.*\) can't go out now: only 0 in stock"):
        orders.split_for_order(ex, [False, False])
    now, later = orders.split_for_order(ex, [True, True])  # the whole set ordered together
    assert now == [] and [(x.product_id, x.quantity) for x in later] == [(shop["mug"].id, 1), (shop["kettle"].id, 1)]
    ex.replacements = now
    made = orders.order_from_exchange(shop["clerk"], ex, OrderRequest(
        lines=[OrderLineInput(x.quantity, product_id=x.product_id) for x in later],
        customer_name="Ann Lee", customer_phone="07700 900123"))
    assert [l.description for l in made.order.lines] == ["Stoneware mug", "Copper kettle"]
    assert made.exchange_number == "" and made.order.deposit_paid == 2000
    assert stock(shop["mug"]) == 3 + 2  # the shelf mug stays: the customer's comes with the order


def test_what_goes_out_now_must_still_be_in_stock_when_written(shop):
    from desk.models import Return
    from desk.services.exchanges import ReplacementLine

    sale = make_sale(shop["store"], "T-13", [("Stoneware mug", 1, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 1})
    ex = ExchangeRequest(returned=r.lines, sale_id=sale.id, replacements=[ReplacementLine(shop["mug"].id, 4)])
    with pytest.raises(NotAllowed, match="Not enough stock to give now"):
        orders.order_from_exchange(shop["clerk"], ex, req(shop))
    assert Return.select().count() == 0 and SpecialOrder.select().count() == 0 and stock(shop["mug"]) == 3


def test_an_order_from_an_exchange_that_fails_writes_nothing(shop):
    sale = make_sale(shop["store"], "T-11", [("Stoneware mug", 1, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 1})
    ex = ExchangeRequest(returned=r.lines, replacements=[], sale_id=sale.id)
    with pytest.raises(InvalidInput, match="Customer name"):
        orders.order_from_exchange(shop["clerk"], ex, req(shop, name=""))
    from desk.models import Return

    assert Return.select().count() == 0 and SpecialOrder.select().count() == 0 and stock(shop["mug"]) == 3


def test_the_navigation_count_is_one_query_agreeing_with_the_board(any_shop):
    a = take(any_shop, expected_date=NOW.date() + dt.timedelta(days=1))
    b = take(any_shop)
    arrive(any_shop, b.number)
    assert orders.needs_doing_count() == orders.board().needs_doing == 1
    any_shop["clock"](NOW + dt.timedelta(days=2))
    assert orders.needs_doing_count() == orders.board().needs_doing == 2
    assert "overdue_at_supplier" in orders.order_view(a.number).flags


def test_erasing_a_customer_clears_what_orders_copied_of_them(shop):
    v = take(shop, name="Łucja Wiśniewska", customer_email="lucja@example.com")
    arrive(shop, v.number)
    orders.log_contact(shop["clerk"], v.number, "phone", "reached", "spoke to Łucja")
    with database.atomic():
        cleared = orders.erase_customer_data(v.customer_id)
    assert cleared == {"special_order.customer_name/phone/email": 1, "contact_attempt.address/note": 1}
    after = orders.order_view(v.number)
    assert (after.customer_name, after.customer_phone, after.customer_email) == ("", "", "")
    assert after.contacts[0].address == "" and after.contacts[0].note == ""
    assert orders.search_orders(OrderQuery(text="wisniewska")) == []
    assert orders.count_orders(OrderQuery(text="kettle")) == 1 and after.total == 4000
    assert not any("Wiśniewska" in e.details or "lucja@" in e.details for e in AuditEvent.select())


def test_a_manager_erasing_the_customer_clears_their_orders_too(shop):
    from desk.services import customers

    v = take(shop, name="Łucja Wiśniewska", customer_email="lucja@example.com")
    arrive(shop, v.number)
    orders.log_contact(shop["clerk"], v.number, "phone", "reached", "spoke to Łucja")
    result = customers.erase_customer(shop["mgr"], v.customer_id, "the customer's written request")
    assert result.cleared.get("contact_attempt.address/note") == 1
    after = orders.order_view(v.number)
    assert after.contacts[0].address == "" and after.contacts[0].note == ""
    assert orders.search_orders(OrderQuery(text="wisniewska")) == [] and after.total == 4000


def test_payments_taken_at_once_are_split_between_the_exchange_and_the_deposit():
    card = SettlementTender("card", 1500, "Card", "4242", "AUTH-1")
    head, tail = orders.split_payments([SettlementTender("cash", 500), card], 1200)
    assert [(t.method, t.amount) for t in head] == [("cash", 500), ("card", 700)]
    assert [(t.method, t.amount, t.card_last4, t.reference) for t in tail] == [("card", 800, "4242", "AUTH-1")]
    assert orders.split_payments([card], 0) == ([], [card])


def test_in_stock_items_costing_more_than_what_came_back_are_paid_with_the_deposit(any_shop):
    shop = any_shop
    from desk.services import exchanges
    from desk.services.exchanges import ReplacementLine

    sale = make_sale(shop["store"], "T-14", [("Stoneware mug", 1, 1000, 0, "Kitchen", shop["mug"])])
    r = make_request(sale, {1: 1})
    ex = ExchangeRequest(returned=r.lines, sale_id=sale.id, replacements=[ReplacementLine(shop["mug"].id, 2)])
    # one mug back (10.00); two mugs out (20.00) and a kettle ordered (deposit 8.00): 18.00 to pay now
    ex.tenders, deposit = orders.split_payments([SettlementTender("cash", 1800)], 1000)
    made = orders.order_from_exchange(shop["clerk"], ex, req(shop, *deposit))
    assert [(t.method, t.amount) for t in made.order.tenders] == [("cash", 800)]
    x = exchanges.exchange_view(made.exchange_number)
    assert x.difference == 1000 and [(t.direction, t.method, t.amount) for t in x.tenders] == [("in", "cash", 1000)]
    assert stock(shop["mug"]) == 3 + 1 - 2


def test_migration_0013_goes_down_and_up_and_waiting_orders_keep_their_clock(any_shop):
    from desk.models.db import is_postgres, migration_runner

    clock, clerk = any_shop["clock"], any_shop["clerk"]
    told = take(any_shop)
    arrive(any_shop, told.number)
    clock(NOW + dt.timedelta(days=2))
    orders.log_contact(clerk, told.number, "phone", "reached")
    waiting = take(any_shop)
    arrive(any_shop, waiting.number)
    conn = SpecialOrder._meta.database.obj
    runner = migration_runner(conn)
    reverted = runner.down("0013_order_reminders")
    assert reverted[-1] == "0013_order_reminders"
    assert "remind_from" not in {c.name for c in conn.get_columns("special_order")}
    assert runner.up() == list(reversed(reverted))
    days = dict(SpecialOrder.select(SpecialOrder.number, SpecialOrder.remind_from).tuples())
    assert days == {told.number: NOW.date() + dt.timedelta(days=2), waiting.number: NOW.date() + dt.timedelta(days=2)}
    if not is_postgres():  # the column was added, not the table rebuilt: the change-log triggers are still there
        triggers = {r[0] for r in conn.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                   "AND tbl_name = 'special_order'")}
        assert triggers == {"desk_chg_special_order_ins", "desk_chg_special_order_upd"}
