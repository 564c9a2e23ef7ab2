"""Returns and refunds at the desk: the product's main job.

The screens call these (dataclasses in, dataclasses out; refusals are DeskErrors):

- ``preview(actor, request) -> ReturnPreview``: what the return would refund, line by line
  (sold, already returned, still returnable), to which tenders, what the policy says and the
  fraud signals. Reads only.
- ``create_return(actor, request, approver=None, approval_id=None) -> ReturnView``: does it, in
  one transaction with its audit events. Refuses with ``NeedsApproval(reasons)`` (approve at
  the desk with ``approver=DeskApproval(code, pin, note)`` or send it to the queue with
  ``desk.services.approvals.request_approval``), ``Refused`` (a ``NotAllowed``: the policy
  says no; ``.overridable`` says whether a manager may override it), ``InvalidInput(field, why)``
  or ``NotFound``.
- ``void_return(actor, number, reason) -> ReturnView``: same day, manager.
- ``return_view(number) -> ReturnView``; ``search_returns``/``count_returns``/``returns_totals``
  over a ``ReturnQuery``; ``export_returns_csv(query, path)``.
- ``fraud_signals(...) -> FraudSignals``.
- ``gift_start(code) -> GiftStart``: the sale and lines a gift receipt covers.

Rules kept here (DESIGN.md): what is still returnable is recomputed inside the write
transaction from stored rows (PostgreSQL: the sale lines are locked FOR UPDATE first); the
refund of k more units of a line is ``cumulative_share(paid, done, k, sold)``; refunds go back
to the original tenders, each capped at what it paid minus what was refunded to it before.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from peewee import JOIN, fn

from desk import clock
from desk.errors import InvalidInput, NeedsApproval, NotAllowed, NotFound
from desk.models import (
    Approval,
    Customer,
    GiftReceipt,
    Product,
    RefundTender,
    Return,
    ReturnLine,
    Sale,
    SaleLine,
    Staff,
    Store,
    Tender,
    Voucher,
    database,
)
from desk.models.db import is_postgres
from desk.money import allocate, cumulative_share, from_minor
from desk.services import audit, credit, policy as policy_mod
from desk.services.auth import can, require, verify_approver
from desk.services.numbers import clean_desk_code, next_number
from desk.services.policy import (
    CONDITIONS,
    DISPOSITION_LABELS,
    DISPOSITIONS,
    KINDS,
    NEEDS_APPROVAL,
    REFUND_METHODS,
    REFUSED,
    Decision,
    Policy,
    PolicyFacts,
    PolicyLine,
    PolicyRequest,
)
from desk.services.sale_lookup import returned_quantities

UTC = dt.timezone.utc
REFUND_TO = ("original",) + REFUND_METHODS
METHOD_LABELS = {"exchange": "Exchange", "cash": "Cash", "card": "Card", "gift_card": "Gift card", "other": "Other",
                 "store_credit": "Store credit"}


class Refused(NotAllowed):
    """The policy refuses this return. ``overridable``: a manager may override it with a note."""

    def __init__(self, reasons: list[str], overridable: bool):
        self.reasons = list(reasons)
        self.overridable = overridable
        tail = " A manager can override this with a note." if overridable else ""
        super().__init__("The return policy refuses this: " + "; ".join(self.reasons) + "." + tail)


# ----------------------------------------------------------------------------- inputs


@dataclass
class ReturnLineRequest:
    """One line to take back. With a sale: ``sale_line_id``. Without (unverified, blind):
    ``product_id`` or a ``description``, and ``unit_value`` (default: the product's price)."""

    quantity: int
    reason: str  # a code from the policy's reasons list
    condition: str = "unopened"  # unopened | opened | damaged | defective
    disposition: str = "stock"  # stock | write_off | vendor
    reason_text: str = ""  # required when the reason says so ("other")
    sale_line_id: int | None = None
    product_id: int | None = None
    description: str = ""
    unit_value: int | None = None  # minor units, tax included


@dataclass
class ReturnRequest:
    lines: list[ReturnLineRequest]
    kind: str = "receipted"  # receipted | gift | unverified | blind
    sale_id: int | None = None  # receipted
    gift_code: str = ""  # gift
    refund_to: str = "original"  # original | store_credit | cash | card | gift_card | other
    card_reference: str = ""  # the card terminal's reference of the refund
    customer_id: int | None = None
    customer_name: str = ""
    customer_phone: str = ""
    customer_email: str = ""
    desk_code: str = "01"
    note: str = ""

    def fingerprint(self) -> str:
        """What an approval from the queue is for: the return must match it exactly."""
        data = asdict(self)
        for key in ("note", "card_reference", "desk_code"):
            data.pop(key, None)
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str) -> "ReturnRequest":
        data = json.loads(text)
        data["lines"] = [ReturnLineRequest(**l) for l in data["lines"]]
        return cls(**data)


@dataclass
class DeskApproval:
    """A supervisor's or manager's code, PIN and note, typed at the clerk's desk."""

    code: str
    pin: str
    note: str


# ----------------------------------------------------------------------------- outputs


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class FraudSignals:
    customer_returns_90_days: int = 0
    customer_value_90_days: int = 0
    customer_no_receipt_90_days: int = 0
    clerk_refunds_today: int = 0
    clerk_value_today: int = 0

    def lines(self, money) -> list[str]:
        return [
            f"Customer: {_count(self.customer_returns_90_days, 'return')} worth {money(self.customer_value_90_days)} "
            f"in 90 days, {self.customer_no_receipt_90_days} without a receipt",
            f"This clerk today: {_count(self.clerk_refunds_today, 'refund')} worth {money(self.clerk_value_today)}",
        ]


@dataclass(frozen=True)
class PreviewLine:
    sale_line_id: int | None
    line_no: int  # the sale's line number (0 without a sale)
    description: str
    category: str
    sold: int
    returned: int  # before this return: earlier returns at any desk and the tills' refunds
    returnable: int
    quantity: int
    value: int
    fee: int
    refund: int


@dataclass(frozen=True)
class PlannedTender:
    method: str
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    original_seq: int | None = None  # the sale's tender it goes back to

    @property
    def label(self) -> str:
        return tender_label(self.method, self.card_brand, self.card_last4)


@dataclass(frozen=True)
class ReturnPreview:
    currency: str
    kind: str
    receipt_no: str
    lines: list[PreviewLine]
    value: int
    fee_total: int
    total: int
    tenders: list[PlannedTender]
    decision: Decision
    signals: FraudSignals


@dataclass(frozen=True)
class ReturnLineView:
    line_no: int
    sale_line_no: int | None
    sku: str
    description: str
    category: str
    quantity: int
    value: int
    fee: int
    refund: int
    reason: str
    reason_label: str
    reason_text: str
    condition: str
    disposition: str

    @property
    def disposition_label(self) -> str:
        return DISPOSITION_LABELS.get(self.disposition, self.disposition)


@dataclass(frozen=True)
class RefundTenderView:
    method: str
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    reference: str = ""
    voucher_code: str = ""

    @property
    def label(self) -> str:
        return tender_label(self.method, self.card_brand, self.card_last4)


@dataclass(frozen=True)
class ReturnView:
    id: int
    uuid: str
    number: str
    kind: str
    status: str  # completed | voided
    created_at: dt.datetime  # naive UTC
    store_code: str
    desk_code: str
    clerk_code: str
    clerk_name: str
    receipt_no: str
    sold_at: dt.datetime | None
    gift_code: str
    customer_name: str
    customer_phone: str
    customer_email: str
    currency: str
    value: int
    fee_total: int
    total: int
    refund_to: str
    decision: str
    policy_reasons: list[str]
    policy_notes: list[str]
    approval_id: int | None
    approved_by_code: str
    approved_by_name: str
    approved_at: dt.datetime | None
    approval_note: str
    override: bool
    note: str
    voided_at: dt.datetime | None
    voided_by_name: str
    void_reason: str
    lines: list[ReturnLineView]
    tenders: list[RefundTenderView]

    @property
    def voucher_codes(self) -> list[str]:
        return list(dict.fromkeys(t.voucher_code for t in self.tenders if t.voucher_code))

    @property
    def cash_refunded(self) -> int:
        return sum(t.amount for t in self.tenders if t.method == "cash")

    def tender_totals(self) -> list[RefundTenderView]:
        """Refund per tender, rows of the same tender merged (what the slip prints)."""
        merged: dict[tuple, RefundTenderView] = {}
        for t in self.tenders:
            key = (t.method, t.card_brand, t.card_last4, t.voucher_code)
            if key in merged:
                m = merged[key]
                merged[key] = RefundTenderView(m.method, m.amount + t.amount, m.card_brand, m.card_last4,
                                               m.reference or t.reference, m.voucher_code)
            else:
                merged[key] = t
        return list(merged.values())


def tender_label(method: str, brand: str = "", last4: str = "") -> str:
    if method == "card":
        name = brand or "Card"
        return f"{name} •••• {last4}" if last4 else name
    return METHOD_LABELS.get(method, method.replace("_", " ").capitalize())


# ----------------------------------------------------------------------------- the plan


@dataclass
class _Line:
    req: ReturnLineRequest
    sale_line: SaleLine | None
    product: Product | None
    sku: str
    description: str
    category: str
    sold: int
    returned: int
    value: int
    fee: int

    @property
    def refund(self) -> int:
        return self.value - self.fee


@dataclass
class _Plan:
    store: Store
    sale: Sale | None
    gift: GiftReceipt | None
    lines: list[_Line]
    tenders: list[tuple[PlannedTender, Tender | None]]
    decision: Decision
    customer: Customer | None

    @property
    def value(self) -> int:
        return sum(l.value for l in self.lines)

    @property
    def fee_total(self) -> int:
        return sum(l.fee for l in self.lines)

    @property
    def total(self) -> int:
        return sum(l.refund for l in self.lines)


def _store() -> Store:
    store = Store.select().order_by(Store.id).first()
    if store is None:
        raise NotFound("This database has no store yet: run the first-run set-up first.")
    return store


def _check_request(request: ReturnRequest, pol: Policy, allow_zero: bool = False) -> None:
    if request.kind not in KINDS:
        raise InvalidInput("Kind of return", f"'{request.kind}' is not one of {', '.join(KINDS)}")
    if request.refund_to not in REFUND_TO:
        raise InvalidInput("Refund to", f"'{request.refund_to}' is not one of {', '.join(REFUND_TO)}")
    if not request.lines:
        raise InvalidInput("Lines", "choose at least one line to return")
    clean_desk_code(request.desk_code)
    for i, line in enumerate(request.lines, 1):
        q = line.quantity
        if isinstance(q, bool) or not isinstance(q, int) or q < (0 if allow_zero else 1):
            raise InvalidInput(f"Line {i} quantity", f"must be a whole number of at least 1, not {q!r}")
        reason = pol.reason(line.reason)
        if reason is None:
            raise InvalidInput(f"Line {i} reason", f"'{line.reason}' is not one of: " + ", ".join(r.label for r in pol.reasons))
        if reason.needs_text and not (line.reason_text or "").strip():
            raise InvalidInput(f"Line {i} reason", f"'{reason.label}' needs a few words saying what is wrong")
        if line.condition not in CONDITIONS:
            raise InvalidInput(f"Line {i} condition", f"'{line.condition}' is not one of {', '.join(CONDITIONS)}")
        if line.disposition not in DISPOSITIONS:
            raise InvalidInput(f"Line {i} what happens to it", f"'{line.disposition}' is not one of {', '.join(DISPOSITIONS)}")
    if request.kind in ("unverified", "blind"):
        if request.sale_id is not None or request.gift_code:
            raise InvalidInput("Kind of return", f"a {request.kind} return has no sale")
    elif request.kind == "gift":
        if not request.gift_code.strip():
            raise InvalidInput("Gift receipt code", "is required for a gift receipt return")
    elif request.sale_id is None:
        raise InvalidInput("Receipt", "choose the sale the goods come from")
    email = (request.customer_email or "").strip()
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        raise InvalidInput("Customer email", f"'{email}' is not an email address")


def _fee_waived(line: ReturnLineRequest) -> bool:
    """No restocking fee when the goods were at fault."""
    return line.condition == "defective" or line.reason in ("defective", "damaged")


def _cumulative_fee(pol: Policy, category: str, paid: int, done: int, k: int, sold: int) -> int:
    def fee_through(units: int) -> int:
        return pol.restocking_fee(category, cumulative_share(paid, 0, units, sold))

    return fee_through(done + k) - fee_through(done)


def refuse_voided_sale(sale: Sale) -> None:
    """A voided sale (an exchange's replacement sale, the exchange voided) sold nothing: refuse it."""
    if sale.status == "voided":
        when = clock.to_local(sale.voided_at).strftime("%d %b %Y %H:%M") if sale.voided_at else "an earlier day"
        why = f" ({sale.void_reason})" if sale.void_reason else ""
        raise NotAllowed(f"Sale {sale.receipt_no} was voided on {when}{why}: nothing on it can be returned.")


def check_sale_returnable(sale_id: int) -> None:
    """Raise what ``create_return`` would say about the sale itself (a voided sale) before any
    line is chosen: NotFound or NotAllowed."""
    sale = Sale.get_or_none(Sale.id == sale_id)
    if sale is None:
        raise NotFound(f"There is no sale with id {sale_id}.")
    refuse_voided_sale(sale)


def _no_receipt_count(request: ReturnRequest, now: dt.datetime) -> int:
    conds = []
    if request.customer_id:
        conds.append(Return.customer == request.customer_id)
    if (request.customer_phone or "").strip():
        conds.append(Return.customer_phone == request.customer_phone.strip())
    if (request.customer_email or "").strip():
        conds.append(fn.LOWER(Return.customer_email) == request.customer_email.strip().lower())
    if not conds:
        return 0
    match = conds[0]
    for c in conds[1:]:
        match = match | c
    return (Return.select().where(match & Return.kind.in_(["unverified", "blind"]) & (Return.status == "completed")
                                  & (Return.created_at >= now - dt.timedelta(days=90))).count())


def _plan(request: ReturnRequest, actor: Staff, *, lock: bool, allow_zero: bool = False, pol: Policy | None = None) -> _Plan:
    pol = pol or policy_mod.load_policy()
    _check_request(request, pol, allow_zero)
    store = _store()
    now = clock.utcnow()
    sale = None
    gift = None
    customer = None
    lines: list[_Line] = []
    tenders_rows: list[Tender] = []
    if request.kind in ("receipted", "gift"):
        allowed_line_nos = None
        if request.kind == "gift":
            from desk.services.documents import find_gift_receipt

            data = find_gift_receipt(request.gift_code)
            gift = GiftReceipt.get(GiftReceipt.code == data.code)
            sale = Sale.get_by_id(gift.sale_id)
            if request.sale_id is not None and request.sale_id != sale.id:
                raise InvalidInput("Gift receipt code", f"{data.code} is for another sale")
            allowed_line_nos = {l.line_no for l in data.lines}
        else:
            sale = Sale.get_or_none(Sale.id == request.sale_id)
            if sale is None:
                raise NotFound(f"There is no sale with id {request.sale_id}.")
        refuse_voided_sale(sale)
        ids = []
        for i, line in enumerate(request.lines, 1):
            if line.sale_line_id is None:
                raise InvalidInput(f"Line {i}", "choose a line of the sale")
            if line.sale_line_id in ids:
                raise InvalidInput(f"Line {i}", "the same sale line is chosen twice; change its quantity instead")
            ids.append(line.sale_line_id)
        query = SaleLine.select().where(SaleLine.id.in_(ids)).order_by(SaleLine.id)
        if lock and is_postgres():
            # Two desks returning the same line: the second waits here for the first to commit,
            # then counts its return below.
            query = query.for_update()
        by_id = {l.id: l for l in query}
        returned = returned_quantities(ids)
        for i, req in enumerate(request.lines, 1):
            sl = by_id.get(req.sale_line_id)
            if sl is None or sl.sale_id != sale.id:
                raise InvalidInput(f"Line {i}", f"is not a line of receipt {sale.receipt_no}")
            if allowed_line_nos is not None and sl.line_no not in allowed_line_nos:
                raise InvalidInput(f"Line {i}", f"line {sl.line_no} is not on gift receipt {gift.code}")
            done = returned[sl.id]
            left = max(0, sl.quantity - done)
            if req.quantity > left:
                raise InvalidInput(
                    f"Line {sl.line_no} quantity",
                    f"only {left} of the {sl.quantity} sold can still be returned ({done} already returned), not {req.quantity}")
            value = cumulative_share(sl.paid, done, req.quantity, sl.quantity) if req.quantity else 0
            fee = 0 if _fee_waived(req) or not req.quantity else _cumulative_fee(pol, sl.category, sl.paid, done, req.quantity, sl.quantity)
            product = Product.get_or_none(Product.id == sl.product_id) if sl.product_id else None
            lines.append(_Line(req, sl, product, sl.sku, sl.description, sl.category, sl.quantity, done, value, fee))
        tenders_rows = list(Tender.select().where(Tender.sale == sale).order_by(Tender.seq))
        if sale.customer_id:
            customer = Customer.get_or_none(Customer.id == sale.customer_id)
    else:
        for i, req in enumerate(request.lines, 1):
            if req.sale_line_id is not None:
                raise InvalidInput(f"Line {i}", f"a {request.kind} return has no sale lines")
            product = None
            if req.product_id is not None:
                product = Product.get_or_none(Product.id == req.product_id)
                if product is None:
                    raise NotFound(f"Line {i}: there is no product with id {req.product_id}.")
            description = (req.description or "").strip() or (product.name if product else "")
            if not description:
                raise InvalidInput(f"Line {i} item", "choose a product or describe the item")
            unit = req.unit_value
            if unit is None:
                if product is None:
                    raise InvalidInput(f"Line {i} value", "enter what one unit is worth")
                unit = product.price
                if not store.prices_include_tax:
                    from decimal import Decimal

                    from desk.money import round_half_up

                    unit += round_half_up(Decimal(unit) * product.tax_rate / 100)
            if isinstance(unit, bool) or not isinstance(unit, int) or unit < 0:
                raise InvalidInput(f"Line {i} value", "must be zero or more (minor units)")
            category = product.category.name if product and product.category_id else ""
            value = unit * req.quantity
            fee = 0 if _fee_waived(req) else pol.restocking_fee(category, value)
            lines.append(_Line(req, None, product, product.sku if product else "", description, category,
                               req.quantity, 0, value, fee))
        if request.customer_id:
            customer = Customer.get_or_none(Customer.id == request.customer_id)
            if customer is None:
                raise NotFound(f"There is no customer with id {request.customer_id}.")

    contact = (request.customer_phone or "").strip() or (request.customer_email or "").strip()
    name = (request.customer_name or "").strip()
    if customer is not None:
        name = name or customer.name
        contact = contact or (customer.phone or "") or (customer.email or "")
    decision = policy_mod.evaluate(
        PolicyRequest(
            kind=request.kind,
            lines=[PolicyLine(l.description, l.category, l.sku, l.req.quantity, l.value, l.req.condition, l.fee)
                   for l in lines],
            refund_to=request.refund_to,
            original_methods=[t.method for t in tenders_rows],
            customer_name=name,
            customer_contact=contact,
        ),
        PolicyFacts(now=now, sold_at=sale.sold_at if sale else None,
                    no_receipt_returns_90_days=_no_receipt_count(request, now) if request.kind in ("unverified", "blind") else 0,
                    currency=store.currency, locale=store.locale),
        pol,
    )
    total = sum(l.refund for l in lines)
    planned = _tender_plan(request, store, sale, tenders_rows, total)
    return _Plan(store, sale, gift, lines, planned, decision, customer)


def _tender_plan(request: ReturnRequest, store: Store, sale: Sale | None, tenders: list[Tender], total: int):
    from desk.money import format_money

    if total == 0:
        return []
    if sale is None:
        method = request.refund_to if request.refund_to != "original" else "store_credit"
        return [(PlannedTender(method, total), None)]
    refunded = {}
    if tenders:
        rows = (RefundTender.select(RefundTender.original_tender, fn.SUM(RefundTender.amount))
                .join(Return, on=(RefundTender.ret == Return.id))
                .where(RefundTender.original_tender.in_([t.id for t in tenders]) & (Return.status == "completed"))
                .group_by(RefundTender.original_tender).tuples())
        refunded = {int(t): int(a) for t, a in rows}
    caps = [max(0, t.amount - refunded.get(t.id, 0)) for t in tenders]
    if total > sum(caps):
        raise InvalidInput("Refund", f"the sale's payments have only {format_money(sum(caps), store.currency, store.locale)} "
                           f"left to refund, not {format_money(total, store.currency, store.locale)}")
    parts = allocate(total, caps)
    out = []
    gift_credit = request.kind == "gift"
    for t, part in zip(tenders, parts):
        if part <= 0:
            continue
        method = "store_credit" if gift_credit else (t.method if request.refund_to == "original" else request.refund_to)
        brand, last4 = (t.card_brand, t.card_last4) if method == "card" else ("", "")
        out.append((PlannedTender(method, part, brand, last4, t.seq), t))
    return out


# ----------------------------------------------------------------------------- fraud signals


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.min).astimezone()
    return local.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class ReturnFigures:
    returns: int  # completed returns (an exchange's goods coming back included)
    total: int  # what they were worth, after fees (minor units)


def figures_between(start_utc: dt.datetime, end_utc: dt.datetime) -> ReturnFigures:
    """Returns taken at the desks in [start, end) (naive UTC): voided ones left out."""
    row = (Return.select(fn.COUNT(Return.id), fn.COALESCE(fn.SUM(Return.total), 0))
           .where((Return.created_at >= start_utc) & (Return.created_at < end_utc) & (Return.status == "completed"))
           .tuples().get())
    return ReturnFigures(int(row[0]), int(row[1]))


def fraud_signals(customer_id: int | None = None, phone: str = "", email: str = "", clerk: Staff | None = None) -> FraudSignals:
    """The customer's returns in the last 90 days (count, value, without a receipt) and the
    refunds this clerk has given today. Voided returns do not count."""
    now = clock.utcnow()
    conds = []
    if customer_id:
        conds.append(Return.customer == customer_id)
    if (phone or "").strip():
        conds.append(Return.customer_phone == phone.strip())
    if (email or "").strip():
        conds.append(fn.LOWER(Return.customer_email) == email.strip().lower())
    count = value = no_receipt = 0
    if conds:
        match = conds[0]
        for c in conds[1:]:
            match = match | c
        base = (Return.status == "completed") & (Return.created_at >= now - dt.timedelta(days=90)) & match
        row = Return.select(fn.COUNT(Return.id), fn.COALESCE(fn.SUM(Return.total), 0)).where(base).tuples().get()
        count, value = int(row[0]), int(row[1])
        no_receipt = Return.select().where(base & Return.kind.in_(["unverified", "blind"])).count()
    ref_count = ref_value = 0
    if clerk is not None and clerk.id:
        start = _local_midnight_utc(clock.to_local(now).date())
        row = (Return.select(fn.COUNT(Return.id), fn.COALESCE(fn.SUM(Return.total), 0))
               .where((Return.clerk == clerk.id) & (Return.status == "completed") & (Return.created_at >= start))
               .tuples().get())
        ref_count, ref_value = int(row[0]), int(row[1])
    return FraudSignals(count, value, no_receipt, ref_count, ref_value)


# ----------------------------------------------------------------------------- preview


def _signals_for(request: ReturnRequest, plan: _Plan, actor: Staff) -> FraudSignals:
    cid = plan.customer.id if plan.customer else request.customer_id
    return fraud_signals(cid, request.customer_phone, request.customer_email, actor)


def preview(actor: Staff, request: ReturnRequest) -> ReturnPreview:
    """What ``create_return`` would do now (lines with quantity 0 are shown, not refunded)."""
    require(actor, "returns.create")
    plan = _plan(request, actor, lock=False, allow_zero=True)
    return ReturnPreview(
        currency=plan.store.currency,
        kind=request.kind,
        receipt_no=plan.sale.receipt_no if plan.sale else "",
        lines=[PreviewLine(l.sale_line.id if l.sale_line else None, l.sale_line.line_no if l.sale_line else 0,
                           l.description, l.category, l.sold, l.returned, max(0, l.sold - l.returned), l.req.quantity,
                           l.value, l.fee, l.refund) for l in plan.lines],
        value=plan.value,
        fee_total=plan.fee_total,
        total=plan.total,
        tenders=[p for p, _ in plan.tenders],
        decision=plan.decision,
        signals=_signals_for(request, plan, actor),
    )


@dataclass(frozen=True)
class GiftStart:
    code: str
    sale_id: int
    receipt_no: str
    sale_line_ids: list[int]  # the lines the gift receipt covers


def gift_start(code: str) -> GiftStart:
    """The sale and lines a scanned gift receipt covers, to start a gift return from."""
    from desk.services.documents import find_gift_receipt

    data = find_gift_receipt(code)
    row = GiftReceipt.get(GiftReceipt.code == data.code)
    wanted = {l.line_no for l in data.lines}
    ids = [l.id for l in SaleLine.select().where(SaleLine.sale == row.sale_id).order_by(SaleLine.line_no) if l.line_no in wanted]
    return GiftStart(data.code, row.sale_id, data.receipt_no, ids)


# ----------------------------------------------------------------------------- create


def _approval_needed(decision: Decision) -> bool:
    return decision.outcome in (NEEDS_APPROVAL, REFUSED)


def _permission_for(decision: Decision) -> str:
    return "returns.override" if decision.outcome == REFUSED else "returns.approve"


def create_return(actor: Staff, request: ReturnRequest, approver: DeskApproval | None = None,
                  approval_id: int | None = None, *, exchange_credit: bool = False) -> ReturnView:
    """Take the goods back and refund them, in one transaction with its audit events.

    Commit first, print second: the result carries everything the slip needs.

    ``exchange_credit``: the return is the first half of an exchange (called inside the
    exchange's transaction): its value is not paid out but credited to the replacement sale,
    as one refund tender of method ``exchange``. The same checks, policy and approvals apply.
    """
    require(actor, "returns.create")
    approving: Staff | None = None
    if approver is not None and approval_id is not None:
        raise InvalidInput("Approval", "give either a manager's PIN at the desk or an approval from the queue, not both")
    if approver is not None:
        note = (approver.note or "").strip()
        if not note:
            raise InvalidInput("Approval note", "say why the return is approved")
        # Without a decision needing it, an approver's PIN is not asked for.
        first = _plan(request, actor, lock=False)
        if first.decision.outcome == REFUSED and not first.decision.overridable:
            raise Refused(first.decision.reasons, False)
        if _approval_needed(first.decision):
            permission = _permission_for(first.decision)
            approving = verify_approver(approver.code, approver.pin, permission, during="return approval")
            if approving.id == actor.id:
                raise NotAllowed(f"{actor.name} cannot approve their own return: another supervisor or manager must.")
    with database.atomic():
        plan = _plan(request, actor, lock=True)
        if exchange_credit:
            plan.tenders = [(PlannedTender("exchange", plan.total), None)] if plan.total else []
        decision = plan.decision
        approval_row = None
        override = False
        approved_at = None
        approval_note = ""
        if decision.outcome == REFUSED and not decision.overridable:
            raise Refused(decision.reasons, False)
        if _approval_needed(decision):
            if approval_id is not None:
                from desk.services.approvals import use_approval

                approval_row = use_approval(approval_id, actor, request, decision)
                approving = Staff.get_by_id(approval_row.decided_by_id)
                approved_at = approval_row.decided_at
                approval_note = approval_row.note
            elif approving is not None:
                if not can(Staff.get_by_id(approving.id), _permission_for(decision)):
                    raise NotAllowed(f"{approving.name} may not approve this return.")
                approved_at = clock.utcnow()
                approval_note = approver.note.strip()
            elif decision.outcome == REFUSED:
                raise Refused(decision.reasons, True)
            else:
                raise NeedsApproval(decision.reasons)
            override = decision.outcome == REFUSED
        else:
            approving = None
        ret = _write(actor, request, plan, approving, approved_at, approval_note, approval_row, override)
    return return_view(ret.number)


def _write(actor: Staff, request: ReturnRequest, plan: _Plan, approving: Staff | None, approved_at, approval_note: str,
           approval_row: Approval | None, override: bool) -> Return:
    store = plan.store
    decision = plan.decision
    desk_code = request.desk_code.strip()
    number = next_number(store.code, desk_code, "R")
    customer = plan.customer
    ret = Return.create(
        number=number,
        store=store,
        desk_code=desk_code,
        kind=request.kind,
        sale=plan.sale,
        gift_code=plan.gift.code if plan.gift else "",
        customer=customer,
        customer_name=((request.customer_name or "").strip() or (customer.name if customer else ""))[:160],
        customer_phone=((request.customer_phone or "").strip() or (customer.phone or "" if customer else ""))[:40],
        customer_email=((request.customer_email or "").strip() or (customer.email or "" if customer else ""))[:254],
        clerk=actor.id,
        currency=store.currency,
        total=plan.total,
        fee_total=plan.fee_total,
        refund_to=request.refund_to if request.kind != "gift" else "store_credit",
        status="completed",
        decision=decision.outcome,
        policy_reasons=json.dumps({"reasons": decision.reasons, "notes": decision.notes}),
        approval=approval_row,
        approved_by=approving.id if approving else None,
        approved_at=approved_at,
        approval_note=approval_note,
        override=override,
        note=(request.note or "").strip(),
        created_at=clock.utcnow(),
    )
    for n, l in enumerate(plan.lines, 1):
        ReturnLine.create(
            ret=ret, line_no=n, sale_line=l.sale_line, product=l.product, sku=l.sku, description=l.description,
            category=l.category, quantity=l.req.quantity, value=l.value, fee=l.fee, refund=l.refund,
            reason=l.req.reason, reason_text=(l.req.reason_text or "").strip(), condition=l.req.condition,
            disposition=l.req.disposition, created_at=ret.created_at,
        )
        if l.req.disposition == "stock" and l.product is not None:
            Product.update(stock_on_hand=Product.stock_on_hand + l.req.quantity).where(Product.id == l.product.id).execute()
    voucher = None
    credit_total = sum(p.amount for p, _ in plan.tenders if p.method == "store_credit")
    if credit_total:
        voucher = credit.issue_voucher(store, credit_total, actor, customer=customer, customer_name=ret.customer_name,
                                       ret=ret, reference=number)
    for seq, (p, original) in enumerate(plan.tenders, 1):
        RefundTender.create(
            ret=ret, seq=seq, method=p.method, amount=p.amount, original_tender=original,
            card_brand=p.card_brand, card_last4=p.card_last4,
            reference=(request.card_reference or "").strip()[:80] if p.method == "card" else
            (original.reference if original is not None and p.method == "gift_card" else ""),
            voucher=voucher if p.method == "store_credit" else None,
            created_at=ret.created_at,
        )
    audit.record(
        "return.created", actor, entity="return", entity_uuid=ret.uuid,
        details={
            "number": number,
            "kind": request.kind,
            "receipt_no": plan.sale.receipt_no if plan.sale else "",
            "lines": [{"sale_line": l.sale_line.id if l.sale_line else None, "sku": l.sku, "qty": l.req.quantity,
                       "value": l.value, "fee": l.fee, "reason": l.req.reason, "condition": l.req.condition,
                       "disposition": l.req.disposition} for l in plan.lines],
            "total": plan.total,
            "tenders": [{"method": p.method, "amount": p.amount} for p, _ in plan.tenders],
            "voucher": voucher.code if voucher else "",
            "decision": decision.outcome,
            "reasons": decision.reasons,
            "approved_by": approving.code if approving else "",
            "approval": approval_row.id if approval_row else None,
            "override": override,
            "note": approval_note,
        },
    )
    return ret


# ----------------------------------------------------------------------------- void


def void_return(actor: Staff, number: str, reason: str) -> ReturnView:
    """Undo a return made today: its quantities become returnable again, its vouchers are
    cancelled (refused if one was spent), the stock it put back is taken out again."""
    require(actor, "returns.void")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Reason", "say why the return is voided")
    with database.atomic():
        query = Return.select().where(Return.number == (number or "").strip().upper())
        if is_postgres():
            query = query.for_update()
        ret = query.first()
        if ret is None:
            raise NotFound(f"No return has the number {(number or '').strip()}.")
        if ret.status == "voided":
            raise NotAllowed(f"Return {ret.number} was already voided.")
        now = clock.utcnow()
        if clock.to_local(ret.created_at).date() != clock.to_local(now).date():
            raise NotAllowed(f"Return {ret.number} was not made today; only a return made today can be voided.")
        for voucher in Voucher.select().where(Voucher.issued_by_return == ret):
            credit.cancel_unspent(voucher, actor, f"void of {ret.number}")
        for line in ReturnLine.select().where(ReturnLine.ret == ret):
            if line.disposition == "stock" and line.product_id:
                Product.update(stock_on_hand=Product.stock_on_hand - line.quantity).where(Product.id == line.product_id).execute()
        Return.update(status="voided", voided_at=now, voided_by=actor.id, void_reason=reason).where(Return.id == ret.id).execute()
        audit.record("return.voided", actor, entity="return", entity_uuid=ret.uuid,
                     details={"number": ret.number, "reason": reason, "total": ret.total})
    return return_view(ret.number)


# ----------------------------------------------------------------------------- reading


def _views(rets: list[Return]) -> list[ReturnView]:
    if not rets:
        return []
    ids = [r.id for r in rets]
    pol = policy_mod.load_policy()
    labels = {r.code: r.label for r in pol.reasons}
    lines: dict[int, list[ReturnLineView]] = {}
    sale_line_nos = {}
    line_rows = list(ReturnLine.select().where(ReturnLine.ret.in_(ids)).order_by(ReturnLine.ret, ReturnLine.line_no))
    sl_ids = [l.sale_line_id for l in line_rows if l.sale_line_id]
    if sl_ids:
        sale_line_nos = dict(SaleLine.select(SaleLine.id, SaleLine.line_no).where(SaleLine.id.in_(sl_ids)).tuples())
    for l in line_rows:
        lines.setdefault(l.ret_id, []).append(ReturnLineView(
            l.line_no, sale_line_nos.get(l.sale_line_id), l.sku, l.description, l.category, l.quantity, l.value, l.fee,
            l.refund, l.reason, labels.get(l.reason, l.reason.replace("_", " ").capitalize()), l.reason_text,
            l.condition, l.disposition))
    tenders: dict[int, list[RefundTenderView]] = {}
    for t in (RefundTender.select(RefundTender, Voucher.code).join(Voucher, JOIN.LEFT_OUTER, on=(RefundTender.voucher == Voucher.id))
              .where(RefundTender.ret.in_(ids)).order_by(RefundTender.ret, RefundTender.seq).objects()):
        tenders.setdefault(t.ret_id, []).append(RefundTenderView(t.method, t.amount, t.card_brand, t.card_last4, t.reference,
                                                                 getattr(t, "code", None) or ""))
    staff_ids = {r.clerk_id for r in rets} | {r.approved_by_id for r in rets if r.approved_by_id} | {
        r.voided_by_id for r in rets if r.voided_by_id}
    staff = {s.id: s for s in Staff.select().where(Staff.id.in_(list(staff_ids)))}
    sale_ids = [r.sale_id for r in rets if r.sale_id]
    sales = {s.id: s for s in Sale.select(Sale.id, Sale.receipt_no, Sale.sold_at).where(Sale.id.in_(sale_ids))} if sale_ids else {}
    stores = {s.id: s.code for s in Store.select(Store.id, Store.code)}
    out = []
    for r in rets:
        info = json.loads(r.policy_reasons or "{}")
        if isinstance(info, list):
            info = {"reasons": info, "notes": []}
        sale = sales.get(r.sale_id)
        approver = staff.get(r.approved_by_id)
        voider = staff.get(r.voided_by_id)
        clerk = staff.get(r.clerk_id)
        lv = lines.get(r.id, [])
        out.append(ReturnView(
            id=r.id, uuid=str(r.uuid), number=r.number, kind=r.kind, status=r.status, created_at=r.created_at,
            store_code=stores.get(r.store_id, ""), desk_code=r.desk_code,
            clerk_code=clerk.code if clerk else "", clerk_name=clerk.name if clerk else "",
            receipt_no=sale.receipt_no if sale else "", sold_at=sale.sold_at if sale else None, gift_code=r.gift_code,
            customer_name=r.customer_name, customer_phone=r.customer_phone, customer_email=r.customer_email,
            currency=r.currency, value=sum(l.value for l in lv), fee_total=r.fee_total, total=r.total,
            refund_to=r.refund_to, decision=r.decision, policy_reasons=list(info.get("reasons", [])),
            policy_notes=list(info.get("notes", [])), approval_id=r.approval_id,
            approved_by_code=approver.code if approver else "", approved_by_name=approver.name if approver else "",
            approved_at=r.approved_at, approval_note=r.approval_note, override=r.override, note=r.note,
            voided_at=r.voided_at, voided_by_name=voider.name if voider else "", void_reason=r.void_reason,
            lines=lv, tenders=tenders.get(r.id, []),
        ))
    return out


def return_view(number: str, actor: Staff | None = None) -> ReturnView:
    """One return with its lines and tenders, by its number (R-...)."""
    if actor is not None:
        require(actor, "returns.create")
    ret = Return.get_or_none(Return.number == (number or "").strip().upper())
    if ret is None:
        raise NotFound(f"No return has the number {(number or '').strip()}.")
    return _views([ret])[0]


def is_return_number(text: str) -> bool:
    return (text or "").strip().upper().startswith("R-") and (text or "").strip().count("-") >= 3


# ----------------------------------------------------------------------------- the returns log


@dataclass
class ReturnQuery:
    """Filters of the returns log; empty fields do not filter. Dates are local calendar days
    (inclusive); amounts are minor units of the refund total."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    clerk_code: str = ""
    reason: str = ""  # a reason code: returns with at least one line for it
    tender: str = ""  # cash | card | gift_card | other | store_credit
    customer: str = ""  # name, phone or email, anywhere in it
    amount_min: int | None = None
    amount_max: int | None = None
    approval: str = ""  # "" any | approved (desk or queue) | queue | override | none
    status: str = ""  # "" any | completed | voided
    kind: str = ""  # receipted | gift | unverified | blind
    number: str = ""  # a return or receipt number, from its start


@dataclass(frozen=True)
class ReturnRow:
    id: int
    number: str
    created_at: dt.datetime  # naive UTC
    kind: str
    status: str
    clerk_code: str
    customer: str
    receipt_no: str
    reasons: str  # "Wrong size, Damaged"
    tenders: str  # "Visa •••• 4242 + Store credit"
    total: int
    currency: str
    approved_by: str  # a name, or "" when no approval was needed
    override: bool


@dataclass(frozen=True)
class ReturnTotals:
    count: int
    total: int
    fees: int
    by_tender: dict[str, int]  # method -> refunded


def _log_where(query: ReturnQuery):
    conds = []
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise InvalidInput("Date to", "is before the date from")
    if query.date_from:
        conds.append(Return.created_at >= _local_midnight_utc(query.date_from))
    if query.date_to:
        conds.append(Return.created_at < _local_midnight_utc(query.date_to + dt.timedelta(days=1)))
    if query.clerk_code.strip():
        conds.append(Return.clerk.in_(Staff.select(Staff.id).where(Staff.code == query.clerk_code.strip())))
    if query.reason.strip():
        conds.append(Return.id.in_(ReturnLine.select(ReturnLine.ret).where(ReturnLine.reason == query.reason.strip())))
    if query.tender.strip():
        conds.append(Return.id.in_(RefundTender.select(RefundTender.ret).where(RefundTender.method == query.tender.strip())))
    text = query.customer.strip()
    if text:
        match = Return.customer_phone.contains(text) | Return.customer_email.contains(text.lower())
        for v in dict.fromkeys((text, text.title(), text.lower(), text.upper())):
            match = match | Return.customer_name.contains(v)
        conds.append(match)
    if query.amount_min is not None:
        conds.append(Return.total >= int(query.amount_min))
    if query.amount_max is not None:
        conds.append(Return.total <= int(query.amount_max))
    if query.amount_min is not None and query.amount_max is not None and query.amount_min > query.amount_max:
        raise InvalidInput("Amount", "the lowest amount is more than the highest")
    a = query.approval.strip()
    if a == "approved":
        conds.append(Return.approved_by.is_null(False))
    elif a == "queue":
        conds.append(Return.approval.is_null(False))
    elif a == "override":
        conds.append(Return.override == True)  # noqa: E712
    elif a == "none":
        conds.append(Return.approved_by.is_null(True))
    elif a:
        raise InvalidInput("Approval", f"'{a}' is not one of approved, queue, override, none")
    if query.status.strip():
        conds.append(Return.status == query.status.strip())
    if query.kind.strip():
        conds.append(Return.kind == query.kind.strip())
    number = query.number.strip().upper()
    if number:
        conds.append(Return.number.startswith(number) | Return.sale.in_(
            Sale.select(Sale.id).where(fn.UPPER(Sale.receipt_no).startswith(number))))
    expr = None
    for c in conds:
        expr = c if expr is None else (expr & c)
    return expr


def _filtered(q, query: ReturnQuery):
    where = _log_where(query)
    return q.where(where) if where is not None else q


def count_returns(actor: Staff, query: ReturnQuery) -> int:
    require(actor, "returns.log")
    return _filtered(Return.select(), query).count()


def search_returns(actor: Staff, query: ReturnQuery, offset: int = 0, limit: int = 200) -> list[ReturnRow]:
    """One page of the returns log, newest first."""
    require(actor, "returns.log")
    rets = list(_filtered(Return.select(), query).order_by(Return.created_at.desc(), Return.id.desc())
                .offset(max(0, offset)).limit(max(0, limit)))
    rows = []
    for v in _views(rets):
        rows.append(ReturnRow(
            id=v.id, number=v.number, created_at=v.created_at, kind=v.kind, status=v.status, clerk_code=v.clerk_code,
            customer=v.customer_name, receipt_no=v.receipt_no,
            reasons=", ".join(dict.fromkeys(l.reason_label for l in v.lines)),
            tenders=" + ".join(dict.fromkeys(t.label for t in v.tenders)),
            total=v.total, currency=v.currency, approved_by=v.approved_by_name, override=v.override,
        ))
    return rows


def returns_totals(actor: Staff, query: ReturnQuery) -> ReturnTotals:
    """Count and sums of the returns that match (voided ones counted only if asked for)."""
    require(actor, "returns.log")
    q = _filtered(Return.select(fn.COUNT(Return.id), fn.COALESCE(fn.SUM(Return.total), 0),
                                fn.COALESCE(fn.SUM(Return.fee_total), 0)), query)
    if not query.status.strip():
        q = q.where(Return.status == "completed")
    count, total, fees = q.tuples().get()
    sub = _filtered(Return.select(Return.id), query)
    if not query.status.strip():
        sub = sub.where(Return.status == "completed")
    by = dict(RefundTender.select(RefundTender.method, fn.SUM(RefundTender.amount)).where(RefundTender.ret.in_(sub))
              .group_by(RefundTender.method).tuples())
    return ReturnTotals(int(count), int(total), int(fees), {k: int(v) for k, v in by.items()})


CSV_HEADER = ["number", "date_utc", "kind", "status", "clerk", "customer", "receipt", "reasons", "tenders",
              "total", "currency", "approved_by", "override"]


def export_returns_csv(query: ReturnQuery, path, actor: Staff | None = None) -> int:
    """Write the returns that match to a CSV file (money as decimal strings). Returns the row count."""
    if actor is not None:
        require(actor, "returns.log")
    target = Path(path)
    n = 0
    with open(target, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_HEADER)
        offset = 0
        while True:
            rets = list(_filtered(Return.select(), query).order_by(Return.created_at, Return.id).offset(offset).limit(1000))
            if not rets:
                break
            for v in _views(rets):
                w.writerow([v.number, v.created_at.isoformat(timespec="seconds"), v.kind, v.status, v.clerk_code,
                            v.customer_name, v.receipt_no, "; ".join(dict.fromkeys(l.reason_label for l in v.lines)),
                            "; ".join(f"{t.label} {from_minor(t.amount, v.currency)}" for t in v.tender_totals()),
                            str(from_minor(v.total, v.currency)), v.currency, v.approved_by_name,
                            "yes" if v.override else "no"])
                n += 1
            offset += len(rets)
    return n


__all__ = [
    "Refused", "ReturnLineRequest", "ReturnRequest", "DeskApproval", "FraudSignals", "PreviewLine", "PlannedTender",
    "ReturnPreview", "ReturnLineView", "RefundTenderView", "ReturnView", "GiftStart", "ReturnQuery", "ReturnRow",
    "ReturnTotals", "preview", "create_return", "void_return", "return_view", "search_returns", "count_returns",
    "returns_totals", "export_returns_csv", "fraud_signals", "gift_start", "tender_label", "is_return_number",
]


# ----------------------------------------------------------------------------- the slip


def slip_data(number: str, reprint: bool = False, actor: Staff | None = None):
    """The refund slip's data for return ``number`` (``desk.printing.refund_slip.RefundSlipData``).
    A reprint carries now and the name of ``actor``, who prints it again."""
    from desk.printing.refund_slip import RefundSlipData, SlipLine, SlipTender
    from desk.services.documents import store_header
    from desk.services import settings

    v = return_view(number)
    store = Store.get(Store.code == v.store_code) if v.store_code else _store()
    approver = Staff.get_or_none(Staff.code == v.approved_by_code) if v.approved_by_code else None
    void_detail = ""
    if v.status == "voided":
        void_detail = f"by {v.voided_by_name}: {v.void_reason}"
    return RefundSlipData(
        store=store_header(store),
        locale=store.locale,
        currency=v.currency,
        number=v.number,
        created_at=v.created_at,
        kind_label=policy_mod.KIND_LABELS.get(v.kind, v.kind),
        clerk=f"{v.clerk_name} ({v.clerk_code})" if v.clerk_code else "",
        receipt_no=v.receipt_no,
        sold_at=v.sold_at,
        gift_code=v.gift_code,
        customer=v.customer_name,
        lines=tuple(SlipLine(l.description, l.quantity, l.value, l.fee, l.refund,
                             l.reason_label + (f": {l.reason_text}" if l.reason_text else ""), l.condition,
                             l.disposition_label, l.sku) for l in v.lines),
        fee_total=v.fee_total,
        total=v.total,
        tenders=tuple(SlipTender(t.label, t.amount, t.reference, t.voucher_code) for t in v.tender_totals()),
        decision=policy_mod.OUTCOME_LABELS.get(v.decision, v.decision),
        policy_reasons=tuple(v.policy_reasons),
        policy_notes=tuple(v.policy_notes),
        approved_by=f"{approver.name} ({approver.code})" if approver else "",
        approved_at=v.approved_at,
        approval_note=v.approval_note,
        override=v.override,
        cash_refunded=v.cash_refunded,
        voided=v.status == "voided",
        void_detail=void_detail,
        returns_policy=settings.get("returns_policy_text"),
        reprint=reprint,
        printed_at=clock.utcnow() if reprint else None,
        printed_by=actor.name if reprint and actor is not None else "",
        printed_by_code=actor.code if reprint and actor is not None else "",
    )


def slip_printed_before(number: str) -> bool:
    """Whether the refund slip of return ``number`` was printed or saved before (it is in the
    archive, which keeps every printed document): printing it again is a reprint."""
    from desk.models import ArchivedDocument

    return ArchivedDocument.select().where((ArchivedDocument.kind == "refund")
                                           & (ArchivedDocument.number == number)).exists()


def render_refund(number: str, actor: Staff, paper: str = "roll"):
    """The refund slip of return ``number`` as a ``RenderedDocument`` (``documents.render("refund", ...)``)."""
    from desk.printing.refund_slip import build_refund_slip
    from desk.services.documents import RenderedDocument

    # head office reads slips from the log; everyone at the desk prints the returns they take
    require(actor, "returns.log" if actor.role == "head_office" else "returns.create")
    value = (number or "").strip().upper()
    reprint = slip_printed_before(value)
    data = slip_data(value, reprint=reprint, actor=actor)
    return RenderedDocument("refund", data.number, paper, build_refund_slip(data, paper),
                            f"Refund {data.number}" + (" (reprint)" if reprint else ""))
