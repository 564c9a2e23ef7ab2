"""Service cases: complaints, enquiries, feedback and compliments tied to their sale, with
deadlines that are kept and follow-ups that are never missed.

The screens and the command line call these (dataclasses in, dataclasses out; refusals are
DeskErrors naming what is wrong):

Categories (the list a manager keeps; permission ``cases.categories`` to change it)
- ``list_categories(include_inactive=False) -> list[CategoryRow]``
- ``add_category(actor, name) -> CategoryRow``; ``rename_category(actor, category_id, name)``;
  ``set_category_active(actor, category_id, active)``

A case's life (permission ``cases.work`` unless said otherwise)
- ``open_case(actor, CaseInput) -> CaseView``: number ``C-<store>-<desk>-<seq>``, status ``open``,
  deadlines worked out from Settings (``deadlines(opened_at, priority)``).
- ``update_case(actor, number, CaseChanges) -> CaseView``: type, channel, category, priority
  (the resolution deadline moves with it), summary, customer's words, links.
- ``assign(actor, number, owner_id | None) -> CaseView``: owner (None: unassigned).
- ``add_note(actor, number, kind, text, to_customer=False) -> CaseView``: ``NOTE_KINDS``; an
  apology or explanation (or a note marked ``to_customer``) is the first response if none yet.
- ``set_status(actor, number, status, note="") -> CaseView``: between ``open``,
  ``waiting_customer`` and ``waiting_supplier``. While ``waiting_customer`` the clock is paused
  (a ``CasePause`` interval is stored; the deadlines move on by its length when it ends).
  Asking the customer something counts as the first response.
- ``link_case(actor, number, document_number) -> CaseView``: a refund (``R-...``) or exchange
  (``X-...``) started from the case, or a special order (``link_order(actor, number, order_id,
  order_number)``), stored as links on the case.
- ``resolve(actor, number, kind, text) -> CaseView``: ``RESOLUTION_KINDS`` (refund and exchange
  need the linked document); schedules the follow-up (Settings ``cases.follow_up_days``).
- ``give_goodwill(actor, number, amount, text, approver=None) -> GoodwillResult``: resolves the
  case with goodwill store credit (``credit.issue_voucher``, voucher source ``goodwill``). Above
  Settings ``cases.goodwill_limit`` (minor units) a manager approves (``approver`` a
  ``returns.DeskApproval``, checked with ``auth.verify_approver`` and ``cases.goodwill_approve``);
  without one it raises ``NeedsApproval``. A manager's own goodwill needs no second person.
- ``record_follow_up(actor, number, reached, outcome="", satisfaction=None) -> CaseView``: reached:
  outcome + satisfaction 1-5 recorded and the case closes; not reached: an attempt is counted
  and the next one is due the next day, and after Settings ``cases.follow_up_attempts`` failed
  attempts the case closes as unreachable.
- ``close_case(actor, number, note) -> CaseView`` (``cases.close``: supervisors): close without
  a follow-up; ``reopen(actor, number, reason) -> CaseView``: a resolved or closed case is open
  again, its follow-up cancelled, a new resolution deadline from now.

Reading
- ``get_case(number) -> CaseView`` (NotFound names the number); ``is_case_number(text)``.
- ``search_cases(query, offset, limit) -> list[CaseRow]`` and ``count_cases(query)`` for the
  paged list; ``CaseQuery.view`` is one of ``VIEWS`` ("mine", "unassigned", "overdue",
  "due_today", "open", "all") and needs ``CaseQuery.actor_id`` for "mine".
- ``board(actor) -> Board``: the counts of each view (the navigation shows ``Board.badge``).
- ``customer_cases(customer_id) -> list[CaseRow]``.
- ``case_figures(date_from, date_to) -> CaseFigures`` (``cases.figures``: managers, head office):
  first-response and resolution times (median, p90, hours), overdue count, satisfaction average,
  by category and by linked product.
- ``case_data(number, letter=False)`` and ``render_case(number, actor, paper, letter=False)``: the
  A4 case summary (kind ``case``) or the letter to the customer (kind ``case_letter``).

Deadlines: first response within Settings ``cases.first_response_hours`` (24) of opening, a
resolution within ``cases.resolve_hours.<priority>``. ``Case.next_due_at`` holds the deadline
that runs now (first response, then resolution, then the follow-up), NULL while waiting on the
customer or closed, so the board's "overdue" and "due today" are indexed queries.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field

from peewee import JOIN, fn

from desk import clock
from desk.errors import InvalidInput, NeedsApproval, NotAllowed, NotFound
from desk.models import Customer, Exchange, Product, Return, Sale, Staff, Store, database
from desk.models.cases import Case, CaseCategory, CaseEvent, CaseNote, CasePause, ContactLog, FollowUp
from desk.models.db import is_postgres
from desk.money import format_money
from desk.services import audit, settings
from desk.services.auth import can, require
from desk.services.numbers import next_number

TYPES: dict[str, str] = {"complaint": "Complaint", "enquiry": "Enquiry", "feedback": "Feedback", "compliment": "Compliment"}
CHANNELS: dict[str, str] = {"in_person": "In person", "phone": "Phone", "email": "Email", "letter": "Letter"}
PRIORITIES: dict[str, str] = {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}
STATUSES: dict[str, str] = {
    "open": "Open",
    "waiting_customer": "Waiting on customer",
    "waiting_supplier": "Waiting on supplier",
    "resolved": "Resolved",
    "closed": "Closed",
}
ACTIVE_STATUSES = ("open", "waiting_customer", "waiting_supplier")  # not yet resolved
WORK_STATUSES = ACTIVE_STATUSES  # what set_status moves between
NOTE_KINDS: dict[str, str] = {"note": "Note", "apology": "Apology", "explanation": "Explanation", "resolution": "Resolution"}
RESOLUTION_KINDS: dict[str, str] = {
    "refund": "Refund",
    "exchange": "Exchange",
    "goodwill": "Goodwill store credit",
    "explanation": "Explanation given",
    "other": "Other",
}
FOLLOW_UP_STATUSES: dict[str, str] = {"pending": "Due", "done": "Done", "unreachable": "Could not reach", "cancelled": "Cancelled"}
VIEWS: dict[str, str] = {
    "mine": "Mine",
    "unassigned": "Unassigned",
    "overdue": "Overdue",
    "due_today": "Due today",
    "open": "All open",
    "all": "All",
}
CASE_KIND = "C"  # document numbers C-<store>-<desk>-<seq>


# ----------------------------------------------------------------------------- inputs


@dataclass
class CaseInput:
    """A new case as the desk takes it down. Links are optional; give numbers as people read them."""

    type: str = "complaint"
    channel: str = "in_person"
    summary: str = ""  # one line
    customer_words: str = ""  # what the customer said, in their words
    priority: str = "normal"
    category_id: int | None = None
    customer_id: int | None = None
    receipt_no: str = ""  # the sale's receipt number
    return_number: str = ""
    exchange_number: str = ""
    product_id: int | None = None
    order_id: int | None = None
    order_number: str = ""
    owner_id: int | None = None  # None: unassigned (the screen may pass the actor's id)
    desk_code: str = "01"


@dataclass
class CaseChanges:
    """What ``update_case`` changes: only the fields that are not None."""

    type: str | None = None
    channel: str | None = None
    summary: str | None = None
    customer_words: str | None = None
    priority: str | None = None
    category_id: int | None = None
    customer_id: int | None = None  # 0: unlink the customer
    receipt_no: str | None = None  # "": unlink
    product_id: int | None = None  # 0: unlink


@dataclass
class CaseQuery:
    view: str = "open"  # one of VIEWS
    actor_id: int | None = None  # whose "mine"
    text: str = ""  # part of the number, the summary or the customer's name
    status: str = ""  # "" or one of STATUSES
    type: str = ""
    category_id: int | None = None
    customer_id: int | None = None
    owner_id: int | None = None
    date_from: dt.date | None = None  # opened on or after (local day)
    date_to: dt.date | None = None  # opened on or before (local day)


# ----------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class CategoryRow:
    id: int
    name: str
    active: bool
    cases: int  # how many cases use it


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list."""

    id: int
    number: str
    opened_at: dt.datetime  # naive UTC
    type: str
    channel: str
    priority: str
    status: str
    summary: str
    category: str
    customer_id: int | None
    customer_name: str
    owner_id: int | None
    owner_name: str
    due_at: dt.datetime | None  # the deadline that runs now (None: paused or closed)
    due_what: str  # "first response" | "resolution" | "follow-up" | ""
    overdue: bool
    due_today: bool

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)


@dataclass(frozen=True)
class NoteRow:
    at: dt.datetime
    staff_name: str
    kind: str
    to_customer: bool
    text: str


@dataclass(frozen=True)
class EventRow:
    at: dt.datetime
    staff_name: str
    action: str
    from_status: str
    to_status: str
    text: str


@dataclass(frozen=True)
class FollowUpRow:
    id: int
    due_at: dt.datetime
    status: str
    attempts: int
    last_attempt_at: dt.datetime | None
    done_at: dt.datetime | None
    staff_name: str
    outcome: str
    satisfaction: int | None


@dataclass(frozen=True)
class CaseView:
    """A case with everything the case screen and the documents show."""

    id: int
    uuid: str
    number: str
    store_code: str
    desk_code: str
    opened_at: dt.datetime
    opened_by: str
    type: str
    channel: str
    category_id: int | None
    category: str
    priority: str
    status: str
    summary: str
    customer_words: str
    customer_id: int | None
    customer_name: str
    customer_phone: str
    customer_email: str
    receipt_no: str
    return_number: str
    exchange_number: str
    product_id: int | None
    product_name: str
    order_id: int | None
    order_number: str
    owner_id: int | None
    owner_name: str
    first_response_due: dt.datetime
    first_response_at: dt.datetime | None
    resolution_due: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    paused_since: dt.datetime | None
    paused_seconds: int  # closed pauses only
    due_at: dt.datetime | None
    due_what: str
    overdue: bool
    due_today: bool
    resolution_kind: str
    resolution: str
    voucher_code: str
    goodwill_amount: int
    currency: str
    notes: list[NoteRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    follow_ups: list[FollowUpRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def follow_up(self) -> FollowUpRow | None:
        """The latest follow-up, if any."""
        return self.follow_ups[-1] if self.follow_ups else None


@dataclass(frozen=True)
class GoodwillResult:
    case: CaseView
    voucher_code: str
    amount: int
    approved_by: str  # the approving manager's name, "" when none was needed


@dataclass(frozen=True)
class Board:
    """How many cases each view of the board holds for ``actor``."""

    mine: int
    unassigned: int
    overdue: int
    due_today: int
    open: int

    @property
    def badge(self) -> int:
        """The number the navigation shows next to Cases: overdue + due today."""
        return self.overdue + self.due_today

    def count(self, view: str) -> int:
        return getattr(self, view) if view in ("mine", "unassigned", "overdue", "due_today", "open") else 0


@dataclass(frozen=True)
class FigureRow:
    """Figures for one group of cases (all, one category or one product)."""

    label: str
    cases: int
    resolved: int
    overdue: int
    first_response_median_h: float | None
    first_response_p90_h: float | None
    resolution_median_h: float | None
    resolution_p90_h: float | None
    satisfaction_avg: float | None
    satisfaction_count: int


@dataclass(frozen=True)
class CaseFigures:
    date_from: dt.date
    date_to: dt.date
    total: FigureRow
    by_category: list[FigureRow]
    by_product: list[FigureRow]
    by_type: dict[str, int]
    by_status: dict[str, int]


# ----------------------------------------------------------------------------- API

_NUMBER_RE = re.compile(r"^C-[A-Z0-9]{1,16}-[A-Z0-9]{1,16}-\d{6}$")
RETRY_AFTER = dt.timedelta(days=1)  # the next follow-up call after one that did not reach the customer
ERASED_TEXT = "(erased on the customer's request)"


def _now() -> dt.datetime:
    return clock.utcnow()


def _store() -> Store:
    store = Store.select().order_by(Store.id).first()
    if store is None:
        raise NotFound("This database has no store yet: run the first-run set-up first.")
    return store


def _check(value: str, allowed: dict[str, str], label: str) -> str:
    value = (value or "").strip().lower()
    if value not in allowed:
        raise InvalidInput(label, f"'{value}' is not one of: {', '.join(allowed)}")
    return value


def _resolve_hours(priority: str) -> int:
    return settings.get(f"cases.resolve_hours.{priority}")


def deadlines(opened_at: dt.datetime, priority: str) -> tuple[dt.datetime, dt.datetime]:
    """(first response due, resolution due) for a case opened at ``opened_at`` (UTC)."""
    priority = _check(priority, PRIORITIES, "Priority")
    first = opened_at + dt.timedelta(hours=settings.get("cases.first_response_hours"))
    return first, opened_at + dt.timedelta(hours=_resolve_hours(priority))


def _end_of_local_day(now: dt.datetime) -> dt.datetime:
    """The first instant (naive UTC) of the local day after ``now``'s."""
    day = clock.to_local(now).date() + dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time.min).astimezone()
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _local_midnight_utc(day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time.min).astimezone()
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _pending_follow_up(case: Case) -> FollowUp | None:
    return (FollowUp.select().where((FollowUp.case == case.id) & (FollowUp.status == "pending"))
            .order_by(FollowUp.id.desc()).first())


def _due(case: Case) -> tuple[dt.datetime | None, str]:
    """The deadline that runs now and what it is for."""
    if case.status == "closed" or case.status == "waiting_customer":
        return None, ""
    if case.status == "resolved":
        fu = _pending_follow_up(case)
        return (fu.due_at, "follow-up") if fu else (None, "")
    if case.first_response_at is None and case.first_response_due <= case.resolution_due:
        return case.first_response_due, "first response"
    return case.resolution_due, "resolution"


def _due_what(status: str, first_response_at, next_due_at) -> str:
    if next_due_at is None:
        return ""
    if status == "resolved":
        return "follow-up"
    return "first response" if first_response_at is None else "resolution"


def _flags(due_at: dt.datetime | None, now: dt.datetime) -> tuple[bool, bool]:
    if due_at is None:
        return False, False
    return due_at < now, now <= due_at < _end_of_local_day(now)


def _save(case: Case, now: dt.datetime) -> None:
    case.next_due_at = _due(case)[0]
    case.updated_at = now
    case.save()


def _event(case: Case, actor: Staff | None, action: str, text: str = "", from_status: str = "", to_status: str = "") -> None:
    CaseEvent.create(case=case, staff=actor.id if actor and actor.id else None, action=action, from_status=from_status,
                     to_status=to_status, text=text, created_at=_now())


def _audit(actor: Staff, action: str, case: Case, **details) -> None:
    audit.record(action, actor, entity="case", entity_uuid=case.uuid, details={"number": case.number, **details})


def _locked(number: str) -> Case:
    value = (number or "").strip().upper()
    if not value:
        raise InvalidInput("Case", "the case number is required")
    query = Case.select().where(Case.number == value)
    if is_postgres():
        query = query.for_update()
    case = query.first()
    if case is None:
        raise NotFound(f"No case has the number {value}.")
    return case


def _pause(case: Case, now: dt.datetime) -> None:
    if case.paused_since is None:
        case.paused_since = now
        CasePause.create(case=case, started_at=now)


def _unpause(case: Case, now: dt.datetime) -> None:
    """End the pause: the deadlines move on by as long as the case waited on the customer."""
    if case.paused_since is None:
        return
    waited = now - case.paused_since
    case.paused_seconds += int(waited.total_seconds())
    case.resolution_due += waited
    if case.first_response_at is None:
        case.first_response_due += waited
    CasePause.update(ended_at=now).where((CasePause.case == case.id) & CasePause.ended_at.is_null()).execute()
    case.paused_since = None


def _responded(case: Case, now: dt.datetime) -> None:
    if case.first_response_at is None:
        case.first_response_at = now


# --- categories ---------------------------------------------------------------------------

def _category_row(c: CaseCategory) -> CategoryRow:
    used = Case.select().where(Case.category == c.id).count()
    return CategoryRow(c.id, c.name, bool(c.active), used)


def list_categories(include_inactive: bool = False) -> list[CategoryRow]:
    q = CaseCategory.select().order_by(CaseCategory.position, CaseCategory.name)
    if not include_inactive:
        q = q.where(CaseCategory.active == True)  # noqa: E712
    return [_category_row(c) for c in q]


def _category_name(name: str, exclude_id: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Category", "the name is required")
    if len(name) > 80:
        raise InvalidInput("Category", "the name is longer than 80 characters")
    clash = CaseCategory.select().where(fn.LOWER(CaseCategory.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(CaseCategory.id != exclude_id)
    if clash.exists():
        raise InvalidInput("Category", f"'{name}' is already a category")
    return name


def category_code(name: str) -> str:
    """The stable key of a category, made from its first name: "Product quality" -> "product_quality".
    Every store's default categories get the same codes, so head office adds them up across stores."""
    code = re.sub(r"[^0-9a-z]+", "_", (name or "").lower()).strip("_")[:36].strip("_")
    return code or "category"


def _new_category_code(name: str) -> str:
    base, n = category_code(name), 1
    code = base
    while CaseCategory.select().where(CaseCategory.code == code).exists():  # a retired name's code stays taken
        n += 1
        code = f"{base}_{n}"
    return code


def add_category(actor: Staff, name: str) -> CategoryRow:
    require(actor, "cases.categories")
    with database.atomic():
        name = _category_name(name)
        position = (CaseCategory.select(fn.MAX(CaseCategory.position)).scalar() or 0) + 1
        c = CaseCategory.create(name=name, code=_new_category_code(name), position=position, created_at=_now())
        audit.record("case.category_added", actor, entity="case_category", entity_uuid=c.uuid,
                     details={"name": name, "code": c.code})
    return _category_row(c)


def _get_category(category_id: int) -> CaseCategory:
    c = CaseCategory.get_or_none(CaseCategory.id == category_id)
    if c is None:
        raise NotFound(f"No case category has the id {category_id}.")
    return c


def rename_category(actor: Staff, category_id: int, name: str) -> CategoryRow:
    require(actor, "cases.categories")
    with database.atomic():
        c = _get_category(category_id)
        new = _category_name(name, exclude_id=c.id)
        old, c.name = c.name, new
        c.save()
        audit.record("case.category_renamed", actor, entity="case_category", entity_uuid=c.uuid, details={"from": old, "to": new})
    return _category_row(c)


def set_category_active(actor: Staff, category_id: int, active: bool) -> CategoryRow:
    """Retire a category (kept on the cases that use it, no longer offered) or bring it back."""
    require(actor, "cases.categories")
    with database.atomic():
        c = _get_category(category_id)
        if bool(c.active) != bool(active):
            c.active = bool(active)
            c.save()
            audit.record("case.category_" + ("restored" if active else "retired"), actor, entity="case_category",
                         entity_uuid=c.uuid, details={"name": c.name})
    return _category_row(c)


# --- links ------------------------------------------------------------------------------------

def _find_sale(receipt_no: str) -> Sale:
    value = (receipt_no or "").strip()
    sale = Sale.select().where(Sale.receipt_no == value).order_by(Sale.id).first()
    if sale is None:
        raise NotFound(f"No sale has the receipt number {value}.")
    return sale


def _find_return(number: str) -> Return:
    value = (number or "").strip().upper()
    ret = Return.get_or_none(Return.number == value)
    if ret is None:
        raise NotFound(f"No return has the number {value}.")
    return ret


def _find_exchange(number: str) -> Exchange:
    value = (number or "").strip().upper()
    ex = Exchange.get_or_none(Exchange.number == value)
    if ex is None:
        raise NotFound(f"No exchange has the number {value}.")
    return ex


def _customer(customer_id: int) -> Customer:
    c = Customer.get_or_none(Customer.id == customer_id)
    if c is None:
        raise NotFound(f"No customer has the id {customer_id}.")
    if c.erased_at is not None:
        raise NotAllowed(f"Customer #{customer_id} was erased on request.")
    if c.merged_into is not None:
        raise InvalidInput("Customer", f"customer #{customer_id} was merged into customer #{c.merged_into}: choose that one")
    return c


def _product(product_id: int) -> Product:
    p = Product.get_or_none(Product.id == product_id)
    if p is None:
        raise NotFound(f"No product has the id {product_id}.")
    return p


def _owner(owner_id: int) -> Staff:
    s = Staff.get_or_none(Staff.id == owner_id)
    if s is None:
        raise NotFound(f"No staff member has the id {owner_id}.")
    if not s.active:
        raise InvalidInput("Owner", f"{s.name} is no longer active")
    return s


def _fill_from_return(case: Case, ret: Return) -> None:
    case.ret = ret
    if case.sale_id is None and ret.sale_id is not None:
        case.sale = ret.sale_id
    if case.customer_id is None and ret.customer_id is not None:
        case.customer = ret.customer_id


def _fill_from_sale(case: Case, sale: Sale) -> None:
    case.sale = sale
    if case.customer_id is None and sale.customer_id is not None:
        case.customer = sale.customer_id


# --- a case's life -------------------------------------------------------------------------

def open_case(actor: Staff, data: CaseInput) -> CaseView:
    require(actor, "cases.work")
    type_ = _check(data.type, TYPES, "Type")
    channel = _check(data.channel, CHANNELS, "Channel")
    priority = _check(data.priority, PRIORITIES, "Priority")
    summary = " ".join((data.summary or "").split())
    if not summary:
        raise InvalidInput("Summary", "say in a line what the case is about")
    if len(summary) > 200:
        raise InvalidInput("Summary", "is longer than 200 characters")
    desk_code = (data.desk_code or "").strip()
    if not desk_code:
        raise InvalidInput("Desk", "the desk's code is required")
    store = _store()
    with database.atomic():
        now = _now()
        first_due, resolve_due = deadlines(now, priority)
        case = Case(store=store, desk_code=desk_code, type=type_, channel=channel, priority=priority, summary=summary,
                    customer_words=(data.customer_words or "").strip(), opened_by=actor.id, status="open",
                    first_response_due=first_due, resolution_due=resolve_due, created_at=now, updated_at=now,
                    order_id=data.order_id, order_number=(data.order_number or "").strip()[:48])
        if data.category_id is not None:
            cat = _get_category(data.category_id)
            if not cat.active:
                raise InvalidInput("Category", f"'{cat.name}' is no longer used")
            case.category = cat
        if data.customer_id is not None:
            case.customer = _customer(data.customer_id)
        if data.receipt_no:
            _fill_from_sale(case, _find_sale(data.receipt_no))
        if data.return_number:
            _fill_from_return(case, _find_return(data.return_number))
        if data.exchange_number:
            ex = _find_exchange(data.exchange_number)
            case.exchange = ex
            _fill_from_return(case, Return.get_by_id(ex.ret_id))
        if data.product_id is not None:
            case.product = _product(data.product_id)
        if data.owner_id is not None:
            case.owner = _owner(data.owner_id)
        case.number = next_number(store.code, desk_code, CASE_KIND)
        case.next_due_at = _due(case)[0]
        case.save(force_insert=True)
        _event(case, actor, "opened", to_status="open")
        _audit(actor, "case.opened", case, type=type_, channel=channel, priority=priority,
               category=case.category.name if case.category_id else "", customer=case.customer_id,
               owner=case.owner.code if case.owner_id else "")
    return get_case(case.number)


def update_case(actor: Staff, number: str, changes: CaseChanges) -> CaseView:
    require(actor, "cases.work")
    with database.atomic():
        case = _locked(number)
        if case.status == "closed":
            raise NotAllowed(f"Case {case.number} is closed: reopen it first.")
        now = _now()
        changed: dict[str, object] = {}
        if changes.type is not None and changes.type != case.type:
            case.type = changed["type"] = _check(changes.type, TYPES, "Type")
        if changes.channel is not None and changes.channel != case.channel:
            case.channel = changed["channel"] = _check(changes.channel, CHANNELS, "Channel")
        if changes.summary is not None:
            summary = " ".join(changes.summary.split())
            if not summary:
                raise InvalidInput("Summary", "say in a line what the case is about")
            if summary != case.summary:
                case.summary = summary[:200]
                changed["summary"] = True
        if changes.customer_words is not None and changes.customer_words.strip() != case.customer_words:
            case.customer_words = changes.customer_words.strip()
            changed["customer_words"] = True
        if changes.priority is not None and changes.priority != case.priority:
            priority = _check(changes.priority, PRIORITIES, "Priority")
            # The resolution is due the new priority's hours after opening, plus the time already paused.
            case.resolution_due = case.created_at + dt.timedelta(hours=_resolve_hours(priority), seconds=case.paused_seconds)
            if case.paused_since is not None:
                _unpause(case, now)  # counts the running pause into the new deadline; it goes on from here
                _pause(case, now)
            changed["priority"] = {"from": case.priority, "to": priority}
            case.priority = priority
        if changes.category_id is not None and changes.category_id != case.category_id:
            cat = _get_category(changes.category_id)
            changed["category"] = cat.name
            case.category = cat
        if changes.customer_id is not None and (changes.customer_id or None) != case.customer_id:
            case.customer = _customer(changes.customer_id) if changes.customer_id else None
            changed["customer"] = changes.customer_id or None
        if changes.receipt_no is not None:
            if changes.receipt_no.strip():
                sale = _find_sale(changes.receipt_no)
                if sale.id != case.sale_id:
                    _fill_from_sale(case, sale)
                    changed["sale"] = sale.receipt_no
            elif case.sale_id is not None:
                case.sale = None
                changed["sale"] = ""
        if changes.product_id is not None and (changes.product_id or None) != case.product_id:
            case.product = _product(changes.product_id) if changes.product_id else None
            changed["product"] = changes.product_id or None
        if changed:
            _save(case, now)
            _event(case, actor, "changed", text=", ".join(sorted(changed)))
            _audit(actor, "case.changed", case, changed=changed)
    return get_case(case.number)


def assign(actor: Staff, number: str, owner_id: int | None) -> CaseView:
    require(actor, "cases.work")
    with database.atomic():
        case = _locked(number)
        if case.status == "closed":
            raise NotAllowed(f"Case {case.number} is closed: reopen it first.")
        owner = _owner(owner_id) if owner_id is not None else None
        if (owner.id if owner else None) != case.owner_id:
            before = case.owner.code if case.owner_id else ""
            case.owner = owner
            _save(case, _now())
            _event(case, actor, "assigned", text=owner.name if owner else "unassigned")
            _audit(actor, "case.assigned", case, **{"from": before, "to": owner.code if owner else ""})
    return get_case(case.number)


def add_note(actor: Staff, number: str, kind: str, text: str, to_customer: bool = False) -> CaseView:
    require(actor, "cases.work")
    kind = _check(kind, NOTE_KINDS, "Kind of note")
    if kind == "resolution":
        raise InvalidInput("Kind of note", "a resolution is recorded by resolving the case")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Note", "write what was said or done")
    to_customer = bool(to_customer) or kind in ("apology", "explanation")
    with database.atomic():
        case = _locked(number)
        if case.status == "closed":
            raise NotAllowed(f"Case {case.number} is closed: reopen it to add to it.")
        now = _now()
        CaseNote.create(case=case, staff=actor.id, kind=kind, to_customer=to_customer, text=text, created_at=now)
        first = to_customer and case.first_response_at is None
        if to_customer:
            _responded(case, now)
        _save(case, now)
        _audit(actor, "case.note", case, kind=kind, to_customer=to_customer, first_response=first)
    return get_case(case.number)


def set_status(actor: Staff, number: str, status: str, note: str = "") -> CaseView:
    require(actor, "cases.work")
    status = _check(status, STATUSES, "Status")
    if status not in WORK_STATUSES:
        raise InvalidInput("Status", "resolve the case with resolve(), close it with close_case()")
    with database.atomic():
        case = _locked(number)
        if case.status not in ACTIVE_STATUSES:
            raise NotAllowed(f"Case {case.number} is {STATUSES[case.status].lower()}: reopen it first.")
        if status == case.status:
            return get_case(case.number)
        now = _now()
        before = case.status
        if before == "waiting_customer":
            _unpause(case, now)
        if status == "waiting_customer":
            _responded(case, now)  # asking the customer something is a response
            _pause(case, now)
        case.status = status
        _save(case, now)
        _event(case, actor, "status", text=(note or "").strip(), from_status=before, to_status=status)
        if note and note.strip():
            CaseNote.create(case=case, staff=actor.id, kind="note", to_customer=False, text=note.strip(), created_at=now)
        _audit(actor, "case.status", case, **{"from": before, "to": status})
    return get_case(case.number)


def link_case(actor: Staff, number: str, document_number: str) -> CaseView:
    """Link a refund (R-...) or exchange (X-...) started from the case, or a sale by its receipt number."""
    require(actor, "cases.work")
    doc = (document_number or "").strip()
    if not doc:
        raise InvalidInput("Document", "give the return's or exchange's number")
    with database.atomic():
        case = _locked(number)
        if case.status == "closed":
            raise NotAllowed(f"Case {case.number} is closed: reopen it first.")
        upper = doc.upper()
        if Return.select().where(Return.number == upper).exists():
            _fill_from_return(case, _find_return(upper))
            what = "return"
        elif Exchange.select().where(Exchange.number == upper).exists():
            ex = _find_exchange(upper)
            case.exchange = ex
            _fill_from_return(case, Return.get_by_id(ex.ret_id))
            what = "exchange"
        elif Sale.select().where(Sale.receipt_no == doc).exists():
            _fill_from_sale(case, _find_sale(doc))
            what = "sale"
        else:
            raise NotFound(f"No return, exchange or sale has the number {doc}.")
        _save(case, _now())
        _event(case, actor, "linked", text=f"{what} {upper if what != 'sale' else doc}")
        _audit(actor, "case.linked", case, kind=what, document=upper if what != "sale" else doc)
    return get_case(case.number)


def link_order(actor: Staff, number: str, order_id: int, order_number: str) -> CaseView:
    """Link a special order (by the orders service's id and number; no dependency on its table)."""
    require(actor, "cases.work")
    with database.atomic():
        case = _locked(number)
        if case.status == "closed":
            raise NotAllowed(f"Case {case.number} is closed: reopen it first.")
        case.order_id = int(order_id)
        case.order_number = (order_number or "").strip()[:48]
        _save(case, _now())
        _event(case, actor, "linked", text=f"order {case.order_number}")
        _audit(actor, "case.linked", case, kind="order", document=case.order_number, order_id=case.order_id)
    return get_case(case.number)


def _resolve_in(actor: Staff, case: Case, kind: str, text: str, now: dt.datetime) -> FollowUp:
    if case.status not in ACTIVE_STATUSES:
        raise NotAllowed(f"Case {case.number} is already {STATUSES[case.status].lower()}.")
    before = case.status
    if before == "waiting_customer":
        _unpause(case, now)
    _responded(case, now)
    case.status = "resolved"
    case.resolved_at = now
    case.resolution_kind = kind
    case.resolution = text
    CaseNote.create(case=case, staff=actor.id, kind="resolution", to_customer=True, text=text, created_at=now)
    fu = FollowUp.create(case=case, due_at=now + dt.timedelta(days=settings.get("cases.follow_up_days")), created_at=now)
    _save(case, now)
    _event(case, actor, "status", text=RESOLUTION_KINDS[kind], from_status=before, to_status="resolved")
    return fu


def resolve(actor: Staff, number: str, kind: str, text: str) -> CaseView:
    require(actor, "cases.work")
    kind = _check(kind, RESOLUTION_KINDS, "Resolution")
    if kind == "goodwill":
        raise InvalidInput("Resolution", "goodwill store credit is given with give_goodwill()")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Resolution", "say what was done for the customer")
    with database.atomic():
        case = _locked(number)
        if kind == "refund" and case.ret_id is None:
            raise InvalidInput("Resolution", "link the refund's return (R-...) to the case first")
        if kind == "exchange" and case.exchange_id is None:
            raise InvalidInput("Resolution", "link the exchange (X-...) to the case first")
        now = _now()
        fu = _resolve_in(actor, case, kind, text, now)
        _audit(actor, "case.resolved", case, kind=kind, follow_up_due=fu.due_at.isoformat())
    return get_case(case.number)


def give_goodwill(actor: Staff, number: str, amount: int, text: str, approver=None) -> GoodwillResult:
    from desk.services import credit
    from desk.services.auth import verify_approver

    require(actor, "cases.goodwill")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput("Goodwill", "the amount must be more than zero")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("Resolution", "say why goodwill is given")
    store = _store()
    limit = settings.get("cases.goodwill_limit")
    approved_by = None
    if amount > limit and not can(actor, "cases.goodwill_approve"):
        if approver is None:
            over = format_money(amount, store.currency, store.locale)
            raise NeedsApproval([f"goodwill of {over} is above the {format_money(limit, store.currency, store.locale)} "
                                 "a clerk may give"])
        approved_by = verify_approver(approver.code, approver.pin, "cases.goodwill_approve",
                                      during=f"goodwill on {(number or '').strip().upper()}")
        if approved_by.id == actor.id:
            raise NotAllowed("A second person must approve: the approver cannot be the clerk giving the credit.")
    with database.atomic():
        case = _locked(number)
        if case.status not in ACTIVE_STATUSES:
            raise NotAllowed(f"Case {case.number} is already {STATUSES[case.status].lower()}.")
        now = _now()
        customer = Customer.get_by_id(case.customer_id) if case.customer_id else None
        voucher = credit.issue_voucher(store, amount, actor, customer=customer,
                                       customer_name=customer.name if customer else "", reference=case.number,
                                       source="goodwill")
        case.voucher = voucher
        case.goodwill_amount = amount
        case.goodwill_approved_by = approved_by.id if approved_by else None
        fu = _resolve_in(actor, case, "goodwill", text, now)
        _audit(actor, "case.goodwill", case, amount=amount, voucher=voucher.code, limit=limit,
               approved_by=approved_by.code if approved_by else "", follow_up_due=fu.due_at.isoformat())
    return GoodwillResult(get_case(case.number), voucher.code, amount, approved_by.name if approved_by else "")


def record_follow_up(actor: Staff, number: str, reached: bool, outcome: str = "",
                     satisfaction: int | None = None) -> CaseView:
    require(actor, "cases.work")
    outcome = (outcome or "").strip()
    if reached:
        if satisfaction is not None and (isinstance(satisfaction, bool) or satisfaction not in (1, 2, 3, 4, 5)):
            raise InvalidInput("Satisfaction", "give a score from 1 (unhappy) to 5 (delighted)")
        if not outcome:
            raise InvalidInput("Outcome", "say what the customer said")
    with database.atomic():
        case = _locked(number)
        if case.status != "resolved":
            raise NotAllowed(f"Case {case.number} is {STATUSES[case.status].lower()}: only a resolved case is followed up.")
        fu = _pending_follow_up(case)
        if fu is None:
            raise NotFound(f"Case {case.number} has no follow-up due.")
        now = _now()
        fu.attempts += 1
        fu.last_attempt_at = now
        fu.staff = actor.id
        closed = False
        if reached:
            fu.status, fu.done_at, fu.outcome, fu.satisfaction = "done", now, outcome, satisfaction
            closed = True
        else:
            if outcome:
                fu.outcome = outcome
            if fu.attempts >= settings.get("cases.follow_up_attempts"):
                fu.status, fu.done_at = "unreachable", now
                closed = True
            else:
                fu.due_at = now + RETRY_AFTER
        fu.save()
        if case.customer_id:
            ContactLog.create(customer=case.customer_id, case=case, staff=actor.id, channel="phone", direction="out",
                              reached=bool(reached), summary=outcome, created_at=now)
        if closed:
            case.status = "closed"
            case.closed_at = now
            _event(case, actor, "status", text="followed up" if reached else f"not reached after {fu.attempts} attempts",
                   from_status="resolved", to_status="closed")
        else:
            _event(case, actor, "follow_up", text=f"not reached (attempt {fu.attempts})")
        _save(case, now)
        _audit(actor, "case.follow_up", case, reached=bool(reached), attempts=fu.attempts, satisfaction=satisfaction,
               closed=closed)
    return get_case(case.number)


def close_case(actor: Staff, number: str, note: str) -> CaseView:
    require(actor, "cases.close")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Note", "say why the case closes without its follow-up")
    with database.atomic():
        case = _locked(number)
        if case.status == "closed":
            raise NotAllowed(f"Case {case.number} is already closed.")
        now = _now()
        before = case.status
        _unpause(case, now)
        FollowUp.update(status="cancelled").where((FollowUp.case == case.id) & (FollowUp.status == "pending")).execute()
        case.status = "closed"
        case.closed_at = now
        CaseNote.create(case=case, staff=actor.id, kind="note", to_customer=False, text=note, created_at=now)
        _save(case, now)
        _event(case, actor, "status", text=note, from_status=before, to_status="closed")
        _audit(actor, "case.closed", case, **{"from": before})
    return get_case(case.number)


def reopen(actor: Staff, number: str, reason: str) -> CaseView:
    require(actor, "cases.close")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Reason", "say why the case is open again")
    with database.atomic():
        case = _locked(number)
        if case.status not in ("resolved", "closed"):
            raise NotAllowed(f"Case {case.number} is still open.")
        now = _now()
        before = case.status
        FollowUp.update(status="cancelled").where((FollowUp.case == case.id) & (FollowUp.status == "pending")).execute()
        case.status = "open"
        case.resolved_at = None
        case.closed_at = None
        case.resolution_due = now + dt.timedelta(hours=_resolve_hours(case.priority))
        CaseNote.create(case=case, staff=actor.id, kind="note", to_customer=False, text=reason, created_at=now)
        _save(case, now)
        _event(case, actor, "status", text=reason, from_status=before, to_status="open")
        _audit(actor, "case.reopened", case, **{"from": before})
    return get_case(case.number)


# --- reading -----------------------------------------------------------------------------

def is_case_number(text: str) -> bool:
    return bool(_NUMBER_RE.match((text or "").strip().upper()))


def _name(staff_id: int | None, cache: dict) -> str:
    if staff_id is None:
        return ""
    if staff_id not in cache:
        s = Staff.get_or_none(Staff.id == staff_id)
        cache[staff_id] = s.name if s else ""
    return cache[staff_id]


def get_case(number: str) -> CaseView:
    value = (number or "").strip().upper()
    c = Case.get_or_none(Case.number == value)
    if c is None:
        raise NotFound(f"No case has the number {value}.")
    names: dict = {}
    now = _now()
    due_at, what = _due(c)
    overdue, today = _flags(due_at, now)
    customer = Customer.get_or_none(Customer.id == c.customer_id) if c.customer_id else None
    store = Store.get_by_id(c.store_id)
    notes = [NoteRow(n.created_at, _name(n.staff_id, names), n.kind, bool(n.to_customer), n.text)
             for n in CaseNote.select().where(CaseNote.case == c.id).order_by(CaseNote.created_at, CaseNote.id)]
    events = [EventRow(e.created_at, _name(e.staff_id, names), e.action, e.from_status, e.to_status, e.text)
              for e in CaseEvent.select().where(CaseEvent.case == c.id).order_by(CaseEvent.created_at, CaseEvent.id)]
    fus = [FollowUpRow(f.id, f.due_at, f.status, f.attempts, f.last_attempt_at, f.done_at, _name(f.staff_id, names),
                       f.outcome, f.satisfaction)
           for f in FollowUp.select().where(FollowUp.case == c.id).order_by(FollowUp.id)]
    return CaseView(
        id=c.id, uuid=str(c.uuid), number=c.number, store_code=store.code, desk_code=c.desk_code, opened_at=c.created_at,
        opened_by=_name(c.opened_by_id, names), type=c.type, channel=c.channel, category_id=c.category_id,
        category=c.category.name if c.category_id else "", priority=c.priority, status=c.status, summary=c.summary,
        customer_words=c.customer_words, customer_id=c.customer_id, customer_name=customer.name if customer else "",
        customer_phone=(customer.phone or "") if customer else "", customer_email=(customer.email or "") if customer else "",
        receipt_no=c.sale.receipt_no if c.sale_id else "", return_number=c.ret.number if c.ret_id else "",
        exchange_number=c.exchange.number if c.exchange_id else "", product_id=c.product_id,
        product_name=c.product.name if c.product_id else "", order_id=c.order_id, order_number=c.order_number,
        owner_id=c.owner_id, owner_name=_name(c.owner_id, names), first_response_due=c.first_response_due,
        first_response_at=c.first_response_at, resolution_due=c.resolution_due, resolved_at=c.resolved_at,
        closed_at=c.closed_at, paused_since=c.paused_since, paused_seconds=c.paused_seconds, due_at=due_at, due_what=what,
        overdue=overdue, due_today=today, resolution_kind=c.resolution_kind, resolution=c.resolution,
        voucher_code=c.voucher.code if c.voucher_id else "", goodwill_amount=c.goodwill_amount, currency=store.currency,
        notes=notes, events=events, follow_ups=fus)


def _where(query: CaseQuery, now: dt.datetime):
    view = query.view or "open"
    if view not in VIEWS:
        raise InvalidInput("View", f"'{view}' is not one of: {', '.join(VIEWS)}")
    cond = Case.id > 0
    if view == "mine":
        if query.actor_id is None:
            raise InvalidInput("View", "'mine' needs the staff member")
        cond &= (Case.owner == query.actor_id) & (Case.status != "closed")
    elif view == "unassigned":
        cond &= Case.owner.is_null() & Case.status.in_(ACTIVE_STATUSES)
    elif view == "overdue":
        cond &= Case.next_due_at < now
    elif view == "due_today":
        cond &= (Case.next_due_at >= now) & (Case.next_due_at < _end_of_local_day(now))
    elif view == "open":
        cond &= Case.status != "closed"
    if query.status:
        cond &= Case.status == _check(query.status, STATUSES, "Status")
    if query.type:
        cond &= Case.type == _check(query.type, TYPES, "Type")
    if query.category_id is not None:
        cond &= Case.category == query.category_id
    if query.customer_id is not None:
        cond &= Case.customer == query.customer_id
    if query.owner_id is not None:
        cond &= Case.owner == query.owner_id
    if query.date_from:
        cond &= Case.created_at >= _local_midnight_utc(query.date_from)
    if query.date_to:
        cond &= Case.created_at < _local_midnight_utc(query.date_to + dt.timedelta(days=1))
    text = (query.text or "").strip()
    if text:
        cond &= (Case.number.contains(text.upper()) | Case.summary.contains(text) | Customer.name.contains(text))
    return cond


def _select():
    Owner = Staff.alias("owner")
    return (Case.select(Case.id, Case.number, Case.created_at, Case.type, Case.channel, Case.priority, Case.status,
                        Case.summary, Case.customer, Case.owner, Case.next_due_at, Case.first_response_at,
                        CaseCategory.name.alias("category_name"), Customer.name.alias("customer_name"),
                        Owner.name.alias("owner_name"))
            .join(CaseCategory, JOIN.LEFT_OUTER, on=(Case.category == CaseCategory.id))
            .switch(Case).join(Customer, JOIN.LEFT_OUTER, on=(Case.customer == Customer.id))
            .switch(Case).join(Owner, JOIN.LEFT_OUTER, on=(Case.owner == Owner.id)))


def search_cases(query: CaseQuery, offset: int = 0, limit: int = 200) -> list[CaseRow]:
    """A page of cases: due first (soonest first) on the working views, newest first on "all"."""
    now = _now()
    q = _select().where(_where(query, now))
    if (query.view or "open") == "all":
        q = q.order_by(Case.created_at.desc(), Case.id.desc())
    else:
        q = q.order_by(Case.next_due_at.is_null(), Case.next_due_at, Case.id)
    rows = []
    for r in q.offset(max(0, offset)).limit(max(0, limit)).dicts():
        overdue, today = _flags(r["next_due_at"], now)
        rows.append(CaseRow(r["id"], r["number"], r["created_at"], r["type"], r["channel"], r["priority"], r["status"],
                            r["summary"], r["category_name"] or "", r["customer"], r["customer_name"] or "", r["owner"],
                            r["owner_name"] or "", r["next_due_at"],
                            _due_what(r["status"], r["first_response_at"], r["next_due_at"]), overdue, today))
    return rows


def count_cases(query: CaseQuery) -> int:
    q = (Case.select(Case.id).join(Customer, JOIN.LEFT_OUTER, on=(Case.customer == Customer.id))
         .where(_where(query, _now())))
    return q.count()


def board(actor: Staff) -> Board:
    require(actor, "cases.view")
    counts = {view: count_cases(CaseQuery(view=view, actor_id=actor.id))
              for view in ("mine", "unassigned", "overdue", "due_today", "open")}
    return Board(**counts)


def customer_cases(customer_id: int) -> list[CaseRow]:
    return search_cases(CaseQuery(view="all", customer_id=customer_id), 0, 500)


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-9 * len(ordered) // 10))  # nearest rank: ceil(0.9 n)
    return ordered[rank - 1]


def _figure(label: str, cases: list[Case], sat: dict[int, int], now: dt.datetime) -> FigureRow:
    first = [_hours(c.first_response_at - c.created_at) for c in cases if c.first_response_at]
    resolution = [max(0.0, _hours(c.resolved_at - c.created_at) - c.paused_seconds / 3600) for c in cases if c.resolved_at]
    scores = [sat[c.id] for c in cases if c.id in sat]
    return FigureRow(
        label=label, cases=len(cases), resolved=len(resolution),
        overdue=sum(1 for c in cases if c.next_due_at is not None and c.next_due_at < now),
        first_response_median_h=statistics.median(first) if first else None, first_response_p90_h=_p90(first),
        resolution_median_h=statistics.median(resolution) if resolution else None, resolution_p90_h=_p90(resolution),
        satisfaction_avg=round(sum(scores) / len(scores), 2) if scores else None, satisfaction_count=len(scores))


def case_figures(date_from: dt.date, date_to: dt.date, actor: Staff | None = None) -> CaseFigures:
    """Figures for the cases opened from ``date_from`` to ``date_to`` (local days, inclusive).
    Resolution times leave out the time a case waited on the customer."""
    if actor is not None:
        require(actor, "cases.figures")
    if date_to < date_from:
        raise InvalidInput("Dates", "the end comes before the start")
    now = _now()
    cases = list(Case.select().where((Case.created_at >= _local_midnight_utc(date_from))
                                     & (Case.created_at < _local_midnight_utc(date_to + dt.timedelta(days=1)))))
    ids = [c.id for c in cases]
    sat: dict[int, int] = {}
    if ids:
        for f in FollowUp.select(FollowUp.case, FollowUp.satisfaction).where(
                FollowUp.case.in_(ids) & FollowUp.satisfaction.is_null(False)).order_by(FollowUp.id):
            sat[f.case_id] = f.satisfaction
    cats = {c.id: c.name for c in CaseCategory.select()}
    products = {p.id: p.name for p in Product.select(Product.id, Product.name).where(
        Product.id.in_({c.product_id for c in cases if c.product_id} or {0}))}
    by_cat: dict[str, list[Case]] = {}
    by_product: dict[str, list[Case]] = {}
    for c in cases:
        by_cat.setdefault(cats.get(c.category_id, "(no category)"), []).append(c)
        if c.product_id:
            by_product.setdefault(products.get(c.product_id, f"#{c.product_id}"), []).append(c)
    by_type = {t: sum(1 for c in cases if c.type == t) for t in TYPES}
    by_status = {s: sum(1 for c in cases if c.status == s) for s in STATUSES}
    return CaseFigures(
        date_from, date_to, _figure("All cases", cases, sat, now),
        sorted((_figure(k, v, sat, now) for k, v in by_cat.items()), key=lambda r: (-r.cases, r.label)),
        sorted((_figure(k, v, sat, now) for k, v in by_product.items()), key=lambda r: (-r.cases, r.label)),
        by_type, by_status)


def case_data(number: str, letter: bool = False):
    """The printable data of a case (``desk.printing.case_doc.CaseDocData``)."""
    from desk.printing.case_doc import CaseDocData, CaseDocNote
    from desk.services.documents import store_header

    v = get_case(number)
    store = Store.get(Store.code == v.store_code)
    notes = tuple(CaseDocNote(n.at, n.staff_name, NOTE_KINDS.get(n.kind, n.kind), n.to_customer, n.text) for n in v.notes)
    fu = v.follow_up
    return CaseDocData(
        store=store_header(store), locale=store.locale, currency=v.currency, number=v.number, opened_at=v.opened_at,
        opened_by=v.opened_by, type_label=TYPES.get(v.type, v.type), channel_label=CHANNELS.get(v.channel, v.channel),
        category=v.category, priority_label=PRIORITIES.get(v.priority, v.priority), status_label=v.status_label,
        summary=v.summary, customer_words=v.customer_words, customer_name=v.customer_name, customer_phone=v.customer_phone,
        customer_email=v.customer_email, receipt_no=v.receipt_no, return_number=v.return_number,
        exchange_number=v.exchange_number, order_number=v.order_number, product_name=v.product_name, owner_name=v.owner_name,
        first_response_due=v.first_response_due, first_response_at=v.first_response_at, resolution_due=v.resolution_due,
        resolved_at=v.resolved_at, closed_at=v.closed_at,
        resolution_label=RESOLUTION_KINDS.get(v.resolution_kind, ""), resolution=v.resolution,
        voucher_code=v.voucher_code, goodwill_amount=v.goodwill_amount, notes=notes,
        follow_up_due=fu.due_at if fu else None, follow_up_status=FOLLOW_UP_STATUSES.get(fu.status, "") if fu else "",
        follow_up_outcome=fu.outcome if fu else "", satisfaction=fu.satisfaction if fu else None,
        letter=letter, signed_by=v.owner_name or v.opened_by, printed_at=_now())


def render_case(number: str, actor: Staff, paper: str = "a4", letter: bool = False):
    """The case summary (or the letter to the customer) as a ``RenderedDocument`` on A4 or Letter."""
    from desk.printing.case_doc import build_case_document
    from desk.services.documents import RenderedDocument

    require(actor, "cases.view")
    if paper not in ("a4", "letter"):
        paper = settings.get("paper.case")
    data = case_data(number, letter=letter)
    kind = "case_letter" if letter else "case"
    title = f"Letter about case {data.number}" if letter else f"Case {data.number}"
    return RenderedDocument(kind, data.number, paper, build_case_document(data, paper), title)
