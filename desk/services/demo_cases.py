"""The demo store's customers and service cases, made through the same services the desk uses.

``add_cases(store, rng, now)`` runs inside ``build_demo``'s transaction, after the returns and
exchanges: some customers get contact preferences and notes, one has a duplicate record to
merge, and cases exist in every state (open and unassigned, owned, waiting on the customer,
waiting on the supplier, resolved with a refund, an exchange or goodwill store credit, followed
up and closed, closed unreachable), some overdue and some due today, plus a month of closed
cases for the figures. Each step happens at its own moment (the services' clock is moved).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from desk import clock
from desk.errors import DeskError
from desk.models import Customer, Exchange, Return, Sale, Staff, Store
from desk.services import cases
from desk.services.cases import CaseInput
from desk.services.customers import CustomerInput, create_customer, get_customer, log_contact, update_customer
from desk.services.demo_returns import _at
from desk.services.returns import DeskApproval

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

WORDS = {
    "Product quality": [
        ("Kettle leaks from the base", "It leaked all over my worktop the second time I used it."),
        ("Zip broke on a new jacket", "The zip came off in my hand after two wears."),
        ("Colour ran in the wash", "I washed it at 30 like the label says and it turned everything pink."),
        ("Heel came loose", "The heel came away on the first day at work."),
    ],
    "Service": [
        ("Waited twenty minutes at the desk", "There was nobody at the desk and nobody came when I asked."),
        ("Refund took too long to arrive", "The refund still has not reached my card after ten days."),
    ],
    "Delivery": [
        ("Sofa cushions missing from delivery", "The sofa came but the cushions were not in the van."),
        ("Delivery slot missed", "I took the day off and the van never came."),
    ],
    "Pricing": [
        ("Charged more than the shelf price", "The shelf said £12 and I paid £15."),
    ],
    "Staff": [
        ("Thank you to Zoë at the desk", "Zoë went out of her way to find the right size for my son."),
        ("Rude reply on the phone", "The person on the phone was short with me and hung up."),
    ],
    "Other": [
        ("Do you stock wide-fit shoes?", "Do you have wide-fit school shoes, and when will more come in?"),
        ("Car park barrier not working", "The barrier would not lift and I was stuck for ten minutes."),
    ],
}


@dataclass
class CasesResult:
    cases: int = 0
    overdue: int = 0
    customers_updated: int = 0


def add_cases(store: Store, rng: random.Random, now: dt.datetime | None = None) -> CasesResult:
    now = now or clock.utcnow()
    staff = {s.code: s for s in Staff.select()}
    clerk, clerk2 = staff.get("100"), staff.get("101")
    sup, mgr = staff.get("200"), staff.get("300")
    if clerk is None or clerk2 is None or mgr is None or sup is None:
        return CasesResult()
    from desk.services.demo import DEMO_STAFF

    pins = {s.code: s.pin for s in DEMO_STAFF}
    result = CasesResult()
    cats = {c.name: c.id for c in cases.list_categories()}
    with_sales = [c for c, in Sale.select(Sale.customer).where(Sale.customer.is_null(False))
                  .group_by(Sale.customer).order_by(Sale.customer).limit(40).tuples()]
    customers = [Customer.get_by_id(cid) for cid in with_sales] or list(Customer.select().order_by(Customer.id).limit(20))
    if not customers:
        return result

    # contact preferences and notes for some customers, one duplicate record to merge
    with _at(now - 20 * D):
        for c in customers[:12]:
            pref = rng.choice(["email", "phone", "sms", ""])
            update_customer(clerk, c.id, CustomerInput(c.name, c.phone or "", c.email or "", pref,
                                                       contact_consent=pref != "", notes=rng.choice(
                                                           ["", "", "Prefers a call after 5 pm", "Regular on Saturdays",
                                                            "Hard of hearing: email first"])))
            result.customers_updated += 1
        first = get_customer(customers[0].id)
        create_customer(clerk2, CustomerInput(first.name, phone=first.phone, email="",
                                              notes="Added at the desk in a hurry: probably a duplicate"))

    def sale_of(c: Customer) -> Sale | None:
        return Sale.select().where(Sale.customer == c.id).order_by(Sale.sold_at.desc()).first()

    def product_of(sale: Sale | None) -> int | None:
        from desk.models import SaleLine

        if sale is None:
            return None
        line = SaleLine.select().where((SaleLine.sale == sale.id) & SaleLine.product.is_null(False)).first()
        return line.product_id if line else None

    def new(when, category, i, cust, type_="complaint", priority="normal", owner=None, channel=None, link_sale=True):
        summary, words = WORDS[category][i % len(WORDS[category])]
        sale = sale_of(cust) if (cust is not None and link_sale) else None
        with _at(when):
            v = cases.open_case(rng.choice([clerk, clerk2]), CaseInput(
                type=type_, channel=channel or rng.choice(list(cases.CHANNELS)), summary=summary, customer_words=words,
                priority=priority, category_id=cats.get(category), customer_id=cust.id if cust else None,
                receipt_no=sale.receipt_no if sale else "", product_id=product_of(sale) if type_ == "complaint" else None,
                owner_id=owner.id if owner else None))
        result.cases += 1
        return v.number

    def at(when, fn, *args, **kw):
        with _at(when):
            return fn(*args, **kw)

    pick = itertools.cycle(customers[1:] or customers)

    # a month of closed cases for the figures
    for k in range(18):
        opened = now - dt.timedelta(days=rng.randint(8, 35), hours=rng.randint(0, 10))
        category = rng.choice(list(WORDS))
        cust = next(pick)
        type_ = "compliment" if category == "Staff" and k % 2 == 0 else rng.choice(["complaint", "complaint", "enquiry", "feedback"])
        num = new(opened, category, k, cust, type_=type_, priority=rng.choice(["normal", "normal", "high", "low"]),
                  owner=rng.choice([clerk, clerk2, sup]))
        t = opened + dt.timedelta(hours=rng.choice([1, 2, 3, 5, 8, 20, 30]))
        at(t, cases.add_note, clerk, num, "apology" if type_ == "complaint" else "explanation",
           "We are sorry for the trouble." if type_ == "complaint" else "Thank you: we have passed this on.")
        t += dt.timedelta(hours=rng.choice([2, 6, 24, 48, 96]))
        at(t, cases.resolve, clerk, num, rng.choice(["explanation", "other"]), "Explained what happened and put it right.")
        t += 3 * D + dt.timedelta(hours=rng.randint(0, 6))
        if k % 6 == 5:
            for _ in range(3):
                at(t, cases.record_follow_up, clerk2, num, False, "No answer")
                t += D
        else:
            at(t, cases.record_follow_up, clerk2, num, True, "Happy with how it was handled",
               rng.choice([3, 4, 4, 5, 5, 2]))

    # open and unassigned, no response for 30 hours: overdue
    new(now - 30 * H, "Service", 0, next(pick))
    # open, owned by a clerk, due later today or tomorrow
    new(now - 20 * H, "Product quality", 1, next(pick), owner=clerk)
    new(now - 2 * H, "Delivery", 0, next(pick), type_="enquiry", priority="high")
    # waiting on the customer (the clock is paused)
    num = new(now - 2 * D, "Product quality", 2, next(pick), owner=clerk2)
    at(now - 1 * D, cases.set_status, clerk2, num, "waiting_customer", "Asked for a photo of the label")
    # waiting on the supplier, high priority, past its resolution deadline: overdue
    num = new(now - 4 * D, "Delivery", 0, next(pick), priority="high", owner=sup)
    at(now - 4 * D + 3 * H, cases.add_note, sup, num, "explanation", "The cushions are coming from the supplier's warehouse.")
    at(now - 4 * D + 4 * H, cases.set_status, sup, num, "waiting_supplier", "Chased the supplier")
    # an enquiry answered, no category
    num = new(now - 6 * H, "Other", 0, None, type_="enquiry", channel="phone", link_sale=False)
    at(now - 5 * H, cases.add_note, clerk, num, "explanation", "Wide-fit school shoes arrive on Thursday.")

    # resolved with the refund of a return made from the case: follow-up due in three days
    ret = Return.select().where(Return.customer.is_null(False) & (Return.status == "completed")).order_by(Return.id.desc()).first()
    if ret is not None:
        cust = Customer.get_by_id(ret.customer_id)
        opened = max(ret.created_at - 2 * H, now - 10 * D)
        num = new(opened, "Product quality", 3, cust, owner=clerk)
        at(opened + 1 * H, cases.add_note, clerk, num, "apology", "Sorry: that should not have happened.")
        at(ret.created_at + dt.timedelta(minutes=5), cases.link_case, clerk, num, ret.number)
        at(ret.created_at + dt.timedelta(minutes=6), cases.resolve, clerk, num, "refund", "Refunded in full.")
    # resolved with an exchange
    ex = Exchange.select().order_by(Exchange.id.desc()).first()
    if ex is not None:
        r = Return.get_by_id(ex.ret_id)
        cust = Customer.get_or_none(Customer.id == r.customer_id) if r.customer_id else next(pick)
        opened = ex.created_at - 1 * H
        num = new(opened, "Product quality", 1, cust, owner=clerk2, link_sale=False)
        at(ex.created_at + dt.timedelta(minutes=5), cases.link_case, clerk2, num, ex.number)
        at(ex.created_at + dt.timedelta(minutes=6), cases.resolve, clerk2, num, "exchange", "Exchanged for a new one.")
    # goodwill within the limit, follow-up overdue since yesterday
    num = new(now - 5 * D, "Service", 1, next(pick), owner=clerk)
    at(now - 5 * D + 2 * H, cases.add_note, clerk, num, "apology", "We are sorry the refund took so long.")
    at(now - 4 * D, cases.give_goodwill, clerk, num, 1000, "£10 store credit for the wait.")
    # goodwill above the limit, approved by the manager at the desk
    num = new(now - 3 * D, "Delivery", 1, next(pick), owner=clerk2, priority="high")
    try:
        at(now - 3 * D + 4 * H, cases.give_goodwill, clerk2, num, 5000, "Delivery charge refunded as store credit.",
           DeskApproval(mgr.code, pins[mgr.code], "missed slot, took a day off"))
    except DeskError:
        pass
    # a compliment passed on and closed after the follow-up
    num = new(now - 9 * D, "Staff", 0, next(pick), type_="compliment", owner=sup)
    at(now - 9 * D + 1 * H, cases.add_note, sup, num, "explanation", "Thank you! We passed your words on to Zoë.")
    at(now - 9 * D + 2 * H, cases.resolve, sup, num, "other", "Passed on to the team.")
    at(now - 6 * D, cases.record_follow_up, clerk, num, True, "Lovely to hear from us", 5)
    # closed unreachable after three attempts
    num = new(now - 12 * D, "Pricing", 0, next(pick), owner=clerk)
    at(now - 12 * D + 2 * H, cases.add_note, clerk, num, "explanation", "The shelf label was out of date; refunded £3.")
    at(now - 12 * D + 3 * H, cases.resolve, clerk, num, "other", "Refunded the £3 difference in cash.")
    for d in (9, 8, 7):
        at(now - d * D, cases.record_follow_up, clerk2, num, False, "No answer")
    # a reopened case and a contact log entry
    num = new(now - 8 * D, "Staff", 1, next(pick), priority="high", owner=mgr)
    at(now - 8 * D + 1 * H, cases.add_note, mgr, num, "apology", "I am sorry for how you were spoken to.")
    at(now - 7 * D, cases.resolve, mgr, num, "explanation", "Spoke to the team member; training booked.")
    at(now - 2 * D, cases.reopen, mgr, num, "Customer rang back: still unhappy")
    cust = customers[0]
    at(now - 2 * D, log_contact, mgr, cust.id, "phone", "Rang to talk about the missed delivery", True, "in")

    with _at(now):
        result.overdue = cases.count_cases(cases.CaseQuery(view="overdue"))
    return result
