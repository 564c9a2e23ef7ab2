"""Head office's import on PostgreSQL (desk.services.ho_stream): each kind streamed into ho_record
with one COPY as Python checks it when all its records are new, or, when a kind meets records
head office holds, checked the same way into a temporary table and sorted by SQL. Both
backends and both routes file the same values and refuse the same bundles with the same reason
(file and line); the ``route`` fixture runs a test once for each PostgreSQL route."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import zipfile

import psycopg
import pytest

from desk.models import HoBundle, HoRecord, database
from desk.models.db import is_postgres
from desk.services import head_office as ho
from desk.services.exporters import EXPORTERS, TYPED_COLUMNS
from desk.services.export import export_bundle
from tests.services import test_head_office
from tests.services.test_head_office import CASES, _flip, _shop, rebuild, rehash, sign


def edit(src, dst, key, name, change):
    """A copy of bundle ``src`` whose ``name`` went through ``change`` (bytes -> bytes), with the
    manifest rehashed and signed again with the store's key: only the records' checks can
    catch what changed."""
    with zipfile.ZipFile(src) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    content[name] = change(content[name])
    body = json.loads(content["manifest.json"])
    rehash(body, name, content[name])
    content["manifest.json"] = json.dumps(body, sort_keys=True).encode()
    content["manifest.sig"] = sign(content["manifest.json"], key).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in content.items():
            zf.writestr(n, d)
    return dst


def edit_line(no: int, change):
    """A change of data file bytes: line ``no`` (from 1) parsed, changed, written canonically."""
    def apply(data: bytes) -> bytes:
        lines = data.split(b"\n")
        record = json.loads(lines[no - 1])
        change(record)
        lines[no - 1] = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        return b"\n".join(lines)
    return apply


@pytest.fixture
def shop(store):
    """The shop of test_head_office, on SQLite and PostgreSQL."""
    return _shop(*store)


@pytest.fixture
def shop_bundle(shop, tmp_path):
    return export_bundle(shop["admin"], tmp_path / "out").path


@pytest.fixture(params=["stream", "staged"])
def route(request, monkeypatch, shop):  # after shop: the database it runs on is open
    """How PostgreSQL files the kinds: "stream" as for new records (one COPY as they are read),
    "staged" as when a kind meets records head office holds (the stream steps aside, and the
    kind is checked into a temporary table and sorted in by SQL)."""
    if request.param == "staged":
        if not is_postgres():
            pytest.skip("SQLite has one route")
        monkeypatch.setattr(ho, "_stream", lambda *args: None)
    return request.param


@pytest.fixture
def took(monkeypatch):
    """The kinds that went through the Python path."""
    kinds = []
    real = ho._import_python

    def python(store, row, bundle, kind, *rest):
        kinds.append(kind)
        return real(store, row, bundle, kind, *rest)

    monkeypatch.setattr(ho, "_import_python", python)
    return kinds


def _filed_as_python_would():
    """Every record's typed columns and hash are what the Python projection gives."""
    rows = list(HoRecord.select())
    assert rows
    for r in rows:
        record = json.loads(r.data)
        assert r.sha256 == hashlib.sha256(r.data.encode("utf-8")).hexdigest()
        assert r.uuid == record["uuid"].lower() and r.version == record["version"]
        expected = EXPORTERS[r.kind].project(record)
        got = {c: getattr(r, c) for c in TYPED_COLUMNS}
        assert got == expected, (r.kind, r.uuid)
    return rows


def test_a_good_bundle_is_filed_in_the_database_as_the_python_projection_files_it(shop, shop_bundle, took, route):
    result = ho.import_bundle(shop["admin"], shop_bundle)
    assert result.status == "imported" and result.added == sum(result.counts.values())
    rows = _filed_as_python_would()
    assert {r.kind for r in rows} >= {"returns", "return_lines", "refund_tenders", "audit_events", "customers"}
    if is_postgres():
        assert took == []  # every kind went in with its COPY, or was sorted in by SQL
    else:
        assert "returns" in took


BAD = {
    "amount as text": ("data/returns.jsonl", 2, lambda r: r.update(total=str(r["total"])),
                       "data/returns.jsonl line 2: total is not a whole number"),
    "amount with a fraction": ("data/return_lines.jsonl", 3, lambda r: r.update(refund=r["refund"] + 0.5),
                               "data/return_lines.jsonl line 3: refund is not a whole number"),
    "version missing": ("data/refund_tenders.jsonl", 1, lambda r: r.pop("version"),
                        "data/refund_tenders.jsonl line 1: the record's version is not a whole number"),
    "not a date": ("data/returns.jsonl", 3, lambda r: r.update(created_at="yesterday"),
                   "data/returns.jsonl line 3: created_at is not a date and time"),
    "impossible date": ("data/returns.jsonl", 1, lambda r: r.update(created_at="2026-02-30T10:00:00.000000"),
                        "data/returns.jsonl line 1: created_at is not a date and time"),
    "label not text": ("data/return_lines.jsonl", 2, lambda r: r.update(reason=7),
                       "data/return_lines.jsonl line 2: reason is not text"),
    "no uuid": ("data/returns.jsonl", 2, lambda r: r.update(uuid="not-a-uuid"),
                "data/returns.jsonl line 2: the record's uuid is not a UUID"),
    "amount past 64 bits": ("data/returns.jsonl", 2, lambda r: r.update(total=1 << 63),
                            "data/returns.jsonl line 2: total is out of range"),
    "amount far past 64 bits": ("data/return_lines.jsonl", 1, lambda r: r.update(refund=-(1 << 70)),
                                "data/return_lines.jsonl line 1: refund is out of range"),
    "version past the column": ("data/refund_tenders.jsonl", 2, lambda r: r.update(version=1 << 31),
                                "data/refund_tenders.jsonl line 2: the record's version is out of range"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_field_on_one_line_refuses_the_bundle_naming_file_and_line(route, shop, shop_bundle, tmp_path, case):
    name, line, change, reason = BAD[case]
    bad = edit(shop_bundle, tmp_path / "bad.zip", shop["key"], name, edit_line(line, change))
    result = ho.import_bundle(shop["admin"], bad)
    assert result.status == "refused"
    assert reason in result.reason
    assert HoRecord.select().count() == 0
    assert ho.import_bundle(shop["admin"], shop_bundle).status == "imported"


def test_a_uuid_twice_in_a_file_refuses_the_bundle(route, shop, shop_bundle, tmp_path):
    def twice(data: bytes) -> bytes:
        lines = data.rstrip(b"\n").split(b"\n")
        return b"\n".join(lines + [lines[0]]) + b"\n"

    with zipfile.ZipFile(shop_bundle) as zf:
        body = json.loads(zf.read("manifest.json"))
        count = body["counts"]["return_lines"]
        first = json.loads(zf.read("data/return_lines.jsonl").split(b"\n")[0])

    def bump(data):
        return twice(data)

    bad = tmp_path / "twice.zip"
    edit(shop_bundle, bad, shop["key"], "data/return_lines.jsonl", bump)
    # the manifest must count the extra line, or the bundle is refused for its count
    with zipfile.ZipFile(bad) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    body = json.loads(content["manifest.json"])
    body["counts"]["return_lines"] = count + 1
    content["manifest.json"] = json.dumps(body, sort_keys=True).encode()
    content["manifest.sig"] = sign(content["manifest.json"], shop["key"]).encode()
    with zipfile.ZipFile(bad, "w") as zf:
        for n, d in content.items():
            zf.writestr(n, d)
    result = ho.import_bundle(shop["admin"], bad)
    assert result.status == "refused"
    assert f"data/return_lines.jsonl line {count + 1}: record {first['uuid']} appears twice" in result.reason
    assert HoRecord.select().count() == 0


def test_unusual_but_valid_records_are_filed_as_python_files_them(route, shop, shop_bundle, tmp_path):
    """An upper-case uuid, a date with an offset, a flag of 1, escapes, tabs, quotes and
    non-ASCII text are filed as the Python projection files them, on every route."""
    def unusual(r):
        r["uuid"] = r["uuid"].upper()
        r["created_at"] = "2026-10-05T08:00:00+02:00"
        r["override"] = 1
        r["kind"] = 'tab\there "quoted" \\ back\u00e9\u4e2d'

    odd = edit(shop_bundle, tmp_path / "odd.zip", shop["key"], "data/returns.jsonl", edit_line(1, unusual))
    result = ho.import_bundle(shop["admin"], odd)
    assert result.status == "imported", result.reason
    _filed_as_python_would()
    first = HoRecord.get((HoRecord.kind == "returns") & (HoRecord.label.startswith("tab")))
    assert first.label == 'tab\there "quoted" \\ back\u00e9\u4e2d' and first.flag is True
    assert first.uuid == first.uuid.lower()


def test_a_control_character_or_a_carriage_return_does_not_move_lines(route, shop, shop_bundle, tmp_path):
    """COPY's own escapes (backslash, tab, CR) in a line reach the database as they were."""
    def crlf(data: bytes) -> bytes:
        lines = data.rstrip(b"\n").split(b"\n")
        record = json.loads(lines[1])
        record["kind"] = "a\\.b"
        lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        return b"\r\n".join(lines) + b"\r\n"

    odd = edit(shop_bundle, tmp_path / "crlf.zip", shop["key"], "data/returns.jsonl", crlf)
    result = ho.import_bundle(shop["admin"], odd)
    assert result.status == "imported", result.reason
    rows = _filed_as_python_would()
    assert not any(r.data.endswith("\r") for r in rows)
    assert HoRecord.select().where(HoRecord.label == "a\\.b").count() == 1


@pytest.mark.parametrize("bytes_, why", [
    (b"\xff\xfe", "is not a JSON record"),  # not UTF-8: COPY refuses it, Python names the line
    (b"[1, 2]", "is not a JSON object"),
    (b"", "is not a JSON record"),  # an empty line
])
def test_a_line_that_is_no_record_refuses_the_bundle_naming_it(route, shop, shop_bundle, tmp_path, bytes_, why):
    def replace_second(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[1] = bytes_ if bytes_ else b""
        return b"\n".join(lines)

    bad = edit(shop_bundle, tmp_path / "bad.zip", shop["key"], "data/return_lines.jsonl", replace_second)
    result = ho.import_bundle(shop["admin"], bad)
    assert result.status == "refused"
    assert f"data/return_lines.jsonl line 2 {why}" in result.reason
    assert HoRecord.select().count() == 0


def test_a_cancel_while_a_kind_streams_in_leaves_nothing(shop, shop_bundle):
    asked = []
    with pytest.raises(ho.ImportCancelled, match="nothing of it was imported"):
        ho.import_bundle(shop["admin"], shop_bundle, cancel=lambda: asked.append(1) or len(asked) > 2)
    assert HoRecord.select().count() == 0


@contextlib.contextmanager
def slow_inserts():
    """ho_record's INSERTs sleep 30 s (a statement trigger): the database's filing of a kind
    takes long, as a big bundle's does."""
    database.execute_sql("CREATE FUNCTION test_ho_slow() RETURNS trigger LANGUAGE plpgsql AS "
                         "$$ BEGIN PERFORM pg_sleep(30); RETURN NULL; END $$")
    database.execute_sql("CREATE TRIGGER test_ho_slow BEFORE INSERT ON ho_record "
                         "FOR EACH STATEMENT EXECUTE FUNCTION test_ho_slow()")
    try:
        yield
    finally:
        database.execute_sql("DROP TRIGGER IF EXISTS test_ho_slow ON ho_record")
        database.execute_sql("DROP FUNCTION IF EXISTS test_ho_slow()")


def test_a_cancel_while_the_database_files_a_kind_stops_it_at_once(shop, shop_bundle, monkeypatch):
    if not is_postgres():
        pytest.skip("the database files a kind in one statement on PostgreSQL only")
    pressed = threading.Event()
    at = []
    real = ho._stream

    def press_later(*args):  # Cancel pressed half a second into the kind's COPY
        threading.Timer(0.5, lambda: (at.append(time.monotonic()), pressed.set())).start()
        return real(*args)

    monkeypatch.setattr(ho, "_stream", press_later)
    with slow_inserts():
        with pytest.raises(ho.ImportCancelled, match="nothing of it was imported") as caught:
            ho.import_bundle(shop["admin"], shop_bundle, cancel=pressed.is_set)
        took = time.monotonic() - at[0]
        assert took < 1.5, took  # not the 30 s the statement would take
        assert isinstance(caught.value.__cause__, psycopg.errors.QueryCanceled)
        assert HoRecord.select().count() == 0 and HoBundle.select().count() == 0
    monkeypatch.undo()
    result = ho.import_bundle(shop["admin"], shop_bundle)
    assert result.status == "imported" and result.added == sum(result.counts.values())
    assert HoRecord.select().count() == result.added and HoBundle.select().count() == 1


def test_a_statement_timeout_is_no_cancel_of_the_persons(shop, shop_bundle, monkeypatch):
    if not is_postgres():
        pytest.skip("PostgreSQL only")
    real = ho._stream

    def timed(cursor, *args):
        cursor.execute("SET LOCAL statement_timeout = '300ms'")
        return real(cursor, *args)

    monkeypatch.setattr(ho, "_stream", timed)
    with slow_inserts():
        with pytest.raises(psycopg.errors.QueryCanceled):
            ho.import_bundle(shop["admin"], shop_bundle, cancel=lambda: False)
        assert HoRecord.select().count() == 0 and HoBundle.select().count() == 0
    monkeypatch.undo()
    assert ho.import_bundle(shop["admin"], shop_bundle).status == "imported"


@pytest.mark.parametrize("name", ["data/returns.jsonl", "data/audit_events.jsonl"])
def test_a_line_longer_than_a_record_may_be_refuses_the_bundle(route, shop, shop_bundle, tmp_path, name):
    import base64
    import os

    filler = base64.b64encode(os.urandom(800_000)).decode()  # over a megabyte, and it does not compress

    bad = edit(shop_bundle, tmp_path / "long.zip", shop["key"], name, edit_line(1, lambda r: r.update(note=filler)))
    result = ho.import_bundle(shop["admin"], bad)
    assert result.status == "refused"
    assert "a record is longer than 1,048,576 bytes" in result.reason
    assert HoRecord.select().count() == 0


# --------------------------------------------------------------------------- the bundle checked before it is read


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_bundle_is_refused_whole_with_the_same_reason_on_both_databases(shop, shop_bundle, tmp_path, case):
    """Each tampering case is refused on PostgreSQL as on SQLite: every file's hash is checked
    (on two threads) before anything is read."""
    test_head_office.test_a_bad_bundle_is_refused_whole_with_the_reason(shop, shop_bundle, tmp_path, case)


def test_an_altered_copy_of_a_bundle_imported_before_is_refused_not_already_imported(shop, shop_bundle, tmp_path):
    assert ho.import_bundle(shop["admin"], shop_bundle).status == "imported"
    altered = rebuild(shop_bundle, tmp_path / "altered.zip", files={"data/returns.jsonl": _flip}, resign=False)
    result = ho.import_bundle(shop["admin"], altered)
    assert result.status == "refused"
    assert "data/returns.jsonl does not match its hash in the manifest" in result.reason
    assert ho.import_bundle(shop["admin"], shop_bundle).status == "already"


def test_an_altered_file_no_kind_reads_refuses_before_anything_is_filed(shop, shop_bundle, tmp_path, monkeypatch):
    """A CSV copy altered (no kind reads it) is caught before any kind is read or filed."""
    filed = []
    for name in ("_stream", "_sort_in", "_apply"):
        def recorded(*args, _real=getattr(ho, name)):
            filed.append(args[2])
            return _real(*args)

        monkeypatch.setattr(ho, name, recorded)
    altered = rebuild(shop_bundle, tmp_path / "altered.zip", files={"csv/returns.csv": lambda d: d + b"x"},
                      resign=False)
    result = ho.import_bundle(shop["admin"], altered)
    assert result.status == "refused"
    assert "csv/returns.csv does not match its hash in the manifest" in result.reason
    assert filed == [] and HoRecord.select().count() == 0
