"""Document numbers: ``<kind>-<store>-<desk>-<seq>`` (R-LDN01-01-000042), gap-free per store,
desk and kind.

``next_number`` must run inside the transaction that writes the document: the counter row is
locked (SQLite: the write transaction is BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE),
so a rolled-back document gives its number back and two desks never get the same one.
"""

from __future__ import annotations

import re

from desk.errors import InvalidInput
from desk.models import DocumentCounter, database
from desk.models.db import is_postgres

SEQ_DIGITS = 6
DESK_CODE = re.compile(r"[A-Z0-9]{1,4}")


def clean_desk_code(code: str) -> str:
    """A desk's number as documents carry it: 1 to 4 letters or digits, upper case (``01``, ``2``, ``K1``).

    Every desk (computer) of a store sharing one database needs its own, so that each desk's
    documents are numbered on their own and show where they were made.
    """
    cleaned = (code or "").strip().upper()
    if not DESK_CODE.fullmatch(cleaned):
        raise InvalidInput("Desk number", f"'{(code or '').strip()}' must be 1 to 4 letters or digits, e.g. 01 or 02")
    return cleaned


def format_number(kind: str, store_code: str, desk_code: str, seq: int) -> str:
    return f"{kind}-{store_code}-{desk_code}-{seq:0{SEQ_DIGITS}d}"


def next_number(store_code: str, desk_code: str, kind: str = "R") -> str:
    """The next number of ``kind`` for this store and desk. Call inside the write transaction."""
    if not database.obj.in_transaction():
        raise RuntimeError("next_number must run inside the document's transaction")
    key = (DocumentCounter.store_code == store_code) & (DocumentCounter.desk_code == desk_code) & (DocumentCounter.kind == kind)
    DocumentCounter.insert(store_code=store_code, desk_code=desk_code, kind=kind, last=0).on_conflict_ignore().execute()
    query = DocumentCounter.select().where(key)
    if is_postgres():
        query = query.for_update()
    row = query.get()
    seq = row.last + 1
    DocumentCounter.update(last=seq).where(key).execute()
    return format_number(kind, store_code, desk_code, seq)
