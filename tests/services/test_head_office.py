"""Store -> bundle -> head office: export, the import's checks, versions and conflicts,
coverage and the reports. The store and head office share one database here (their tables do
not overlap); one test keeps them in two."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest

from desk import clock
from desk.errors import InvalidInput, NotAllowed
from desk.io.bundles import sign
from desk.models import (
    AuditEvent,
    ChangeLog,
    Customer,
    ExportBundle,
    HoBundle,
    HoConflict,
    HoRecord,
    RefundTender,
    Return,
    ReturnLine,
    Voucher,
    VoucherEntry,
    database,
)
from desk.models.db import close_database, open_database
from desk.services import head_office as ho
from desk.services import ho_reports
from desk.services.export import export_bundle, export_due, run_due_export, set_ho_key
from desk.services.returns import DeskApproval, create_return, void_return
from desk.services import settings as settings_service
from tests.conftest import make_store
from tests.services.test_returns import (
    SUPERVISOR,
    _unverified,
    add_team,
    make_product,
    make_request,
    make_sale,
)


def register(admin, code="TST01", name="Test Store"):
    """Register the store at head office and give the store its key (same database)."""
    _, key = ho.register_store(admin, code, name)
    set_ho_key(admin, key)
    return key


def activity(st, team):
    """A card refund, a no-receipt return to store credit, a blind return a supervisor approved."""
    clerk = team[0]
    with database.atomic():
        customer = Customer.create(name="Rosa Diaz", email="Rosa@Example.com", phone="07700 900 111")
    view = make_sale(st, "T-100", [("Lamp", 2, 2500, 0, "Home"), ("Shirt", 1, 1999, 0, "Clothing")],
                     customer_id=customer.id)
    card = create_return(clerk, make_request(view, [(1, 1, "defective", "defective", "vendor"), (2, 1)]))
    prod = make_product("P-1", price=1500)
    credit = create_return(clerk, _unverified(prod))
    blind = create_return(clerk, _unverified(make_product("P-2", price=700), kind="blind", phone="07700900555"),
                          approver=DeskApproval(SUPERVISOR[0], SUPERVISOR[1], "known face"))
    return card, credit, blind


def _shop(st, admin):
    team = add_team(st)
    key = register(admin)
    returns = activity(st, team)
    return dict(store=st, admin=admin, team=team, key=key, returns=returns)


@pytest.fixture
def shop(store):
    """The shop on SQLite and PostgreSQL."""
    return _shop(*store)


@pytest.fixture
def sqlite_shop(sqlite_store):
    """The shop on SQLite only: for the checks of the bundle's bytes, which touch no database rules."""
    return _shop(*sqlite_store)


def records(kind):
    return HoRecord.select().where(HoRecord.kind == kind)


# --------------------------------------------------------------------------- round trip


def test_round_trip_counts_and_sums_arrive_and_again_changes_nothing(shop, tmp_path):
    admin = shop["admin"]
    events = AuditEvent.select().count()
    result = export_bundle(admin, tmp_path)
    assert result.number == 1 and result.path.name.startswith("TST01-000001-") and result.path.exists()
    assert not list(tmp_path.glob("*.part"))
    assert result.counts["returns"] == 3
    assert result.counts["return_lines"] == 4
    assert result.counts["refund_tenders"] == RefundTender.select().count()
    assert result.counts["vouchers"] == Voucher.select().count() == 2
    assert result.counts["voucher_entries"] == VoucherEntry.select().count()
    assert result.counts["customers"] == 1
    assert result.counts["audit_events"] == events
    with zipfile.ZipFile(result.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["store_code"] == "TST01" and manifest["bundle_number"] == 1
        assert manifest["counts"] == result.counts
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == entry["sha256"]
        assert "csv/returns.csv" in zf.namelist()
        customer = json.loads(zf.read("data/customers.jsonl").splitlines()[0])
        assert set(customer) == {"uuid", "version", "name", "contact_key", "created_at"}  # no phone, no email
        assert customer["contact_key"] == hashlib.sha256(b"email:rosa@example.com").hexdigest()
    assert ChangeLog.select().where(ChangeLog.bundle_no.is_null()).count() == 0

    imported = ho.import_bundle(admin, result.path)
    assert imported.status == "imported", imported.reason
    assert imported.added == result.records and imported.conflicts == []
    for kind, n in result.counts.items():
        assert records(kind).count() == n, kind
    refunded = sum(r.total for r in Return.select())
    report = ho_reports.run_report(admin, "refunds_by_store", dt.date.today(), dt.date.today())
    assert report.rows == [["TST01", "Test Store", "GBP", 3, refunded]]
    by_tender = ho_reports.run_report(admin, "refunds_by_tender", dt.date.today(), dt.date.today())
    assert sum(r[4] for r in by_tender.rows) == refunded
    assert {r[1] for r in by_tender.rows} == {t.method for t in RefundTender.select()}

    again = ho.import_bundle(admin, result.path)
    assert again.status == "already" and "already imported; nothing changed" in again.message()
    assert HoRecord.select().count() == result.records
    assert HoBundle.select().count() == 1


def test_store_and_head_office_in_two_databases(tmp_path):
    ho_url, store_url = "sqlite:///" + str(tmp_path / "ho.db"), "sqlite:///" + str(tmp_path / "store.db")
    open_database(ho_url)
    _, ho_admin = make_store(code="HQ")
    _, key = ho.register_store(ho_admin, "TST01", "Test Store")
    close_database()
    open_database(store_url)
    st, admin = make_store()
    set_ho_key(admin, key)
    activity(st, add_team(st))
    bundle = export_bundle(admin, tmp_path / "out")
    close_database()
    open_database(ho_url)
    result = ho.import_bundle(ho_admin, bundle.path)
    assert result.status == "imported" and result.added == bundle.records
    assert records("returns").count() == 3
    close_database()


def test_a_voided_return_goes_out_again_and_replaces_the_older_version(shop, tmp_path):
    admin = shop["admin"]
    first = export_bundle(admin, tmp_path)
    ho.import_bundle(admin, first.path)
    card = shop["returns"][0]
    void_return(shop["team"][3], card.number, "keyed twice")
    assert Return.get(Return.number == card.number).version == 2
    second = export_bundle(admin, tmp_path)
    assert second.number == 2
    assert second.counts["returns"] == 1 and second.counts["return_lines"] == 0
    result = ho.import_bundle(admin, second.path)
    assert result.status == "imported" and result.replaced >= 1 and result.conflicts == []
    row = records("returns").where(HoRecord.uuid == str(Return.get(Return.number == card.number).uuid)).get()
    assert (row.version, row.status) == (2, "voided")
    assert json.loads(row.data)["void_reason"] == "keyed twice"
    today = dt.date.today()
    report = ho_reports.run_report(admin, "refunds_by_store", today, today)
    assert report.rows[0][3] == 2  # the voided return no longer counts
    # the older bundle again: still "already imported", the newer version stays
    assert ho.import_bundle(admin, first.path).status == "already"
    assert records("returns").where(HoRecord.uuid == row.uuid).get().version == 2


def test_since_last_carries_only_what_changed(shop, tmp_path):
    admin = shop["admin"]
    export_bundle(admin, tmp_path)
    second = export_bundle(admin, tmp_path)
    assert {k: n for k, n in second.counts.items() if n} == {"audit_events": 1}  # bundle 1's own event
    assert [b.number for b in ExportBundle.select().order_by(ExportBundle.number)] == [1, 2]
    first = ExportBundle.get(ExportBundle.number == 1)
    assert second.period_from == first.period_to


def test_a_day_bundle_sends_that_days_records_again(sqlite_shop, tmp_path):
    admin = sqlite_shop["admin"]
    export_bundle(admin, tmp_path)
    day = export_bundle(admin, tmp_path, day=clock.to_local(clock.utcnow()).date())
    assert day.mode == "day" and day.counts["returns"] == 3
    with pytest.raises(InvalidInput, match="has not happened yet"):
        export_bundle(admin, tmp_path, day=dt.date.today() + dt.timedelta(days=2))


def test_export_needs_a_key_and_a_manager(store, tmp_path):
    st, admin = store
    with pytest.raises(NotAllowed, match="no head office key"):
        export_bundle(admin, tmp_path)
    clerk = add_team(st)[0]
    with pytest.raises(NotAllowed):
        export_bundle(clerk, tmp_path)
    with pytest.raises(InvalidInput, match="64 hexadecimal digits"):
        set_ho_key(admin, "not a key")
    assert ExportBundle.select().count() == 0
    key = ho.register_store(admin, "TST01", "Test Store")[1]
    fingerprint = set_ho_key(admin, key)
    event = AuditEvent.select().where(AuditEvent.action == "export.key_set").get()
    assert fingerprint in event.details and key not in event.details


# --------------------------------------------------------------------------- untrusted bundles


def rebuild(src, dst, *, files=None, manifest=None, key=None, drop=(), add=None, resign=True):
    """Copy a bundle, changing files and manifest; re-signed with ``key`` unless resign is False."""
    with zipfile.ZipFile(src) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    for name, change in (files or {}).items():
        content[name] = change(content[name])
    body = json.loads(content["manifest.json"])
    if manifest:
        manifest(body)
    content["manifest.json"] = json.dumps(body, sort_keys=True, indent=2).encode() if manifest else content["manifest.json"]
    if resign and key:
        content["manifest.sig"] = (sign(content["manifest.json"], key) + "\n").encode()
    for name in drop:
        content.pop(name)
    content.update(add or {})
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return dst


def rehash(body, name, data):
    body["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _flip(data: bytes) -> bytes:
    i = data.index(b'"total":') + 8
    return data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]


@pytest.fixture
def bundle(sqlite_shop, tmp_path):
    return export_bundle(sqlite_shop["admin"], tmp_path / "out").path


@pytest.fixture
def shop_bundle(shop, tmp_path):
    return export_bundle(shop["admin"], tmp_path / "out").path


def _other_key(admin):
    return ho.register_store(admin, "OTH01", "Other Store")[1]


CASES = {
    "flipped byte": (lambda p, k, o, a: rebuild(p, o, files={"data/returns.jsonl": _flip}, key=k, resign=False),
                     "data/returns.jsonl does not match its hash in the manifest"),
    "edited record, manifest rehashed but not re-signed": (
        lambda p, k, o, a: rebuild(p, o, files={"data/returns.jsonl": _flip}, resign=False,
                                   manifest=lambda b: None),
        "does not match"),
    "manifest edited": (lambda p, k, o, a: rebuild(p, o, manifest=lambda b: b.update(bundle_number=7), resign=False),
                        "signature does not match store TST01's key"),
    "signed with another store's key": (
        lambda p, k, o, a: rebuild(p, o, manifest=lambda b: b.update(bundle_number=7), key=_other_key(a)),
        "signature does not match store TST01's key"),
    "unknown store": (lambda p, k, o, a: rebuild(p, o, manifest=lambda b: b.update(store_code="NOPE1"), key=k),
                      "not registered with head office"),
    "missing file": (lambda p, k, o, a: rebuild(p, o, drop=["data/vouchers.jsonl"]), "is missing data/vouchers.jsonl"),
    "extra file": (lambda p, k, o, a: rebuild(p, o, add={"data/extra.jsonl": b"{}\n"}), "which its manifest does not list"),
    "path traversal": (lambda p, k, o, a: rebuild(p, o, add={"../evil.jsonl": b"x"}), "path that leaves the bundle"),
    "future format": (lambda p, k, o, a: rebuild(p, o, manifest=lambda b: b.update(format_version=2), key=k),
                      "written by a newer version of Desk"),
    "manifest lies about counts": (
        lambda p, k, o, a: rebuild(p, o, manifest=lambda b: b["counts"].update(returns=2), key=k),
        "The manifest says data/returns.jsonl holds 2 records but it holds 3"),
    "audit event edited and the bundle signed again": (
        lambda p, k, o, a: rebuild(p, o, files={"data/audit_events.jsonl": lambda d: d.replace(b'"action":"store.created"', b'"action":"store.createx"', 1)},
                                   manifest=lambda b: None, key=k),
        None),
    "bad record": (
        lambda p, k, o, a: rebuild(p, o, files={"data/returns.jsonl": lambda d: d.replace(b'"version":1', b'"version":"1"', 1)},
                                   manifest=lambda b: None, key=k),
        None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_bundle_is_refused_whole_with_the_reason(sqlite_shop, bundle, tmp_path, case):
    make, reason = CASES[case]
    out = tmp_path / "bad.zip"
    make(bundle, sqlite_shop["key"], out, sqlite_shop["admin"])
    if case == "audit event edited and the bundle signed again":
        with zipfile.ZipFile(out) as zf:
            content = {n: zf.read(n) for n in zf.namelist()}
        body = json.loads(content["manifest.json"])
        rehash(body, "data/audit_events.jsonl", content["data/audit_events.jsonl"])
        content["manifest.json"] = json.dumps(body, sort_keys=True).encode()
        content["manifest.sig"] = sign(content["manifest.json"], sqlite_shop["key"]).encode()
        reason = "audit event #1 does not match its hash: it was altered after it was written"
        with zipfile.ZipFile(out, "w") as zf:
            for n, d in content.items():
                zf.writestr(n, d)
    if case in ("bad record", "edited record, manifest rehashed but not re-signed"):
        # rehash the edited file in the manifest (and re-sign for the bad record)
        with zipfile.ZipFile(out) as zf:
            content = {n: zf.read(n) for n in zf.namelist()}
        body = json.loads(content["manifest.json"])
        rehash(body, "data/returns.jsonl", content["data/returns.jsonl"])
        content["manifest.json"] = json.dumps(body, sort_keys=True).encode()
        if case == "bad record":
            content["manifest.sig"] = sign(content["manifest.json"], sqlite_shop["key"]).encode()
            reason = "data/returns.jsonl line 1: the record's version is not a whole number"
        else:
            reason = "signature does not match"
        with zipfile.ZipFile(out, "w") as zf:
            for n, d in content.items():
                zf.writestr(n, d)
    result = ho.import_bundle(sqlite_shop["admin"], out)
    assert result.status == "refused"
    assert reason in result.reason
    assert HoRecord.select().count() == 0
    refused = HoBundle.get(HoBundle.status == "refused")
    assert refused.reason == result.reason and refused.file_name == "bad.zip"
    # the good bundle still imports afterwards
    assert ho.import_bundle(sqlite_shop["admin"], bundle).status == "imported"


def test_a_truncated_bundle_is_refused(sqlite_shop, bundle, tmp_path):
    data = bundle.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    result = ho.import_bundle(sqlite_shop["admin"], cut)
    assert result.status == "refused" and "truncated" in result.reason
    assert HoRecord.select().count() == 0


def test_a_zip_bomb_is_refused_before_it_is_unpacked(sqlite_shop, bundle, tmp_path):
    bomb = tmp_path / "bomb.zip"
    rebuild(bundle, bomb, add={"data/returns_bomb.jsonl": b"\n" * (50 << 20)})
    result = ho.import_bundle(sqlite_shop["admin"], bomb)
    assert result.status == "refused" and "zip bomb" in result.reason


def test_same_uuid_and_version_with_other_content_is_a_conflict_never_applied(shop, shop_bundle, tmp_path):
    admin, key = shop["admin"], shop["key"]
    assert ho.import_bundle(admin, shop_bundle).status == "imported"
    forged = tmp_path / "second.zip"

    def change(body):
        body["bundle_number"] = 2

    with zipfile.ZipFile(shop_bundle) as zf:
        lines = zf.read("data/returns.jsonl").splitlines(keepends=True)
    first = json.loads(lines[0])
    first["total"] += 100
    edited = json.dumps(first, sort_keys=True, separators=(",", ":")).encode() + b"\n" + b"".join(lines[1:])

    def manifest(body):
        change(body)
        rehash(body, "data/returns.jsonl", edited)

    rebuild(shop_bundle, forged, files={"data/returns.jsonl": lambda _: edited}, manifest=manifest, key=key)
    result = ho.import_bundle(admin, forged)
    assert result.status == "imported"
    assert [(c.kind, c.uuid, c.version) for c in result.conflicts] == [("returns", first["uuid"], 1)]
    assert "1 in conflict" in result.message()
    kept = records("returns").where(HoRecord.uuid == first["uuid"]).get()
    assert json.loads(kept.data)["total"] == first["total"] - 100  # never overwritten
    conflict = HoConflict.get()
    assert json.loads(conflict.offered)["total"] == first["total"]


def test_an_import_that_fails_halfway_leaves_nothing_and_runs_again(shop, shop_bundle, monkeypatch):
    calls = []

    def failing(real):
        def apply(*args):
            calls.append(1)
            out = real(*args)
            if len(calls) == 2:
                raise KeyboardInterrupt  # the process is stopped mid-import
            return out
        return apply

    # a kind is written by the Python path (_apply, a batch), a COPY as it is read (_stream) or
    # sorted in by SQL (_sort_in)
    for name in ("_apply", "_stream", "_sort_in"):
        monkeypatch.setattr(ho, name, failing(getattr(ho, name)))
    with pytest.raises(KeyboardInterrupt):
        ho.import_bundle(shop["admin"], shop_bundle)
    assert len(calls) == 2
    assert HoRecord.select().count() == 0 and HoBundle.select().count() == 0
    monkeypatch.undo()
    assert ho.import_bundle(shop["admin"], shop_bundle).status == "imported"


def test_a_cancelled_import_leaves_nothing(sqlite_shop, bundle, monkeypatch):
    monkeypatch.setattr(ho, "BATCH", 2)
    asked = []
    with pytest.raises(ho.ImportCancelled, match="nothing of it was imported"):
        ho.import_bundle(sqlite_shop["admin"], bundle, cancel=lambda: asked.append(1) or len(asked) > 2)
    assert HoRecord.select().count() == 0 and HoBundle.select().count() == 0


def test_import_reports_progress(sqlite_shop, bundle):
    seen = []
    result = ho.import_bundle(sqlite_shop["admin"], bundle, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (result.added, result.added)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_only_head_office_imports(sqlite_shop, bundle):
    with pytest.raises(NotAllowed):
        ho.import_bundle(sqlite_shop["team"][3], bundle)  # a store manager


# --------------------------------------------------------------------------- coverage


def test_coverage_shows_arrived_missing_gap_and_refused(sqlite_db, tmp_path, clock_at):
    day1 = dt.datetime(2026, 3, 2, 12, 0)
    clock_at(day1)
    _, admin = make_store()
    register(admin)
    paths = []
    for i in range(4):  # bundle n covers 20:00 of day n-1 to 20:00 of day n (the first from 12:00)
        clock_at(day1 + dt.timedelta(days=i, hours=8))
        paths.append(export_bundle(admin, tmp_path).path)
    ho.import_bundle(admin, paths[0])
    ho.import_bundle(admin, paths[2])  # bundle 2 has not arrived
    bad = rebuild(paths[3], tmp_path / "b4.zip", files={"data/audit_events.jsonl": lambda d: d + b"{}\n"}, resign=False)
    assert ho.import_bundle(admin, bad).status == "refused"
    clock_at(day1 + dt.timedelta(days=6))
    start = clock.to_local(day1).date()
    days = [start + dt.timedelta(days=i) for i in range(6)]
    cov = ho.coverage(days[0], days[-1])
    assert cov.stores == [("TST01", "Test Store")]

    def states():
        return [(cov.cell("TST01", d).status, cov.cell("TST01", d).note) for d in days]

    assert states() == [
        ("missing", "bundle 2 missing"),  # its evening is in bundle 2
        ("missing", "bundle 2 missing"),
        ("refused", "bundle 4 refused"),  # bundle 3 arrived, but its evening is in the refused bundle 4
        ("refused", "bundle 4 refused"),
        ("missing", "no bundle for this day"),
        ("missing", "no bundle for this day"),
    ]
    ho.import_bundle(admin, paths[1])  # bundle 2 arrives: the gap closes
    cov = ho.coverage(days[0], days[-1])
    assert [s for s, _ in states()] == ["arrived", "arrived", "refused", "refused", "missing", "missing"]
    assert cov.cell("TST01", days[1]).bundles == [2, 3]


# --------------------------------------------------------------------------- the automatic export


def test_export_due_after_closing_time_once_a_day(sqlite_shop, tmp_path, clock_at):
    admin = sqlite_shop["admin"]
    settings_service.update(admin, {"export.auto": True, "export.folder": str(tmp_path / "auto"),
                                    "export.closing_time": "17:30"})
    local_day = dt.date(2026, 6, 1)

    def at(h, m):
        return dt.datetime.combine(local_day, dt.time(h, m)).astimezone().astimezone(dt.timezone.utc).replace(tzinfo=None)

    clock_at(at(12, 0))
    assert not export_due(at(12, 0))
    assert run_due_export(None, at(12, 0)) is None
    clock_at(at(18, 0))
    assert export_due(at(18, 0))
    result = run_due_export(sqlite_shop["team"][0], at(18, 0))  # a clerk signs out: it runs all the same
    assert result is not None and result.path.parent == tmp_path / "auto"
    assert not export_due(at(19, 0))
    settings_service.update(admin, {"export.auto": False})
    assert not export_due(dt.datetime(2026, 6, 2, 23, 0))


# --------------------------------------------------------------------------- reports


def test_reports_and_csv(shop, tmp_path):
    admin = shop["admin"]
    ho.import_bundle(admin, export_bundle(admin, tmp_path).path)
    today = dt.date.today()
    rates = ho_reports.run_report(admin, "approval_rates", today, today)
    row = dict(zip(rates.columns, rates.rows[0]))
    assert row["Returns"] == 3 and row["Needed approval"] == 1 and row["Overrides"] == 0
    no_receipt = ho_reports.run_report(admin, "no_receipt_returns", today, today)
    row = dict(zip(no_receipt.columns, no_receipt.rows[0]))
    assert (row["Without receipt"], row["Returns"], row["Refunded without receipt"]) == (2, 3, 1500 + 700)
    vouchers = ho_reports.run_report(admin, "vouchers_outstanding", today, today)
    assert vouchers.rows == [["TST01", "GBP", 2, 2200]]
    reasons = ho_reports.run_report(admin, "refunds_by_reason", today, today)
    assert {r[1] for r in reasons.rows} == {"defective", "wrong_size", "changed_mind"}
    clerks = ho_reports.run_report(admin, "refunds_by_clerk", today, today)
    assert clerks.rows[0][:2] == ["TST01", "100"] and clerks.rows[0][5] == 2
    path = tmp_path / "v.csv"
    assert ho_reports.write_csv(vouchers, path) == 1
    assert path.read_text(encoding="utf-8-sig").splitlines() == ["Store,Currency,Vouchers,Outstanding", "TST01,GBP,2,22.00"]
    with pytest.raises(NotAllowed):
        ho_reports.run_report(shop["team"][3], "approval_rates", today, today)


def test_two_head_office_desks_importing_one_bundle_at_once_import_it_once(shop, shop_bundle):
    import threading

    barrier = threading.Barrier(2)
    results, errors = [], []

    def desk():
        try:
            barrier.wait()
            results.append(ho.import_bundle(shop["admin"], shop_bundle).status)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == ["already", "imported"]
    assert HoBundle.select().count() == 1
    assert HoRecord.select().count() == HoBundle.get().added


@pytest.mark.parametrize("kind", [k for k, e in __import__("desk.services.exporters", fromlist=["x"]).EXPORTERS.items()
                                  if e.source == "changes"])
def test_every_exported_table_counts_its_changes(db, kind):
    """The triggers of migration 0011 are on every table an exporter reads (a later migration that
    rebuilds a table on SQLite must create them again)."""
    from desk.services.exporters import EXPORTERS

    table = EXPORTERS[kind].model._meta.table_name
    sql = {row[0] for row in db.db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?" if not db.url.startswith("postgres")
        else "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", (table,)).fetchall()}
    assert sql == ({f"desk_chg_{table}_ins", f"desk_chg_{table}_upd"} if not db.url.startswith("postgres")
                   else {f"desk_chg_{table}"})
    columns = {c.name: c for c in db.db.get_columns(table)}
    assert columns["version"].null is False
