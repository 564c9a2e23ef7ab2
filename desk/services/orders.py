"""Special orders: an item out of stock ordered for a customer, from request to collection.

The screens call these (dataclasses in, dataclasses out; refusals are DeskErrors). Each call
that changes something is one transaction with its audit event(s) and ``OrderEvent`` rows.

Taking the order
- ``deposit_for(total) -> int``: the deposit the rule asks for (Settings ``orders.deposit_percent``
  of the total, rounded half up; 0 % = no deposit needed).
- ``preview_order(actor, OrderRequest) -> OrderPreview``: lines priced, total, deposit required,
  stock on hand of catalogue lines. Reads only.
- ``take_order(actor, OrderRequest) -> OrderView``: finds the customer (``customer_id``) or creates
  one (name + phone and/or email), writes the order (``O-<store>-<desk>-<seq>``) and its deposit,
  paid by any tender (``SettlementTender``: cash, card, gift_card, store_credit — a voucher's
  credit taken with ``credit.redeem_in``). The deposit may be more than the rule asks, never less,
  never more than the total.
- ``pay_deposit(actor, number, tenders) -> OrderView``: more deposit later (same rules).
- ``mark_ordered(actor, number, supplier_ref, supplier="", expected_date=None, ordered_on=None)``
- ``update_expected_date(actor, number, expected_date, note="")``: the supplier's new date.

Receiving
- ``waiting_for(code) -> list[WaitingLine]``: a scanned barcode, a SKU or a supplier code ->
  the order lines still waiting for it, oldest order first.
- ``receive(actor, number, line_no, quantity=None, from_stock=False) -> OrderView``: fills a line
  (all it still waits for, or ``quantity``). When every line is filled the order is ``arrived``
  and gets its collection deadline (today + Settings ``orders.collection_days``).

Contacting the customer
- ``log_contact(actor, number, method, outcome, note="") -> OrderView``: a call, SMS or a word in
  person, whatever the outcome (``CONTACT_METHODS``, ``CONTACT_OUTCOMES``).
- ``email_configured() -> bool``; ``email_message(number) -> EmailMessageView`` (what would be sent,
  from the Settings template); ``notify_by_email(actor, number) -> ContactView``: sends through
  SMTP (Settings ``smtp.*``) and logs the attempt: ``sent``, or ``failed`` with the error (a
  failed send is always logged, never lost).
- ``who_to_phone() -> list[PhoneRow]``: customers to call today (arrived and not told, or due a
  reminder) who cannot be emailed (email not configured, no address, they asked for a call/SMS, or
  the last email failed).

Collecting, cancelling, deadlines
- ``collect(actor, number, tenders) -> OrderView``: the balance (total - deposit) paid by any
  tender (nothing when the deposit paid it all); a sale (source ``order``, receipt number = the
  order number) goes into the ledger so the goods can be returned like any sale.
- ``cancel(actor, number, reason, deposit="refund", card_reference="", approver=None) -> OrderView``:
  ``deposit``: ``refund`` (each deposit tender back to its method; store credit back onto its
  voucher), ``store_credit`` (one new voucher, ``credit.issue_voucher``) or ``keep`` (only where
  Settings ``orders.keep_deposit`` allows, and with ``orders.keep_deposit``: a manager's own
  permission or ``approver=DeskApproval(code, pin, note)`` checked by ``auth.verify_approver``;
  otherwise ``NeedsApproval``). Goods already set aside go back to the shelf.
- ``extend_deadline(actor, number, new_date, note) -> OrderView``: a manager's decision after the
  collection deadline (the other two decisions are ``cancel`` with ``refund``/``keep``).

Lists
- ``board() -> Board``: counts per status, the open orders grouped by status with their
  "needs doing today" flags (``BoardRow.flags``): ``overdue_at_supplier`` (ordered, expected date
  passed), ``not_contacted`` (arrived, customer not told yet), ``reminder_due`` (told, not
  collected, and ``orders.reminder_days`` days or more since it arrived or since the last reminder,
  see "Reminders" below), ``past_deadline`` (collection
  deadline passed); ``Board.needs_doing`` counts orders with any flag; ``needs_doing_count()`` the
  same in one query (the navigation's badge).
- ``search_orders(OrderQuery, offset, limit) -> list[OrderRow]`` and ``count_orders(OrderQuery)``
  (number, customer name/phone/email, product, SKU, supplier, supplier reference; status) for a
  ``PagedTableModel``; ``order_view(number) -> OrderView``; ``is_order_number(text)``.

Customers
- ``erase_customer_data(customer_id) -> dict[str, int]``: inside a customer's erasure, the name,
  phone and email copied onto their orders and contact attempts removed (rows cleared per column).
- Each order is an entry (kind ``order``) of the customer's timeline when
  ``desk.services.customers`` offers ``register_timeline_source``.

Exchanges
- ``split_for_order(ExchangeRequest, ordered=None) -> (go out now, to order)``: the replacements
  split by the stock on hand (only what is missing is ordered), or by the clerk's choice
  (``ordered``: one flag per line; an in-stock line may be ordered, a line the shelf lacks can't
  go out now: NotAllowed naming it).
- ``order_from_exchange(actor, ExchangeRequest, OrderRequest, approver=None, approval_id=None)
  -> OrderFromExchange``: one transaction: the goods come back through ``returns.create_return``
  (same policy and approvals); the in-stock replacements (``ExchangeRequest.replacements``) go out
  as an exchange (``exchanges.write_exchange``); the value left over becomes the new order's
  deposit (tender method ``exchange``); value above the order's total is given as store credit;
  ``OrderRequest.deposit_tenders`` top up.

Statuses and transitions (``TRANSITIONS``)::

    requested -> ordered -> arrived -> contacted -> collected
        |            |         |  \\________________/^
        +------------+---------+-----------+--> cancelled

``receive`` also fills lines of a ``requested`` order (the goods came before the reference was
written down); ``collect`` takes an ``arrived`` order whose customer walked in before being told.
Contact attempts are logged in any open status; ``reached``, ``voicemail`` and ``sent`` count as
telling the customer (``arrived`` -> ``contacted``).

Reminders (issue 7: "an order that arrived but has not been collected after N days comes back for a
reminder"; Settings ``orders.reminder_days``): the clock counts from the arrival
(``SpecialOrder.remind_from`` = the local day it arrived). A reminder falls due on
``remind_from + reminder_days``. Telling the customer before then (the first call, say) does not
move it; telling them on or after that day is the reminder, and the next one counts from that day.

Money: the order's total is what ``sales.price_sale`` makes of the agreed prices (tax included);
``balance = total - deposit_paid`` where deposit_paid counts the ``deposit`` tenders.

Stock: goods that arrive for an order are set aside, not put on the shelf: ``receive`` leaves
``Product.stock_on_hand`` alone (``from_stock=True``: a unit already on the shelf is taken off it
for the order), ``collect`` moves no stock (the set-aside units leave), ``cancel`` puts units
already set aside onto the shelf (``stock_on_hand`` + received). Nothing is counted twice.

Permissions (``desk.services.auth.PERMISSIONS``): ``orders.view`` (every role), ``orders.take``
(take, deposit, mark ordered, receive, contact, collect: store roles), ``orders.cancel`` (cancel
with a refund: store roles), ``orders.keep_deposit`` and ``orders.extend`` (managers).
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import fn

from desk import clock
from desk.errors import InvalidInput, NeedsApproval, NotAllowed, NotFound
from desk.models import (
    ContactAttempt,
    Customer,
    OrderEvent,
    OrderTender,
    Product,
    Return,
    Sale,
    SpecialOrder,
    SpecialOrderLine,
    Staff,
    Store,
    Voucher,
    database,
)
from desk.models.db import is_postgres
from desk.money import format_money, round_half_up
from desk.services import audit, credit, customers, exchanges, returns, settings
from desk.services.auth import can, require, verify_approver
from desk.services.exchanges import ExchangeRequest, ReplacementLine, SettlementTender
from desk.services.numbers import next_number
from desk.services.returns import DeskApproval
from desk.services.sales import LineInput, SaleInput, TenderInput, price_sale, record_sales

STATUSES = ("requested", "ordered", "arrived", "contacted", "collected", "cancelled")
STATUS_LABELS = {
    "requested": "Requested",
    "ordered": "Ordered",
    "arrived": "Arrived",
    "contacted": "Customer told",
    "collected": "Collected",
    "cancelled": "Cancelled",
}
OPEN_STATUSES = ("requested", "ordered", "arrived", "contacted")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("ordered", "arrived", "cancelled"),
    "ordered": ("arrived", "cancelled"),
    "arrived": ("contacted", "collected", "cancelled"),
    "contacted": ("collected", "cancelled"),
    "collected": (),
    "cancelled": (),
}
CONTACT_VIA = ("phone", "email", "sms")
CONTACT_METHODS = ("phone", "sms", "email", "in_person")
CONTACT_OUTCOMES = ("reached", "voicemail", "sent", "no_answer", "wrong_number", "failed")
TOLD = ("reached", "voicemail", "sent")  # outcomes that count as the customer having been told
CONTACT_VIA_LABELS = {"phone": "Phone call", "email": "Email", "sms": "Text message"}
METHOD_LABELS = {"phone": "Phone call", "sms": "Text message", "email": "Email", "in_person": "In person"}
OUTCOME_LABELS = {"reached": "Reached", "voicemail": "Left a voicemail", "sent": "Email sent", "no_answer": "No answer",
                  "wrong_number": "Wrong number", "failed": "Failed"}
TENDER_METHODS = exchanges.SETTLE_METHODS
DEPOSIT_CHOICES = ("refund", "store_credit", "keep")
FLAGS = {
    "overdue_at_supplier": "Overdue at the supplier",
    "not_contacted": "Arrived, customer not told",
    "reminder_due": "Not collected: remind",
    "past_deadline": "Past the collection deadline",
}

# ----------------------------------------------------------------------------- inputs


@dataclass
class OrderLineInput:
    """A catalogue product (``product_id``) or an item described in free text."""

    quantity: int = 1
    product_id: int | None = None
    description: str = ""  # free text (a catalogue line takes the product's name when empty)
    supplier: str = ""  # free text: who supplies it (default: the order's supplier)
    supplier_code: str = ""  # free text: the supplier's code for it
    unit_price: int | None = None  # agreed, as the store shows prices; None = the catalogue price
    tax_rate: Decimal | None = None  # free text: None = the rate most of the catalogue has


@dataclass
class OrderRequest:
    lines: list[OrderLineInput]
    customer_id: int | None = None  # an existing customer, or a new one from the three fields below
    customer_name: str = ""
    customer_phone: str = ""
    customer_email: str = ""
    contact_via: str = "phone"  # phone | email | sms
    supplier: str = ""
    expected_date: dt.date | None = None
    deposit_tenders: list[SettlementTender] = field(default_factory=list)
    desk_code: str = "01"
    note: str = ""


@dataclass
class OrderQuery:
    text: str = ""  # part of a number, customer, phone, email, product, SKU, supplier or reference
    status: str = ""  # "" = any | one of STATUSES | "open"
    flagged_only: bool = False  # only orders that need doing today


# ----------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class OrderLinePreview:
    line_no: int
    product_id: int | None
    sku: str
    description: str
    supplier: str
    supplier_code: str
    quantity: int
    unit_price: int
    total: int  # tax included
    stock_on_hand: int | None  # catalogue lines only


@dataclass(frozen=True)
class OrderPreview:
    currency: str
    lines: list[OrderLinePreview]
    total: int
    deposit_required: int
    deposit_percent: int


@dataclass(frozen=True)
class OrderLineView:
    line_no: int
    product_id: int | None
    sku: str
    barcode: str
    description: str
    supplier: str
    supplier_code: str
    quantity: int
    unit_price: int
    total: int
    received: int
    received_at: dt.datetime | None

    @property
    def waiting(self) -> int:
        return self.quantity - self.received


@dataclass(frozen=True)
class OrderEventView:
    at: dt.datetime  # naive UTC
    staff_code: str
    staff_name: str
    action: str
    from_status: str
    to_status: str
    note: str  # as stored: dates the desk wrote are ISO (2030-03-17), whatever the store's locale
    note_text: str = ""  # the note to show: those dates in the store's locale (event_note_text)


@dataclass(frozen=True)
class ContactView:
    at: dt.datetime
    staff_code: str
    staff_name: str
    method: str
    outcome: str
    address: str
    note: str
    error: str


@dataclass(frozen=True)
class OrderTenderView:
    kind: str  # deposit | balance | refund
    direction: str  # in | out
    method: str
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    reference: str = ""
    voucher_code: str = ""
    at: dt.datetime | None = None

    @property
    def label(self) -> str:
        from desk.services.returns import tender_label

        if self.method == "exchange":
            return "Goods returned"
        return tender_label(self.method, self.card_brand, self.card_last4)


@dataclass(frozen=True)
class OrderView:
    id: int
    uuid: str
    number: str
    status: str
    status_label: str
    created_at: dt.datetime
    store_code: str
    desk_code: str
    clerk_code: str
    clerk_name: str
    customer_id: int | None
    customer_name: str
    customer_phone: str
    customer_email: str
    contact_via: str
    currency: str
    total: int
    deposit_required: int
    deposit_paid: int  # deposit tenders taken
    balance_paid: int  # balance tenders taken at collection
    balance: int  # what is still to pay: total - deposit_paid - balance_paid (0 once collected)
    refunded: int  # given back when cancelled
    kept: int  # deposit kept when cancelled
    supplier: str
    supplier_ref: str
    ordered_at: dt.datetime | None
    expected_date: dt.date | None
    arrived_at: dt.datetime | None
    contacted_at: dt.datetime | None
    collection_deadline: dt.date | None
    collected_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancel_reason: str
    deposit_outcome: str
    approved_by_name: str
    sale_receipt_no: str
    source_return_number: str
    note: str
    lines: list[OrderLineView]
    events: list[OrderEventView]
    contacts: list[ContactView]
    tenders: list[OrderTenderView]
    flags: tuple[str, ...]  # keys of FLAGS that hold today

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def voucher_codes(self) -> list[str]:
        """Store credit given back when the order was cancelled (or above an exchange's order)."""
        return [t.voucher_code for t in self.tenders if t.direction == "out" and t.voucher_code]


@dataclass(frozen=True)
class WaitingLine:
    number: str
    line_no: int
    created_at: dt.datetime
    status: str
    customer_name: str
    description: str
    sku: str
    supplier_code: str
    waiting: int  # units still to come
    expected_date: dt.date | None


@dataclass(frozen=True)
class BoardRow:
    number: str
    status: str
    created_at: dt.datetime
    customer_name: str
    customer_phone: str
    contact_via: str
    items: str  # "2 × Linen shirt, Sand, L; 1 × ..."
    supplier: str
    expected_date: dt.date | None
    arrived_at: dt.datetime | None
    contacted_at: dt.datetime | None
    collection_deadline: dt.date | None
    total: int
    balance: int
    currency: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Board:
    counts: dict[str, int]  # every status, including collected and cancelled
    rows: dict[str, list[BoardRow]]  # open statuses only, oldest first
    flag_counts: dict[str, int]  # FLAGS key -> open orders with that flag
    needs_doing: int  # open orders with any flag


@dataclass(frozen=True)
class OrderRow:
    number: str
    created_at: dt.datetime
    status: str
    customer_name: str
    customer_phone: str
    items: str
    supplier: str
    supplier_ref: str
    expected_date: dt.date | None
    collection_deadline: dt.date | None
    total: int
    balance: int
    currency: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class PhoneRow:
    number: str
    customer_name: str
    phone: str
    contact_via: str
    reason: str  # not_contacted | reminder_due | past_deadline
    items: str
    last_attempt: str  # "no answer, 22 Nov 14:10" or ""
    attempts: int


@dataclass(frozen=True)
class EmailMessageView:
    to: str
    sender: str
    subject: str
    body: str


@dataclass(frozen=True)
class OrderFromExchange:
    order: OrderView
    return_number: str
    voucher_code: str  # store credit for value above the order's total, or ""
    exchange_number: str = ""  # the exchange of the items that were in stock and went out, or ""


# ----------------------------------------------------------------------------- helpers


def _store() -> Store:
    store = Store.select().order_by(Store.id).first()
    if store is None:
        raise NotFound("This database has no store yet: run the first-run set-up first.")
    return store


def _today() -> dt.date:
    return clock.to_local(clock.utcnow()).date()


def day_text(day: dt.date, locale: str | None = None) -> str:
    """A date as the rest of the desk shows it (17 Mar 2030 in en_GB): in messages and in the history."""
    from babel.dates import format_date

    return format_date(day, "medium", locale=locale or _store().locale)


# The dates the desk itself writes into an event's note (stored as ISO so the stored text does not depend
# on the locale of the day): "expected 2030-03-17", "collect by 2026-12-07", "(was 2026-12-01)".
_NOTE_DATE = re.compile(r"(\bexpected|\bcollect by|\(was) (\d{4}-\d{2}-\d{2})\b")
_DATED_ACTIONS = frozenset({"ordered", "expected_date", "arrived", "deadline_extended"})


def event_note_text(action: str, note: str, locale: str) -> str:
    """An event's stored note for display: the dates the desk wrote, in the store's locale; the rest as typed."""
    if action not in _DATED_ACTIONS:
        return note

    def swap(m: re.Match) -> str:
        try:
            return f"{m.group(1)} {day_text(dt.date.fromisoformat(m.group(2)), locale)}"
        except ValueError:  # not a real date (2026-02-31 typed by someone): leave it as it is
            return m.group(0)

    return _NOTE_DATE.sub(swap, note)


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.min).astimezone()
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _normal(number: str) -> str:
    return (number or "").strip().upper()


def _get(number: str, *, lock: bool = False) -> SpecialOrder:
    value = _normal(number)
    if not value:
        raise InvalidInput("Order number", "is required")
    query = SpecialOrder.select().where(SpecialOrder.number == value)
    if lock and is_postgres():
        query = query.for_update()
    order = query.first()
    if order is None:
        raise NotFound(f"No special order has the number {value}.")
    return order


def _money(amount: int, order_or_store) -> str:
    store = _store()
    return format_money(amount, getattr(order_or_store, "currency", store.currency), store.locale)


def _event(order: SpecialOrder, actor: Staff, action: str, to_status: str = "", note: str = "", from_status: str = "") -> None:
    OrderEvent.create(order=order, staff=actor.id or None, staff_code=actor.code, action=action,
                      from_status=from_status, to_status=to_status, note=note[:2000], created_at=clock.utcnow())


def _move(order: SpecialOrder, actor: Staff, to: str, action: str, note: str = "") -> str:
    """Change ``order``'s status (checked against TRANSITIONS) and write its event. The old status."""
    old = order.status
    if to not in TRANSITIONS.get(old, ()):
        raise NotAllowed(f"Order {order.number} is {STATUS_LABELS[old].lower()}: it cannot become {STATUS_LABELS[to].lower()}.")
    order.status = to
    _event(order, actor, action, to, note, old)
    return old


def _require_status(order: SpecialOrder, allowed: tuple[str, ...], doing: str) -> None:
    if order.status not in allowed:
        raise NotAllowed(f"Order {order.number} is {STATUS_LABELS[order.status].lower()}: {doing} is not possible now.")


def _sums(order_ids) -> dict[int, dict[str, int]]:
    """order id -> {deposit, balance, refund} amounts of its tenders."""
    out: dict[int, dict[str, int]] = {}
    ids = list(order_ids)
    if not ids:
        return out
    q = (OrderTender.select(OrderTender.order, OrderTender.kind, fn.SUM(OrderTender.amount))
         .where(OrderTender.order.in_(ids)).group_by(OrderTender.order, OrderTender.kind).tuples())
    for oid, kind, amount in q:
        out.setdefault(oid, {})[kind] = int(amount or 0)
    return out


def _balance(order: SpecialOrder, sums: dict[str, int]) -> int:
    if order.status in ("collected", "cancelled"):
        return 0
    return order.total - sums.get("deposit", 0) - sums.get("balance", 0)


def deposit_for(total: int) -> int:
    """The deposit the rule asks for on ``total``: Settings ``orders.deposit_percent``, half up."""
    percent = settings.get("orders.deposit_percent")
    return round_half_up(Decimal(int(total)) * percent / 100)


def _check_tenders(tenders: list[SettlementTender], label: str) -> int:
    """Each tender well formed; their sum (the exchanges' rule for split payments)."""
    return exchanges.check_tenders(tenders, label)


def _next_seq(order: SpecialOrder) -> int:
    return int(OrderTender.select(fn.COALESCE(fn.MAX(OrderTender.seq), 0)).where(OrderTender.order == order).scalar() or 0) + 1


def _write_tenders(actor: Staff, order: SpecialOrder, kind: str, tenders: list[SettlementTender]) -> None:
    seq = _next_seq(order)
    for t in tenders or []:
        voucher = None
        if t.method == "store_credit":
            voucher = credit.redeem_in(actor, t.voucher_code, t.amount, order.number)
        card = t.method == "card"
        OrderTender.create(order=order, seq=seq, kind=kind, direction="in", method=t.method, amount=t.amount,
                           card_brand=(t.card_brand or "")[:20] if card else "", card_last4=t.card_last4 if card else "",
                           reference=(t.reference or "").strip()[:80], voucher=voucher, staff_code=actor.code,
                           created_at=clock.utcnow())
        seq += 1


def _tender_details(tenders: list[SettlementTender]) -> list[dict]:
    return [{"method": t.method, "amount": t.amount, "voucher": (t.voucher_code or "").strip().upper()} for t in tenders or []]


# ----------------------------------------------------------------------------- taking the order


def _default_tax_rate() -> Decimal:
    """The rate most of the catalogue has (free-text lines); 0 with no catalogue."""
    row = (Product.select(Product.tax_rate, fn.COUNT(Product.id).alias("n")).group_by(Product.tax_rate)
           .order_by(fn.COUNT(Product.id).desc(), Product.tax_rate.desc()).first())
    return row.tax_rate if row is not None else Decimal(0)


@dataclass
class _Priced:
    store: Store
    lines: list[OrderLinePreview]
    taxes: list[Decimal]
    barcodes: list[str]
    categories: list[str]
    total: int


def _price(request: OrderRequest) -> _Priced:
    store = _store()
    if not request.lines:
        raise InvalidInput("Items", "add at least one item to order")
    products = {p.id: p for p in Product.select().where(Product.id.in_([l.product_id for l in request.lines if l.product_id]))}
    inputs, previews, taxes, barcodes, categories = [], [], [], [], []
    default_rate = None
    for i, l in enumerate(request.lines, 1):
        q = l.quantity
        if isinstance(q, bool) or not isinstance(q, int) or q < 1:
            raise InvalidInput(f"Item {i} quantity", f"must be a whole number of at least 1, not {q!r}")
        if l.unit_price is not None and (isinstance(l.unit_price, bool) or not isinstance(l.unit_price, int) or l.unit_price < 0):
            raise InvalidInput(f"Item {i} price", "must be an amount of zero or more")
        supplier = (l.supplier or "").strip() or (request.supplier or "").strip()
        if l.product_id is not None:
            p = products.get(l.product_id)
            if p is None:
                raise NotFound(f"Item {i}: there is no product with id {l.product_id}.")
            desc = (l.description or "").strip() or p.name
            price = p.price if l.unit_price is None else l.unit_price
            rate = p.tax_rate
            sku, barcode, stock = p.sku, p.barcode or "", p.stock_on_hand
            category = p.category.name if p.category_id else ""
        else:
            desc = (l.description or "").strip()
            if not desc:
                raise InvalidInput(f"Item {i} description", "say what the customer wants (or pick a catalogue product)")
            if l.unit_price is None:
                raise InvalidInput(f"Item {i} price", "agree a price with the customer")
            if not supplier:
                raise InvalidInput(f"Item {i} supplier", "say who supplies it")
            price = l.unit_price
            if l.tax_rate is None:
                default_rate = _default_tax_rate() if default_rate is None else default_rate
                rate = default_rate
            else:
                rate = Decimal(l.tax_rate)
            sku, barcode, stock, category = "", "", None, ""
        inputs.append(LineInput(description=desc[:500], quantity=q, unit_price=price, tax_rate=rate, sku=sku,
                                barcode=barcode, category=category, product_id=l.product_id))
        previews.append((i, l.product_id, sku, desc, supplier, (l.supplier_code or "").strip(), q, price, stock))
        taxes.append(rate)
        barcodes.append(barcode)
        categories.append(category)
    priced = price_sale(SaleInput(receipt_no="ORDER", sold_at=clock.utcnow(), lines=inputs, tenders=[]), store.prices_include_tax)
    lines = [OrderLinePreview(n, pid, sku, desc, sup, code, q, price, pl.paid, stock)
             for (n, pid, sku, desc, sup, code, q, price, stock), pl in zip(previews, priced.lines)]
    return _Priced(store, lines, taxes, barcodes, categories, priced.total)


def preview_order(actor: Staff, request: OrderRequest) -> OrderPreview:
    """The order priced as it would be taken: lines, total, the deposit the rule asks for."""
    require(actor, "orders.take")
    priced = _price(request)
    return OrderPreview(priced.store.currency, priced.lines, priced.total, deposit_for(priced.total),
                        settings.get("orders.deposit_percent"))


def _customer(actor: Staff, request: OrderRequest) -> tuple[Customer | None, str, str, str]:
    """(customer, name, phone, email) of the order: an existing customer, or one found or added by
    ``customers.find_or_add_customer`` (its checks, duplicate match and audit event)."""
    name = (request.customer_name or "").strip()
    phone = customers.validate_phone(request.customer_phone, "Customer phone")
    email = customers.validate_email(request.customer_email, "Customer email")
    if request.customer_id is not None:
        customer = Customer.get_or_none(Customer.id == request.customer_id)
        if customer is None:
            raise NotFound(f"There is no customer with id {request.customer_id}.")
        return customer, (name or customer.name)[:160], (phone or customer.phone or "")[:40], (email or customer.email or "")[:254]
    if not name:
        raise InvalidInput("Customer name", "is required: find the customer or type their name")
    if not phone and not email:
        raise InvalidInput("Customer contact", "give a phone number or an email address to tell the customer when it arrives")
    found, _added = customers.find_or_add_customer(actor, customers.CustomerInput(name, phone, email), prefix="Customer",
                                                   context="taking a special order")
    return Customer.get_by_id(found.id), name[:160], phone, email


def _search_text(order: SpecialOrder, lines: list[OrderLinePreview] | list[SpecialOrderLine]) -> str:
    parts = [order.number, order.customer_name, order.customer_email or "", customers.phone_key(order.customer_phone),
             order.supplier, order.supplier_ref]
    for l in lines:
        parts += [l.description, l.sku, l.supplier, l.supplier_code]
    return " | ".join(customers.fold(p) for p in parts if p)


def _write_order(actor: Staff, request: OrderRequest, *, exchange_credit: int = 0, source_return: Return | None = None) -> SpecialOrder:
    """The order, its lines, deposit and events, inside the caller's transaction."""
    contact_via = (request.contact_via or "").strip().lower()
    if contact_via not in CONTACT_VIA:
        raise InvalidInput("Contact by", f"'{request.contact_via}' is not one of {', '.join(CONTACT_VIA)}")
    desk_code = (request.desk_code or "").strip()
    if not desk_code:
        raise InvalidInput("Desk", "the desk's code is required")
    if request.expected_date is not None and request.expected_date < _today():
        raise InvalidInput("Expected date", f"{day_text(request.expected_date)} is in the past")
    priced = _price(request)
    store = priced.store
    customer, name, phone, email = _customer(actor, request)
    if contact_via == "email" and not email:
        raise InvalidInput("Customer email", "the customer wants an email: give their address")
    if contact_via in ("phone", "sms") and not phone:
        raise InvalidInput("Customer phone", f"the customer wants a {'call' if contact_via == 'phone' else 'text'}: give their number")
    paid = _check_tenders(request.deposit_tenders, "Deposit") + exchange_credit
    required = deposit_for(priced.total)
    if paid < required:
        raise InvalidInput("Deposit", f"the deposit is at least {format_money(required, store.currency, store.locale)} "
                                      f"({settings.get('orders.deposit_percent')}% of "
                                      f"{format_money(priced.total, store.currency, store.locale)}); "
                                      f"the payments add up to {format_money(paid, store.currency, store.locale)}")
    if paid > priced.total and request.deposit_tenders:
        raise InvalidInput("Deposit", f"the deposit cannot be more than the order's total, "
                                      f"{format_money(priced.total, store.currency, store.locale)}")
    supplier = (request.supplier or "").strip()
    line_suppliers = {l.supplier for l in priced.lines if l.supplier}
    if not supplier and len(line_suppliers) == 1:
        supplier = line_suppliers.pop()  # every item from one supplier: the order's supplier
    number = next_number(store.code, desk_code, "O")
    now = clock.utcnow()
    order = SpecialOrder.create(
        number=number, store=store, desk_code=desk_code, clerk=actor.id, customer=customer, customer_name=name,
        customer_phone=phone, customer_email=email, contact_via=contact_via, status="requested", currency=store.currency,
        total=priced.total, deposit_required=required, supplier=supplier[:120],
        expected_date=request.expected_date, source_return=source_return, note=(request.note or "").strip(),
        created_at=now, updated_at=now,
    )
    for l, rate, barcode in zip(priced.lines, priced.taxes, priced.barcodes):
        SpecialOrderLine.create(order=order, line_no=l.line_no, product=l.product_id, sku=l.sku, barcode=barcode,
                                description=l.description, supplier=l.supplier[:120], supplier_code=l.supplier_code[:64],
                                quantity=l.quantity, unit_price=l.unit_price, tax_rate=rate, total=l.total, created_at=now)
    order.search_text = _search_text(order, priced.lines)
    order.save()
    if exchange_credit:
        OrderTender.create(order=order, seq=1, kind="deposit", direction="in", method="exchange",
                           amount=min(exchange_credit, priced.total), reference=source_return.number if source_return else "",
                           staff_code=actor.code, created_at=now)
    _write_tenders(actor, order, "deposit", request.deposit_tenders)
    _event(order, actor, "taken", "requested", f"deposit {format_money(min(paid, priced.total), store.currency, store.locale)}")
    audit.record("order.taken", actor, entity="special_order", entity_uuid=order.uuid, details={
        "number": number, "customer_id": customer.id if customer else None, "total": priced.total, "deposit_required": required,
        "lines": [{"product": l.product_id, "description": l.description, "qty": l.quantity, "price": l.unit_price}
                  for l in priced.lines],
        "deposit": _tender_details(request.deposit_tenders) + ([{"method": "exchange", "amount": min(exchange_credit, priced.total),
                                                                  "return": source_return.number}] if exchange_credit else []),
    })
    return order


def take_order(actor: Staff, request: OrderRequest) -> OrderView:
    """Take a special order and its deposit, in one transaction."""
    require(actor, "orders.take")
    with database.atomic():
        order = _write_order(actor, request)
    return order_view(order.number)


def pay_deposit(actor: Staff, number: str, tenders: list[SettlementTender]) -> OrderView:
    """More deposit on an open order; never more than its total."""
    require(actor, "orders.take")
    paid = _check_tenders(tenders, "Deposit")
    if not paid:
        raise InvalidInput("Deposit", "give at least one payment")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, OPEN_STATUSES, "taking a deposit")
        sums = _sums([order.id]).get(order.id, {})
        left = _balance(order, sums)
        if paid > left:
            raise InvalidInput("Deposit", f"only {_money(left, order)} is left to pay on order {order.number}")
        _write_tenders(actor, order, "deposit", tenders)
        _event(order, actor, "deposit", note=f"deposit {_money(paid, order)}")
        order.updated_at = clock.utcnow()
        order.save()
        audit.record("order.deposit_paid", actor, entity="special_order", entity_uuid=order.uuid,
                     details={"number": order.number, "tenders": _tender_details(tenders)})
    return order_view(order.number)


# ----------------------------------------------------------------------------- with the supplier


def mark_ordered(actor: Staff, number: str, supplier_ref: str, supplier: str = "", expected_date: dt.date | None = None,
                 ordered_on: dt.date | None = None) -> OrderView:
    """The order was placed with the supplier: its reference, and when it is expected."""
    require(actor, "orders.take")
    ref = (supplier_ref or "").strip()
    if not ref:
        raise InvalidInput("Supplier reference", "is required: the supplier's order number or who took it")
    today = _today()
    if ordered_on is not None and ordered_on > today:
        raise InvalidInput("Ordered on", f"{day_text(ordered_on)} is in the future")
    if expected_date is not None and expected_date < (ordered_on or today):
        raise InvalidInput("Expected date", f"{day_text(expected_date)} is before the order was placed")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, ("requested", "ordered"), "marking it ordered")
        now = clock.utcnow()
        order.ordered_at = now if ordered_on in (None, today) else _local_midnight_utc(ordered_on) + dt.timedelta(hours=12)
        order.supplier_ref = ref[:80]
        if (supplier or "").strip():
            order.supplier = supplier.strip()[:120]
        if not order.supplier:
            raise InvalidInput("Supplier", f"order {order.number} has no supplier yet: say who it was ordered from")
        if expected_date is not None:
            order.expected_date = expected_date
        note = f"{order.supplier}, ref. {ref}" + (f", expected {order.expected_date.isoformat()}" if order.expected_date else "")
        if order.status == "ordered":  # a corrected reference
            _event(order, actor, "ordered", note=note)
        else:
            _move(order, actor, "ordered", "ordered", note)
        order.updated_at = now
        order.search_text = _search_text(order, list(order.lines))
        order.save()
        audit.record("order.ordered", actor, entity="special_order", entity_uuid=order.uuid, details={
            "number": order.number, "supplier": order.supplier, "supplier_ref": ref,
            "expected": order.expected_date.isoformat() if order.expected_date else None})
    return order_view(order.number)


def update_expected_date(actor: Staff, number: str, expected_date: dt.date, note: str = "") -> OrderView:
    """The supplier gave a new date (a delay): recorded with why."""
    require(actor, "orders.take")
    if expected_date is None:
        raise InvalidInput("Expected date", "is required")
    if expected_date < _today():
        raise InvalidInput("Expected date", f"{day_text(expected_date)} is in the past")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, ("requested", "ordered"), "changing the expected date")
        old = order.expected_date
        order.expected_date = expected_date
        order.updated_at = clock.utcnow()
        order.save()
        text = f"expected {expected_date.isoformat()}" + (f" (was {old.isoformat()})" if old else "") + (f": {note.strip()}" if (note or "").strip() else "")
        _event(order, actor, "expected_date", note=text)
        audit.record("order.expected_date", actor, entity="special_order", entity_uuid=order.uuid, details={
            "number": order.number, "from": old.isoformat() if old else None, "to": expected_date.isoformat(), "note": (note or "").strip()})
    return order_view(order.number)


# ----------------------------------------------------------------------------- receiving


def waiting_for(code: str) -> list[WaitingLine]:
    """The order lines still waiting for the item ``code`` (barcode, SKU or supplier code), oldest first."""
    value = (code or "").strip()
    if not value:
        raise InvalidInput("Item", "scan the item's barcode or type its SKU")
    product_ids = [p.id for p in Product.select(Product.id).where((Product.barcode == value) | (fn.UPPER(Product.sku) == value.upper()))]
    match = ((SpecialOrderLine.barcode == value) | (fn.UPPER(SpecialOrderLine.sku) == value.upper())
             | (fn.UPPER(SpecialOrderLine.supplier_code) == value.upper()))
    if product_ids:
        match = match | SpecialOrderLine.product.in_(product_ids)
    q = (SpecialOrderLine.select(SpecialOrderLine, SpecialOrder).join(SpecialOrder)
         .where(match & SpecialOrder.status.in_(("requested", "ordered")) & (SpecialOrderLine.received < SpecialOrderLine.quantity))
         .order_by(SpecialOrder.created_at, SpecialOrder.id, SpecialOrderLine.line_no))
    return [WaitingLine(l.order.number, l.line_no, l.order.created_at, l.order.status, l.order.customer_name, l.description,
                        l.sku, l.supplier_code, l.quantity - l.received, l.order.expected_date) for l in q]


def receive(actor: Staff, number: str, line_no: int, quantity: int | None = None, from_stock: bool = False) -> OrderView:
    """Goods for line ``line_no`` arrived and are set aside for this order (see Stock above)."""
    require(actor, "orders.take")
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1):
        raise InvalidInput("Quantity", f"must be a whole number of at least 1, not {quantity!r}")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, ("requested", "ordered"), "receiving goods")
        line = SpecialOrderLine.get_or_none((SpecialOrderLine.order == order) & (SpecialOrderLine.line_no == line_no))
        if line is None:
            raise NotFound(f"Order {order.number} has no line {line_no}.")
        waiting = line.quantity - line.received
        if waiting <= 0:
            raise NotAllowed(f"Line {line_no} of order {order.number} ({line.description}) has already arrived.")
        qty = waiting if quantity is None else quantity
        if qty > waiting:
            raise InvalidInput("Quantity", f"line {line_no} of order {order.number} waits for only {waiting}")
        if from_stock:
            if line.product_id is None:
                raise InvalidInput("From stock", f"{line.description} is not a catalogue product")
            query = Product.select().where(Product.id == line.product_id)
            if is_postgres():
                query = query.for_update()
            product = query.get()
            if product.stock_on_hand < qty:
                raise NotAllowed(f"{product.name} ({product.sku}): only {max(0, product.stock_on_hand)} on the shelf, {qty} wanted.")
            Product.update(stock_on_hand=Product.stock_on_hand - qty).where(Product.id == product.id).execute()
        now = clock.utcnow()
        SpecialOrderLine.update(received=SpecialOrderLine.received + qty, received_at=now).where(SpecialOrderLine.id == line.id).execute()
        _event(order, actor, "received", note=f"{qty} × {line.description}" + (" (from the shelf)" if from_stock else ""))
        left = int(SpecialOrderLine.select(fn.COALESCE(fn.SUM(SpecialOrderLine.quantity - SpecialOrderLine.received), 0))
                   .where(SpecialOrderLine.order == order).scalar() or 0)
        if left == 0:
            order.arrived_at = now
            order.remind_from = _today()  # the first reminder falls due reminder_days after the arrival
            order.collection_deadline = _today() + dt.timedelta(days=settings.get("orders.collection_days"))
            _move(order, actor, "arrived", "arrived", f"collect by {order.collection_deadline.isoformat()}")
        order.updated_at = now
        order.save()
        audit.record("order.received", actor, entity="special_order", entity_uuid=order.uuid, details={
            "number": order.number, "line": line_no, "qty": qty, "from_stock": bool(from_stock), "status": order.status})
    return order_view(order.number)


# ----------------------------------------------------------------------------- contacting the customer


def _log_contact(actor: Staff, order: SpecialOrder, method: str, outcome: str, address: str, note: str, error: str = "") -> ContactAttempt:
    now = clock.utcnow()
    row = ContactAttempt.create(order=order, staff=actor.id or None, staff_code=actor.code, method=method, outcome=outcome,
                                address=(address or "")[:254], note=(note or "").strip(), error=(error or "")[:2000], created_at=now)
    if outcome in TOLD and order.status in ("arrived", "contacted"):
        order.contacted_at = now
        day = clock.to_local(now).date()
        if order.remind_from is None or day >= order.remind_from + dt.timedelta(days=settings.get("orders.reminder_days")):
            order.remind_from = day  # told on or after the reminder fell due: the next one counts from today
        if order.status == "arrived":
            _move(order, actor, "contacted", "contacted", f"{method}: {outcome.replace('_', ' ')}")
    order.updated_at = now
    order.save()
    audit.record("order.contact", actor, entity="special_order", entity_uuid=order.uuid, details={
        "number": order.number, "method": method, "outcome": outcome, "error": error, "status": order.status})
    return row


def log_contact(actor: Staff, number: str, method: str, outcome: str, note: str = "") -> OrderView:
    """One attempt to contact the customer, whatever came of it."""
    require(actor, "orders.take")
    method = (method or "").strip().lower()
    outcome = (outcome or "").strip().lower()
    if method not in CONTACT_METHODS:
        raise InvalidInput("How", f"'{method}' is not one of {', '.join(CONTACT_METHODS)}")
    if outcome not in CONTACT_OUTCOMES:
        raise InvalidInput("Outcome", f"'{outcome}' is not one of {', '.join(CONTACT_OUTCOMES)}")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, OPEN_STATUSES, "contacting the customer")
        address = order.customer_email if method == "email" else ("" if method == "in_person" else order.customer_phone)
        _log_contact(actor, order, method, outcome, address, note)
    return order_view(order.number)


def email_configured() -> bool:
    """Whether the store set up email (an SMTP server and a sender address)."""
    return bool(settings.get("smtp.server").strip() and settings.get("smtp.sender").strip())


class _Blank(dict):
    def __missing__(self, key):  # an unknown placeholder stays as typed
        return "{" + key + "}"


def _fill(template: str, values: dict[str, str]) -> str:
    try:
        return template.format_map(_Blank(values))
    except (ValueError, IndexError, AttributeError):  # a stray brace: send the text as typed
        return template


def email_message(number: str) -> EmailMessageView:
    """The email ``notify_by_email`` would send for order ``number``, from the Settings template."""
    from babel.dates import format_date

    v = order_view(number)
    store = _store()
    values = {
        "customer": v.customer_name,
        "order": v.number,
        "items": "\n".join(f"{l.quantity} × {l.description}" for l in v.lines),
        "store": store.name,
        "store_address": ", ".join(x.strip() for x in store.address.splitlines() if x.strip()),
        "balance": format_money(v.balance, v.currency, store.locale),
        "deadline": format_date(v.collection_deadline, format="long", locale=store.locale) if v.collection_deadline else "soon",
    }
    subject = " ".join(_fill(settings.get("orders.email_subject"), values).split())
    return EmailMessageView(v.customer_email, settings.get("smtp.sender").strip(), subject,
                            _fill(settings.get("orders.email_body"), values))


SMTP_TIMEOUT = 20  # seconds: a server that does not answer is a failed send, not a frozen desk


def _send(message: EmailMessageView) -> None:
    """Send through the Settings' SMTP server; raises OSError or smtplib.SMTPException."""
    import ssl
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    msg = EmailMessage()
    msg["From"] = message.sender
    msg["To"] = message.to
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=message.sender.rpartition("@")[2] or None)
    msg.set_content(message.body)
    host, port, tls = settings.get("smtp.server").strip(), settings.get("smtp.port"), settings.get("smtp.tls")
    user, password = settings.get("smtp.user").strip(), settings.get("smtp.password")
    context = ssl.create_default_context()
    if tls == "ssl":
        server = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
    with server:
        if tls == "starttls":
            server.starttls(context=context)
        if user:
            server.login(user, password)
        server.send_message(msg)


def notify_by_email(actor: Staff, number: str) -> ContactView:
    """Email the customer that the order arrived, and log the attempt: ``sent``, or ``failed``
    with the reason. The message goes out before the attempt is written (no transaction is held
    open while a mail server answers)."""
    require(actor, "orders.take")
    if not email_configured():
        raise NotAllowed("Email is not set up (Settings: SMTP server and sender): phone the customer instead.")
    message = email_message(number)
    order = _get(number)
    _require_status(order, ("arrived", "contacted"), "emailing that it arrived")
    if not message.to:
        raise InvalidInput("Customer email", f"order {order.number} has no email address: phone the customer")
    error = ""
    try:
        _send(message)
    except (OSError, smtplib.SMTPException, ValueError) as exc:  # ValueError: an address or header email refuses
        error = f"{type(exc).__name__}: {exc}".strip()[:2000] or type(exc).__name__
    with database.atomic():
        order = _get(number, lock=True)
        row = _log_contact(actor, order, "email", "failed" if error else "sent", message.to,
                           f"Subject: {message.subject}", error)
    return _contact_view(row, {actor.code: actor.name})


def _last_attempt_text(row: ContactAttempt | None) -> str:
    if row is None:
        return ""
    return f"{row.outcome.replace('_', ' ')}, {clock.to_local(row.created_at).strftime('%d %b %H:%M')}"


def who_to_phone() -> list[PhoneRow]:
    """Customers to call today: orders arrived and not told, due a reminder or past their deadline,
    that email will not reach (email not set up, no address, or they asked for a call or a text)."""
    emailing = email_configured()
    rows = []
    today = _today()
    reminder_days = settings.get("orders.reminder_days")
    orders = list(SpecialOrder.select().where(SpecialOrder.status.in_(("arrived", "contacted")))
                  .order_by(SpecialOrder.arrived_at, SpecialOrder.id))
    lines = _lines_of([o.id for o in orders])
    for o in orders:
        flags = _flags(o, today, reminder_days)
        reason = next((f for f in ("not_contacted", "reminder_due", "past_deadline") if f in flags), None)
        if reason is None:
            continue
        attempts = list(ContactAttempt.select().where(ContactAttempt.order == o).order_by(ContactAttempt.id))
        if emailing and o.contact_via == "email" and o.customer_email and not (attempts and attempts[-1].outcome == "failed"):
            continue  # email will tell them (unless the last email failed: then someone phones)
        rows.append(PhoneRow(o.number, o.customer_name, o.customer_phone, o.contact_via, reason, _items(lines.get(o.id, [])),
                             _last_attempt_text(attempts[-1] if attempts else None), len(attempts)))
    return rows


# ----------------------------------------------------------------------------- collecting


def _sale_tender(t: OrderTender) -> TenderInput:
    if t.method in ("cash", "card", "gift_card"):
        return TenderInput(t.method, t.amount, t.card_brand, t.card_last4, t.reference)
    if t.method == "exchange":
        return TenderInput("other", t.amount, reference=f"exchange {t.reference}"[:80])
    return TenderInput("other", t.amount, reference="store credit")


def collect(actor: Staff, number: str, tenders: list[SettlementTender] | None = None) -> OrderView:
    """The customer takes the goods and pays the balance; the sale goes into the ledger."""
    require(actor, "orders.take")
    tenders = list(tenders or [])
    paid = _check_tenders(tenders, "Payment")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, ("arrived", "contacted"), "collection")
        sums = _sums([order.id]).get(order.id, {})
        balance = _balance(order, sums)
        if paid != balance:
            if balance == 0:
                raise InvalidInput("Payment", f"order {order.number} is paid in full: nothing is left to pay")
            raise InvalidInput("Payment", f"the customer owes {_money(balance, order)} "
                                          f"but the payments add up to {_money(paid, order)}")
        _write_tenders(actor, order, "balance", tenders)
        store = Store.get_by_id(order.store_id)
        now = clock.utcnow()
        lines = list(SpecialOrderLine.select().where(SpecialOrderLine.order == order).order_by(SpecialOrderLine.line_no))
        cats = {p.id: (p.category.name if p.category_id else "") for p in
                Product.select().where(Product.id.in_([l.product_id for l in lines if l.product_id]))}
        sale_in = SaleInput(
            receipt_no=order.number, sold_at=now, cashier=actor.code, customer_id=order.customer_id, source_ref=order.number,
            lines=[LineInput(description=l.description, quantity=l.quantity, unit_price=l.unit_price, tax_rate=l.tax_rate,
                             sku=l.sku, barcode=l.barcode, category=cats.get(l.product_id, ""), product_id=l.product_id)
                   for l in lines],
            tenders=[_sale_tender(t) for t in OrderTender.select().where((OrderTender.order == order) & (OrderTender.direction == "in"))
                     .order_by(OrderTender.seq)],
        )
        record_sales(store, [sale_in], "order")
        sale = Sale.get((Sale.receipt_no == order.number) & (Sale.store == store))
        order.sale = sale
        order.collected_at = now
        order.updated_at = now
        _move(order, actor, "collected", "collected", f"balance {_money(paid, order)}" if paid else "paid in full before")
        order.save()
        audit.record("order.collected", actor, entity="special_order", entity_uuid=order.uuid, details={
            "number": order.number, "balance": paid, "tenders": _tender_details(tenders), "sale": sale.receipt_no})
    return order_view(order.number)


# ----------------------------------------------------------------------------- cancelling, deadlines


def _keep_allowed(order: SpecialOrder) -> None:
    rule = settings.get("orders.keep_deposit")
    if rule == "never":
        raise NotAllowed("This store's policy never keeps a deposit (Settings): refund it or give store credit.")
    if rule == "after_deadline":
        today = _today()
        if order.collection_deadline is None or today <= order.collection_deadline:
            when = f"after {day_text(order.collection_deadline)}" if order.collection_deadline else "once the order has arrived and its collection deadline has passed"
            raise NotAllowed(f"The deposit of order {order.number} can be kept only {when} (Settings); refund it or give store credit.")


def cancel(actor: Staff, number: str, reason: str, deposit: str = "refund", card_reference: str = "",
           approver: DeskApproval | None = None) -> OrderView:
    """Cancel an open order: the deposit refunded, given as store credit, or kept (policy + manager)."""
    require(actor, "orders.cancel")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Reason", "say why the order is cancelled")
    deposit = (deposit or "").strip().lower()
    if deposit not in DEPOSIT_CHOICES:
        raise InvalidInput("Deposit", f"'{deposit}' is not one of {', '.join(DEPOSIT_CHOICES)}")
    approving: Staff | None = None
    note = ""
    if deposit == "keep":
        peek = _get(number)
        _require_status(peek, OPEN_STATUSES, "cancelling")
        _keep_allowed(peek)
        if can(actor, "orders.keep_deposit"):
            approving = actor
        elif approver is not None:
            note = (approver.note or "").strip()
            if not note:
                raise InvalidInput("Approval note", "say why the deposit is kept")
            approving = verify_approver(approver.code, approver.pin, "orders.keep_deposit", during="keeping a special order's deposit")
            if approving.id == actor.id:
                raise NotAllowed(f"{actor.name} cannot approve their own request: a manager must.")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, OPEN_STATUSES, "cancelling")
        deposits = list(OrderTender.select().where((OrderTender.order == order) & (OrderTender.kind == "deposit"))
                        .order_by(OrderTender.seq))
        held = sum(t.amount for t in deposits)
        outcome = ""
        if held and deposit == "keep":
            _keep_allowed(order)
            if approving is None:
                raise NeedsApproval([f"Keeping the deposit of {_money(held, order)} needs a manager's approval"])
            order.approved_by = approving.id
            outcome = "kept"
        elif held:
            outcome = _give_back(actor, order, deposits, deposit, card_reference)
        now = clock.utcnow()
        restocked = []
        for line in SpecialOrderLine.select().where((SpecialOrderLine.order == order) & (SpecialOrderLine.received > 0)):
            if line.product_id:
                Product.update(stock_on_hand=Product.stock_on_hand + line.received).where(Product.id == line.product_id).execute()
                restocked.append({"product": line.product_id, "qty": line.received})
        order.cancelled_at = now
        order.cancel_reason = reason
        order.deposit_outcome = outcome
        order.updated_at = now
        text = reason + {"kept": f"; deposit {_money(held, order)} kept", "refunded": f"; deposit {_money(held, order)} refunded",
                         "store_credit": f"; deposit {_money(held, order)} as store credit", "": ""}[outcome]
        _move(order, actor, "cancelled", "cancelled", text)
        order.save()
        audit.record("order.cancelled", actor, entity="special_order", entity_uuid=order.uuid, details={
            "number": order.number, "reason": reason, "deposit": held, "outcome": outcome,
            "approved_by": approving.code if approving is not None and outcome == "kept" else "",
            "approval_note": note, "restocked": restocked})
    return order_view(order.number)


def _give_back(actor: Staff, order: SpecialOrder, deposits: list[OrderTender], how: str, card_reference: str) -> str:
    """The deposit back to the customer, inside cancel's transaction. The outcome's name."""
    store = Store.get_by_id(order.store_id)
    customer = Customer.get_or_none(Customer.id == order.customer_id) if order.customer_id else None
    seq = _next_seq(order)
    now = clock.utcnow()

    def out(method, amount, brand="", last4="", reference="", voucher=None):
        nonlocal seq
        OrderTender.create(order=order, seq=seq, kind="refund", direction="out", method=method, amount=amount,
                           card_brand=brand, card_last4=last4, reference=(reference or "")[:80], voucher=voucher,
                           staff_code=actor.code, created_at=now)
        seq += 1

    def voucher_for(amount):
        return credit.issue_voucher(store, amount, actor, customer=customer, customer_name=order.customer_name,
                                    reference=order.number)

    if how == "store_credit":
        out("store_credit", sum(t.amount for t in deposits), voucher=voucher_for(sum(t.amount for t in deposits)))
        return "store_credit"
    for t in deposits:
        if t.method == "store_credit":
            voucher = Voucher.get_by_id(t.voucher_id)
            credit.reverse_redemption(actor, voucher, t.amount, f"cancelled {order.number}")
            out("store_credit", t.amount, voucher=voucher)
        elif t.method == "exchange":  # goods returned for this order: their value comes back as store credit
            out("store_credit", t.amount, reference=t.reference, voucher=voucher_for(t.amount))
        elif t.method == "card":
            out("card", t.amount, t.card_brand, t.card_last4, (card_reference or "").strip() or t.reference)
        else:
            out(t.method, t.amount, reference=t.reference)
    return "refunded"


def extend_deadline(actor: Staff, number: str, new_date: dt.date, note: str) -> OrderView:
    """A manager gives the customer until ``new_date`` to collect."""
    require(actor, "orders.extend")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Note", "say why the deadline is extended")
    if new_date is None or new_date <= _today():
        raise InvalidInput("New deadline", "must be after today")
    with database.atomic():
        order = _get(number, lock=True)
        _require_status(order, ("arrived", "contacted"), "extending the collection deadline")
        old = order.collection_deadline
        order.collection_deadline = new_date
        order.updated_at = clock.utcnow()
        order.save()
        _event(order, actor, "deadline_extended", note=f"collect by {new_date.isoformat()}"
               + (f" (was {old.isoformat()})" if old else "") + f": {note}")
        audit.record("order.deadline_extended", actor, entity="special_order", entity_uuid=order.uuid, details={
            "number": order.number, "from": old.isoformat() if old else None, "to": new_date.isoformat(), "note": note})
    return order_view(order.number)


# ----------------------------------------------------------------------------- reading


def _flags(order: SpecialOrder, today: dt.date, reminder_days: int) -> tuple[str, ...]:
    """What needs doing today (FLAGS keys). ``_flag_conditions`` says the same in SQL."""
    out = []
    s = order.status
    if s in ("requested", "ordered") and order.expected_date is not None and order.expected_date < today:
        out.append("overdue_at_supplier")
    if s == "arrived":
        out.append("not_contacted")
    if s == "contacted" and order.remind_from is not None and order.remind_from + dt.timedelta(days=reminder_days) <= today:
        out.append("reminder_due")
    if s in ("arrived", "contacted") and order.collection_deadline is not None and order.collection_deadline < today:
        out.append("past_deadline")
    return tuple(out)


def _flag_conditions(today: dt.date, reminder_days: int) -> dict:
    so = SpecialOrder
    return {
        "overdue_at_supplier": so.status.in_(("requested", "ordered")) & so.expected_date.is_null(False) & (so.expected_date < today),
        "not_contacted": so.status == "arrived",
        "reminder_due": (so.status == "contacted") & so.remind_from.is_null(False)
        & (so.remind_from <= today - dt.timedelta(days=reminder_days)),
        "past_deadline": so.status.in_(("arrived", "contacted")) & so.collection_deadline.is_null(False)
        & (so.collection_deadline < today),
    }


def _lines_of(order_ids: list[int]) -> dict[int, list[SpecialOrderLine]]:
    out: dict[int, list[SpecialOrderLine]] = {}
    if not order_ids:
        return out
    for l in SpecialOrderLine.select().where(SpecialOrderLine.order.in_(order_ids)).order_by(SpecialOrderLine.order, SpecialOrderLine.line_no):
        out.setdefault(l.order_id, []).append(l)
    return out


def _items(lines: list[SpecialOrderLine]) -> str:
    return "; ".join(f"{l.quantity} × {l.description}" for l in lines)


def board() -> Board:
    """The orders board: counts per status, open orders by status with what needs doing today."""
    counts = {s: 0 for s in STATUSES}
    for status, n in SpecialOrder.select(SpecialOrder.status, fn.COUNT(SpecialOrder.id)).group_by(SpecialOrder.status).tuples():
        counts[status] = int(n)
    today = _today()
    reminder_days = settings.get("orders.reminder_days")
    orders = list(SpecialOrder.select().where(SpecialOrder.status.in_(OPEN_STATUSES)).order_by(SpecialOrder.created_at, SpecialOrder.id))
    ids = [o.id for o in orders]
    lines, sums = _lines_of(ids), _sums(ids)
    rows: dict[str, list[BoardRow]] = {s: [] for s in OPEN_STATUSES}
    flag_counts = {f: 0 for f in FLAGS}
    needs = 0
    for o in orders:
        flags = _flags(o, today, reminder_days)
        for f in flags:
            flag_counts[f] += 1
        needs += bool(flags)
        rows[o.status].append(BoardRow(o.number, o.status, o.created_at, o.customer_name, o.customer_phone, o.contact_via,
                                       _items(lines.get(o.id, [])), o.supplier, o.expected_date, o.arrived_at, o.contacted_at,
                                       o.collection_deadline, o.total, _balance(o, sums.get(o.id, {})), o.currency, flags))
    return Board(counts, rows, flag_counts, needs)


def _any_flag():
    conditions = list(_flag_conditions(_today(), settings.get("orders.reminder_days")).values())
    out = conditions[0]
    for c in conditions[1:]:
        out = out | c
    return out


def needs_doing_count() -> int:
    """Open orders with something to do today (the navigation's badge): one COUNT query."""
    return SpecialOrder.select().where(_any_flag()).count()


def _where(query: OrderQuery):
    cond = SpecialOrder.id > 0
    text = customers.fold(query.text or "")
    if text:
        cond &= SpecialOrder.search_text.contains(text)
    status = (query.status or "").strip().lower()
    if status == "open":
        cond &= SpecialOrder.status.in_(OPEN_STATUSES)
    elif status:
        if status not in STATUSES:
            raise InvalidInput("Status", f"'{status}' is not one of open, {', '.join(STATUSES)}")
        cond &= SpecialOrder.status == status
    if query.flagged_only:
        cond &= _any_flag()
    return cond


def count_orders(query: OrderQuery) -> int:
    return SpecialOrder.select().where(_where(query)).count()


def search_orders(query: OrderQuery, offset: int = 0, limit: int = 200) -> list[OrderRow]:
    """Orders matching ``query``, newest first, ``limit`` from ``offset`` (a paged list)."""
    orders = list(SpecialOrder.select().where(_where(query)).order_by(SpecialOrder.created_at.desc(), SpecialOrder.id.desc())
                  .offset(max(0, int(offset))).limit(max(0, int(limit))))
    ids = [o.id for o in orders]
    lines, sums = _lines_of(ids), _sums(ids)
    today, reminder_days = _today(), settings.get("orders.reminder_days")
    return [OrderRow(o.number, o.created_at, o.status, o.customer_name, o.customer_phone, _items(lines.get(o.id, [])),
                     o.supplier, o.supplier_ref, o.expected_date, o.collection_deadline, o.total,
                     _balance(o, sums.get(o.id, {})), o.currency, _flags(o, today, reminder_days)) for o in orders]


def _contact_view(c: ContactAttempt, names: dict[str, str]) -> ContactView:
    return ContactView(c.created_at, c.staff_code, names.get(c.staff_code, ""), c.method, c.outcome, c.address, c.note, c.error)


def order_view(number: str) -> OrderView:
    """Everything about one order: lines, money, history, contacts, tenders, today's flags."""
    o = _get(number)
    staff = {s.id: s for s in Staff.select(Staff.id, Staff.code, Staff.name)}
    staff_names = {s.code: s.name for s in staff.values()}
    staff_names.setdefault("cli", "Command line")
    clerk = staff[o.clerk_id]
    lines = [OrderLineView(l.line_no, l.product_id, l.sku, l.barcode, l.description, l.supplier, l.supplier_code, l.quantity,
                           l.unit_price, l.total, l.received, l.received_at)
             for l in SpecialOrderLine.select().where(SpecialOrderLine.order == o).order_by(SpecialOrderLine.line_no)]
    locale = Store.get_by_id(o.store_id).locale
    events = [OrderEventView(e.created_at, e.staff_code, staff_names.get(e.staff_code, ""), e.action, e.from_status, e.to_status,
                             e.note, event_note_text(e.action, e.note, locale))
              for e in OrderEvent.select().where(OrderEvent.order == o).order_by(OrderEvent.id)]
    contacts = [_contact_view(c, staff_names) for c in ContactAttempt.select().where(ContactAttempt.order == o).order_by(ContactAttempt.id)]
    codes = {v.id: v.code for v in Voucher.select(Voucher.id, Voucher.code).where(
        Voucher.id.in_(OrderTender.select(OrderTender.voucher).where(OrderTender.order == o)))}
    tenders = [OrderTenderView(t.kind, t.direction, t.method, t.amount, t.card_brand, t.card_last4, t.reference,
                               codes.get(t.voucher_id, ""), t.created_at)
               for t in OrderTender.select().where(OrderTender.order == o).order_by(OrderTender.seq)]
    sums = {k: sum(t.amount for t in tenders if t.kind == k) for k in ("deposit", "balance", "refund")}
    deposit_paid = sums["deposit"]
    approver = staff.get(o.approved_by_id) if o.approved_by_id else None
    sale_no = Sale.get_by_id(o.sale_id).receipt_no if o.sale_id else ""
    ret_no = Return.get_by_id(o.source_return_id).number if o.source_return_id else ""
    store = Store.get_by_id(o.store_id)
    return OrderView(
        id=o.id, uuid=str(o.uuid), number=o.number, status=o.status, status_label=STATUS_LABELS[o.status],
        created_at=o.created_at, store_code=store.code, desk_code=o.desk_code, clerk_code=clerk.code, clerk_name=clerk.name,
        customer_id=o.customer_id, customer_name=o.customer_name, customer_phone=o.customer_phone,
        customer_email=o.customer_email, contact_via=o.contact_via, currency=o.currency, total=o.total,
        deposit_required=o.deposit_required, deposit_paid=deposit_paid, balance_paid=sums["balance"],
        balance=_balance(o, sums), refunded=sums["refund"], kept=deposit_paid if o.deposit_outcome == "kept" else 0,
        supplier=o.supplier, supplier_ref=o.supplier_ref, ordered_at=o.ordered_at, expected_date=o.expected_date,
        arrived_at=o.arrived_at, contacted_at=o.contacted_at, collection_deadline=o.collection_deadline,
        collected_at=o.collected_at, cancelled_at=o.cancelled_at, cancel_reason=o.cancel_reason,
        deposit_outcome=o.deposit_outcome, approved_by_name=approver.name if approver else "", sale_receipt_no=sale_no,
        source_return_number=ret_no, note=o.note, lines=lines, events=events, contacts=contacts, tenders=tenders,
        flags=_flags(o, _today(), settings.get("orders.reminder_days")),
    )


_NUMBER_RE = re.compile(r"^O-[A-Z0-9]{2,8}-[A-Z0-9]{1,16}-\d{6,}$")


def is_order_number(text: str) -> bool:
    """Whether ``text`` looks like a special order's number (what the scan field checks)."""
    return bool(_NUMBER_RE.match(_normal(text)))


# ----------------------------------------------------------------------------- exchanges


def split_for_order(exchange: ExchangeRequest, ordered: Sequence[bool] | None = None
                    ) -> tuple[list[ReplacementLine], list[ReplacementLine]]:
    """What of ``exchange.replacements`` can go out now (the stock on hand, counted across lines of
    the same product) and what has to be ordered: 3 wanted with 1 on the shelf gives 1 now and
    orders 2. ``ordered``: the clerk's choice instead, one flag per line (True = order all of it,
    e.g. the customer wants the set ordered together or the shelf item is damaged; False = it goes
    out now, refused naming the item when the shelf does not have it). Reads only."""
    ids = {r.product_id for r in exchange.replacements}
    if ordered is not None:
        return _split_as_chosen(exchange, list(ordered), ids)
    left = dict(Product.select(Product.id, Product.stock_on_hand).where(Product.id.in_(list(ids))).tuples()) if ids else {}
    now, later = [], []
    for r in exchange.replacements:
        have = max(0, int(left.get(r.product_id, 0)))
        give = min(have, r.quantity)
        left[r.product_id] = have - give
        if give:
            now.append(ReplacementLine(r.product_id, give))
        if r.quantity - give:
            later.append(ReplacementLine(r.product_id, r.quantity - give))
    return now, later


def _split_as_chosen(exchange: ExchangeRequest, ordered: list[bool], ids: set[int]
                     ) -> tuple[list[ReplacementLine], list[ReplacementLine]]:
    if len(ordered) != len(exchange.replacements):
        raise InvalidInput("Order instead", "one choice per item going out is needed")
    products = {p.id: p for p in Product.select().where(Product.id.in_(list(ids)))} if ids else {}
    now = [r for r, o in zip(exchange.replacements, ordered) if not o]
    later = [r for r, o in zip(exchange.replacements, ordered) if o]
    wanted: dict[int, int] = {}
    for r in now:
        wanted[r.product_id] = wanted.get(r.product_id, 0) + r.quantity
    for pid, qty in wanted.items():
        p = products.get(pid)
        if p is None:
            raise NotFound(f"There is no product with id {pid}.")
        if p.stock_on_hand < qty:
            raise NotAllowed(f"{p.name} ({p.sku}) can't go out now: only {max(0, p.stock_on_hand)} in stock, "
                             f"{qty} wanted. Order it.")
    return [ReplacementLine(r.product_id, r.quantity) for r in now], [ReplacementLine(r.product_id, r.quantity) for r in later]


def split_payments(tenders: list[SettlementTender], first: int) -> tuple[list[SettlementTender], list[SettlementTender]]:
    """Payments taken in one go, split in their order: the first ``first`` (what the exchange of the
    in-stock items costs above what came back) and the rest (the order's deposit). A tender that
    straddles the two is cut in two with the same details."""
    head, tail = [], []
    need = max(0, int(first))
    for t in tenders or []:
        part = min(need, t.amount)
        if part:
            head.append(SettlementTender(t.method, part, t.card_brand, t.card_last4, t.reference, t.voucher_code))
            need -= part
        if t.amount - part:
            tail.append(SettlementTender(t.method, t.amount - part, t.card_brand, t.card_last4, t.reference, t.voucher_code))
    return head, tail


def order_from_exchange(actor: Staff, exchange: ExchangeRequest, order: OrderRequest, approver: DeskApproval | None = None,
                        approval_id: int | None = None) -> OrderFromExchange:
    """An exchange part of whose replacements is out of stock, as one step (one transaction): the
    goods come back (a return through ``returns.create_return``, same policy and approvals); what
    is in stock (``exchange.replacements``, see ``split_for_order``; may be empty) goes out as an
    exchange (``exchanges.write_exchange``, paid by ``exchange.tenders`` when it costs more than
    what came back); what is missing (``order.lines``) is ordered, with the value left over as its
    deposit (tender method ``exchange``); value above the order's total too is given as store
    credit; ``OrderRequest.deposit_tenders`` top up."""
    require(actor, "exchanges.create")
    require(actor, "orders.take")
    voucher_code = exchange_number = ""
    desk_code = (exchange.desk_code or "").strip()
    if not desk_code:
        raise InvalidInput("Desk", "the desk's code is required")
    store = _store()
    with database.atomic():
        going_out = bool(exchange.replacements)
        out_total = 0
        if going_out:
            exchange_number = next_number(store.code, desk_code, "X")
            products, sale_in, priced_out = exchanges.price_replacements(store, exchange, exchange_number, lock=True)
            problems = exchanges.stock_problems(exchange, products)
            if problems:
                raise NotAllowed("Not enough stock to give now: " + "; ".join(problems) + ". Order it too.")
            out_total = priced_out.total
        rv = returns.create_return(actor, exchange.return_request(), approver, approval_id, exchange_credit=True)
        ret = Return.get(Return.number == rv.number)
        if rv.total <= 0:
            raise InvalidInput("Returned goods", "they are worth nothing: take the order with a deposit instead")
        if order.customer_id is None and not (order.customer_name or "").strip() and ret.customer_id:
            order.customer_id = ret.customer_id
        left = rv.total - out_total  # what the goods are still worth once the in-stock items went out
        row = _write_order(actor, order, exchange_credit=max(0, left), source_return=ret)
        if going_out:
            exchanges.write_exchange(actor, store, exchange, exchange_number, sale_in, priced_out, rv,
                                     forward_to=row.number if left > 0 else "")
        extra = left - row.total
        if extra > 0:
            customer = Customer.get_or_none(Customer.id == row.customer_id) if row.customer_id else None
            voucher = credit.issue_voucher(store, extra, actor, customer=customer, customer_name=row.customer_name,
                                           ret=ret, reference=row.number)
            OrderTender.create(order=row, seq=_next_seq(row), kind="refund", direction="out", method="store_credit",
                               amount=extra, reference=rv.number, voucher=voucher, staff_code=actor.code,
                               created_at=clock.utcnow())
            voucher_code = voucher.code
        note = f"goods returned on {rv.number}: {format_money(rv.total, row.currency)}"
        if going_out:
            note += f"; {format_money(out_total, row.currency)} of it went out in stock on exchange {exchange_number}"
        _event(row, actor, "from_exchange", note=note)
        audit.record("order.from_exchange", actor, entity="special_order", entity_uuid=row.uuid, details={
            "number": row.number, "return": rv.number, "value": rv.total, "exchange": exchange_number,
            "went_out": out_total, "store_credit": max(0, extra), "voucher": voucher_code})
    return OrderFromExchange(order_view(row.number), rv.number, voucher_code, exchange_number)


@dataclass(frozen=True)
class KnownCustomer:
    id: int
    name: str
    phone: str
    email: str


def exchange_customer(exchange: ExchangeRequest) -> KnownCustomer | None:
    """Who an order from ``exchange`` is for without asking: the customer the desk chose, else the
    sale's customer (not on a gift receipt: the buyer is not who brings it back); None = ask."""
    cid = exchange.customer_id
    if cid is None and exchange.sale_id is not None and exchange.kind != "gift":
        sale = Sale.get_or_none(Sale.id == exchange.sale_id)
        cid = sale.customer_id if sale is not None else None
    c = Customer.get_or_none(Customer.id == cid) if cid else None
    if c is None or c.erased_at is not None:
        return None
    return KnownCustomer(c.id, c.name, c.phone or "", c.email or "")


# ----------------------------------------------------------------------------- printing


def slip_data(number: str):
    """The order's printable data (``desk.printing.order_slip.OrderSlipData``), for both slips."""
    from desk.printing.order_slip import OrderSlipData, OrderSlipLine, OrderSlipTender
    from desk.services.documents import store_header

    v = order_view(number)
    store = Store.get(Store.code == v.store_code)
    contact = {"phone": f"Phone {v.customer_phone}", "sms": f"Text message {v.customer_phone}",
               "email": f"Email {v.customer_email}"}[v.contact_via]
    collected_by = next((f"{e.staff_name or e.staff_code} ({e.staff_code})" for e in v.events if e.action == "collected"), "")
    detail = ""
    if v.status == "cancelled":
        outcome = {"kept": f"deposit kept (approved by {v.approved_by_name})", "refunded": "deposit refunded",
                   "store_credit": "deposit given as store credit", "": ""}[v.deposit_outcome]
        detail = "; ".join(x for x in (v.cancel_reason, outcome) if x)

    def note(l):
        if l.sku:
            return l.sku
        return " · ".join(x for x in (l.supplier, l.supplier_code) if x)

    return OrderSlipData(
        store=store_header(store), locale=store.locale, currency=v.currency, number=v.number, created_at=v.created_at,
        clerk=f"{v.clerk_name} ({v.clerk_code})", customer=v.customer_name, contact=contact, status_label=v.status_label,
        lines=tuple(OrderSlipLine(l.description, l.quantity, l.unit_price, l.total, note(l)) for l in v.lines),
        total=v.total, deposit_paid=v.deposit_paid, balance_paid=v.balance_paid, balance=v.balance,
        tenders=tuple(OrderSlipTender(t.label, t.amount, t.kind, t.reference if t.method != "exchange" else "", t.voucher_code)
                      for t in v.tenders),
        supplier=v.supplier, expected_date=v.expected_date, collection_deadline=v.collection_deadline,
        collected_at=v.collected_at, collected_by=collected_by, cancelled=v.status == "cancelled", cancel_detail=detail,
        refunded=v.refunded, kept=v.kept,
        return_number=v.source_return_number, returns_policy=settings.get("returns_policy_text"),
    )


def render_order(number: str, actor: Staff, paper: str = "roll"):
    """The order slip as a ``RenderedDocument`` (``documents.render("order", ...)``)."""
    from desk.printing.order_slip import build_order_slip
    from desk.services.documents import RenderedDocument

    require(actor, "orders.view")
    data = slip_data(number)
    return RenderedDocument("order", data.number, paper, build_order_slip(data, paper), f"Special order {data.number}")


def render_collection(number: str, actor: Staff, paper: str = "roll"):
    """The collection slip as a ``RenderedDocument`` (``documents.render("collection", ...)``)."""
    from desk.printing.order_slip import build_collection_slip
    from desk.services.documents import RenderedDocument

    require(actor, "orders.view")
    data = slip_data(number)
    if data.collected_at is None:
        raise NotAllowed(f"Order {data.number} has not been collected: print its order slip instead.")
    return RenderedDocument("collection", data.number, paper, build_collection_slip(data, paper), f"Collection {data.number}")


# ----------------------------------------------------------------------------- customers


def erase_customer_data(customer_id: int) -> dict[str, int]:
    """A customer erased on request: the name, phone and email copied onto their orders (and the
    search text made of them) and the addresses their contact attempts used are removed. Call
    inside the erasure's transaction; the orders, their money and their history stay."""
    if not database.obj.in_transaction():
        raise RuntimeError("erase_customer_data must run inside the erasure's transaction")
    ids = [o.id for o in SpecialOrder.select(SpecialOrder.id).where(SpecialOrder.customer == customer_id)]
    if not ids:
        return {}
    cleared = {"special_order.customer_name/phone/email": SpecialOrder.update(
        customer_name="", customer_phone="", customer_email="", updated_at=clock.utcnow()).where(SpecialOrder.id.in_(ids)).execute()}
    for o in SpecialOrder.select().where(SpecialOrder.id.in_(ids)):
        SpecialOrder.update(search_text=_search_text(o, list(SpecialOrderLine.select().where(SpecialOrderLine.order == o)))
                            ).where(SpecialOrder.id == o.id).execute()
    cleared["contact_attempt.address/note"] = ContactAttempt.update(address="", note="").where(ContactAttempt.order.in_(ids)).execute()
    return cleared


def _timeline(customer_id: int, limit: int) -> list:
    from desk.services.customers import TimelineEntry

    q = SpecialOrder.select().where(SpecialOrder.customer == customer_id).order_by(SpecialOrder.created_at.desc()).limit(limit)
    lines = _lines_of([o.id for o in q])
    return [TimelineEntry(o.created_at, "order", o.number, "Special order", _items(lines.get(o.id, [])), o.total, o.currency,
                          o.status, "order", o.number) for o in q]


try:  # the customers' timeline and erasure, where this build has them
    from desk.services.customers import register_erase_hook, register_timeline_source
except ImportError:  # pragma: no cover - a build without customer timelines
    pass
else:
    register_timeline_source("order", _timeline)
    register_erase_hook(erase_customer_data)
