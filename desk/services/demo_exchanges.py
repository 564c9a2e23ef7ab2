"""The demo store's exchanges and voucher history, made through the same services the desk uses.

``build_demo`` calls, inside its transaction:

- ``add_old_voucher(store, rng, now)`` before the returns: a return refunded as store credit
  about 105 days ago, part of it spent a few weeks later (it expires at the end, below).
- ``add_history(store, rng, now)`` after the returns: like-for-like swaps to another size or
  colour, up-exchanges paid by card, cash or store credit, down-exchanges refunded as store
  credit, a faulty unit swapped for a good one, a voucher topped down at the desk, one
  exchange voided the same day (its store credit cancelled), and last the store's voucher
  expiry set to 90 days and run, so the old voucher's remaining credit is expired.

Each happens at its own moment in the past.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from desk import clock
from desk.errors import DeskError
from desk.models import Product, Sale, SaleLine, Staff, Store, Tender
from desk.services import credit, settings
from desk.services.demo_returns import _at
from desk.services.exchanges import (
    ExchangeRequest,
    ReplacementLine,
    SettlementTender,
    create_exchange,
    preview_exchange,
    variants_of,
    void_exchange,
)
from desk.services.returns import ReturnLineRequest, ReturnRequest, create_return
from desk.services.sale_lookup import returned_quantities


VOUCHER_EXPIRY_DAYS = 90  # what the demo store's Settings say


@dataclass
class ExchangeHistory:
    exchanges: int = 0
    redeemed: int = 0
    voided: int = 0
    expired: int = 0
    cancelled: int = 0


def _recent_vouchers(when: dt.datetime) -> list:
    """Active vouchers with credit issued in the 60 days before ``when``, newest first (the old
    voucher of ``add_old_voucher`` keeps its own story)."""
    return [v for v in credit.list_vouchers() if v.status == "active" and v.balance > 0
            and when - dt.timedelta(days=60) < v.issued_at <= when]


def _returnable(sl: SaleLine) -> int:
    return sl.quantity - returned_quantities([sl.id])[sl.id]


def add_history(store: Store, rng: random.Random, now: dt.datetime | None = None, count: int = 8) -> ExchangeHistory:
    now = now or clock.utcnow()
    staff = {s.code: s for s in Staff.select()}
    clerks = [staff[c] for c in ("100", "101") if c in staff]
    manager = staff.get("300")
    result = ExchangeHistory()
    if not clerks or manager is None:
        return result
    lines = list(SaleLine.select().join(Sale).where(
        SaleLine.product.is_null(False) & (Sale.sold_at > now - dt.timedelta(days=20))
        & (Sale.sold_at < now - dt.timedelta(days=2)) & (Sale.source == "demo")).order_by(SaleLine.id))
    rng.shuffle(lines)
    when = now - dt.timedelta(days=2)
    step = dt.timedelta(hours=5)
    done: list[str] = []
    for n, sl in enumerate(lines):
        if result.exchanges >= count:
            break
        if _returnable(sl) < 1:
            continue
        clerk = clerks[n % len(clerks)]
        variants = [v for v in variants_of(sl.product_id) if v.product_id != sl.product_id and v.stock_on_hand > 0]
        style = result.exchanges % 4
        reason = "wrong_size"
        if style == 0 and variants:
            out = [ReplacementLine(rng.choice(variants).product_id, 1)]
        elif style == 3:
            out = [ReplacementLine(sl.product_id, 1)]  # a faulty unit swapped for a good one
            reason = "defective"
        else:
            # style 1: something dearer (the customer pays the difference); 2: cheaper (store credit back)
            unit = sl.paid // sl.quantity
            dearer = Product.price > unit if style == 1 else Product.price < unit
            others = list(Product.select().where((Product.stock_on_hand > 0) & (Product.id != sl.product_id) & dearer)
                          .order_by(Product.id).limit(60))
            if not others:
                continue
            out = [ReplacementLine(rng.choice(others).id, 1)]
            reason = "changed_mind"
        returned = [ReturnLineRequest(1, reason, "defective" if reason == "defective" else "unopened",
                                      "vendor" if reason == "defective" else "stock", sale_line_id=sl.id)]
        request = ExchangeRequest(returned=returned, replacements=out, sale_id=sl.sale_id, refund_to="store_credit")
        when = when + step if when + step < now - dt.timedelta(hours=3) else when
        with _at(when):
            try:
                diff = preview_exchange(clerk, request).difference
                if diff > 0:
                    vouchers = _recent_vouchers(when)
                    first = Tender.select().where(Tender.sale == sl.sale_id).order_by(Tender.seq).first()
                    if vouchers and result.redeemed == 0:  # the first up-exchange is paid with store credit
                        v = vouchers[0]
                        part = min(v.balance, diff)
                        request.tenders.append(SettlementTender("store_credit", part, voucher_code=v.code))
                        result.redeemed += 1
                        if part < diff:
                            request.tenders.append(SettlementTender("cash", diff - part))
                    elif first is not None and first.method == "card":
                        request.tenders.append(SettlementTender("card", diff, first.card_brand or "Visa", first.card_last4 or "4242",
                                                                f"AUTH{rng.randrange(10**6):06d}"))
                    else:
                        request.tenders.append(SettlementTender("cash", diff))
                x = create_exchange(clerk, request)
            except DeskError:
                continue
        done.append(x.number)
        result.exchanges += 1
    # today: a voucher topped down at the desk, and an exchange voided
    with _at(now - dt.timedelta(hours=1)):
        active = [v for v in _recent_vouchers(now) if v.balance > 100]
        if active:
            try:
                credit.redeem(clerks[0], active[-1].code, active[-1].balance // 2, "paid part of a purchase at the desk")
                result.redeemed += 1
            except DeskError:
                pass
        for sl in lines:
            if _returnable(sl) < 1:
                continue
            # a down-exchange refunded as store credit, voided: its voucher is cancelled
            cheaper = (Product.select().where((Product.stock_on_hand > 0) & (Product.price < sl.paid // sl.quantity))
                       .order_by(Product.price.desc(), Product.id).first())
            out = cheaper.id if cheaper is not None else sl.product_id
            try:
                x = create_exchange(clerks[-1], ExchangeRequest(
                    returned=[ReturnLineRequest(1, "wrong_size", sale_line_id=sl.id)],
                    replacements=[ReplacementLine(out, 1)], sale_id=sl.sale_id, refund_to="store_credit"))
                void_exchange(manager, x.number, "customer decided to keep the original")
                result.voided += 1
                result.cancelled += len(x.voucher_codes)
                break
            except DeskError:
                continue
    # the store's vouchers now expire after 90 days: the old voucher's credit left is expired
    admin = next((s for s in staff.values() if s.role == "admin"), None)
    with _at(now):
        if admin is not None:
            settings.update(admin, {"voucher_expiry_days": VOUCHER_EXPIRY_DAYS})
            result.expired = credit.expire_due_once_a_day(admin) or 0
    return result


def add_old_voucher(store: Store, rng: random.Random, now: dt.datetime | None = None) -> str:
    """A return refunded as store credit about 105 days ago, partly spent three weeks later.
    Returns the voucher's code ('' when the ledger has no sale old enough)."""
    now = now or clock.utcnow()
    staff = {s.code: s for s in Staff.select()}
    clerk = staff.get("100")
    if clerk is None:
        return ""
    old = list(SaleLine.select().join(Sale).where(
        SaleLine.product.is_null(False) & (Sale.source == "demo") & (Sale.sold_at > now - dt.timedelta(days=118))
        & (Sale.sold_at < now - dt.timedelta(days=108))).order_by(SaleLine.id))
    rng.shuffle(old)
    for sl in old[:20]:
        when = Sale.get_by_id(sl.sale_id).sold_at + dt.timedelta(days=10, hours=2)
        request = ReturnRequest(lines=[ReturnLineRequest(1, "changed_mind", sale_line_id=sl.id)], sale_id=sl.sale_id,
                                refund_to="store_credit", note="the customer would rather shop again later")
        with _at(when):
            try:
                r = create_return(clerk, request)
            except DeskError:
                continue
        if not r.voucher_codes:
            continue
        code = r.voucher_codes[0]
        with _at(when + dt.timedelta(days=21)):
            balance = credit.voucher_view(code).balance
            if balance > 200:
                credit.redeem(clerk, code, balance // 2, "part of a purchase at the desk")
        return code
    return ""
