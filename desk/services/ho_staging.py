"""Head office's import on PostgreSQL of a kind that meets records head office holds, done in the database.

A kind whose records are all new goes in with one COPY as Python checks it (desk.services.ho_stream);
when that COPY meets a record head office holds (or a uuid twice), the kind comes here. The data
file's lines go into a temporary table of the kind's own (``stage_table``, one ``json``
column, so PostgreSQL checks each line is JSON as it streams in) with one ``COPY`` as they are (no
``json.loads`` in Python), and the lines are parsed, checked and projected into a table and split
set-wise into new records, newer versions, conflicts and repeats (``apply`` with ``all_new``, for
a caller without the stream, first tries one ``INSERT ... SELECT`` as if every record were new). The checks and the projection are SQL generated from the
kind's ``exporters.Typed`` spec, the data ``exporters._typed`` reads in Python: the rule is
written once.

This is a fast path, never a second rule. The SQL accepts only what it can be sure the Python
check (``head_office._checked``) accepts and projects the same way: canonical uuids, whole-number
versions written as digits, text or null, integers written as digits, dates and times in the
form the store writes (``2026-10-05T08:00:00.000000``), true/false flags, lines under
``bundles.MAX_LINE``, each uuid once. Whatever else it meets (a record that is not an object, a
field of another type or form, a duplicate uuid, a date PostgreSQL cannot read, bytes that are
not UTF-8) raises ``NotFast``, or an error from PostgreSQL; the caller rolls back to its savepoint
and imports the kind through the Python path, which refuses the bundle with the exact reason
(file and line) or imports it when the record was only unusual (a line that is not JSON fails
its COPY: the kind is not staged). A kind's extra check (audit events: each event's hash) runs
in Python on every line first (``check_lines``); kinds whose projection is code of their own (special orders, follow-ups) always take the Python
path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Callable

import psycopg

from desk.io.bundles import MAX_LINE, BundleRefused, parse_line
from desk.services.exporters import TEXT_SIZES, TYPED_COLUMNS, Exporter, Typed

class NotFast(Exception):
    """The kind's lines hold something the SQL path does not decide: take the Python path."""


def fast(exporter: Exporter) -> Typed | None:
    """The kind's spec when the database can check and project it, else None. A kind with an
    extra check (audit events: each event's hash) still qualifies: ``stage`` runs the check in
    Python on every line as it streams them."""
    return exporter.project if isinstance(exporter.project, Typed) else None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def keys(spec: Typed) -> list[str]:
    return sorted({"uuid", "version"} | {k for _, k in spec.fields if k})


def _is_text(t: str) -> str:
    return f"left({t}, 1) = '\"'"  # a JSON string (a token that begins with a quote is one)


# The forms of a date and time the store writes, as to_char writes them back: a value is taken
# only when PostgreSQL reads it and writes exactly the same text again (so the fields are in
# range, the year has four digits and nothing else is there), which Python reads the same way.
_WHEN_FORMS = ("CASE octet_length({v}) WHEN 26 THEN 'YYYY-MM-DD\"T\"HH24:MI:SS.US' "
               "ELSE 'YYYY-MM-DD\"T\"HH24:MI:SS' END")


def projection(spec: Typed) -> tuple[list[str], list[str]]:
    """SQL for one kind: (the typed columns' expressions in TYPED_COLUMNS' order, the checks
    that must all be true). Over the inner select of ``checked_select``, where for field
    number i ``ti`` is its JSON as written (NULL when missing or null) and ``vi`` its value as
    text when it is a string (``wi`` that read as a timestamp, for the field of ``at``). Mirrors exporters._typed: a missing field or a JSON null reads as
    empty text, no date, no flag; an amount is required. A cast that fails (an amount of 1.5 or
    "12", a date PostgreSQL cannot read) is an error from PostgreSQL, which sends the kind to the
    Python path like a failed check."""
    fields = dict(spec.fields)
    index = {k: i for i, k in enumerate(keys(spec))}
    exprs, checks = [], []
    for column in TYPED_COLUMNS:
        key = fields.get(column)
        if not key:
            exprs.append({"at": "NULL::timestamp", "amount": "NULL::bigint", "flag": "false"}.get(column, "''"))
            continue
        t, v = f"t{index[key]}", f"v{index[key]}"
        if column == "at":
            w = f"w{index[key]}"  # read once: CASE WHEN the field is text THEN its value::timestamp END
            exprs.append(w)
            checks.append(f"({t} IS NULL OR ({w} IS NOT NULL AND to_char({w}, {_WHEN_FORMS.format(v=v)}) = {v}))")
        elif column == "amount":
            exprs.append(f"{t}::bigint")  # digits only: anything else fails the cast
            checks.append(f"{t} IS NOT NULL")
        elif column == "flag":
            exprs.append(f"coalesce({t} = 'true', false)")
            checks.append(f"({t} IS NULL OR {t} IN ('true', 'false'))")
        else:
            exprs.append(f"CASE WHEN {t} IS NULL THEN '' ELSE left({v}, {TEXT_SIZES[column]}) END")
            checks.append(f"({t} IS NULL OR {_is_text(t)})")
    return exprs, checks


def stage_table(kind: str) -> str:
    """The temporary table a kind's lines are staged in (kinds are names from EXPORTERS)."""
    if not kind.replace("_", "").isalnum():
        raise ValueError(f"no kind {kind!r}")
    return f"ho_stage_{kind}"


def checked_select(spec: Typed, table: str = "ho_stage") -> str:
    """SELECT over the staged lines (``table``): n, data (the line as it came, less a
    trailing CR), sha (its SHA-256), uid, version, ok (every check passed) and the typed
    columns. Each line is parsed once (json_to_record).

    A string's value is the token less its quotes when the line holds no backslash at all (then
    no string in it has an escape, nor a quote inside), else the token read as JSON. Every
    expression here is one PostgreSQL does in a pass over bytes: no regular expression, no
    character-by-character trim or count over the line."""
    exprs, checks = projection(spec)
    names = keys(spec)
    fields = dict(spec.fields)
    record = ", ".join(f"{_q(k)} json" for k in names)
    # t: the field's JSON as written; v: a string's text (only for the fields read as text)
    inner = ", ".join(f"x.{_q(k)}::text AS t{i}" for i, k in enumerate(names))
    u, v = names.index("uuid"), names.index("version")
    texts = sorted({names.index(fields[c]) for c in TYPED_COLUMNS if fields.get(c) and c not in ("amount", "flag")}
                   | {u})
    def text(i: int) -> str:
        return f"CASE WHEN plain THEN btrim(t{i}, '\"') ELSE t{i}::json #>> '{{}}' END"

    value = ", ".join([f"t{i}" for i in range(len(names))] + [f"{text(i)} AS v{i}" for i in texts])
    if fields.get("at"):
        i = names.index(fields["at"])
        value += f", CASE WHEN {_is_text(f't{i}')} THEN ({text(i)})::timestamp END AS w{i}"
    checks = [
        f"size < {MAX_LINE}",
        # canonical: what str(UUID) writes (the cast fails on what is no uuid at all)
        f"{_is_text(f't{u}')} AND octet_length(v{u}) = 36 AND v{u}::uuid::text = v{u}",
        f"t{v}::integer >= 1",  # digits only: 1.0, 1e2 or "1" fail the cast
    ] + checks
    columns = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, TYPED_COLUMNS))
    return (
        "SELECT n, data, encode(sha256(convert_to(data, 'UTF8')), 'hex') AS sha, "
        f"v{u} AS uid, t{v}::integer AS version, "
        f"coalesce({' AND '.join('(' + c + ')' for c in checks)}, false) AS ok, {columns} "
        f"FROM (SELECT n, data, size, {value} FROM "
        "(SELECT s.n, CASE WHEN strpos(s.line::text, E'\\r') = 0 THEN s.line::text ELSE rtrim(s.line::text, E'\\r') END "
        "AS data, octet_length(s.line::text) AS size, strpos(s.line::text, '\\') = 0 AS plain, " + inner + " "
        f"FROM {table} s, json_to_record(s.line) AS x(" + record + ") OFFSET 0) p OFFSET 0) q"
    )


_COLUMNS = "store_id, kind, uuid, version, sha256, bundle_id, data, " + ", ".join(TYPED_COLUMNS)


def insert_sql(spec: Typed, source: str) -> str:
    """INSERT the records of ``source`` (``checked_select`` or the table made of it) into
    ho_record; a line that failed a check stops the statement with an error (a failed cast that
    names the line)."""
    return (
        f"INSERT INTO ho_record ({_COLUMNS}) SELECT %s, %s, c.uid, c.version, c.sha, %s, c.data, "
        f"{', '.join('c.' + c for c in TYPED_COLUMNS)} FROM {source} c "
        "WHERE CASE WHEN c.ok THEN true ELSE ('bad record on line ' || c.n)::integer > 0 END"
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


def stage(cursor, bundle, kind: str, tick: Callable[[int], None], table: str = "ho_stage") -> int:
    """COPY data/<kind>.jsonl's lines into the temporary ``table`` (line numbers from 1), hashing
    every byte as it goes; returns the lines staged. A file that no longer matches its hash is
    refused."""
    name = f"data/{kind}.jsonl"
    expected = bundle.manifest["files"][name]["sha256"]
    h = hashlib.sha256()
    cursor.execute(f"CREATE TEMP TABLE {table} (n bigint GENERATED ALWAYS AS IDENTITY, line json) ON COMMIT DROP")
    lines = 0
    last = b"\n"
    with bundle.zf.open(name) as fh, cursor.copy(f"COPY {table} (line) FROM STDIN") as copy:
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


def check_lines(bundle, kind: str, check: Callable[[dict], None]) -> bool:
    """The kind's extra check (audit events: each event's hash) on every line of its data file:
    False at the first line that fails it, or that is too long to be a record (the Python path
    then finds and words the failure)."""
    rest = b""
    with bundle.zf.open(f"data/{kind}.jsonl") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            parts = (rest + chunk).split(b"\n")
            rest = parts.pop()
            if len(rest) >= MAX_LINE:
                return False
            if not _passes(parts, check):
                return False
    return _passes([rest] if rest else [], check)


def _passes(lines: list[bytes], check: Callable[[dict], None]) -> bool:
    for raw in lines:
        try:
            check(parse_line(raw))
        except Exception:  # noqa: BLE001 - any failure: the Python path finds and words it
            return False
    return True


def apply(cursor, spec: Typed, store_id: int, bundle_id: int, kind: str, found_at: dt.datetime,
          total: int, table: str = "ho_stage", all_new: bool = True) -> Applied:
    """Check, project and file the ``total`` staged lines of one kind. Raises NotFast, or a
    DataError (SQLSTATE class 22) from PostgreSQL, when a line is not one the SQL decides (the
    caller's savepoint then undoes everything of this kind).

    First, as if every record were new, one INSERT that parses each line once: the unique
    (store, kind, uuid) index stops it at the first record head office holds already (or a uuid
    there twice). Then, and only then, the lines are checked into a table and split into new
    records, replacements, conflicts and repeats. ``all_new`` False (the caller knows the kind
    meets a record head office holds) goes to the split at once."""
    if all_new:
        cursor.execute("SAVEPOINT ho_all_new")
        try:
            cursor.execute(insert_sql(spec, f"({checked_select(spec, table)})"), (store_id, kind, bundle_id))
            added = cursor.rowcount
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT ho_all_new")
        else:
            cursor.execute("RELEASE SAVEPOINT ho_all_new")
            cursor.execute(f"DROP TABLE {table}")
            return Applied(added, 0, total - added, [])
    cursor.execute(f"CREATE TEMP TABLE ho_checked ON COMMIT DROP AS {checked_select(spec, table)}")
    cursor.execute("SELECT 1 FROM ho_checked WHERE NOT ok LIMIT 1")
    if cursor.fetchone():
        raise NotFast(f"a line of {kind} needs the Python check")
    cursor.execute("SELECT 1 FROM ho_checked GROUP BY uid HAVING count(*) > 1 LIMIT 1")
    if cursor.fetchone():
        raise NotFast(f"a uuid appears twice in {kind}")
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
    cursor.execute(
        insert_sql(spec, f"(SELECT * FROM ho_checked c WHERE NOT EXISTS (SELECT 1 FROM ho_record r WHERE {match}) "
                         "ORDER BY c.n)"),
        (store_id, kind, bundle_id, store_id, kind))
    added = cursor.rowcount
    cursor.execute("DROP TABLE ho_checked")
    cursor.execute(f"DROP TABLE {table}")
    return Applied(added, replaced, total - added - replaced - len(conflicts), conflicts)
