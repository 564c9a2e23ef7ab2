"""Head office's import of one kind of record on PostgreSQL, done in the database.

The data file's lines go into a temporary table with one ``COPY`` as they are (no ``json.loads``
in Python), and the database parses them, checks them, projects them onto the typed columns
and splits them into new records, newer versions, conflicts and repeats, in a few set-wise
statements. The checks and the projection are SQL generated from the kind's ``exporters.Typed``
spec: the same spec ``exporters._typed`` reads in Python, so the rule is written once.

This is a fast path, never a second rule. The SQL accepts only what it can be sure the Python
check (``head_office._checked``) accepts and projects the same way: canonical uuids, whole-number
versions written as digits, text or null, integers written as digits, dates and times in the
form the store writes (``2026-10-05T08:00:00.000000``), true/false flags, lines under
``bundles.MAX_LINE``, each uuid once. Whatever else it meets (a record that is not an object, a
field of another type or form, a duplicate uuid, a date PostgreSQL cannot read, bytes that are
not UTF-8) raises ``NotFast``, or an error from PostgreSQL; the caller rolls back to its savepoint
and imports the kind through the Python path, which refuses the bundle with the exact reason
(file and line) or imports it when the record was only unusual. Kinds with a projection of their
own or an extra check (special orders, follow-ups, audit events) always take the Python path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from desk.io.bundles import MAX_LINE, BundleRefused
from desk.services.exporters import TEXT_SIZES, TYPED_COLUMNS, Exporter, Typed

# What the store writes: str(UUID), and datetime.isoformat(timespec="microseconds").
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
WHEN_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{6})?$"
INT_RE = r"^-?[0-9]{1,18}$"  # a JSON integer that fits a BIGINT (no fraction, no exponent)
VERSION_RE = r"^[1-9][0-9]{0,8}$"  # 1 .. 999,999,999: fits the INTEGER column


class NotFast(Exception):
    """The kind's lines hold something the SQL path does not decide: take the Python path."""


def fast(exporter: Exporter) -> Typed | None:
    """The kind's spec when the database can check and project it, else None."""
    if exporter.check is None and isinstance(exporter.project, Typed):
        return exporter.project
    return None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def projection(spec: Typed) -> tuple[list[str], list[str]]:
    """SQL for one kind: (the typed columns' expressions in TYPED_COLUMNS' order, the checks
    that must all be true), over ``x`` = json_to_record(line) with every named field as json.
    Mirrors exporters._typed: a missing field or a JSON null reads as empty text, no date, no
    flag; an amount is required."""
    fields = dict(spec.fields)
    exprs, checks = [], []

    def null(f):
        return f"({f} IS NULL OR json_typeof({f}) = 'null')"

    for column in TYPED_COLUMNS:
        key = fields.get(column)
        if not key:
            exprs.append({"at": "NULL::timestamp", "amount": "NULL::bigint", "flag": "false"}.get(column, "''"))
            continue
        f = "x." + _q(key)
        if column == "at":
            exprs.append(f"CASE WHEN json_typeof({f}) = 'string' THEN ({f} #>> '{{}}')::timestamp END")
            checks.append(f"({null(f)} OR (json_typeof({f}) = 'string' AND ({f} #>> '{{}}') ~ {_lit(WHEN_RE)}))")
        elif column == "amount":
            exprs.append(f"CASE WHEN json_typeof({f}) = 'number' AND {f}::text ~ {_lit(INT_RE)} THEN {f}::text::bigint END")
            checks.append(f"(json_typeof({f}) = 'number' AND {f}::text ~ {_lit(INT_RE)})")
        elif column == "flag":
            exprs.append(f"coalesce(json_typeof({f}) = 'boolean' AND {f}::text = 'true', false)")
            checks.append(f"({null(f)} OR json_typeof({f}) = 'boolean')")
        else:
            exprs.append(f"CASE WHEN json_typeof({f}) = 'string' THEN left({f} #>> '{{}}', {TEXT_SIZES[column]}) "
                         "ELSE '' END")
            checks.append(f"({null(f)} OR json_typeof({f}) = 'string')")
    return exprs, checks


def keys(spec: Typed) -> list[str]:
    return sorted({"uuid", "version"} | {k for _, k in spec.fields if k})


def checked_table_sql(spec: Typed) -> str:
    """CREATE the checked, projected copy of the staged lines (``ho_checked``)."""
    exprs, checks = projection(spec)
    record = ", ".join(f"{_q(k)} json" for k in keys(spec))
    uid = "x.\"uuid\" #>> '{}'"
    version = "x.\"version\""
    checks = [
        f"s.size < {MAX_LINE}",
        f"json_typeof(x.\"uuid\") = 'string' AND ({uid}) ~ {_lit(UUID_RE)}",
        f"json_typeof({version}) = 'number' AND {version}::text ~ {_lit(VERSION_RE)}",
    ] + checks
    columns = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, TYPED_COLUMNS))
    return (
        "CREATE TEMP TABLE ho_checked ON COMMIT DROP AS SELECT s.n, s.data, "
        "encode(sha256(convert_to(s.data, 'UTF8')), 'hex') AS sha, "
        f"CASE WHEN json_typeof(x.\"uuid\") = 'string' THEN {uid} END AS uid, "
        f"CASE WHEN json_typeof({version}) = 'number' AND {version}::text ~ {_lit(VERSION_RE)} "
        f"THEN {version}::text::integer END AS version, "
        f"coalesce({' AND '.join('(' + c + ')' for c in checks)}, false) AS ok, {columns} "
        "FROM (SELECT n, rtrim(line, E'\\r') AS data, octet_length(line) AS size, line::json AS j "
        "FROM ho_stage OFFSET 0) s, json_to_record(s.j) AS x(" + record + ")"
    )


def _escape(chunk: bytes) -> bytes:
    """A chunk of JSON Lines as COPY's text format wants it: one line a row, one column."""
    if b"\\" in chunk:
        chunk = chunk.replace(b"\\", b"\\\\")
    if b"\t" in chunk:
        chunk = chunk.replace(b"\t", b"\\t")
    if b"\r" in chunk:
        chunk = chunk.replace(b"\r", b"\\r")
    return chunk


@dataclass
class Applied:
    added: int
    replaced: int
    unchanged: int
    conflicts: list[tuple[str, int]]  # (uuid, version) in line order


def stage(cursor, bundle, kind: str, tick: Callable[[int], None]) -> int:
    """COPY data/<kind>.jsonl's lines into ``ho_stage`` (line numbers from 1), hashing every
    byte as it goes; returns the lines staged. A file that no longer matches its hash is refused."""
    import hashlib

    name = f"data/{kind}.jsonl"
    expected = bundle.manifest["files"][name]["sha256"]
    h = hashlib.sha256()
    cursor.execute("CREATE TEMP TABLE ho_stage (n bigint GENERATED ALWAYS AS IDENTITY, line text) ON COMMIT DROP")
    lines = 0
    last = b"\n"
    with bundle.zf.open(name) as fh, cursor.copy("COPY ho_stage (line) FROM STDIN") as copy:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            h.update(chunk)
            copy.write(_escape(chunk))
            count = chunk.count(b"\n")
            lines += count
            last = chunk[-1:]
            tick(count)
        if last != b"\n":  # the last line has no newline: it is a record all the same
            copy.write(b"\n")
            lines += 1
    if h.hexdigest() != expected:
        raise BundleRefused(f"{name} changed while it was being read; nothing was imported.")
    return lines


def apply(cursor, spec: Typed, store_id: int, bundle_id: int, kind: str, found_at: dt.datetime) -> Applied:
    """Check, project and file the staged lines of one kind. Raises NotFast when a line is
    not one the SQL decides (the caller's savepoint then undoes everything of this kind)."""
    cursor.execute(checked_table_sql(spec))
    cursor.execute("SELECT count(*), count(*) FILTER (WHERE NOT ok) FROM ho_checked")
    total, bad = cursor.fetchone()
    if bad:
        raise NotFast(f"{bad} lines of {kind} need the Python check")
    cursor.execute("SELECT 1 FROM ho_checked GROUP BY uid HAVING count(*) > 1 LIMIT 1")
    if cursor.fetchone():
        raise NotFast(f"a uuid appears twice in {kind}")
    cursor.execute("ANALYZE ho_checked")
    match = "r.store_id = %s AND r.kind = %s AND r.uuid = c.uid"
    cursor.execute(
        "WITH c AS (INSERT INTO ho_conflict (store_id, bundle_id, kind, uuid, version, kept_sha256, offered_sha256, "
        "offered, found_at) SELECT %s, %s, %s, c.uid, c.version, r.sha256, c.sha, c.data, %s "
        f"FROM ho_checked c JOIN ho_record r ON {match} WHERE c.version = r.version AND c.sha <> r.sha256 "
        "ORDER BY c.n RETURNING id, uuid, version) SELECT uuid, version FROM c ORDER BY id",
        (store_id, bundle_id, kind, found_at, store_id, kind))
    conflicts = [(uid, version) for uid, version in cursor.fetchall()]
    sets = ", ".join(f"{c} = c.{c}" for c in TYPED_COLUMNS)
    cursor.execute(
        f"UPDATE ho_record r SET version = c.version, sha256 = c.sha, bundle_id = %s, data = c.data, {sets} "
        f"FROM ho_checked c WHERE {match} AND c.version > r.version",
        (bundle_id, store_id, kind))
    replaced = cursor.rowcount
    columns = ", ".join(TYPED_COLUMNS)
    cursor.execute(
        f"INSERT INTO ho_record (store_id, kind, uuid, version, sha256, bundle_id, data, {columns}) "
        f"SELECT %s, %s, c.uid, c.version, c.sha, %s, c.data, {', '.join('c.' + c for c in TYPED_COLUMNS)} "
        f"FROM ho_checked c WHERE NOT EXISTS (SELECT 1 FROM ho_record r WHERE {match}) ORDER BY c.n",
        (store_id, kind, bundle_id, store_id, kind))
    added = cursor.rowcount
    cursor.execute("DROP TABLE ho_checked")
    cursor.execute("DROP TABLE ho_stage")
    return Applied(added, replaced, total - added - replaced - len(conflicts), conflicts)
