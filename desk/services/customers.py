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
- ``find_or_add_customer(actor, CustomerInput, ...) -> (CustomerView, added)``: the customer a
  form elsewhere (a special order) describes: a live one with the same name and the same email
  or phone (``same_customer``), else a new record, checked and audited as ``create_customer``.
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
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from peewee import JOIN, Expression, fn

from desk import clock
from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.models import Customer, Staff, database
from desk.models.db import is_postgres
from desk.services import audit
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
    return _fold(text or "")


@functools.lru_cache(maxsize=4096)  # an import meets the same names again and again
def _fold(text: str) -> str:
    text = text.translate(_FOLD)
    if not text.isascii():  # ASCII has no accents to take off: NFKD leaves it as it is
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_WORD.findall(text.lower()))


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
# Columns that copy a customer's details onto a record linked to them: erased with the customer.
COPIED_FIELDS = ("customer_name", "customer_phone", "customer_email")

ERASE = """What erasing a customer removes and what it keeps:
- removed: name, phone, email, notes, contact preferences and the search keys (the customer can
  no longer be found); the name, phone and email copied onto every record linked to them
  (``COPIED_FIELDS`` of any table with a foreign key to the customer: returns, vouchers,
  orders ...) and onto their exchanges and the approval requests of their returns; the
  customer's words, the notes and the follow-up outcomes of their cases; what was said in
  their contacts. A case's one-line summary stays (it says what the case was about).
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


_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_EMPTY_KEYS = {"search_name": "", "search_last": "", "search_phone": ""}  # never matched, never refilled


def _view(c: Customer) -> CustomerView:
    return CustomerView(c.id, str(c.uuid), c.name, c.phone or "", c.email or "", c.preferred_contact or "",
                        bool(c.contact_consent), c.notes or "", c.created_at, c.updated_at, c.erased_at, c.merged_into)


def _get(customer_id: int, lock: bool = False) -> Customer:
    query = Customer.select().where(Customer.id == customer_id)
    if lock and is_postgres():
        query = query.for_update()
    customer = query.first()
    if customer is None:
        raise NotFound(f"No customer has the id {customer_id}.")
    return customer


def get_customer(customer_id: int) -> CustomerView:
    return _view(_get(customer_id))


def validate_email(email: str, field: str = "Email") -> str:
    """The address trimmed, or "" for none; InvalidInput when it does not look like one."""
    email = (email or "").strip()
    if not email:
        return ""
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput(field, f"'{email}' is not an email address (like name@example.com)")
    return email


def validate_phone(phone: str, field: str = "Phone") -> str:
    """The number as typed (trimmed), or "" for none; InvalidInput unless it has 7 to 15 digits
    and nothing but digits, spaces, + ( ) . - /."""
    phone = " ".join((phone or "").split())
    if not phone:
        return ""
    digits = sum(c.isdigit() for c in phone)
    if not _PHONE_CHARS.fullmatch(phone) or len(phone) > 40:
        raise InvalidInput(field, f"'{phone}' is not a phone number: use digits, spaces and + ( ) - only")
    if not 7 <= digits <= 15:
        raise InvalidInput(field, f"'{phone}' has {digits} digits; a phone number has 7 to 15")
    return phone


def _clean(data: CustomerInput, prefix: str = "") -> dict:
    """The record's values from ``data``; InvalidInput names the field, after ``prefix`` when one
    is given ("Customer" -> "Customer phone")."""

    def field(name: str) -> str:
        return f"{prefix} {name.lower()}" if prefix else name

    name = " ".join((data.name or "").split())
    if not name:
        raise InvalidInput(field("Name"), "is required")
    if len(name) > 160:
        raise InvalidInput(field("Name"), "is longer than 160 characters")
    phone = validate_phone(data.phone, field("Phone"))
    email = validate_email(data.email, field("Email"))
    preferred = (data.preferred_contact or "").strip().lower()
    if preferred not in PREFERRED_CONTACT:
        raise InvalidInput(field("Preferred contact"),
                           f"'{preferred}' is not one of: {', '.join(k for k in PREFERRED_CONTACT if k)}")
    if preferred in ("phone", "sms") and not phone:
        raise InvalidInput(field("Phone"), f"is needed when the preferred contact is {PREFERRED_CONTACT[preferred].lower()}")
    if preferred == "email" and not email:
        raise InvalidInput(field("Email"), "is needed when the preferred contact is email")
    return {"name": name, "phone": phone or None, "email": email or None, "preferred_contact": preferred,
            "contact_consent": bool(data.contact_consent), "notes": (data.notes or "").strip(), **search_keys(name, phone)}


def _add(actor: Staff, values: dict, **context) -> Customer:
    """Write a new customer and its audit event (``context`` joins the event's details)."""
    with database.atomic():
        customer = Customer.create(**values, updated_at=clock.utcnow())
        audit.record("customer.added", actor, entity="customer", entity_uuid=customer.uuid,
                     details={"id": customer.id, "fields": sorted(k for k in ("phone", "email", "notes") if values[k]),
                              "consent": values["contact_consent"], "preferred_contact": values["preferred_contact"],
                              **context})
    return customer


def create_customer(actor: Staff, data: CustomerInput) -> CustomerView:
    require(actor, "customers.edit")
    return _view(_add(actor, _clean(data)))


def same_customer(name: str, phone: str = "", email: str = "") -> CustomerView | None:
    """The live customer a new record for ``name`` with ``phone`` or ``email`` would repeat: the
    same name (accents, case and spaces ignored) and the same email (any case) or, failing that,
    the same phone number (however written). None when there is none."""
    keys = search_keys(name, phone)
    if not keys["search_name"]:
        return None
    same = Customer.select().where((Customer.search_name == keys["search_name"]) & _live())
    match = None
    if email:
        match = same.where(fn.LOWER(Customer.email) == email.lower()).first()
    if match is None and phone and keys["search_phone"]:
        match = same.where(Customer.search_phone == keys["search_phone"]).first()
    return _view(match) if match is not None else None


def find_or_add_customer(actor: Staff, data: CustomerInput, *, prefix: str = "", context: str = "") -> tuple[CustomerView, bool]:
    """The customer ``data`` describes: one already on file (``same_customer``), else a new record
    checked and audited as ``create_customer`` does (``context`` says, in the audit event, what
    the clerk was doing). ``prefix`` goes before the field a refusal names. Returns (customer,
    whether it was added); joins the caller's transaction."""
    require(actor, "customers.edit")
    values = _clean(data, prefix)
    found = same_customer(values["name"], values["phone"] or "", values["email"] or "")
    if found is not None:
        return found, False
    return _view(_add(actor, values, **({"while": context} if context else {}))), True


def update_customer(actor: Staff, customer_id: int, data: CustomerInput) -> CustomerView:
    """Change a customer's record. The audit event names the fields changed, not their values
    (an audit trail that kept names and numbers would defeat an erasure)."""
    require(actor, "customers.edit")
    values = _clean(data)
    with database.atomic():
        customer = _get(customer_id, lock=True)
        if customer.erased_at is not None:
            raise NotAllowed(f"Customer #{customer_id} was erased on request: add a new customer instead.")
        if customer.merged_into is not None:
            raise NotAllowed(f"Customer #{customer_id} was merged into customer #{customer.merged_into}: edit that one.")
        changed = sorted(k for k in ("name", "phone", "email", "preferred_contact", "contact_consent", "notes")
                         if getattr(customer, k) != values[k])
        if changed:
            Customer.update(**values, updated_at=clock.utcnow()).where(Customer.id == customer.id).execute()
            audit.record("customer.changed", actor, entity="customer", entity_uuid=customer.uuid,
                         details={"id": customer.id, "fields": changed})
    return get_customer(customer_id)


def _live():
    return Customer.erased_at.is_null() & Customer.merged_into.is_null()


def _prefix_conditions(text: str) -> list:
    """What ``search_customers`` matches, as conditions each served by one index on its own."""
    pg = is_postgres()
    if looks_like_phone(text):
        key = phone_key(text)
        keys = [key] if key.startswith("0") or text.startswith(("+", "00")) else ["0" + key, key]
        return [_starts_with(Customer.search_phone, k, pg) for k in keys]
    conditions = []
    if "@" not in text:
        key = fold(text)
        if key:
            conditions += [_starts_with(Customer.search_name, key, pg), _starts_with(Customer.search_last, key, pg)]
    email = text.lower() if pg else _ascii_lower(text)
    conditions.append(_starts_with(fn.LOWER(Customer.email), email, pg))
    return conditions


def _matching_ids(conditions: list):
    """The ids matching any condition: a UNION of one indexed query per condition (an OR of
    them would make the database walk the whole table in name order)."""
    queries = [Customer.select(Customer.id).where(c) for c in conditions]
    union = queries[0]
    for q in queries[1:]:
        union = union | q
    return union


def _paged_where(text: str):
    text = (text or "").strip()
    if not text:
        return _live()
    fill_missing_keys()
    return Customer.id.in_(_matching_ids(_prefix_conditions(text)))


def fetch_customers(text: str, offset: int = 0, limit: int = 200) -> list[CustomerRow]:
    """A page of the Customers list: every customer (by name) or those ``search_customers``
    would find for ``text`` (the start of the name, last name, phone or email), by name."""
    query = (Customer.select(Customer.id, Customer.name, Customer.phone, Customer.email)
             .where(_paged_where(text)).order_by(Customer.search_name, Customer.id)
             .offset(max(0, offset)).limit(max(0, limit)).tuples())
    return [CustomerRow(cid, name, phone or "", email or "") for cid, name, phone, email in query]


def count_customers(text: str) -> int:
    return Customer.select().where(_paged_where(text)).count()


def possible_duplicates(customer_id: int, limit: int = 20) -> list[CustomerRow]:
    """Other customers with the same phone number, the same email or the same name."""
    c = _get(customer_id)
    if c.erased_at is not None or c.merged_into is not None:
        return []
    same = []
    if c.search_phone:
        same.append(Customer.search_phone == c.search_phone)
    if c.email:
        same.append(fn.LOWER(Customer.email) == c.email.lower())
    if c.search_name:
        same.append(Customer.search_name == c.search_name)
    if not same:
        return []
    return _rows(Customer.id.in_(_matching_ids(same)) & (Customer.id != c.id) & _live(), Customer.search_name, limit)


def customer_references() -> list:
    """Every (model, field) that is a foreign key to Customer, found from the models (so a
    table added later is covered without changing this), in table order."""
    import desk.models  # noqa: F401 - every table module imported, so every backref is known

    refs = [(fk.model, fk) for fk in Customer._meta.backrefs]
    return sorted(refs, key=lambda r: (r[0]._meta.table_name, r[1].column_name))


def merge_customers(actor: Staff, keep_id: int, duplicate_id: int) -> MergeResult:
    require(actor, "customers.merge")
    if keep_id == duplicate_id:
        raise InvalidInput("Duplicate", "is the customer being kept: choose another one")
    with database.atomic():
        first, second = sorted((keep_id, duplicate_id))  # lock in one order: no deadlock between desks
        locked = {first: _get(first, lock=True), second: _get(second, lock=True)}
        keep, dup = locked[keep_id], locked[duplicate_id]
        for c, role in ((keep, "kept"), (dup, "duplicate")):
            if c.erased_at is not None:
                raise NotAllowed(f"The {role} customer #{c.id} was erased on request and cannot be merged.")
            if c.merged_into is not None:
                raise NotAllowed(f"The {role} customer #{c.id} was already merged into customer #{c.merged_into}.")
        moved: dict[str, int] = {}
        for model, fk in customer_references():
            n = model.update({fk: keep.id}).where(fk == dup.id).execute()
            if n:
                moved[f"{model._meta.table_name}.{fk.column_name}"] = n
        filled = {}
        if not keep.phone and dup.phone:
            filled["phone"] = dup.phone
        if not keep.email and dup.email:
            filled["email"] = dup.email
        if not keep.preferred_contact and dup.preferred_contact:
            filled["preferred_contact"] = dup.preferred_contact
        if dup.notes and dup.notes not in (keep.notes or ""):
            filled["notes"] = "\n".join(x for x in (keep.notes, dup.notes) if x)
        if dup.contact_consent and not keep.contact_consent:
            # Consent given on one record is not assumed for both: the kept record's answer stands.
            pass
        now = clock.utcnow()
        Customer.update(name=f"Merged into #{keep.id}", phone=None, email=None, notes="", preferred_contact="",
                        contact_consent=False, merged_into=keep.id, updated_at=now, **_EMPTY_KEYS).where(Customer.id == dup.id).execute()
        if filled:
            phone = filled.get("phone", keep.phone)
            Customer.update(**filled, updated_at=now, **search_keys(keep.name, phone)).where(Customer.id == keep.id).execute()
        audit.record("customer.merged", actor, entity="customer", entity_uuid=keep.uuid,
                     details={"kept": keep.id, "duplicate": dup.id, "duplicate_uuid": str(dup.uuid), "moved": moved,
                              "filled": sorted(filled)})
    return MergeResult(get_customer(keep_id), duplicate_id, moved)


def _scrub_json(text: str, keys: tuple[str, ...]) -> str:
    import json

    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict):
        for key in keys:
            if key in data and data[key]:
                data[key] = ""
    return json.dumps(data, sort_keys=True, default=str)


def erase_customer(actor: Staff, customer_id: int, reason: str) -> EraseResult:
    """Erase a customer's personal data on their request (see ``ERASE``), in one transaction."""
    from desk.models import Approval, ArchivedDocument, CaseNote, ContactLog, Exchange, FollowUp, Return, Voucher
    from desk.models.cases import Case

    require(actor, "customers.erase")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Reason", "say why (for example: the customer's written request of 3 March)")
    with database.atomic():
        c = _get(customer_id, lock=True)
        if c.erased_at is not None:
            raise NotAllowed(f"Customer #{customer_id} was already erased on {c.erased_at:%Y-%m-%d}.")
        if c.merged_into is not None:
            raise NotAllowed(f"Customer #{customer_id} was merged into customer #{c.merged_into}: erase that one.")
        cleared: dict[str, int] = {}

        def note(key: str, n: int) -> None:
            if n:
                cleared[key] = cleared.get(key, 0) + n

        # Copies of the name, phone and email on every record linked to the customer, in every
        # table (found from the models: a table added later is covered if it names its copies so).
        for model, fk in customer_references():
            copies = {f: "" for f in model._meta.sorted_fields if f.name in COPIED_FIELDS and not f.null}
            copies.update({f: None for f in model._meta.sorted_fields if f.name in COPIED_FIELDS and f.null})
            if copies:
                key = f"{model._meta.table_name}." + "/".join(sorted(f.name for f in copies))
                note(key, model.update(copies).where(fk == c.id).execute())
        returns = Return.select(Return.id).where(Return.customer == c.id)
        note("exchange.customer_name", Exchange.update(customer_name="").where(Exchange.ret.in_(returns)).execute())
        cases = Case.select(Case.id).where(Case.customer == c.id)
        note("case.customer_words", Case.update(customer_words="(erased on the customer's request)")
             .where(Case.customer == c.id).execute())
        note("case_note.text", CaseNote.update(text="(erased on the customer's request)").where(CaseNote.case.in_(cases)).execute())
        note("follow_up.outcome", FollowUp.update(outcome="").where(FollowUp.case.in_(cases) & (FollowUp.outcome != "")).execute())
        note("contact_log.summary", ContactLog.update(summary="").where(ContactLog.customer == c.id).execute())
        # Approvals asked for their returns keep the return request as JSON, with the name in it.
        approvals = Approval.select().where(
            Approval.id.in_(Return.select(Return.approval).where((Return.customer == c.id) & Return.approval.is_null(False)))
            | Approval.request.contains(f'"customer_id": {c.id},'))
        for a in approvals:
            a.request = _scrub_json(a.request, ("customer_name", "customer_phone", "customer_email"))
            a.save(only=[Approval.request])
            note("approval.request", 1)
        _import_extensions()
        for hook in _ERASE_HOOKS:  # what other services keep of the customer (special orders, ...)
            for key, n in hook(c.id).items():
                note(key, n)
        numbers = [r.number for r in Return.select(Return.number).where(Return.customer == c.id)]
        numbers += [k.number for k in Case.select(Case.number).where(Case.customer == c.id)]
        numbers += [v.code for v in Voucher.select(Voucher.code).where(Voucher.customer == c.id)]
        archived = [f"{d.kind} {d.number}" for d in ArchivedDocument.select(ArchivedDocument.kind, ArchivedDocument.number)
                    .where(ArchivedDocument.number.in_(numbers) if numbers else ArchivedDocument.id < 0)]
        Customer.update(name=ERASED_NAME, phone=None, email=None, notes="", preferred_contact="", contact_consent=False,
                        erased_at=clock.utcnow(), updated_at=clock.utcnow(), **_EMPTY_KEYS).where(Customer.id == c.id).execute()
        cleared["customer"] = 1
        audit.record("customer.erased", actor, entity="customer", entity_uuid=c.uuid,
                     details={"id": c.id, "reason": reason, "cleared": cleared, "archived_documents": archived})
    return EraseResult(customer_id, cleared, archived)


def log_contact(actor: Staff, customer_id: int, channel: str, summary: str, reached: bool = True,
                direction: str = "out", case_number: str = "") -> TimelineEntry:
    from desk.models import ContactLog
    from desk.models.cases import Case

    require(actor, "customers.edit")
    channel = (channel or "").strip().lower()
    if channel not in CONTACT_CHANNELS:
        raise InvalidInput("Channel", f"'{channel}' is not one of: {', '.join(CONTACT_CHANNELS)}")
    if direction not in ("in", "out"):
        raise InvalidInput("Direction", "must be in or out")
    with database.atomic():
        c = _get(customer_id)
        if c.erased_at is not None:
            raise NotAllowed(f"Customer #{customer_id} was erased on request.")
        case = None
        if case_number:
            case = Case.get_or_none(Case.number == case_number.strip().upper())
            if case is None:
                raise NotFound(f"No case has the number {case_number}.")
        row = ContactLog.create(customer=c.id, case=case, staff=actor.id, channel=channel, direction=direction,
                                reached=bool(reached), summary=(summary or "").strip(), created_at=clock.utcnow())
        audit.record("customer.contact", actor, entity="customer", entity_uuid=c.uuid,
                     details={"id": c.id, "channel": channel, "direction": direction, "reached": bool(reached),
                              "case": case.number if case else ""})
    return _contact_entry(row, case.number if case else "")


# ----------------------------------------------------------------------------- timeline

_SOURCES: dict[str, TimelineSource] = {}
# Services that add a source register it when imported; these are imported before a timeline
# is read (one that does not exist in this build is skipped).
TIMELINE_MODULES = ("desk.services.orders",)


_ERASE_HOOKS: list = []


def register_erase_hook(hook) -> None:
    """``hook(customer_id) -> {what: rows}`` runs inside every erasure's transaction and removes what
    its service keeps of the customer beyond the copied name/phone/email columns (search text,
    addresses used for contact attempts ...)."""
    if hook not in _ERASE_HOOKS:
        _ERASE_HOOKS.append(hook)


def _import_extensions() -> None:
    """Import the services that register timeline sources and erase hooks (skipping absent ones)."""
    import importlib

    for name in TIMELINE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a build without that service; its own import errors surface
            if exc.name != name:
                raise


def register_timeline_source(kind: str, source: TimelineSource) -> None:
    """Add (or replace) the source of ``kind`` entries in every customer's timeline."""
    _SOURCES[kind] = source


def _sales(customer_id: int, limit: int) -> list[TimelineEntry]:
    from desk.models import Sale

    q = Sale.select().where(Sale.customer == customer_id).order_by(Sale.sold_at.desc()).limit(limit)
    return [TimelineEntry(s.sold_at, "sale", s.receipt_no, "Sale", "", s.total, s.currency, "", "sale", s.receipt_no) for s in q]


def _returns(customer_id: int, limit: int) -> list[TimelineEntry]:
    from desk.models import Return

    q = Return.select().where(Return.customer == customer_id).order_by(Return.created_at.desc()).limit(limit)
    return [TimelineEntry(r.created_at, "return", r.number, "Return", f"refund to {r.refund_to.replace('_', ' ')}", r.total,
                          r.currency, r.status, "return", r.number) for r in q]


def _exchanges(customer_id: int, limit: int) -> list[TimelineEntry]:
    from desk.models import Exchange, Return

    q = (Exchange.select(Exchange).join(Return, on=(Exchange.ret == Return.id)).where(Return.customer == customer_id)
         .order_by(Exchange.created_at.desc()).limit(limit))
    return [TimelineEntry(x.created_at, "exchange", x.number, "Exchange", "", x.difference, x.currency, x.status,
                          "exchange", x.number) for x in q]


def _vouchers(customer_id: int, limit: int) -> list[TimelineEntry]:
    from desk.models import Voucher

    q = Voucher.select().where(Voucher.customer == customer_id).order_by(Voucher.created_at.desc()).limit(limit)
    return [TimelineEntry(v.created_at, "voucher", v.code, "Store credit" + (" (goodwill)" if v.source == "goodwill" else ""),
                          "", v.amount, v.currency, v.status, "voucher", v.code) for v in q]


def _cases(customer_id: int, limit: int) -> list[TimelineEntry]:
    from desk.models.cases import Case

    labels = {"complaint": "Complaint", "enquiry": "Enquiry", "feedback": "Feedback", "compliment": "Compliment"}
    q = Case.select().where(Case.customer == customer_id).order_by(Case.created_at.desc()).limit(limit)
    return [TimelineEntry(c.created_at, "case", c.number, f"{labels.get(c.type, c.type)}: {c.summary}", "", None, "",
                          c.status, "case", c.number) for c in q]


def _contact_entry(row, case_number: str) -> TimelineEntry:
    label = CONTACT_CHANNELS.get(row.channel, row.channel)
    title = f"{label} {'from' if row.direction == 'in' else 'to'} the customer" + ("" if row.reached else " (not reached)")
    return TimelineEntry(row.created_at, "contact", case_number, title, row.summary, None, "", "",
                         "case" if case_number else "", case_number)


def _contacts(customer_id: int, limit: int) -> list[TimelineEntry]:
    from desk.models import ContactLog
    from desk.models.cases import Case

    q = (ContactLog.select(ContactLog, Case.number.alias("case_no")).join(Case, JOIN.LEFT_OUTER, on=(ContactLog.case == Case.id))
         .where(ContactLog.customer == customer_id).order_by(ContactLog.created_at.desc()).limit(limit))
    return [_contact_entry(row, getattr(row, "case_no", None) or "") for row in q.objects()]


for _kind, _source in (("sale", _sales), ("return", _returns), ("exchange", _exchanges), ("voucher", _vouchers),
                       ("case", _cases), ("contact", _contacts)):
    register_timeline_source(_kind, _source)


def timeline(customer_id: int, limit: int = 200) -> list[TimelineEntry]:
    """Everything the store has done with a customer, newest first (at most ``limit``)."""
    _get(customer_id)
    _import_extensions()
    entries: list[TimelineEntry] = []
    for source in list(_SOURCES.values()):
        entries.extend(source(customer_id, limit))
    entries.sort(key=lambda e: (e.at, e.kind, e.number), reverse=True)
    return entries[:limit]
