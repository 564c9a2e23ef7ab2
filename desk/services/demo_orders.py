"""The demo store's special orders, made through the same services the desk uses.

``add_orders(store, rng, now)`` runs inside ``build_demo``'s transaction, after the sales: orders
in every status, each step at its own moment in the past (the services' clock is moved while it
is made), so that the board has something in every column and something to do today:

- requested today (one catalogue item, one described in free text);
- ordered and on time; ordered and overdue at the supplier;
- arrived and not yet told (one with a call nobody answered);
- customer told recently; told days ago and not collected (a reminder is due); past the
  collection deadline (a manager must decide);
- collected (card, cash, store credit);
- cancelled with the deposit refunded, given as store credit, and kept with a manager's approval.

A small demo (fewer than ``SMALL_DEMO_LINES`` sale lines, as the tests build) gets one order
for each status and each "needs doing today" flag only.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from desk import clock
from desk.errors import DeskError
from desk.models import Customer, Product, SaleLine, Staff, Store
from desk.services import credit, orders
from desk.services.demo_returns import _at
from desk.services.exchanges import SettlementTender
from desk.services.orders import OrderLineInput, OrderRequest

SMALL_DEMO_LINES = 2000
SUPPLIERS = ["Nordic Home Supply", "Hartley Kitchenware", "Severn Textiles", "Little Oak Toys", "Estuary Books"]
FREE_TEXT = [
    ("Enamel bread bin, duck egg blue", "Hartley Kitchenware", "HK-BB-220", 3450),
    ("Linen duvet cover, king, oat", "Severn Textiles", "ST-DC-K-OAT", 11900),
    ("Atlas of Small Islands (signed edition)", "Estuary Books", "EB-9781", 4500),
]


@dataclass
class OrderHistory:
    orders: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _tender(rng: random.Random, amount: int) -> SettlementTender:
    if rng.random() < 0.5:
        return SettlementTender("cash", amount)
    return SettlementTender("card", amount, rng.choice(["Visa", "Mastercard"]), f"{rng.randrange(10000):04d}",
                            f"AUTH{rng.randrange(10**6):06d}")


def add_orders(store: Store, rng: random.Random, now: dt.datetime | None = None) -> OrderHistory:
    now = now or clock.utcnow()
    staff = {s.code: s for s in Staff.select()}
    clerks = [staff[c] for c in ("100", "101") if c in staff]
    manager = staff.get("300")
    result = OrderHistory()
    if not clerks or manager is None:
        return result
    out_of_stock = list(Product.select().where((Product.stock_on_hand == 0) & Product.active).order_by(Product.id))
    people = list(Customer.select().order_by(Customer.id).limit(400))
    if not out_of_stock or not people:
        return result
    rng.shuffle(people)
    day = dt.timedelta(days=1)

    def clerk() -> Staff:
        return rng.choice(clerks)

    def take(when: dt.datetime, *, free: int | None = None, expected_in: int | None = 7, contact_via: str = "phone"):
        person = people[result.orders % len(people)]
        supplier = rng.choice(SUPPLIERS)
        if free is not None:
            desc, supplier, code, price = FREE_TEXT[free % len(FREE_TEXT)]
            lines = [OrderLineInput(1, description=desc, supplier=supplier, supplier_code=code, unit_price=price)]
        else:
            product = rng.choice(out_of_stock)
            lines = [OrderLineInput(rng.choice([1, 1, 1, 2]), product_id=product.id)]
        with _at(when):
            request = OrderRequest(lines, customer_id=person.id, contact_via=contact_via, supplier=supplier,
                                   expected_date=(clock.to_local(when).date() + dt.timedelta(days=expected_in))
                                   if expected_in is not None else None)
            deposit = orders.preview_order(clerk(), request).deposit_required
            if deposit:
                request.deposit_tenders = [_tender(rng, deposit)]
            v = orders.take_order(clerk(), request)
        result.orders += 1
        return v.number

    def ordered(number: str, when: dt.datetime) -> None:
        with _at(when):
            orders.mark_ordered(clerk(), number, f"PO-{rng.randrange(10**5):05d}")

    def arrived(number: str, when: dt.datetime) -> None:
        with _at(when):
            for line in orders.order_view(number).lines:
                orders.receive(clerk(), number, line.line_no)

    def told(number: str, when: dt.datetime, outcome: str = "reached") -> None:
        with _at(when):
            orders.log_contact(clerk(), number, "phone", outcome, "" if outcome == "reached" else "left a message")

    steps = [
        # requested today: a catalogue item and one in free text
        lambda: take(now - dt.timedelta(hours=3), expected_in=None),
        lambda: take(now - dt.timedelta(hours=1), free=0, expected_in=None, contact_via="email"),
    ]

    def on_time():
        n = take(now - 2 * day, expected_in=6)
        ordered(n, now - 2 * day + dt.timedelta(hours=2))

    def overdue():
        n = take(now - 12 * day, expected_in=7)
        ordered(n, now - 12 * day + dt.timedelta(hours=1))

    def arrived_not_told(no_answer: bool):
        n = take(now - 10 * day, free=1 if no_answer else None, expected_in=8)
        ordered(n, now - 10 * day + dt.timedelta(hours=4))
        arrived(n, now - (2 if no_answer else 1) * day)
        if no_answer:
            told(n, now - day, "no_answer")

    def told_recently():
        n = take(now - 9 * day, expected_in=7)
        ordered(n, now - 9 * day + dt.timedelta(hours=2))
        arrived(n, now - 2 * day)
        told(n, now - 2 * day + dt.timedelta(hours=1))

    def reminder_due():
        n = take(now - 15 * day, expected_in=7, contact_via="email")
        ordered(n, now - 15 * day + dt.timedelta(hours=2))
        arrived(n, now - 7 * day)
        told(n, now - 7 * day + dt.timedelta(hours=2), "voicemail")

    def past_deadline():
        n = take(now - 30 * day, expected_in=7)
        ordered(n, now - 30 * day + dt.timedelta(hours=2))
        arrived(n, now - 20 * day)
        told(n, now - 20 * day + dt.timedelta(hours=3))
        told(n, now - 12 * day, "no_answer")
        return n

    def collected(how: str):
        n = take(now - 25 * day, expected_in=7, free=2 if how == "cash" else None)
        ordered(n, now - 25 * day + dt.timedelta(hours=2))
        arrived(n, now - 14 * day)
        told(n, now - 14 * day + dt.timedelta(hours=1))
        with _at(now - 12 * day):
            balance = orders.order_view(n).balance
            tenders = []
            if balance and how == "store_credit":
                vouchers = [v for v in credit.list_vouchers() if v.status == "active" and v.balance > 0]
                if vouchers:
                    part = min(vouchers[0].balance, balance)
                    tenders.append(SettlementTender("store_credit", part, voucher_code=vouchers[0].code))
                    balance -= part
            if balance:
                tenders.append(_tender(rng, balance) if how != "cash" else SettlementTender("cash", balance))
            orders.collect(clerk(), n, tenders)

    def cancelled(deposit: str):
        n = take(now - 40 * day, expected_in=7)
        ordered(n, now - 40 * day + dt.timedelta(hours=2))
        if deposit == "keep":
            arrived(n, now - 35 * day)
            told(n, now - 35 * day + dt.timedelta(hours=1))
            with _at(now - 5 * day):
                orders.cancel(manager, n, "not collected after three calls and the deadline", deposit="keep")
        else:
            with _at(now - 33 * day):
                reason = "supplier discontinued the item" if deposit == "refund" else "customer found it elsewhere"
                orders.cancel(clerk(), n, reason, deposit=deposit)

    steps += [on_time, overdue, lambda: arrived_not_told(False), lambda: arrived_not_told(True), told_recently,
              reminder_due, past_deadline, lambda: collected("card"), lambda: collected("cash"),
              lambda: collected("store_credit"), lambda: cancelled("refund"), lambda: cancelled("store_credit"),
              lambda: cancelled("keep")]
    if SaleLine.select().count() < SMALL_DEMO_LINES:  # a small demo (the tests'): one order per status and flag
        steps = [steps[0], overdue, lambda: arrived_not_told(True), reminder_due, past_deadline,
                 lambda: collected("card"), lambda: cancelled("keep")]
    for step in steps:
        try:
            step()
        except DeskError:
            continue  # a demo order that cannot be made stays where it got to
    for status, n in orders.board().counts.items():
        result.by_status[status] = n
    return result
