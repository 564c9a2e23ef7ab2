"""Head office's import of one kind of record on PostgreSQL when every record is new to it.

The kind's lines are read, checked and projected in Python by the one rule every path uses
(``head_office._checked``: the exporter's projection and extra check, exact reasons with file and
line), and each record's row goes straight into ``ho_record`` with one ``COPY`` as it is made.
PostgreSQL writes the rows and their indexes while Python reads the next ones: the two halves of
the work run side by side, on two cores, inside the import's one transaction.

It is optimistic. The unique ``(store, kind, uuid)`` index stops the ``COPY`` at the first
record head office holds already (or a uuid there twice); ``stream`` then rolls back to its
savepoint and returns None, and the caller files the kind by the path that sorts records into
new ones, newer versions, conflicts and repeats. A bad record refuses the bundle as the Python
path does (BundleRefused); the caller's transaction rolls back.
"""

from __future__ import annotations

import hashlib
from typing import Callable

import psycopg

from desk.services.exporters import TYPED_COLUMNS

COLUMNS = ("store_id", "kind", "uuid", "version", "sha256", "bundle_id", "data") + TYPED_COLUMNS
TICK = 10_000  # lines between two progress reports (and asks of cancel)

def column_types(cursor) -> list[str]:
    """The types of ho_record's COLUMNS, as the database has them (a binary COPY must send each
    value in its column's own type: an int4 id is not an int8)."""
    cursor.execute("SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                   "WHERE a.attrelid = 'ho_record'::regclass AND a.attnum > 0 AND NOT a.attisdropped")
    types = dict(cursor.fetchall())
    return [types[c] for c in COLUMNS]


Checked = Callable[[str, int, dict], tuple[str, int, tuple]]


def stream(cursor, bundle, kind: str, store_id: int, bundle_id: int, checked: Checked,
           tick: Callable[[int], None]) -> int | None:
    """COPY every record of data/<kind>.jsonl into ho_record: the records written, or None
    (nothing written) when one of them is a record head office holds, or a uuid the file holds
    twice. ``checked(kind, line, record)`` gives a record's uuid, version and typed columns or
    raises BundleRefused; ``tick(lines)`` is told every TICK lines and may raise to stop (the
    COPY is abandoned, the caller rolls back)."""
    sha256 = hashlib.sha256
    n = 0
    types = column_types(cursor)
    cursor.execute("SAVEPOINT ho_stream")
    try:
        # binary: half the work of the text format in psycopg, and less in the server
        with cursor.copy(f"COPY ho_record ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            write = copy.write_row
            for n, raw, record in bundle.iter_lines(kind):
                uid, version, typed = checked(kind, n, record)  # a line read is UTF-8 (iter_lines)
                write((store_id, kind, uid, version, sha256(raw).hexdigest(), bundle_id, raw.decode("utf-8")) + typed)
                if not n % TICK:
                    tick(TICK)
    except psycopg.errors.UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT ho_stream")
        return None
    cursor.execute("RELEASE SAVEPOINT ho_stream")
    tick(n % TICK)
    return n
