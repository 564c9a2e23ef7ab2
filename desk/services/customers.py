"""Finding customers as a desk clerk types: by the start of the name or of the last name
(accents and case ignored: "wis" finds "Łucja Wiśniewska"), by phone number (digits only:
spaces, "+44" or "0044" and a leading 0 do not matter) or by the start of the email address.

Every search runs on an index: the customer table keeps its name and phone in a normalised
form (``search_name``, ``search_last``, ``search_phone``, written by ``search_keys``), and the
email is searched on ``lower(email)``. Whoever writes a customer's name or phone sets these
columns with ``search_keys``; a row whose ``search_name`` is NULL (written by other code) gets
its keys at the next search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from peewee import Expression, fn

from desk.models import Customer, Staff, database
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
