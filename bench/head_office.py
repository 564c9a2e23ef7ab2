"""Head office's figures: the import of a big bundle into PostgreSQL beside a raw psycopg COPY of
the same rows, and the export of a day of 2,000 returns.

- ``import_figures(pg_url, records)`` -> ``ho_import_rows_per_s``, ``raw_ho_import_rows_per_s``,
  ``ho_import_ratio_vs_raw``: a signed bundle of ``records`` records (a store's mix: returns,
  their lines and refund tenders, vouchers and their ledger, customers, audit events with a
  valid hash chain; fixed seed, generated directly, not through the services) imported with
  ``head_office.import_bundle`` into a fresh PostgreSQL database made for the run (and dropped
  after), beside the raw baseline: the same bundle's data files read from the zip, each line
  parsed with ``json.loads`` and loaded with psycopg ``COPY`` as (kind, uuid, version, line)
  into one unindexed table, in one transaction, in the same database. Medians of the runs.
- ``export_figures(url, returns)`` -> ``export_day_2000_returns_s``: ``export.export_bundle`` of
  one day holding ``returns`` returns (each with 2 lines and a refund tender, made through
  ``returns.create_return``), on SQLite and on PostgreSQL.

The PostgreSQL server comes from ``--pg URL`` (``python -m bench.head_office``) or
``DESK_BENCH_PG_URL``; the bench creates its own database on it and drops it after. Without a
server the import figures are skipped (SQLite export still runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid as uuidlib
import zipfile
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

from bench.registry import Context, Figure

SEED = 9
RECORDS = 1_000_000
QUICK_RECORDS = 100_000
IMPORT_RUNS = 3
EXPORT_RETURNS = 2_000
STORE = "BENCH"
KEY = "5e" * 32  # the bench store's head office key (any 64 hex digits)

Log = Callable[[str], None]


# ----------------------------------------------------------------------------- a database of our own


def bench_database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class ScratchPg:
    """A PostgreSQL database created for the bench on ``server_url``'s server, dropped on exit."""

    def __init__(self, server_url: str, prefix: str = "desk_bench"):
        self.server_url = server_url
        self.name = f"{prefix}_{os.getpid()}_{uuidlib.uuid4().hex[:8]}"
        self.url = bench_database_url(server_url, self.name)

    def __enter__(self) -> str:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc) -> None:
        import psycopg

        from desk.models.db import close_database

        close_database()
        with psycopg.connect(self.server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def pg_server_url(explicit: str | None = None) -> str | None:
    return explicit or os.environ.get("DESK_BENCH_PG_URL") or None


# ----------------------------------------------------------------------------- the bundle


def _mix(records: int) -> list[tuple[str, int]]:
    """How many records of each kind a bundle of ``records`` holds (a store's usual mix, per
    return: 2 lines, 1 refund tender, 1 audit event; every 4th return a voucher with 2 ledger
    entries; every 5th a customer)."""
    per_return = 1 + 2 + 1 + 0.25 + 0.5 + 0.2 + 1
    returns = max(1, int(records / per_return))
    counts = {"returns": returns, "return_lines": 2 * returns, "refund_tenders": returns,
              "vouchers": returns // 4, "voucher_entries": 2 * (returns // 4), "customers": returns // 5}
    counts["audit_events"] = max(0, records - sum(counts.values()))
    return list(counts.items())


def make_bundle(path: Path, records: int = RECORDS, seed: int = SEED, key: str = KEY, store: str = STORE,
                number: int = 1) -> dict[str, int]:
    """Write a signed bundle of ``records`` records to ``path``, generated directly (fixed seed).
    Returns the records of each kind."""
    from desk.io.bundles import csv_bytes, jsonl_bytes, write_bundle
    from desk.services.audit import GENESIS, event_hash

    rng = random.Random(seed)
    mix = dict(_mix(records))
    day = dt.datetime(2026, 10, 5, 8, 0)

    def uid() -> str:
        return str(uuidlib.UUID(int=rng.getrandbits(128), version=4))

    def at(i: int) -> str:
        return (day + dt.timedelta(microseconds=i * 40_000)).isoformat(timespec="microseconds")

    clerks = [f"C{n:02d}" for n in range(1, 31)]
    reasons = ["wrong_size", "faulty", "changed_mind", "not_as_described", "gift"]
    cats = ["Clothing", "Home", "Kitchen", "Books", "Toys"]
    customers = [uid() for _ in range(mix["customers"])]
    data: dict[str, list[dict]] = {k: [] for k in mix}
    return_uuids = []
    for i in range(mix["returns"]):
        r = uid()
        return_uuids.append(r)
        when = at(i)
        total = 0
        for n in (1, 2):
            refund = rng.randrange(199, 9999)
            total += refund
            data["return_lines"].append({
                "uuid": uid(), "version": 1, "return_uuid": r, "line_no": n, "sku": f"SKU-{rng.randrange(1, 400):05d}",
                "description": f"Product {rng.randrange(1, 400)}", "category": rng.choice(cats), "quantity": 1,
                "value": refund, "fee": 0, "refund": refund, "reason": rng.choice(reasons), "reason_text": "",
                "condition": "new", "disposition": "restock", "created_at": when})
        to_voucher = i % 4 == 0
        customer = customers[i // 5] if i % 5 == 0 and i // 5 < len(customers) else None
        data["returns"].append({
            "uuid": r, "version": 1 + (i % 7 == 0), "number": f"R-{store}-1-{i + 1:06d}", "store": store, "desk": "1",
            "kind": "receipt", "sale_receipt": f"B{i + 1:07d}", "gift_code": None, "customer_uuid": customer,
            "clerk": rng.choice(clerks), "currency": "GBP", "total": total, "fee_total": 0,
            "refund_to": "voucher" if to_voucher else "card", "status": "voided" if i % 97 == 0 else "completed",
            "decision": "allowed", "policy_reasons": [], "approval_uuid": None, "approved_by": None,
            "approved_at": None, "override": False, "created_at": when, "voided_at": None, "voided_by": None,
            "void_reason": ""})
        voucher = uid() if to_voucher else None
        data["refund_tenders"].append({
            "uuid": uid(), "version": 1, "return_uuid": r, "seq": 1, "method": "voucher" if to_voucher else "card",
            "amount": total, "card_brand": None if to_voucher else "Visa",
            "card_last4": None if to_voucher else f"{rng.randrange(10000):04d}", "reference": f"AUTH{i:08d}",
            "voucher_uuid": voucher, "created_at": when})
        if to_voucher and len(data["vouchers"]) < mix["vouchers"]:
            data["vouchers"].append({
                "uuid": voucher, "version": 1, "code": f"V{i:09d}", "store": store, "currency": "GBP", "amount": total,
                "customer_uuid": customer, "return_uuid": r, "status": "active", "created_at": when})
            for kind, amount in (("issue", total), ("redeem", -min(total, 500))):
                data["voucher_entries"].append({
                    "uuid": uid(), "version": 1, "voucher_uuid": voucher, "currency": "GBP", "kind": kind,
                    "amount": amount, "reference": "", "staff": rng.choice(clerks), "created_at": when})
    for c in customers:
        data["customers"].append({"uuid": c, "version": 1, "name": "Bench Customer", "created_at": at(0),
                                  "contact_key": ""})
    prev = GENESIS
    for seq in range(1, mix["audit_events"] + 1):
        fields = {"uuid": uid(), "at": at(seq), "store": store, "staff": rng.choice(clerks), "action": "return.created",
                  "entity": "return", "entity_uuid": return_uuids[seq % len(return_uuids)],
                  "details": {"total": seq % 5000}}
        digest = event_hash(prev, seq, fields)
        data["audit_events"].append({**fields, "seq": seq, "prev_hash": prev, "hash": digest, "version": 1})
        prev = digest
    files = {}
    for kind, rows in data.items():
        files[f"data/{kind}.jsonl"] = jsonl_bytes(rows)
        files[f"csv/{kind}.csv"] = csv_bytes(rows)
    counts = {k: len(v) for k, v in data.items()}
    manifest = {
        "store_code": store, "store_name": "Bench Store", "currency": "GBP", "bundle_number": number, "mode": "day",
        "period": {"from": day.isoformat(timespec="microseconds"),
                   "to": (day + dt.timedelta(days=1)).isoformat(timespec="microseconds")},
        "created_at": day.isoformat(timespec="microseconds"), "app_version": "bench", "schema": "bench",
        "audit_head": {"seq": mix["audit_events"], "hash": prev}, "counts": counts,
    }
    write_bundle(path, manifest, files, key)
    return counts


# ----------------------------------------------------------------------------- import: Desk and raw


def raw_import_seconds(bundle: Path, url: str) -> float:
    """The baseline: the bundle's data files read from the zip, every line parsed with
    ``json.loads``, and (kind, uuid, version, line) loaded with psycopg COPY into one unindexed
    table, in one transaction."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_rows")
        conn.execute("CREATE TABLE raw_rows (kind text, uuid text, version integer, data text)")
    start = time.perf_counter()
    with psycopg.connect(url) as conn, zipfile.ZipFile(bundle) as zf:
        with conn.cursor() as cur:
            with cur.copy("COPY raw_rows (kind, uuid, version, data) FROM STDIN") as copy:
                for name in zf.namelist():
                    if not name.startswith("data/"):
                        continue
                    kind = name[5:-6]
                    with zf.open(name) as fh:
                        for raw in fh:
                            record = json.loads(raw)
                            copy.write_row((kind, record["uuid"], record["version"], raw[:-1].decode("utf-8")))
        conn.commit()
    seconds = time.perf_counter() - start
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE raw_rows")
    return seconds


def _reset_head_office():
    """Empty head office's tables (not the stores) and return the actor that imports. The records
    go with TRUNCATE, so each run imports into an empty table as the raw baseline loads into a
    table it has just created: a DELETE would leave the last run's million dead rows in the
    table and its indexes, and autovacuum clearing them during the next run."""
    from desk.models import HoBundle, database
    from desk.services.auth import command_line_actor

    with database.atomic():
        database.execute_sql("TRUNCATE ho_conflict, ho_record")
        HoBundle.delete().execute()
    return command_line_actor()


def desk_import_seconds(bundle: Path, url: str, records: int) -> float:
    """``head_office.import_bundle`` of the bundle into head office's empty tables (the store
    registered with the bundle's key). The database is opened before the clock starts."""
    from desk.models import HoRecord, HoStore
    from desk.models.db import close_database, open_database
    from desk.services.head_office import import_bundle

    open_database(url)
    try:
        if HoStore.get_or_none(HoStore.code == STORE) is None:
            HoStore.create(code=STORE, name="Bench Store", key=KEY)
        actor = _reset_head_office()
        start = time.perf_counter()
        result = import_bundle(actor, bundle)
        seconds = time.perf_counter() - start
        if result.status != "imported" or result.added != records:
            raise RuntimeError(f"the import did not add every record: {result.message()}")
        if HoRecord.select().count() != records:
            raise RuntimeError("head office does not hold every record after the import")
        again = import_bundle(actor, bundle)
        if again.status != "already":
            raise RuntimeError(f"the second import was not refused as already imported: {again.message()}")
    finally:
        close_database()
    return seconds


def import_figures(server_url: str, records: int = RECORDS, runs: int = IMPORT_RUNS, workdir: Path | None = None,
                   log: Log | None = None) -> dict[str, Any]:
    from desk.models.db import close_database, open_database

    folder = Path(tempfile.mkdtemp(prefix="ho-bench-", dir=workdir))
    bundle = folder / "BENCH-000001.zip"
    start = time.perf_counter()
    counts = make_bundle(bundle, records)
    if log:
        log(f"bundle of {records:,} records written in {time.perf_counter() - start:.1f} s "
            f"({bundle.stat().st_size / 1e6:,.0f} MB)")
    desk_runs, raw_runs = [], []
    try:
        with ScratchPg(server_url) as url:
            open_database(url)  # migrate before the clock runs
            close_database()
            raw_import_seconds(bundle, url)  # warm-up: page cache, imports
            for i in range(runs):
                raw_runs.append(raw_import_seconds(bundle, url))
                desk_runs.append(desk_import_seconds(bundle, url, records))
                if log:
                    log(f"ho import run {i + 1}/{runs}: Desk {desk_runs[-1]:.2f} s, raw {raw_runs[-1]:.2f} s "
                        f"for {records:,} records")
    finally:
        bundle.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass
    desk_s, raw_s = statistics.median(desk_runs), statistics.median(raw_runs)
    return {
        "ho_import_records": records,
        "ho_import_counts": counts,
        "ho_import_s": desk_s,
        "raw_ho_import_s": raw_s,
        "ho_import_rows_per_s": records / desk_s,
        "raw_ho_import_rows_per_s": records / raw_s,
        "ho_import_ratio_vs_raw": raw_s / desk_s,
        "ho_import_runs_s": [round(x, 3) for x in desk_runs],
        "raw_ho_import_runs_s": [round(x, 3) for x in raw_runs],
    }


# ----------------------------------------------------------------------------- export of a day


def _make_day(returns: int, log: Log | None = None):
    """The open database: a store with a head office key and ``returns`` returns made today,
    each of 2 lines refunded to the card. Returns the manager who exports."""
    from decimal import Decimal

    from desk import clock
    from desk.models import database
    from desk.services.export import set_ho_key
    from desk.services.returns import ReturnLineRequest, ReturnRequest, create_return
    from desk.services.sale_lookup import find_receipt
    from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
    from desk.services.staff import create_staff
    from desk.services.store import StoreDetails, init_store

    store, admin = init_store(StoreDetails(name="Bench Store", code=STORE, currency="GBP", locale="en_GB"),
                              "900", "482913", "Bench Admin")
    set_ho_key(admin, KEY)
    with database.atomic():
        clerk = create_staff("BR1", "Bench Clerk", "clerk", "481736", store)
        sold_at = clock.utcnow() - dt.timedelta(minutes=30)
        sales = []
        for i in range(returns):
            lines = [LineInput(description=f"Bench item {j}", quantity=1, unit_price=1000 + 137 * j,
                               tax_rate=Decimal("20"), line_discount=0, category="Clothing") for j in range(2)]
            total = sum(l.unit_price for l in lines)
            sales.append(SaleInput(receipt_no=f"BX-{i:06d}", sold_at=sold_at, lines=lines, order_discount=0,
                                   tenders=[TenderInput("card", total, card_brand="Visa", card_last4="4242",
                                                        reference=f"B{i}")]))
        record_sales(store, sales, "canonical")
    start = time.perf_counter()
    for i, sale in enumerate(sales):
        view = find_receipt(sale.receipt_no)
        create_return(clerk, ReturnRequest(lines=[ReturnLineRequest(1, "wrong_size", sale_line_id=l.id)
                                                  for l in view.lines], sale_id=view.id))
        if log and (i + 1) % 500 == 0:
            log(f"export day: {i + 1:,} of {returns:,} returns made ({time.perf_counter() - start:.0f} s)")
    return admin


def export_seconds(url: str, returns: int = EXPORT_RETURNS, runs: int = 3, workdir: Path | None = None,
                   log: Log | None = None) -> tuple[list[float], dict[str, int]]:
    """``export_bundle(day=today)`` of a day of ``returns`` returns, ``runs`` times (a day's
    bundle may be written again: it takes the day's records whether they were sent or not)."""
    from desk import clock
    from desk.models.db import close_database, open_database
    from desk.services.export import export_bundle

    out = Path(tempfile.mkdtemp(prefix="ho-export-", dir=workdir))
    open_database(url)
    try:
        admin = _make_day(returns, log)
        today = clock.to_local(clock.utcnow()).date()
        times, counts = [], {}
        for _ in range(runs):
            start = time.perf_counter()
            result = export_bundle(admin, out, day=today)
            times.append(time.perf_counter() - start)
            counts = result.counts
            result.path.unlink()
        if counts.get("returns") != returns:
            raise RuntimeError(f"the day's bundle holds {counts.get('returns')} returns, not {returns}")
    finally:
        close_database()
        for p in out.iterdir():
            p.unlink()
        out.rmdir()
    return times, counts


def export_figures(server_url: str | None, returns: int = EXPORT_RETURNS, runs: int = 3,
                   workdir: Path | None = None, log: Log | None = None) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="ho-export-db-", dir=workdir))
    out: dict[str, Any] = {"export_day_returns": returns}
    try:
        times, counts = export_seconds("sqlite:///" + str(folder / "export.sqlite3"), returns, runs, folder, log)
        out["export_day_2000_returns_s"] = statistics.median(times)
        out["export_day_sqlite_runs_s"] = [round(x, 3) for x in times]
        out["export_day_records"] = sum(counts.values())
        if log:
            log(f"export of a day of {returns:,} returns on SQLite: {out['export_day_2000_returns_s']:.2f} s")
    finally:
        for p in folder.glob("export.sqlite3*"):
            p.unlink()
        folder.rmdir()
    if server_url:
        with ScratchPg(server_url) as url:
            times, _ = export_seconds(url, returns, runs, workdir, log)
        out["export_day_2000_returns_pg_s"] = statistics.median(times)
        out["export_day_pg_runs_s"] = [round(x, 3) for x in times]
        if log:
            log(f"export of a day of {returns:,} returns on PostgreSQL: {out['export_day_2000_returns_pg_s']:.2f} s")
    return out


# ----------------------------------------------------------------------------- how the runner reports them

IMPORT_FIGURES = [
    Figure("ho_import_rows_per_s", "Head office import of a bundle into PostgreSQL: records per second", "rows/s",
           digits=0, better="higher", baseline="raw_ho_import_rows_per_s", ratio="ho_import_ratio_vs_raw"),
    Figure("ho_import_ratio_vs_raw", "Head office import as a share of json.loads + psycopg COPY of the same rows",
           "x", target=0.5, better="higher"),
]
EXPORT_FIGURES = [
    Figure("export_day_2000_returns_s", "Export of a day with 2,000 returns (SQLite)", "s", target=2.0,
           target_lines=None),
    Figure("export_day_2000_returns_pg_s", "Export of a day with 2,000 returns (PostgreSQL)", "s", target=2.0,
           target_lines=None),
]
DESCRIPTIONS = {
    "ho_import": """A signed bundle of 1,000,000 records (100,000 with --lines under 1,000,000; a store's mix: returns,
2 lines and a refund tender each, a voucher with 2 ledger entries on every 4th, a customer on every 5th, audit events
with a valid hash chain for the rest; fixed seed, CSV copies included) imported with `head_office.import_bundle` into
head office's emptied tables in a PostgreSQL database made for the run, beside the raw baseline in the same database:
the bundle's data files read from the zip, each line parsed with `json.loads` and loaded with psycopg `COPY` as (kind,
uuid, version, line) into one unindexed table in one transaction. Desk's time includes checking the signature and
every file's hash before reading, the checks of every record, and the commit. Medians of 3; the runs alternate.""",
    "ho_export": """`export.export_bundle(day=today)` of a day holding 2,000 returns (each of 2 lines refunded to the
card, made with `returns.create_return`; the day's bundle also carries their audit events), timed around the call
(the zip written and renamed) on SQLite and on PostgreSQL; medians of 3.""",
}


def measure_import(ctx: Context) -> dict[str, Any]:
    server = pg_server_url(getattr(ctx, "pg_url", None))
    if not server:
        ctx.log("ho_import skipped: no PostgreSQL (--pg URL or DESK_BENCH_PG_URL)")
        return {}
    from desk.models.db import close_database

    close_database()
    records = RECORDS if ctx.lines >= 1_000_000 else min(QUICK_RECORDS, max(500, ctx.lines))
    return import_figures(server, records, min(ctx.runs, IMPORT_RUNS), ctx.workdir, ctx.log)


def measure_export(ctx: Context) -> dict[str, Any]:
    from desk.models.db import close_database

    close_database()
    returns = EXPORT_RETURNS if ctx.lines >= 100_000 else max(20, min(EXPORT_RETURNS, ctx.lines // 10))
    return export_figures(pg_server_url(getattr(ctx, "pg_url", None)), returns, min(ctx.runs, 3), ctx.workdir, ctx.log)


def register() -> None:
    from bench.registry import MEASUREMENTS, measurement

    if any(m.name == "ho_import" for m in MEASUREMENTS):
        return
    measurement("ho_import", IMPORT_FIGURES, DESCRIPTIONS["ho_import"])(measure_import)
    measurement("ho_export", EXPORT_FIGURES, DESCRIPTIONS["ho_export"])(measure_export)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.head_office")
    p.add_argument("--pg", metavar="URL", help="PostgreSQL server (default $DESK_BENCH_PG_URL)")
    p.add_argument("--records", type=int, default=RECORDS)
    p.add_argument("--runs", type=int, default=IMPORT_RUNS)
    p.add_argument("--returns", type=int, default=EXPORT_RETURNS)
    p.add_argument("--only", choices=["import", "export"])
    args = p.parse_args(argv)
    log = lambda m: print(f"[bench] {m}", flush=True)  # noqa: E731
    server = pg_server_url(args.pg)
    out: dict[str, Any] = {}
    if args.only != "export":
        if not server:
            p.error("the import needs PostgreSQL: --pg URL or DESK_BENCH_PG_URL")
        out.update(import_figures(server, args.records, args.runs, log=log))
    if args.only != "import":
        out.update(export_figures(server, args.returns, args.runs, log=log))
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
