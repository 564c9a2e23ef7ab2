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
  reminder) who cannot be emailed (email not configured, no address, or they asked for a call/SMS).

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
  passed), ``not_contacted`` (arrived, customer not told yet), ``reminder_due`` (told
  ``orders.reminder_days`` days ago or more, not collected), ``past_deadline`` (collection
  deadline passed); ``Board.needs_doing`` counts orders with any flag (the navigation's badge).
- ``search_orders(OrderQuery, offset, limit) -> list[OrderRow]`` and ``count_orders(OrderQuery)``
  (number, customer name/phone/email, product, SKU, supplier, supplier reference; status) for a
  ``PagedTableModel``; ``order_view(number) -> OrderView``; ``is_order_number(text)``.

Exchanges
- ``order_from_exchange(actor, ExchangeRequest, OrderRequest, approver=None, approval_id=None)
  -> OrderFromExchange``: the goods come back through ``returns.create_return`` (same policy and
  approvals) and their value becomes the new order's deposit (tender method ``exchange``); value
  above the order's total is given as store credit; ``OrderRequest.deposit_tenders`` top up.

Statuses and transitions (``TRANSITIONS``)::

    requested -> ordered -> arrived -> contacted -> collected
        |            |         |  \\________________/^
        +------------+---------+-----------+--> cancelled

``receive`` also fills lines of a ``requested`` order (the goods came before the reference was
written down); ``collect`` takes an ``arrived`` order whose customer walked in before being told.
Contact attempts are logged in any open status; ``reached``, ``voicemail`` and ``sent`` count as
telling the customer (``arrived`` -> ``contacted``, and the reminder clock restarts).

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
from dataclasses import dataclass, field
from decimal import Decimal

from desk.services.exchanges import ExchangeRequest, SettlementTender
from desk.services.returns import DeskApproval

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
TENDER_METHODS = ("cash", "card", "gift_card", "store_credit")
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
    note: str


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
    kind: str  # deposit | balance | refund | kept
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


# ----------------------------------------------------------------------------- functions


def deposit_for(total: int) -> int:
    raise NotImplementedError


def preview_order(actor, request: OrderRequest) -> OrderPreview:
    raise NotImplementedError


def take_order(actor, request: OrderRequest) -> OrderView:
    raise NotImplementedError


def pay_deposit(actor, number: str, tenders: list[SettlementTender]) -> OrderView:
    raise NotImplementedError


def mark_ordered(actor, number: str, supplier_ref: str, supplier: str = "", expected_date: dt.date | None = None,
                 ordered_on: dt.date | None = None) -> OrderView:
    raise NotImplementedError


def update_expected_date(actor, number: str, expected_date: dt.date, note: str = "") -> OrderView:
    raise NotImplementedError


def waiting_for(code: str) -> list[WaitingLine]:
    raise NotImplementedError


def receive(actor, number: str, line_no: int, quantity: int | None = None, from_stock: bool = False) -> OrderView:
    raise NotImplementedError


def log_contact(actor, number: str, method: str, outcome: str, note: str = "") -> OrderView:
    raise NotImplementedError


def email_configured() -> bool:
    raise NotImplementedError


def email_message(number: str) -> EmailMessageView:
    raise NotImplementedError


def notify_by_email(actor, number: str) -> ContactView:
    raise NotImplementedError


def who_to_phone() -> list[PhoneRow]:
    raise NotImplementedError


def collect(actor, number: str, tenders: list[SettlementTender] | None = None) -> OrderView:
    raise NotImplementedError


def cancel(actor, number: str, reason: str, deposit: str = "refund", card_reference: str = "",
           approver: DeskApproval | None = None) -> OrderView:
    raise NotImplementedError


def extend_deadline(actor, number: str, new_date: dt.date, note: str) -> OrderView:
    raise NotImplementedError


def board() -> Board:
    raise NotImplementedError


def search_orders(query: OrderQuery, offset: int = 0, limit: int = 200) -> list[OrderRow]:
    raise NotImplementedError


def count_orders(query: OrderQuery) -> int:
    raise NotImplementedError


def order_view(number: str) -> OrderView:
    raise NotImplementedError


def is_order_number(text: str) -> bool:
    raise NotImplementedError


def order_from_exchange(actor, exchange: ExchangeRequest, order: OrderRequest, approver: DeskApproval | None = None,
                        approval_id: int | None = None) -> OrderFromExchange:
    raise NotImplementedError


def render_order(number: str, actor, paper: str = "roll"):
    """The order slip as a ``RenderedDocument`` (``documents.render("order", ...)``)."""
    raise NotImplementedError


def render_collection(number: str, actor, paper: str = "roll"):
    """The collection slip as a ``RenderedDocument`` (``documents.render("collection", ...)``)."""
    raise NotImplementedError
