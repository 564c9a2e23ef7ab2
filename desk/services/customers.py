"""Finding customers as a desk clerk types: by the start of the name or of the last name
(accents and case ignored: "wis" finds "Łucja Wiśniewska"), by phone number (digits only:
spaces, "+44" or "0044" and a leading 0 do not matter) or by the start of the email address.

Every search runs on an index: the customer table keeps its name and phone in a normalised
form (``search_name``, ``search_last``, ``search_phone``, written by ``search_keys``), and the
email is searched on ``lower(email)``. Whoever writes a customer's name or phone sets these
columns with ``search_keys``; a row whose ``search_name`` is NULL (written by other code) gets
its keys at the next search. An erased or merged customer has empty (not NULL) keys: never found.

Customer records (permissions ``customers.view``, ``customers.edit``, ``customers.merge``,
``customers.erase``):

- ``get_customer(customer_id) -> CustomerView``
- ``create_customer(actor, CustomerInput) -> CustomerView``; ``update_customer(actor, customer_id,
  CustomerInput) -> CustomerView``: the name is required, the email and phone must look like
  one (``InvalidInput`` names the field), ``preferred_contact`` one of ``PREFERRED_CONTACT``.
- ``fetch_customers(text, offset, limit) -> list[CustomerRow]`` and ``count_customers(text)``: the
  paged Customers list (the same matching as ``search_customers``).
- ``possible_duplicates(customer_id) -> list[CustomerRow]``: same phone, same email or same name.
- ``merge_customers(actor, keep_id, duplicate_id) -> MergeResult``: every foreign key to the
  duplicate, in every table (found from the models, so tables added later are covered), moves
  to the kept customer in one transaction; blanks of the kept record are filled from the
  duplicate; the duplicate stays as an empty row pointing at the kept one (``merged_into``) so
  head office can follow its uuid. Audited.
- ``erase_customer(actor, customer_id, reason) -> EraseResult``: on the customer's request the
  personal data is removed (``ERASE`` says what stays and why).
- ``log_contact(actor, customer_id, channel, summary, reached=True, direction="out",
  case_number="") -> TimelineEntry``: a call, email, letter or visit.
- ``timeline(customer_id, limit=200) -> list[TimelineEntry]``: sales, returns, exchanges,
  vouchers, cases, contacts (and what other services register with
  ``register_timeline_source(kind, source)``), newest first, each with what opens it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from peewee import Expression, fn

from desk.models import Customer, Staff, database  # noqa: F401
from desk.models.db import is_postgres
from desk.services.auth import require

# Letters that do not decompose into a base letter and an accent.
_FOLD = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ß": "ss", "ẞ": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i", "ħ": "h", "Ħ": "h",
    "'": "", "’": "", "‘": "", "ʼ": "",
})
_WORD = re.compile(r"[^\W_]+")
_NOT_DIGIT = re.compile(r"\D")
_PHONE_CHARS = re.compile(r"[\d\s+().\-/]+")
MAX_KEY = 160


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    phone: str
    email: str


def fold(text: str) -> str:
    """Lower-case words without accents, one space between them: "Łucja  O'Connor-Wiśniewska" ->
    "lucja oconnor wisniewska"."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_WORD.findall(text))


def phone_key(phone: str | None) -> str:
    """The number's digits as dialled inside the UK: "+44 7700 900123" and "07700 900 123" ->
    "07700900123"; other countries keep their code: "+48 600 100 200" -> "48600100200"."""
    raw = (phone or "").strip()
    digits = _NOT_DIGIT.sub("", raw)
    if raw.startswith("+"):
        international = digits
    elif digits.startswith("00"):
        international = digits[2:]
    else:
        return digits
    return "0" + international[2:] if international.startswith("44") else international


def search_keys(name: str | None, phone: str | None) -> dict[str, str]:
    """The search columns for a customer with this name and phone."""
    words = fold(name or "")
    first, _, rest = words.partition(" ")
    return {"search_name": words[:MAX_KEY], "search_last": rest[:MAX_KEY], "search_phone": phone_key(phone)[:40]}


def fill_missing_keys(limit: int = 5000) -> int:
    """Give the search columns to customers written without them (search_name NULL)."""
    rows = list(Customer.select(Customer.id, Customer.name, Customer.phone)
                .where(Customer.search_name.is_null()).limit(limit).tuples())
    if not rows:
        return 0
    with database.atomic():
        for cid, name, phone in rows:
            Customer.update(**search_keys(name, phone)).where(Customer.id == cid).execute()
    return len(rows)


def _ascii_lower(text: str) -> str:
    """Lower-case as SQLite's lower() does: ASCII letters only."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def _next_prefix(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if ord(prefix[-1]) < 0x10FFFF else prefix + "\U0010ffff"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _starts_with(column, prefix: str, pg: bool):
    """``column`` starts with ``prefix`` in a form its index serves: LIKE 'prefix%' on PostgreSQL
    (text_pattern_ops indexes), a range of the binary collation on SQLite."""
    if pg:
        return _pg_like(column, prefix)
    return (column >= prefix) & (column < _next_prefix(prefix))


def _pg_like(column, prefix: str):
    return Expression(column, "LIKE", _like_escape(prefix) + "%")


def _rows(where, order, limit: int) -> list[CustomerRow]:
    query = (Customer.select(Customer.id, Customer.name, Customer.phone, Customer.email)
             .where(where).order_by(order, Customer.id).limit(limit).tuples())
    return [CustomerRow(cid, name, phone or "", email or "") for cid, name, phone, email in query]


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_CHARS.fullmatch(text)) and sum(c.isdigit() for c in text) >= 3


def customer_match(text: str) -> list:
    """Conditions on Customer for a clerk's ``text`` (a customer matches if any holds), each
    served by indexes on its own: the start of the name, the last name or the email; and for a
    phone number its digits anywhere (three or more), a scan of the narrow phone index only."""
    text = (text or "").strip()
    if not text:
        return [Customer.id < 0]  # nothing typed: no customer
    fill_missing_keys()
    pg = is_postgres()
    email = text.lower() if pg else _ascii_lower(text)
    match = _starts_with(fn.LOWER(Customer.email), email, pg)
    key = fold(text) if "@" not in text else ""
    if key:
        match = match | _starts_with(Customer.search_name, key, pg) | _starts_with(Customer.search_last, key, pg)
    conditions = [match]
    if looks_like_phone(text):
        digits = phone_key(text)  # only digits: no wildcard to escape
        conditions.append(fn.STRPOS(Customer.search_phone, digits) > 0 if pg else fn.INSTR(Customer.search_phone, digits) > 0)
    return conditions


def search_customers(text: str, limit: int = 50, actor: Staff | None = None) -> list[CustomerRow]:
    """Customers whose name or last name starts with ``text`` (accents and case ignored), whose
    phone starts with its digits, or whose email starts with it. Name matches come first (by
    name), then last-name matches (by last name), then email matches; at most ``limit``."""
    if actor is not None:
        require(actor, "sales.view")
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    fill_missing_keys()
    pg = is_postgres()
    found: dict[int, CustomerRow] = {}

    def add(rows: list[CustomerRow]) -> None:
        for r in rows:
            if len(found) >= limit:
                return
            found.setdefault(r.id, r)

    if looks_like_phone(text):
        key = phone_key(text)
        keys = [key] if key.startswith("0") or text.startswith(("+", "00")) else ["0" + key, key]
        for k in keys:
            add(_rows(_starts_with(Customer.search_phone, k, pg), Customer.search_phone, limit))
        return list(found.values())
    if "@" not in text:
        key = fold(text)
        if key:
            add(_rows(_starts_with(Customer.search_name, key, pg), Customer.search_name, limit))
            if len(found) < limit:
                add(_rows(_starts_with(Customer.search_last, key, pg), Customer.search_last, limit))
    if len(found) < limit:
        email = text.lower() if pg else _ascii_lower(text)
        add(_rows(_starts_with(fn.LOWER(Customer.email), email, pg), fn.LOWER(Customer.email), limit))
    return list(found.values())


# ============================================================================ customer records

PREFERRED_CONTACT: dict[str, str] = {"": "No preference", "phone": "Phone", "email": "Email", "sms": "Text message", "post": "Post"}
CONTACT_CHANNELS: dict[str, str] = {"in_person": "In person", "phone": "Phone", "email": "Email", "letter": "Letter", "sms": "Text message"}
ERASED_NAME = "Erased customer"

ERASE = """What erasing a customer removes and what it keeps:
- removed: name, phone, email, notes, contact preferences and the search keys (the customer can
  no longer be found); the name, phone and email copied onto their returns, exchanges and
  vouchers; the customer's words and notes on their cases; what was said in their contacts.
- kept: the sales, returns, exchanges, vouchers and cases themselves (amounts, dates, numbers,
  lines), which the store must keep for its accounts, now linked to an anonymous customer; the
  audit trail, whose events carry ids and document numbers, never the name;
  archived PDFs that printed the name are listed in the result (``archived_documents``) for a
  manager to review, because the archive is the store's record of what was printed."""


@dataclass
class CustomerInput:
    name: str
    phone: str = ""
    email: str = ""
    preferred_contact: str = ""  # one of PREFERRED_CONTACT
    contact_consent: bool = False
    notes: str = ""


@dataclass(frozen=True)
class CustomerView:
    id: int
    uuid: str
    name: str
    phone: str
    email: str
    preferred_contact: str
    contact_consent: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime | None
    erased_at: dt.datetime | None
    merged_into: int | None

    @property
    def erased(self) -> bool:
        return self.erased_at is not None


@dataclass(frozen=True)
class MergeResult:
    kept: CustomerView
    duplicate_id: int
    moved: dict[str, int]  # "table.column" -> rows moved


@dataclass(frozen=True)
class EraseResult:
    customer_id: int
    cleared: dict[str, int]  # "table.column(s)" -> rows cleared
    archived_documents: list[str]  # "kind number" of archived PDFs that may show the name


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime  # naive UTC
    kind: str  # sale | return | exchange | voucher | case | contact | order | ...
    number: str  # the document's number as people read it (receipt, R-..., X-..., V-..., C-...)
    title: str  # "Sale", "Return", "Complaint: zip broke" ...
    detail: str = ""
    amount: int | None = None  # minor units, when the entry has one
    currency: str = ""
    status: str = ""
    open_kind: str = ""  # what the screen opens: sale | return | exchange | voucher | case | order | ""
    open_number: str = ""  # the number to open it with (the scan field accepts it)


TimelineSource = Callable[[int, int], list[TimelineEntry]]
"""source(customer_id, limit) -> the customer's entries of one kind, any order."""


def get_customer(customer_id: int) -> CustomerView:
    raise NotImplementedError


def create_customer(actor: Staff, data: CustomerInput) -> CustomerView:
    raise NotImplementedError


def update_customer(actor: Staff, customer_id: int, data: CustomerInput) -> CustomerView:
    raise NotImplementedError


def fetch_customers(text: str, offset: int = 0, limit: int = 200) -> list[CustomerRow]:
    raise NotImplementedError


def count_customers(text: str) -> int:
    raise NotImplementedError


def possible_duplicates(customer_id: int, limit: int = 20) -> list[CustomerRow]:
    raise NotImplementedError


def customer_references() -> list:
    """Every (model, field) that is a foreign key to Customer, found from the models."""
    raise NotImplementedError


def merge_customers(actor: Staff, keep_id: int, duplicate_id: int) -> MergeResult:
    raise NotImplementedError


def erase_customer(actor: Staff, customer_id: int, reason: str) -> EraseResult:
    raise NotImplementedError


def log_contact(actor: Staff, customer_id: int, channel: str, summary: str, reached: bool = True,
                direction: str = "out", case_number: str = "") -> TimelineEntry:
    raise NotImplementedError


def register_timeline_source(kind: str, source: TimelineSource) -> None:
    """Add (or replace) the source of ``kind`` entries in every customer's timeline."""
    raise NotImplementedError


def timeline(customer_id: int, limit: int = 200) -> list[TimelineEntry]:
    raise NotImplementedError
