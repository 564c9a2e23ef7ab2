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
from dataclasses import dataclass, field

from desk.errors import InvalidInput, NeedsApproval, NotAllowed, NotFound  # noqa: F401
from desk.models import Staff

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


def deadlines(opened_at: dt.datetime, priority: str) -> tuple[dt.datetime, dt.datetime]:
    """(first response due, resolution due) for a case opened at ``opened_at`` (UTC)."""
    raise NotImplementedError


def list_categories(include_inactive: bool = False) -> list[CategoryRow]:
    raise NotImplementedError


def add_category(actor: Staff, name: str) -> CategoryRow:
    raise NotImplementedError


def rename_category(actor: Staff, category_id: int, name: str) -> CategoryRow:
    raise NotImplementedError


def set_category_active(actor: Staff, category_id: int, active: bool) -> CategoryRow:
    raise NotImplementedError


def open_case(actor: Staff, data: CaseInput) -> CaseView:
    raise NotImplementedError


def update_case(actor: Staff, number: str, changes: CaseChanges) -> CaseView:
    raise NotImplementedError


def assign(actor: Staff, number: str, owner_id: int | None) -> CaseView:
    raise NotImplementedError


def add_note(actor: Staff, number: str, kind: str, text: str, to_customer: bool = False) -> CaseView:
    raise NotImplementedError


def set_status(actor: Staff, number: str, status: str, note: str = "") -> CaseView:
    raise NotImplementedError


def link_case(actor: Staff, number: str, document_number: str) -> CaseView:
    raise NotImplementedError


def link_order(actor: Staff, number: str, order_id: int, order_number: str) -> CaseView:
    raise NotImplementedError


def resolve(actor: Staff, number: str, kind: str, text: str) -> CaseView:
    raise NotImplementedError


def give_goodwill(actor: Staff, number: str, amount: int, text: str, approver=None) -> GoodwillResult:
    raise NotImplementedError


def record_follow_up(actor: Staff, number: str, reached: bool, outcome: str = "",
                     satisfaction: int | None = None) -> CaseView:
    raise NotImplementedError


def close_case(actor: Staff, number: str, note: str) -> CaseView:
    raise NotImplementedError


def reopen(actor: Staff, number: str, reason: str) -> CaseView:
    raise NotImplementedError


def is_case_number(text: str) -> bool:
    raise NotImplementedError


def get_case(number: str) -> CaseView:
    raise NotImplementedError


def search_cases(query: CaseQuery, offset: int = 0, limit: int = 200) -> list[CaseRow]:
    raise NotImplementedError


def count_cases(query: CaseQuery) -> int:
    raise NotImplementedError


def board(actor: Staff) -> Board:
    raise NotImplementedError


def customer_cases(customer_id: int) -> list[CaseRow]:
    raise NotImplementedError


def case_figures(date_from: dt.date, date_to: dt.date, actor: Staff | None = None) -> CaseFigures:
    raise NotImplementedError


def case_data(number: str, letter: bool = False):
    raise NotImplementedError


def render_case(number: str, actor: Staff, paper: str = "a4", letter: bool = False):
    raise NotImplementedError
