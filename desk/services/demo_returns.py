"""The demo store's returns history, made through the same services the desk uses.

``add_history(store, rng, now)`` runs inside ``build_demo``'s transaction, after the sales:
receipted returns to the original tenders, some as store credit, a gift-receipt return, an
unverified one, some approved by a manager at the desk or through the queue, a late return a
manager overrode, refusals that were never done (a final refusal, a queue request the manager
refused) and one return voided the same day. Each return happens at its own moment in the
past (the services' clock is moved while it is made), oldest first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass

from desk import clock
from desk.errors import DeskError
from desk.models import Customer, Return, Sale, SaleLine, Staff, Store
from desk.services import approvals
from desk.services.policy import NEEDS_APPROVAL, Policy, save_policy
from desk.services.returns import DeskApproval, ReturnLineRequest, ReturnRequest, create_return, void_return

REASONS = ["wrong_size", "wrong_size", "changed_mind", "changed_mind", "not_as_described", "damaged", "defective"]


@dataclass
class HistoryResult:
    returns: int = 0
    store_credit: int = 0
    approved: int = 0
    refused_not_done: int = 0
    voided: int = 0


@contextlib.contextmanager
def _at(when: dt.datetime):
    """Make the services' clock read ``when`` while one return is made."""
    saved = clock.utcnow
    clock.utcnow = lambda: when
    try:
        yield
    finally:
        clock.utcnow = saved


def _line(rng: random.Random, sl: SaleLine, qty: int | None = None, reason: str | None = None,
          condition: str | None = None) -> ReturnLineRequest:
    reason = reason or rng.choice(REASONS)
    if condition is None:
        condition = {"damaged": "damaged", "defective": "defective"}.get(reason, rng.choice(["unopened", "unopened", "opened"]))
    disposition = {"damaged": "write_off", "defective": "vendor"}.get(reason, "stock")
    text = "the seam split after one wash" if reason == "other" else ""
    return ReturnLineRequest(quantity=qty or rng.randint(1, sl.quantity), reason=reason, condition=condition,
                             disposition=disposition, reason_text=text, sale_line_id=sl.id)


def add_history(store: Store, rng: random.Random, now: dt.datetime | None = None, count: int = 40) -> HistoryResult:
    """About ``count`` returns over the last weeks, plus the refusals, approvals and a void."""
    now = now or clock.utcnow()
    staff = {s.code: s for s in Staff.select()}
    clerks = [staff[c] for c in ("100", "101") if c in staff]
    supervisor = staff.get("200")
    manager = staff.get("300")
    if not clerks or manager is None:
        return HistoryResult()
    from desk.services.demo import DEMO_STAFF

    pins = {s.code: s.pin for s in DEMO_STAFF}
    save_policy(manager, Policy(
        category_window_days={"Footwear": 30, "Books": 14},
        restocking_fee_percent={"Footwear": "10"},
        opened_rules={"Kitchen": NEEDS_APPROVAL, "Toys": NEEDS_APPROVAL},
        approval_above=15000,
    ))
    result = HistoryResult()
    before = Return.select().count()

    recent = list(Sale.select(Sale.id, Sale.sold_at).where((Sale.sold_at > now - dt.timedelta(days=25))
                                                           & (Sale.sold_at < now - dt.timedelta(days=1))).order_by(Sale.id))
    older = list(Sale.select(Sale.id, Sale.sold_at).where((Sale.sold_at > now - dt.timedelta(days=45))
                                                          & (Sale.sold_at < now - dt.timedelta(days=33))).order_by(Sale.id))
    if not recent:
        return result
    picks = rng.sample(recent, min(count, len(recent)))
    picks.sort(key=lambda s: s.sold_at)

    def when_after(sold_at: dt.datetime) -> dt.datetime:
        span = max(60, int((now - sold_at).total_seconds()) - 3600)
        return min(now - dt.timedelta(minutes=30), sold_at + dt.timedelta(seconds=rng.randint(3600, span)))

    def lines_of(sale_id: int) -> list[SaleLine]:
        return list(SaleLine.select().where(SaleLine.sale == sale_id).order_by(SaleLine.line_no))

    plans = []
    for i, s in enumerate(picks):
        plans.append((when_after(s.sold_at), "receipted", s, i))
    if older:
        for s in rng.sample(older, min(3, len(older))):
            plans.append((when_after(s.sold_at), "late", s, 0))
    customers = list(Customer.select().order_by(Customer.id).limit(50))
    plans.sort(key=lambda p: p[0])

    for n, (when, what, sale, i) in enumerate(plans):
        clerk = clerks[n % len(clerks)]
        sls = lines_of(sale.id)
        if not sls:
            continue
        chosen = rng.sample(sls, 1 if len(sls) == 1 or rng.random() < 0.7 else 2)
        request = ReturnRequest(lines=[_line(rng, sl) for sl in chosen], sale_id=sale.id,
                                refund_to="store_credit" if rng.random() < 0.25 else "original")
        with _at(when):
            try:
                if what == "late":
                    if n % 2 == 0:
                        # the manager overrides a late return for a regular customer
                        r = create_return(clerk, request, approver=DeskApproval(manager.code, pins[manager.code],
                                                                                "regular customer, was away"))
                        result.approved += 1
                    else:
                        create_return(clerk, request)  # outside the window: refused, nothing is done
                        continue
                else:
                    r = _with_approval(clerk, request, supervisor or manager, pins, rng, result)
                    if r is None:
                        continue
                if r.voucher_codes:
                    result.store_credit += 1
            except DeskError:
                result.refused_not_done += 1
                continue

    # an unverified return, a gift-receipt return and a void, today
    today = now - dt.timedelta(hours=2)
    with _at(today):
        if customers:
            c = rng.choice(customers)
            sl = SaleLine.select().where(SaleLine.product.is_null(False)).order_by(SaleLine.id).first()
            if sl is not None:
                try:
                    create_return(clerks[0], ReturnRequest(
                        lines=[ReturnLineRequest(1, "changed_mind", product_id=sl.product_id)], kind="unverified",
                        refund_to="store_credit", customer_name=c.name, customer_phone=c.phone or "",
                        customer_email=c.email or "", note="receipt lost; card statement not at hand"))
                    result.store_credit += 1
                except DeskError:
                    result.refused_not_done += 1
        if customers and sl is not None:
            c2 = customers[-1]
            approver = supervisor or manager
            blind = ReturnRequest(lines=[ReturnLineRequest(1, "not_as_described", product_id=sl.product_id)], kind="blind",
                                  refund_to="store_credit", customer_name=c2.name, customer_phone=c2.phone or "",
                                  note="no receipt, paid cash")
            try:
                create_return(clerks[-1], blind, approver=DeskApproval(approver.code, pins[approver.code],
                                                                     "our own label on it; regular customer"))
                result.approved += 1
                # the same customer comes back with another: sent to the queue, and the manager says no
                asked = approvals.request_approval(clerks[-1], blind)
                approvals.decide(manager, asked.id, False, "second blind return this month; asked for a receipt")
                result.refused_not_done += 1
            except DeskError:
                result.refused_not_done += 1
        from desk.services.documents import gift_receipt
        from desk.services.sale_lookup import returned_quantities

        for gift_sale in reversed(recent):
            gift_sl = lines_of(gift_sale.id)[0]
            if returned_quantities([gift_sl.id])[gift_sl.id] < gift_sl.quantity:
                break
        gift = gift_receipt(clerks[-1], Sale.get_by_id(gift_sale.id).receipt_no, [gift_sl.line_no])
        try:
            create_return(clerks[-1], ReturnRequest(lines=[_line(rng, gift_sl, qty=1, reason="wrong_size", condition="unopened")],
                                                    kind="gift", gift_code=gift.code, refund_to="store_credit",
                                                    customer_name="Gift recipient"))
            result.store_credit += 1
        except DeskError:
            result.refused_not_done += 1
        for s in reversed(recent):
            sls = lines_of(s.id)
            try:
                r = create_return(clerks[0], ReturnRequest(lines=[_line(rng, sls[0], qty=1, reason="changed_mind",
                                                                         condition="unopened")], sale_id=s.id))
            except DeskError:
                continue
            void_return(manager, r.number, "rang up the wrong receipt; the customer kept the item")
            result.voided += 1
            break
    result.returns = Return.select().count() - before
    return result


def _with_approval(clerk: Staff, request: ReturnRequest, approver: Staff, pins: dict[str, str], rng: random.Random,
                   result: HistoryResult):
    """Do the return; if it needs approval, get it at the desk or through the queue (sometimes refused)."""
    from desk.errors import NeedsApproval

    try:
        return create_return(clerk, request)
    except NeedsApproval:
        pass
    turn = result.approved + result.refused_not_done
    if turn % 3 == 0:
        r = create_return(clerk, request, approver=DeskApproval(approver.code, pins[approver.code], "checked the item: fine to resell"))
        result.approved += 1
        return r
    asked = approvals.request_approval(clerk, request)
    manager = Staff.get(Staff.code == "300")
    if turn % 3 == 2:
        approvals.decide(manager, asked.id, False, "item has been used; offered a repair instead")
        result.refused_not_done += 1
        return None
    approvals.decide(manager, asked.id, True, "approved from the office")
    result.approved += 1
    return create_return(clerk, request, approval_id=asked.id)
