"""Exchanges at the desk: goods back, other goods out, the difference settled, in one record.

The screens call these (dataclasses in, dataclasses out; refusals are DeskErrors):

- ``preview_exchange(actor, request) -> ExchangePreview``: the returned part as the returns
  service values it (what was paid, its policy decision), the replacements at the current
  catalogue price with their stock, and the difference. Reads only.
- ``create_exchange(actor, request, approver=None, approval_id=None) -> ExchangeView``: one
  transaction holding a linked return (made by ``returns.create_return`` itself, so the same
  returnable-quantity checks, policy and approvals apply; ``NeedsApproval``/``Refused`` come from
  there and the approval from the queue is for ``request.return_request()``), a linked
  replacement sale in the ledger (source ``exchange``, receipt number = the exchange number),
  the settlement, the stock moves and the audit events.
- ``void_exchange(actor, number, reason) -> ExchangeView``: same day, manager.
- ``exchange_view(number)``; ``search_exchanges(ExchangeQuery, offset, limit) -> list[ExchangeRow]``
  (one page of the log, filtered in SQL) and ``count_exchanges(ExchangeQuery)``;
  ``export_exchanges_csv(query, path)``.
- ``void_exchange_at_desk(actor, number, reason, approver)``: a manager's code and PIN typed at
  the desk of someone who may not void.
- ``variants_of(product_id) -> list[VariantRow]``: the same product in other sizes/colours.

Money: the returned goods are worth their refund (what was paid, less any restocking fee);
replacements cost what ``sales.price_sale`` makes of their catalogue price (tax included).
``difference = replacement_total - returned_value``: above zero the customer pays it with
``request.tenders``; below zero it is refunded by ``request.refund_to`` (``original``: the
sale's first tender's method; a gift receipt's difference always becomes store credit).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from peewee import fn

from desk import clock
from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.models import Exchange, ExchangeTender, Product, Return, ReturnLine, Sale, SaleLine, Staff, Store, Tender, Voucher, database
from desk.models.db import is_postgres
from desk.money import format_money
from desk.services import audit, credit, returns
from desk.services.auth import require, verify_approver
from desk.services.numbers import next_number
from desk.services.policy import Decision
from desk.services.returns import DeskApproval, ReturnLineRequest, ReturnRequest, ReturnView
from desk.services.sales import LineInput, SaleInput, TenderInput, price_sale, record_sales

SETTLE_METHODS = ("cash", "card", "gift_card", "store_credit")
REFUND_TO = ("original", "cash", "card", "gift_card", "store_credit")


# ----------------------------------------------------------------------------- inputs


@dataclass
class ReplacementLine:
    product_id: int
    quantity: int = 1


@dataclass
class SettlementTender:
    """How the customer pays (part of) the difference of an up-exchange."""

    method: str  # cash | card | gift_card | store_credit
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    reference: str = ""
    voucher_code: str = ""  # store_credit


@dataclass
class ExchangeRequest:
    returned: list[ReturnLineRequest]
    replacements: list[ReplacementLine]
    kind: str = "receipted"  # as a return: receipted | gift | unverified | blind
    sale_id: int | None = None
    gift_code: str = ""
    tenders: list[SettlementTender] = field(default_factory=list)  # up-exchange
    refund_to: str = "original"  # down-exchange: original | cash | card | gift_card | store_credit
    card_reference: str = ""  # the terminal's reference of a card refund
    customer_id: int | None = None
    customer_name: str = ""
    customer_phone: str = ""
    customer_email: str = ""
    desk_code: str = "01"
    note: str = ""

    def return_request(self) -> ReturnRequest:
        """The returned part as a return request (what the policy and an approval see)."""
        refund_to = "original" if self.refund_to == "original" else self.refund_to
        return ReturnRequest(lines=list(self.returned), kind=self.kind, sale_id=self.sale_id, gift_code=self.gift_code,
                             refund_to=refund_to, card_reference=self.card_reference, customer_id=self.customer_id,
                             customer_name=self.customer_name, customer_phone=self.customer_phone,
                             customer_email=self.customer_email, desk_code=self.desk_code, note=self.note)


# ----------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class ReplacementPreview:
    product_id: int
    sku: str
    description: str
    quantity: int
    unit_price: int  # catalogue price as the store shows prices
    total: int  # what the line costs, tax included
    stock_on_hand: int
    in_stock: bool


@dataclass(frozen=True)
class ExchangePreview:
    currency: str
    returned: returns.ReturnPreview
    returned_value: int
    replacements: list[ReplacementPreview]
    replacement_total: int
    difference: int  # + the customer pays, - refunded, 0 even
    decision: Decision
    problems: list[str]  # e.g. "Product X: only 0 in stock"
    refund_method: str = ""  # a down-exchange: how the difference goes back (what create_exchange will do)
    refund_label: str = ""  # e.g. "Visa •••• 4242", "Store credit"


@dataclass(frozen=True)
class ExchangeLineView:
    direction: str  # in (came back) | out (went out)
    sku: str
    description: str
    quantity: int
    value: int


@dataclass(frozen=True)
class ExchangeTenderView:
    direction: str  # in: paid by the customer | out: refunded
    method: str
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    reference: str = ""
    voucher_code: str = ""

    @property
    def label(self) -> str:
        return returns.tender_label(self.method, self.card_brand, self.card_last4)


@dataclass(frozen=True)
class ExchangeView:
    id: int
    uuid: str
    number: str
    status: str  # completed | voided
    created_at: dt.datetime
    store_code: str
    desk_code: str
    clerk_code: str
    clerk_name: str
    customer_name: str
    currency: str
    returned_value: int
    replacement_total: int
    difference: int
    reason: str
    note: str
    return_number: str
    sale_receipt_no: str  # the replacement sale
    original_receipt_no: str  # the sale the goods came from
    came_back: list[ExchangeLineView]
    went_out: list[ExchangeLineView]
    tenders: list[ExchangeTenderView]
    voided_at: dt.datetime | None
    voided_by_name: str
    void_reason: str

    @property
    def voucher_codes(self) -> list[str]:
        return [t.voucher_code for t in self.tenders if t.voucher_code and t.direction == "out"]


@dataclass(frozen=True)
class VariantRow:
    product_id: int
    sku: str
    name: str
    size: str
    colour: str
    price: int
    stock_on_hand: int


@dataclass
class ExchangeQuery:
    date_from: dt.date | None = None  # local days, inclusive
    date_to: dt.date | None = None
    clerk_code: str = ""
    product: str = ""  # part of a SKU or description, in or out
    reason: str = ""  # a reason code of a returned line
    include_voided: bool = True
    limit: int = 1000
    status: str = ""  # "" | completed | voided


@dataclass(frozen=True)
class ExchangeRow:
    number: str
    created_at: dt.datetime
    status: str
    clerk_code: str
    clerk_name: str
    customer_name: str
    reason: str
    items_in: str
    items_out: str
    returned_value: int
    replacement_total: int
    difference: int
    currency: str
    return_number: str
    sale_receipt_no: str
    original_receipt_no: str


# ----------------------------------------------------------------------------- variants


def base_name(name: str) -> str:
    """The style a variant belongs to: the demo names them "Name, Colour, Size"."""
    return (name or "").split(",")[0].strip()


def variants_of(product_id: int) -> list[VariantRow]:
    """The same product in every size and colour (itself included), in stock first."""
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFound(f"There is no product with id {product_id}.")
    base = base_name(product.name)
    q = Product.select().where(Product.active & ((Product.name == base) | Product.name.startswith(base + ",")))
    if product.category_id:
        q = q.where(Product.category == product.category_id)
    rows = [VariantRow(p.id, p.sku, p.name, p.size, p.colour, p.price, p.stock_on_hand) for p in q]
    rows.sort(key=lambda r: (r.stock_on_hand <= 0, r.colour, r.size, r.sku))
    return rows


def same_item_again(request_line: ReturnLineRequest) -> ReplacementLine:
    """A faulty unit swapped for a good one: the returned line's product, same quantity."""
    product_id = request_line.product_id
    if product_id is None and request_line.sale_line_id is not None:
        sl = SaleLine.get_or_none(SaleLine.id == request_line.sale_line_id)
        product_id = sl.product_id if sl else None
    if product_id is None:
        raise InvalidInput("Same item again", "this line has no catalogue product to take again")
    return ReplacementLine(product_id, request_line.quantity)


# ----------------------------------------------------------------------------- pricing


def _store() -> Store:
    store = Store.select().order_by(Store.id).first()
    if store is None:
        raise NotFound("This database has no store yet: run the first-run set-up first.")
    return store


def _replacement_sale(store: Store, request: ExchangeRequest, receipt_no: str, *, lock: bool):
    """(products, SaleInput without tenders, PricedSale) of the replacements."""
    if not request.replacements:
        raise InvalidInput("Replacements", "choose at least one item to give in exchange")
    ids = []
    for i, r in enumerate(request.replacements, 1):
        q = r.quantity
        if isinstance(q, bool) or not isinstance(q, int) or q < 1:
            raise InvalidInput(f"Replacement {i} quantity", f"must be a whole number of at least 1, not {q!r}")
        ids.append(r.product_id)
    query = Product.select().where(Product.id.in_(ids)).order_by(Product.id)
    if lock and is_postgres():
        query = query.for_update()
    products = {p.id: p for p in query}
    lines = []
    for i, r in enumerate(request.replacements, 1):
        p = products.get(r.product_id)
        if p is None:
            raise NotFound(f"Replacement {i}: there is no product with id {r.product_id}.")
        lines.append(LineInput(description=p.name, quantity=r.quantity, unit_price=p.price, tax_rate=p.tax_rate,
                               sku=p.sku, barcode=p.barcode or "", category=p.category.name if p.category_id else "",
                               product_id=p.id))
    sale = SaleInput(receipt_no=receipt_no, sold_at=clock.utcnow(), lines=lines, tenders=[],
                     cashier="", customer_id=request.customer_id, source_ref="")
    priced = price_sale(sale, store.prices_include_tax)
    return products, sale, priced


def price_replacements(store: Store, request: ExchangeRequest, receipt_no: str, *, lock: bool):
    """(products by id, SaleInput without tenders, PricedSale) of ``request.replacements``."""
    return _replacement_sale(store, request, receipt_no, lock=lock)


def stock_problems(request: ExchangeRequest, products: dict) -> list[str]:
    """What ``request.replacements`` wants beyond the stock on hand, by name ([] when all is there)."""
    return _stock_problems(request, products)


def _stock_problems(request: ExchangeRequest, products: dict) -> list[str]:
    wanted: dict[int, int] = {}
    for r in request.replacements:
        wanted[r.product_id] = wanted.get(r.product_id, 0) + r.quantity
    out = []
    for pid, qty in wanted.items():
        p = products[pid]
        if p.stock_on_hand < qty:
            out.append(f"{p.name} ({p.sku}): only {max(0, p.stock_on_hand)} in stock, {qty} wanted")
    return out


def preview_exchange(actor: Staff, request: ExchangeRequest) -> ExchangePreview:
    require(actor, "exchanges.create")
    store = _store()
    ret = returns.preview(actor, request.return_request())
    products, sale, priced = _replacement_sale(store, request, "PREVIEW", lock=False)
    reps = [ReplacementPreview(l.product_id, l.sku, l.description, l.quantity, l.unit_price, p.paid,
                               products[l.product_id].stock_on_hand, products[l.product_id].stock_on_hand >= l.quantity)
            for l, p in zip(sale.lines, priced.lines)]
    difference = priced.total - ret.total
    method = label = ""
    if difference < 0:
        sale_id = request.sale_id if request.kind == "receipted" else None
        method, brand, last4, _ref = _refund_method(request, Return(sale=sale_id))
        label = returns.tender_label(method, brand, last4)
    return ExchangePreview(store.currency, ret, ret.total, reps, priced.total, difference, ret.decision,
                           _stock_problems(request, products), method, label)


# ----------------------------------------------------------------------------- create


def check_tenders(tenders: list[SettlementTender], label: str = "Payment") -> int:
    """Each tender well formed (a method of SETTLE_METHODS, an amount above zero, a card's last four
    digits and terminal reference, a voucher's code); their sum. The one rule for split payments:
    exchanges and special orders (deposit, balance) check their tenders here."""
    paid = 0
    for i, t in enumerate(tenders or [], 1):
        if t.method not in SETTLE_METHODS:
            raise InvalidInput(f"{label} {i}", f"'{t.method}' is not one of {', '.join(SETTLE_METHODS)}")
        if isinstance(t.amount, bool) or not isinstance(t.amount, int) or t.amount <= 0:
            raise InvalidInput(f"{label} {i} amount", "must be more than zero")
        if t.method == "card":
            if not (len(t.card_last4 or "") == 4 and t.card_last4.isdigit()):
                raise InvalidInput(f"{label} {i} card last four", "enter the card's last four digits")
            if not (t.reference or "").strip():
                raise InvalidInput(f"{label} {i} card reference", "enter the card terminal's reference")
        if t.method == "store_credit" and not (t.voucher_code or "").strip():
            raise InvalidInput(f"{label} {i} voucher", "scan the voucher's code")
        paid += t.amount
    return paid


def _check_settlement(request: ExchangeRequest, difference: int, currency: str) -> None:
    if difference <= 0 and request.tenders:
        raise InvalidInput("Payment", "nothing is left to pay: the replacements cost no more than what comes back")
    if request.refund_to not in REFUND_TO:
        raise InvalidInput("Refund to", f"'{request.refund_to}' is not one of {', '.join(REFUND_TO)}")
    if difference <= 0:
        return
    paid = check_tenders(request.tenders, "Payment")
    if paid != difference:
        raise InvalidInput("Payment", f"the customer owes {format_money(difference, currency)} "
                                      f"but the payments add up to {format_money(paid, currency)}")


def create_exchange(actor: Staff, request: ExchangeRequest, approver: DeskApproval | None = None,
                    approval_id: int | None = None) -> ExchangeView:
    """The exchange in one transaction: linked return, replacement sale, settlement, stock, audit."""
    require(actor, "exchanges.create")
    store = _store()
    desk_code = (request.desk_code or "").strip()
    if not desk_code:
        raise InvalidInput("Desk", "the desk's code is required")
    with database.atomic():
        number = next_number(store.code, desk_code, "X")
        products, sale_in, priced = _replacement_sale(store, request, number, lock=True)
        problems = _stock_problems(request, products)
        if problems:
            raise NotAllowed("Not enough stock for the exchange: " + "; ".join(problems) + ".")
        rv = returns.create_return(actor, request.return_request(), approver, approval_id, exchange_credit=True)
        write_exchange(actor, store, request, number, sale_in, priced, rv)
    return exchange_view(number)


def write_exchange(actor: Staff, store: Store, request: ExchangeRequest, number: str, sale_in: SaleInput, priced,
                   rv: ReturnView, forward_to: str = "") -> Exchange:
    """The exchange's own records, inside the caller's transaction, once the return ``rv`` is
    written and the replacements priced (``_replacement_sale``) and checked for stock: the
    settlement, the replacement sale, the stock moves and the audit event. ``forward_to``: a
    special order's number; value coming back above the replacements is not refunded but goes
    to that order as its deposit (an ``out`` tender, method ``special_order``)."""
    desk_code = (request.desk_code or "").strip()
    ret = Return.get(Return.number == rv.number)
    value = rv.total
    difference = priced.total - value
    _check_settlement(request, difference, store.currency)
    sale_tenders = []
    credit_part = min(value, priced.total)
    if credit_part:
        sale_tenders.append(TenderInput("other", credit_part, reference=f"exchange {rv.number}"[:80]))
    tender_rows = []  # (direction, method, amount, brand, last4, reference, voucher)
    if difference > 0:
        for t in request.tenders:
            voucher = None
            if t.method == "store_credit":
                voucher = credit.redeem_in(actor, t.voucher_code, t.amount, number)
                sale_tenders.append(TenderInput("other", t.amount, reference="store credit"))
            else:
                sale_tenders.append(TenderInput(t.method, t.amount, t.card_brand if t.method == "card" else "",
                                                t.card_last4 if t.method == "card" else "", (t.reference or "").strip()[:80]))
            tender_rows.append(("in", t.method, t.amount, t.card_brand if t.method == "card" else "",
                                t.card_last4 if t.method == "card" else "", (t.reference or "").strip(), voucher))
    elif difference < 0 and forward_to:
        tender_rows.append(("out", "special_order", -difference, "", "", forward_to, None))
    elif difference < 0:
        refund = -difference
        method, brand, last4, reference = _refund_method(request, ret)
        voucher = None
        if method == "store_credit":
            voucher = credit.issue_voucher(store, refund, actor, customer=ret.customer, customer_name=ret.customer_name,
                                           ret=ret, reference=number, source="exchange")
        tender_rows.append(("out", method, refund, brand, last4, reference, voucher))
    sale_in.tenders = sale_tenders
    sale_in.customer_id = ret.customer_id
    sale_in.cashier = actor.code
    record_sales(store, [sale_in], "exchange")
    sale = Sale.get((Sale.receipt_no == number) & (Sale.source == "exchange"))
    for r in request.replacements:
        Product.update(stock_on_hand=Product.stock_on_hand - r.quantity).where(Product.id == r.product_id).execute()
    ex = Exchange.create(
        number=number, store=store, desk_code=desk_code, ret=ret, sale=sale, clerk=actor.id,
        customer_name=ret.customer_name, currency=store.currency, returned_value=value,
        replacement_total=priced.total, difference=difference,
        reason=request.returned[0].reason if request.returned else "", note=(request.note or "").strip(),
        created_at=clock.utcnow(),
    )
    for seq, (direction, method, amount, brand, last4, reference, voucher) in enumerate(tender_rows, 1):
        ExchangeTender.create(exchange=ex, seq=seq, direction=direction, method=method, amount=amount, card_brand=brand,
                              card_last4=last4, reference=reference[:80], voucher=voucher)
    audit.record("exchange.created", actor, entity="exchange", entity_uuid=ex.uuid, details={
        "number": number, "return": rv.number, "sale": number, "returned_value": value,
        "replacement_total": priced.total, "difference": difference,
        "out": [{"product": r.product_id, "qty": r.quantity} for r in request.replacements],
        "tenders": [{"direction": d, "method": m, "amount": a, "voucher": v.code if v else ""}
                    for d, m, a, _b, _l, _r, v in tender_rows],
    })
    return ex


def _refund_method(request: ExchangeRequest, ret: Return) -> tuple[str, str, str, str]:
    if request.kind == "gift":
        return "store_credit", "", "", ""
    if request.refund_to != "original":
        if request.refund_to == "card":
            return "card", "", "", (request.card_reference or "").strip()
        return request.refund_to, "", "", ""
    if ret.sale_id is None:
        return "store_credit", "", "", ""
    first = Tender.select().where(Tender.sale == ret.sale_id).order_by(Tender.seq).first()
    if first is None or first.method == "other":
        return "store_credit", "", "", ""
    if first.method == "card":
        return "card", first.card_brand, first.card_last4, (request.card_reference or "").strip()
    if first.method == "gift_card":
        return "gift_card", "", "", first.reference
    return first.method, "", "", ""


# ----------------------------------------------------------------------------- void


def void_exchange(actor: Staff, number: str, reason: str) -> ExchangeView:
    """Undo an exchange made today: the return is voided (its stock taken out again, vouchers it
    issued cancelled if unspent), the replacements go back to stock, store credit redeemed is
    given back to its voucher, and the replacement sale is marked voided (it leaves the ledger's
    figures and cannot be returned)."""
    require(actor, "exchanges.void")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Reason", "say why the exchange is voided")
    value = (number or "").strip().upper()
    with database.atomic():
        query = Exchange.select().where(Exchange.number == value)
        if is_postgres():
            query = query.for_update()
        ex = query.first()
        if ex is None:
            raise NotFound(f"No exchange has the number {value}.")
        if ex.status == "voided":
            raise NotAllowed(f"Exchange {ex.number} was already voided.")
        forwarded = ExchangeTender.get_or_none((ExchangeTender.exchange == ex) & (ExchangeTender.method == "special_order"))
        if forwarded is not None:
            raise NotAllowed(f"Exchange {ex.number} paid the deposit of special order {forwarded.reference}: it cannot be "
                             "voided; cancel the order instead (its deposit comes back as store credit).")
        now = clock.utcnow()
        if clock.to_local(ex.created_at).date() != clock.to_local(now).date():
            raise NotAllowed(f"Exchange {ex.number} was not made today; only an exchange made today can be voided.")
        if ex.sale_id:
            from desk.services.sale_lookup import returned_quantities

            line_ids = [l.id for l in SaleLine.select(SaleLine.id).where(SaleLine.sale == ex.sale_id)]
            if any(returned_quantities(line_ids).values()):
                raise NotAllowed(f"Items given in exchange {ex.number} have since been returned: void that return "
                                 "first, then the exchange.")
        ret = Return.get_by_id(ex.ret_id)
        returns.void_return(actor, ret.number, f"void of exchange {ex.number}: {reason}")
        if ex.sale_id:
            for line in SaleLine.select().where(SaleLine.sale == ex.sale_id):
                if line.product_id:
                    Product.update(stock_on_hand=Product.stock_on_hand + line.quantity).where(Product.id == line.product_id).execute()
            # The replacement sale leaves the ledger's live figures and can no longer be returned.
            Sale.update(status="voided", voided_at=now, voided_by=actor.id,
                        void_reason=f"exchange {ex.number} voided: {reason}"[:500]).where(Sale.id == ex.sale_id).execute()
        for t in ExchangeTender.select().where((ExchangeTender.exchange == ex) & (ExchangeTender.direction == "in")
                                               & (ExchangeTender.method == "store_credit")):
            credit.reverse_redemption(actor, Voucher.get_by_id(t.voucher_id), t.amount, f"void of {ex.number}")
        Exchange.update(status="voided", voided_at=now, voided_by=actor.id, void_reason=reason).where(Exchange.id == ex.id).execute()
        audit.record("exchange.voided", actor, entity="exchange", entity_uuid=ex.uuid,
                     details={"number": ex.number, "reason": reason, "difference": ex.difference,
                              "give_back": [{"direction": t.direction, "method": t.method, "amount": t.amount}
                                            for t in ExchangeTender.select().where(ExchangeTender.exchange == ex)]})
    return exchange_view(ex.number)


def void_exchange_at_desk(actor: Staff, number: str, reason: str, approver: DeskApproval) -> ExchangeView:
    """Void at the desk of someone who may not void (a supervisor in the exchange log): a manager
    types their code and PIN (checked in its own transaction, so a wrong PIN counts toward their
    lockout) and the void is theirs; the audit trail also names whose desk it was done at."""
    require(actor, "exchanges.create")
    if not (reason or "").strip():
        raise InvalidInput("Reason", "say why the exchange is voided")
    manager = verify_approver(approver.code, approver.pin, "exchanges.void", during="exchange void")
    with database.atomic():
        view = void_exchange(manager, number, reason)
        audit.record("exchange.void_approved", manager, entity="exchange", entity_uuid=view.uuid,
                     details={"number": view.number, "at_desk_of": actor.code, "note": (approver.note or "").strip()})
    return view


# ----------------------------------------------------------------------------- reading


def exchange_view(number: str) -> ExchangeView:
    value = (number or "").strip().upper()
    ex = Exchange.get_or_none(Exchange.number == value)
    if ex is None:
        raise NotFound(f"No exchange has the number {value}.")
    return _view(ex)


def _view(ex: Exchange) -> ExchangeView:
    ret = Return.get_by_id(ex.ret_id)
    came_back = [ExchangeLineView("in", l.sku, l.description, l.quantity, l.refund)
                 for l in ReturnLine.select().where(ReturnLine.ret == ret).order_by(ReturnLine.line_no)]
    went_out = []
    if ex.sale_id:
        went_out = [ExchangeLineView("out", l.sku, l.description, l.quantity, l.paid)
                    for l in SaleLine.select().where(SaleLine.sale == ex.sale_id).order_by(SaleLine.line_no)]
    tenders = []
    for t in ExchangeTender.select().where(ExchangeTender.exchange == ex).order_by(ExchangeTender.seq):
        code = Voucher.get_by_id(t.voucher_id).code if t.voucher_id else ""
        tenders.append(ExchangeTenderView(t.direction, t.method, t.amount, t.card_brand, t.card_last4, t.reference, code))
    clerk = Staff.get_by_id(ex.clerk_id)
    voider = Staff.get_by_id(ex.voided_by_id) if ex.voided_by_id else None
    original = Sale.get_by_id(ret.sale_id).receipt_no if ret.sale_id else ""
    sale_no = Sale.get_by_id(ex.sale_id).receipt_no if ex.sale_id else ""
    store = Store.get_by_id(ex.store_id)
    return ExchangeView(ex.id, str(ex.uuid), ex.number, ex.status, ex.created_at, store.code, ex.desk_code, clerk.code,
                        clerk.name, ex.customer_name, ex.currency, ex.returned_value, ex.replacement_total, ex.difference,
                        ex.reason, ex.note, ret.number, sale_no, original, came_back, went_out, tenders, ex.voided_at,
                        voider.name if voider else "", ex.void_reason)


_local_midnight_utc = clock.local_midnight_utc


def _filtered(query: ExchangeQuery):
    """The exchanges that match ``query``, filtered in SQL (no order, no page)."""
    q = Exchange.select()
    if query.date_from:
        q = q.where(Exchange.created_at >= _local_midnight_utc(query.date_from))
    if query.date_to:
        q = q.where(Exchange.created_at < _local_midnight_utc(query.date_to + dt.timedelta(days=1)))
    if query.clerk_code.strip():
        q = q.where(Exchange.clerk.in_(Staff.select(Staff.id).where(Staff.code == query.clerk_code.strip())))
    if query.reason.strip():
        q = q.where(Exchange.ret.in_(ReturnLine.select(ReturnLine.ret).where(ReturnLine.reason == query.reason.strip())))
    if not query.include_voided:
        q = q.where(Exchange.status == "completed")
    if query.status:
        if query.status not in ("completed", "voided"):
            raise InvalidInput("Status", f"'{query.status}' is not one of completed, voided")
        q = q.where(Exchange.status == query.status)
    text = query.product.strip().lower()
    if text:
        came_back = ReturnLine.select(ReturnLine.ret).where(fn.LOWER(ReturnLine.sku).contains(text)
                                                            | fn.LOWER(ReturnLine.description).contains(text))
        went_out = SaleLine.select(SaleLine.sale).where(fn.LOWER(SaleLine.sku).contains(text)
                                                        | fn.LOWER(SaleLine.description).contains(text))
        q = q.where(Exchange.ret.in_(came_back) | Exchange.sale.in_(went_out))
    return q


def count_exchanges(query: ExchangeQuery | None = None) -> int:
    """How many exchanges the log's filters match."""
    return _filtered(query or ExchangeQuery()).count()


def _items(lines) -> str:
    """'Shirt, Blue, L; 2 × Socks': a quantity is written only when it is more than one."""
    return "; ".join(l.description if l.quantity == 1 else f"{l.quantity} × {l.description}" for l in lines)


def search_exchanges(query: ExchangeQuery | None = None, offset: int = 0, limit: int | None = None) -> list[ExchangeRow]:
    """One page of the exchange log, newest first (``limit`` None: ``query.limit``)."""
    query = query or ExchangeQuery()
    limit = query.limit if limit is None else limit
    exchanges = list(_filtered(query).order_by(Exchange.created_at.desc(), Exchange.id.desc())
                     .offset(max(0, offset)).limit(max(0, limit)))
    if not exchanges:
        return []
    # A page is read in a handful of queries, whatever its length.
    rets = {r.id: r for r in Return.select(Return.id, Return.number, Return.sale).where(
        Return.id.in_([e.ret_id for e in exchanges]))}
    sale_ids = {e.sale_id for e in exchanges if e.sale_id} | {r.sale_id for r in rets.values() if r.sale_id}
    receipts = dict(Sale.select(Sale.id, Sale.receipt_no).where(Sale.id.in_(list(sale_ids))).tuples()) if sale_ids else {}
    clerks = {s.id: s for s in Staff.select(Staff.id, Staff.code, Staff.name).where(
        Staff.id.in_(list({e.clerk_id for e in exchanges})))}
    came_back: dict[int, list] = {}
    for l in ReturnLine.select().where(ReturnLine.ret.in_(list(rets))).order_by(ReturnLine.ret, ReturnLine.line_no):
        came_back.setdefault(l.ret_id, []).append(l)
    went_out: dict[int, list] = {}
    out_ids = [e.sale_id for e in exchanges if e.sale_id]
    if out_ids:
        for l in SaleLine.select().where(SaleLine.sale.in_(out_ids)).order_by(SaleLine.sale, SaleLine.line_no):
            went_out.setdefault(l.sale_id, []).append(l)
    rows = []
    for ex in exchanges:
        ret = rets[ex.ret_id]
        clerk = clerks[ex.clerk_id]
        rows.append(ExchangeRow(
            ex.number, ex.created_at, ex.status, clerk.code, clerk.name, ex.customer_name, ex.reason,
            _items(came_back.get(ex.ret_id, [])), _items(went_out.get(ex.sale_id, [])),
            ex.returned_value, ex.replacement_total, ex.difference, ex.currency, ret.number,
            receipts.get(ex.sale_id, "") if ex.sale_id else "", receipts.get(ret.sale_id, "") if ret.sale_id else ""))
    return rows


CSV_HEADER = ["number", "date", "status", "clerk", "customer", "reason", "items_in", "items_out", "returned_value",
              "replacement_total", "difference", "currency", "return", "sale", "original_receipt"]
EXPORT_PAGE = 500


def export_exchanges_csv(query: ExchangeQuery | None, path: str | Path) -> int:
    """Write every exchange that matches to ``path`` as CSV (money in major units, text exact),
    a page at a time. Rows written."""
    from desk.money import from_minor

    query = query or ExchangeQuery()
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_HEADER)
        while True:
            page = search_exchanges(query, n, EXPORT_PAGE)
            for r in page:
                w.writerow([r.number, clock.to_local(r.created_at).strftime("%Y-%m-%d %H:%M"), r.status,
                            f"{r.clerk_code} {r.clerk_name}", r.customer_name, r.reason, r.items_in, r.items_out,
                            from_minor(r.returned_value, r.currency), from_minor(r.replacement_total, r.currency),
                            from_minor(r.difference, r.currency), r.currency, r.return_number, r.sale_receipt_no,
                            r.original_receipt_no])
            n += len(page)
            if len(page) < EXPORT_PAGE:
                return n


# ----------------------------------------------------------------------------- printing


def slip_data(number: str):
    """The exchange slip's data (``desk.printing.exchange_slip.ExchangeSlipData``)."""
    from desk.printing.exchange_slip import ExchangeSlipData, ExchangeSlipLine, ExchangeSlipTender
    from desk.services import settings
    from desk.services.documents import store_header

    v = exchange_view(number)
    store = Store.get(Store.code == v.store_code)
    return ExchangeSlipData(
        store=store_header(store), locale=store.locale, currency=v.currency, number=v.number, created_at=v.created_at,
        clerk=f"{v.clerk_name} ({v.clerk_code})", return_number=v.return_number, original_receipt_no=v.original_receipt_no,
        customer=v.customer_name,
        came_back=tuple(ExchangeSlipLine(l.description, l.quantity, l.value, l.sku) for l in v.came_back),
        went_out=tuple(ExchangeSlipLine(l.description, l.quantity, l.value, l.sku) for l in v.went_out),
        returned_value=v.returned_value, replacement_total=v.replacement_total, difference=v.difference,
        tenders=tuple(ExchangeSlipTender(t.label, t.amount, t.direction == "in", t.reference, t.voucher_code) for t in v.tenders),
        voided=v.status == "voided", void_detail=f"by {v.voided_by_name}: {v.void_reason}" if v.status == "voided" else "",
        to_order=next((t.reference for t in v.tenders if t.method == "special_order"), ""),
        returns_policy=settings.get("returns_policy_text"),
    )


def render_exchange(number: str, actor: Staff, paper: str = "roll"):
    """The exchange slip as a ``RenderedDocument`` (``documents.render("exchange", ...)``)."""
    from desk.printing.exchange_slip import build_exchange_slip
    from desk.services.documents import RenderedDocument

    require(actor, "returns.log" if actor.role == "head_office" else "exchanges.create")
    data = slip_data(number)
    return RenderedDocument("exchange", data.number, paper, build_exchange_slip(data, paper), f"Exchange {data.number}")
