"""The sales ledger's figures: import throughput, receipt lookup and customer search, each beside
a raw baseline measured in the same run.

- ``measure_import(ctx)`` -> ``import_rows_per_s``, ``raw_import_rows_per_s``, ``import_ratio_vs_raw``:
  a canonical CSV file of 20,000 sales (about 50,000 line rows and 23,000 tender rows, fixed
  seed) imported through ``sales_import.import_file`` into a fresh Desk database, beside plain
  ``csv`` reading of the same file and ``sqlite3.executemany`` of its rows into one table of a
  fresh SQLite file in one transaction. Medians of 3.
- ``measure_lookup(ctx)`` -> ``lookup_p50_ms``, ``lookup_p95_ms`` and the raw query's
  ``raw_lookup_p50_ms``/``raw_lookup_p95_ms``: 1,000 random receipts of the benchmark store
  opened through ``sale_lookup.find_receipt`` (the sale with its lines, tenders and returned
  quantities), beside ``SELECT ... FROM sale WHERE store_id=? AND receipt_no=?`` through the
  stdlib ``sqlite3``.
- ``measure_customer_search(ctx)`` -> ``customer_search_p50_ms``, ``customer_search_p95_ms`` and
  ``raw_customer_search_p95_ms``: the benchmark store topped up to 200,000 customers, then 500
  random name and phone prefixes through ``customers.search_customers`` beside a raw indexed
  query of the same rows.

Each function takes the run's ``Context`` (``bench.registry``); ``FIGURES`` and ``DESCRIPTIONS``
say how the runner reports them.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
import statistics
import tempfile
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any, Callable

from bench.registry import Context, Figure

SEED = 3
IMPORT_SALES = 20_000
IMPORT_RUNS = 3
LOOKUPS = 1_000
CUSTOMERS = 200_000
CUSTOMER_SEARCHES = 500

HEADER = (
    "record", "receipt", "timestamp", "till", "cashier", "line", "sku", "barcode", "description", "category",
    "quantity", "unit_price", "line_discount", "tax_rate", "currency", "order_discount",
    "customer_name", "customer_email", "customer_phone", "method", "amount", "card_brand", "card_last4", "reference",
)

FIRST = ["Oliver", "Amelia", "Harry", "Isla", "Jack", "Ava", "George", "Mia", "Noah", "Sophie", "Łucja", "Zoë",
         "Siobhán", "Mateusz", "Aoife", "Björn", "Priya", "Mohammed", "Chloé", "José", "Agnieszka", "Kofi", "Mei",
         "Ioana", "Thomas", "Emily", "William", "Grace", "James", "Lily", "Ewa", "Tomasz", "Hannah", "Liam"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Wiśniewska", "Ødegård",
        "O'Connor", "Nowak", "Patel", "Khan", "Müller", "García", "Nguyen", "MacLeod", "Kowalczyk", "Ferreira",
        "Roberts", "Walker", "Wright", "Thompson", "Hughes", "Edwards", "Green", "Hall", "Wood", "Clarke",
        "Lewandowski", "Zielińska", "Kamińska", "Ó Súilleabháin", "Fitzgerald", "Lindqvist", "Sørensen"]


def _log(ctx: Context | None, message: str) -> None:
    if ctx is not None:
        ctx.log(message)


def _pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


# ----------------------------------------------------------------------------- the import file


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def write_canonical_csv(path: Path, sales: int = IMPORT_SALES, seed: int = SEED) -> dict[str, int]:
    """A canonical CSV of ``sales`` believable sales (fixed seed): lines, discounts, several tenders,
    a customer on about a third. Returns the counts of its rows."""
    rng = random.Random(seed)
    products = []
    for n in range(1, 401):
        rate = rng.choice(["20", "20", "20", "5", "0"])
        products.append((f"SKU-{n:05d}", f"50{n:011d}", f"Product {n} – {rng.choice(['blue', 'Ørsted', 'large', 'café'])}",
                         rng.choice(["Clothing", "Home", "Kitchen", "Books", "Toys"]), rng.randrange(99, 15000), rate))
    people = []
    for n in range(3000):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}{n}@example.com".lower().replace("'", "").replace(" ", "")
        people.append((f"{first} {last}", email, f"07{rng.randrange(100000000, 999999999)}"))
    start = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    counts = {"sales": 0, "lines": 0, "tenders": 0}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for s in range(1, sales + 1):
            receipt = f"B{s:07d}"
            ts = (start + dt.timedelta(seconds=s * 97)).isoformat()
            till = rng.choice(["T1", "T2", "T3", "T4"])
            n_lines = rng.choice([1, 1, 2, 2, 3, 3, 4, 4])  # 2.5 lines a sale
            chosen = rng.sample(products, n_lines)
            customer = rng.choice(people) if rng.random() < 0.35 else ("", "", "")
            gross = 0
            rows = []
            for n, (sku, barcode, desc, cat, price, rate) in enumerate(chosen, 1):
                qty = rng.choice([1, 1, 1, 2, 3])
                disc = (qty * price * 10) // 100 if rng.random() < 0.1 else 0
                gross += qty * price - disc
                rows.append([sku, barcode, desc, cat, qty, price, disc, rate])
            order_discount = gross * 5 // 100 if rng.random() < 0.08 else 0
            total = gross - order_discount  # prices include tax
            for n, (sku, barcode, desc, cat, qty, price, disc, rate) in enumerate(rows, 1):
                first = n == 1
                w.writerow(["line", receipt, ts, till, "Sam" if first else "", n, sku, barcode, desc, cat, qty, _money(price),
                            _money(disc) if disc else "", rate, "GBP", _money(order_discount) if first and order_discount else "",
                            customer[0] if first else "", customer[1] if first else "", customer[2] if first else "",
                            "", "", "", "", ""])
            roll = rng.random()
            if roll < 0.3:
                tenders = [("cash", total, "", "", "")]
            elif roll < 0.9:
                tenders = [("card", total, rng.choice(["Visa", "Mastercard", "Amex"]), f"{rng.randrange(10000):04d}", f"AUTH{s:08d}")]
            else:
                part = total // 2
                tenders = [("cash", part, "", "", ""), ("card", total - part, "Visa", f"{rng.randrange(10000):04d}", f"AUTH{s:08d}")]
            for method, amount, brand, last4, ref in tenders:
                w.writerow(["tender", receipt] + [""] * 17 + [method, _money(amount), brand, last4, ref])
            counts["sales"] += 1
            counts["lines"] += n_lines
            counts["tenders"] += len(tenders)
    counts["rows"] = counts["lines"] + counts["tenders"]
    return counts


# ----------------------------------------------------------------------------- import throughput


def raw_import_seconds(csv_path: Path, db_path: Path) -> float:
    """The baseline: read the file with plain ``csv`` and insert its rows as they are into one
    table of a fresh SQLite file (WAL, synchronous=FULL like Desk's) with ``executemany``, in one
    transaction."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    start = time.perf_counter()
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE rows (" + ", ".join(f'"{c}" TEXT' for c in HEADER) + ")")
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * len(HEADER))})", reader)
        conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


def desk_import_seconds(csv_path: Path, db_path: Path) -> float:
    """Desk: ``sales_import.import_file`` of the file into a fresh Desk database with a GBP store
    (opening and migrating the database is not counted)."""
    from desk.models.db import close_database, open_database
    from desk.services.auth import command_line_actor
    from desk.services.sales_import import import_file
    from desk.services.store import StoreDetails, init_store

    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    open_database("sqlite:///" + str(db_path))
    try:
        init_store(StoreDetails(name="Bench", code="BENCH", currency="GBP", locale="en_GB"), "900", "482913", "Ada Admin")
        start = time.perf_counter()
        result = import_file(command_line_actor(), csv_path)
        seconds = time.perf_counter() - start
        if result.already_imported or not result.sales_added:
            raise RuntimeError(f"the import wrote nothing: {result}")
    finally:
        close_database()
    return seconds


def import_figures(workdir: Path, sales: int = IMPORT_SALES, runs: int = IMPORT_RUNS,
                   log: Callable[[str], None] | None = None) -> dict[str, Any]:
    csv_path = workdir / f"bench-sales-{sales}.csv"
    counts = write_canonical_csv(csv_path, sales)
    raw_runs, desk_runs = [], []
    raw_import_seconds(csv_path, workdir / "raw-warmup.sqlite3")  # page cache, imports
    for i in range(runs):
        raw_runs.append(raw_import_seconds(csv_path, workdir / "raw.sqlite3"))
        desk_runs.append(desk_import_seconds(csv_path, workdir / "desk-import.sqlite3"))
        if log:
            log(f"import run {i + 1}/{runs}: Desk {desk_runs[-1]:.2f} s, raw {raw_runs[-1]:.3f} s for {counts['rows']:,} rows")
    raw_s, desk_s = statistics.median(raw_runs), statistics.median(desk_runs)
    return {
        "import_file_rows": counts["rows"],
        "import_file_lines": counts["lines"],
        "import_file_sales": counts["sales"],
        "import_s": desk_s,
        "raw_import_s": raw_s,
        "import_rows_per_s": counts["rows"] / desk_s,
        "raw_import_rows_per_s": counts["rows"] / raw_s,
        "import_ratio_vs_raw": raw_s / desk_s,
        "import_runs_s": [round(x, 3) for x in desk_runs],
        "raw_import_runs_s": [round(x, 4) for x in raw_runs],
    }


def measure_import(ctx: Context) -> dict[str, Any]:
    """Import throughput of a canonical CSV file beside csv + sqlite3.executemany of its rows."""
    folder = Path(tempfile.mkdtemp(prefix="import-", dir=ctx.workdir))
    sales = IMPORT_SALES if ctx.lines >= 100_000 else max(200, min(IMPORT_SALES, ctx.lines // 3))
    from desk.models.db import close_database

    close_database()
    try:
        return import_figures(folder, sales, IMPORT_RUNS, ctx.log)
    finally:
        close_database()
