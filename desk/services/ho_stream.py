"""Head office's import of one kind of record on PostgreSQL.

The kind's lines are read, checked and projected in Python by the one rule every path uses
(``head_office._checked``: the exporter's projection and extra check, exact reasons with file and
line), and each record's row goes straight into ``ho_record`` with one ``COPY`` as it is made.
PostgreSQL writes the rows and their indexes while Python reads the next ones: the two halves of
the work run side by side, on two cores, inside the import's one transaction.

It is optimistic. The unique ``(store, uuid, kind)`` index stops the ``COPY`` at the first
record head office holds already (or a uuid there twice); ``stream`` then rolls back to its
savepoint and returns None, and the caller files the kind with ``sort_in``: the same reading and
checks, the rows ``COPY``ed into a temporary table, and SQL sorting them set-wise into new
records, newer versions, conflicts and repeats. A bad record refuses the bundle on either path
as the Python path of SQLite does (BundleRefused, naming file and line); the caller's
transaction rolls back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Callable

import psycopg

from desk.io.bundles import BundleRefused
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
    lines = _Lines(bundle, kind, checked, tick)
    types = column_types(cursor)
    cursor.execute("SAVEPOINT ho_stream")
    try:
        # binary: half the work of the text format in psycopg, and less in the server
        with cursor.copy(f"COPY ho_record ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            write = copy.write_row
            for _n, uid, version, sha, data, typed in lines:
                write((store_id, kind, uid, version, sha, bundle_id, data) + typed)
    except psycopg.errors.UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT ho_stream")
        return None
    cursor.execute("RELEASE SAVEPOINT ho_stream")
    return lines.read


class _Lines:
    """The records of data/<kind>.jsonl as (line, uuid, version, sha256, the line as text, typed
    columns), each checked by ``checked``; ``tick`` is told every TICK lines and at the end;
    ``read`` is the number of lines read."""

    def __init__(self, bundle, kind: str, checked: Checked, tick: Callable[[int], None]):
        self.bundle, self.kind, self.checked, self.tick = bundle, kind, checked, tick
        self.read = 0

    def __iter__(self):
        sha256, checked, kind, tick = hashlib.sha256, self.checked, self.kind, self.tick
        n = 0
        for n, raw, record in self.bundle.iter_lines(kind):
            uid, version, typed = checked(kind, n, record)
            yield n, uid, version, sha256(raw).hexdigest(), raw.decode("utf-8"), typed  # a line read is UTF-8
            if not n % TICK:
                tick(TICK)
        self.read = n
        tick(n % TICK)


@dataclass
class Applied:
    added: int
    replaced: int
    unchanged: int
    conflicts: list[tuple[str, int]]  # (uuid, version) in line order


# the rows sort_in stages: each record's line number and its columns of ho_record
STAGED = ("n", "uuid", "version", "sha256", "data") + TYPED_COLUMNS


def sort_in(cursor, bundle, kind: str, store_id: int, bundle_id: int, checked: Checked,
            tick: Callable[[int], None], found_at: dt.datetime) -> Applied:
    """File every record of data/<kind>.jsonl, some of which head office holds: each read and
    checked as ``stream`` does (and a uuid the file holds twice refused at its second line, as
    the Python path does), its row COPYed into a temporary table, then sorted by SQL: a newer
    version replaces the record held, the same version with other content is kept aside as a
    conflict (ho_conflict), the same record again or an older version changes nothing, and the
    rest are added in line order."""
    lines = _Lines(bundle, kind, checked, tick)
    types = dict(zip(COLUMNS, column_types(cursor)))
    cursor.execute("CREATE TEMP TABLE ho_incoming ON COMMIT DROP AS SELECT 0::bigint AS n, "
                   f"{', '.join(STAGED[1:])} FROM ho_record WITH NO DATA")
    seen: set[str] = set()
    with cursor.copy(f"COPY ho_incoming ({', '.join(STAGED)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(["int8"] + [types[c] for c in STAGED[1:]])
        write = copy.write_row
        for n, uid, version, sha, data, typed in lines:
            if uid in seen:
                raise BundleRefused(f"data/{kind}.jsonl line {n}: record {uid} appears twice in the bundle.")
            seen.add(uid)
            write((n, uid, version, sha, data) + typed)
    match = "r.store_id = %s AND r.kind = %s AND r.uuid = c.uuid"
    cursor.execute(
        "WITH c AS (INSERT INTO ho_conflict (store_id, bundle_id, kind, uuid, version, kept_sha256, offered_sha256, "
        "offered, found_at) SELECT %s, %s, %s, c.uuid, c.version, r.sha256, c.sha256, c.data, %s "
        f"FROM ho_incoming c JOIN ho_record r ON {match} WHERE c.version = r.version AND c.sha256 <> r.sha256 "
        "ORDER BY c.n RETURNING id, uuid, version) SELECT uuid, version FROM c ORDER BY id",
        (store_id, bundle_id, kind, found_at, store_id, kind))
    conflicts = [(uid, version) for uid, version in cursor.fetchall()]
    sets = ", ".join(f"{c} = c.{c}" for c in STAGED[2:])
    cursor.execute(f"UPDATE ho_record r SET bundle_id = %s, {sets} FROM ho_incoming c "
                   f"WHERE {match} AND c.version > r.version", (bundle_id, store_id, kind))
    replaced = cursor.rowcount
    cursor.execute(
        f"INSERT INTO ho_record ({', '.join(COLUMNS)}) SELECT %s, %s, c.uuid, c.version, c.sha256, %s, c.data, "
        f"{', '.join('c.' + c for c in TYPED_COLUMNS)} FROM ho_incoming c "
        f"WHERE NOT EXISTS (SELECT 1 FROM ho_record r WHERE {match}) ORDER BY c.n",
        (store_id, kind, bundle_id, store_id, kind))
    added = cursor.rowcount
    cursor.execute("DROP TABLE ho_incoming")
    return Applied(added, replaced, lines.read - added - replaced - len(conflicts), conflicts)
