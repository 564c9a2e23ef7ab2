"""The commit of a return with 5 lines on SQLite (WAL, synchronous=FULL): p50 and p95 over 200.

``measure_returns(url=None, count=200)`` -> ``{"return_commit_p50_ms", "return_commit_p95_ms", ...}``.
Without a URL it makes a fresh store in a scratch SQLite file; with one it adds ``count``
benchmark sales to that database (give it a copy, not a store you keep). Each timed call is
``desk.services.returns.create_return`` for 5 lines of a 5-line sale refunded to its card:
permission check, BEGIN IMMEDIATE, locking and re-counting what was returned, the policy,
the document number, the rows, the stock, the audit event and the COMMIT (an fsync of the
WAL under synchronous=FULL).

Run alone: ``python -m bench.returns [URL]``. Importing this module also registers the
measurement ``returns_commit`` with the bench runner (``bench.registry``); it runs on a copy
of the benchmark store.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.registry import Context, Figure, measurement

FIGURES = [
    Figure("return_commit_p95_ms", "Commit of a 5-line return on SQLite, synchronous=FULL: p95", "ms", target=30,
           target_lines=None),
    Figure("return_commit_p50_ms", "Commit of a 5-line return on SQLite, synchronous=FULL: median", "ms",
           target_lines=None),
]

BENCH_CLERK = ("BR1", "481736")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _prepare(count: int):
    """The store, a clerk and ``count`` 5-line sales paid by card, made today."""
    from desk import clock
    from desk.models import Staff, database
    from desk.services.sale_lookup import find_receipt
    from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
    from desk.services.staff import create_staff
    from desk.services.store import StoreDetails, current_store, init_store

    store = current_store()
    if store is None:
        store, _ = init_store(StoreDetails(name="Bench Store", code="BENCH", currency="GBP", locale="en_GB"),
                              "900", "482913", "Bench Admin")
    with database.atomic():
        clerk = Staff.get_or_none(Staff.code == BENCH_CLERK[0])
        if clerk is None:
            clerk = create_staff(BENCH_CLERK[0], "Bench Clerk", "clerk", BENCH_CLERK[1], store)
        stamp = dt.datetime.now().strftime("%H%M%S%f")
        sold_at = clock.utcnow() - dt.timedelta(hours=1)
        sales = []
        for i in range(count):
            lines = [LineInput(description=f"Bench item {j}", quantity=2, unit_price=1000 + 137 * j, tax_rate=Decimal("20"),
                               line_discount=0, category="Clothing") for j in range(5)]
            total = sum(l.quantity * l.unit_price for l in lines) - 500
            sales.append(SaleInput(receipt_no=f"BR-{stamp}-{i:05d}", sold_at=sold_at, lines=lines, order_discount=500,
                                   tenders=[TenderInput("card", total, card_brand="Visa", card_last4="4242", reference=f"B{i}")]))
        record_sales(store, sales, "canonical")
    views = [find_receipt(s.receipt_no) for s in sales]
    return clerk, views


def measure_returns(url: str | None = None, count: int = 200) -> dict[str, Any]:
    """Time ``count`` commits of a 5-line return. Returns milliseconds: p50, p95, mean, max."""
    from desk.models.db import close_database, is_postgres, open_database
    from desk.services.returns import ReturnLineRequest, ReturnRequest, create_return

    scratch = None
    if url is None:
        scratch = Path(tempfile.mkdtemp(prefix="desk-bench-returns-"))
        url = "sqlite:///" + str(scratch / "returns.sqlite3")
    opened = open_database(url)
    try:
        if not is_postgres(opened.db):
            sync = opened.db.execute_sql("PRAGMA synchronous").fetchone()[0]
            if int(sync) != 2:
                raise RuntimeError(f"SQLite synchronous is {sync}, not FULL (2)")
        clerk, views = _prepare(count)
        # one warm-up return (imports, statement caches), not counted
        warm = _prepare(1)[1][0]
        create_return(clerk, ReturnRequest(lines=[ReturnLineRequest(1, "wrong_size", sale_line_id=l.id) for l in warm.lines],
                                           sale_id=warm.id))
        times = []
        for view in views:
            request = ReturnRequest(lines=[ReturnLineRequest(1, "wrong_size", sale_line_id=l.id) for l in view.lines],
                                    sale_id=view.id)
            start = time.perf_counter()
            result = create_return(clerk, request)
            times.append((time.perf_counter() - start) * 1000)
            if len(result.lines) != 5:
                raise RuntimeError("a benchmark return did not have 5 lines")
    finally:
        close_database()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return {
        "return_commit_p50_ms": statistics.median(times),
        "return_commit_p95_ms": _percentile(times, 95),
        "return_commit_mean_ms": statistics.fmean(times),
        "return_commit_max_ms": max(times),
        "return_commit_count": len(times),
    }


DESCRIPTION = """
`desk.services.returns.create_return` timed around the call for 200 returns, each taking back
one unit of each line of its own 5-line sale (with an order discount) to the card that paid:
permission check, BEGIN IMMEDIATE, re-counting what was returned, the policy, the document
number, 5 return lines, the refund tender, the stock, the audit event and the COMMIT, on a
copy of the benchmark store in SQLite (WAL, synchronous=FULL). One warm-up return is not counted.
"""


@measurement("returns_commit", FIGURES, DESCRIPTION)
def returns_commit(ctx: Context) -> dict[str, Any]:
    url = None
    if ctx.db_path is not None and Path(ctx.db_path).exists():
        copy = Path(ctx.workdir) / "returns-bench.sqlite3"
        shutil.copyfile(ctx.db_path, copy)
        for suffix in ("-wal", "-shm"):
            src = Path(str(ctx.db_path) + suffix)
            if src.exists():
                shutil.copyfile(src, Path(str(copy) + suffix))
        url = "sqlite:///" + str(copy)
    out = measure_returns(url)
    ctx.log(f"return commit: p50 {out['return_commit_p50_ms']:.2f} ms, p95 {out['return_commit_p95_ms']:.2f} ms")
    return out


if __name__ == "__main__":
    print(json.dumps(measure_returns(sys.argv[1] if len(sys.argv) > 1 else None), indent=2))
