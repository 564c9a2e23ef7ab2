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

Each ``measure_*`` function takes the run's ``Context`` (``bench.registry``); ``*_FIGURES`` and
``DESCRIPTIONS`` say how the runner reports them; ``register()`` adds the three measurements
(``sales_import``, ``receipt_lookup``, ``customer_search``) to the runner. The ``*_figures``
functions run alone on any store (see ``tests/test_bench_sales.py``).
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


# ----------------------------------------------------------------------------- receipt lookup


def lookup_figures(url: str, db_path: Path, samples: int = LOOKUPS, seed: int = SEED) -> dict[str, Any]:
    """p50/p95 of ``find_receipt`` (the whole sale: lines, tenders, returned quantities) for
    ``samples`` random receipts, beside the raw indexed query of the sale row."""
    from desk.models.db import close_database, open_database
    from desk.services.sale_lookup import find_receipt

    open_database(url)
    try:
        from desk.models import database

        receipts = [r for (r,) in database.execute_sql("SELECT receipt_no FROM sale ORDER BY id").fetchall()]
        store_id = database.execute_sql("SELECT MIN(id) FROM store").fetchone()[0]
        rng = random.Random(seed)
        chosen = [rng.choice(receipts) for _ in range(samples)]
        for r in chosen[:50]:  # warm-up: statements prepared, pages cached
            find_receipt(r)
        desk_ms = []
        for r in chosen:
            start = time.perf_counter()
            view = find_receipt(r)
            desk_ms.append((time.perf_counter() - start) * 1000)
            if view is None or view.receipt != r:
                raise RuntimeError(f"find_receipt({r!r}) did not find it")
    finally:
        close_database()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        sql = "SELECT id, receipt_no, sold_at, total FROM sale WHERE store_id = ? AND receipt_no = ?"
        for r in chosen[:50]:
            conn.execute(sql, (store_id, r)).fetchone()
        raw_ms = []
        for r in chosen:
            start = time.perf_counter()
            conn.execute(sql, (store_id, r)).fetchone()
            raw_ms.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    out = {
        "lookup_p50_ms": statistics.median(desk_ms),
        "lookup_p95_ms": _pct(desk_ms, 95),
        "raw_lookup_p50_ms": statistics.median(raw_ms),
        "raw_lookup_p95_ms": _pct(raw_ms, 95),
        "lookup_samples": samples,
    }
    out["lookup_p95_ratio_vs_raw"] = out["lookup_p95_ms"] / out["raw_lookup_p95_ms"]
    return out


def measure_lookup(ctx: Context) -> dict[str, Any]:
    """Receipt lookup by number on the benchmark store beside a raw indexed query."""
    from desk.models.db import close_database

    close_database()
    return lookup_figures(ctx.url, ctx.db_path, LOOKUPS)


# ----------------------------------------------------------------------------- customer search


def top_up_customers(count: int = CUSTOMERS, seed: int = SEED, log: Callable[[str], None] | None = None) -> int:
    """Add customers to the open database until it holds ``count``: written in bulk in the shape
    the app writes them (search keys included). Returns how many were added."""
    from desk import clock
    from desk.models import Customer, database
    from desk.services.customers import search_keys
    from desk.services.sales import insert_rows, new_ids

    have = Customer.select().count()
    missing = count - have
    if missing <= 0:
        return 0
    rng = random.Random(seed + have)
    now = clock.utcnow()
    fields = ["id", "uuid", "created_at", "name", "email", "phone", "notes", "search_name", "search_last", "search_phone"]
    with database.atomic():
        ids = new_ids(Customer, missing)
        rows = []
        for n, cid in enumerate(ids):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if rng.random() < 0.3:
                last = f"{last}-{rng.choice(LAST)}"
            name = f"{first} {last}"
            phone = rng.choice(["07", "+44 7", "01", "02"]) + "".join(rng.choice("0123456789") for _ in range(9))
            email = f"{first}.{last}.{have + n}@example.com".lower().replace("'", "").replace(" ", "") if rng.random() < 0.8 else None
            keys = search_keys(name, phone)
            rows.append((cid, uuidlib.uuid4().hex, now, name, email, phone, "", keys["search_name"], keys["search_last"], keys["search_phone"]))
            if len(rows) >= 20_000:
                insert_rows(Customer, fields, rows)
                rows.clear()
        insert_rows(Customer, fields, rows)
    if log:
        log(f"added {missing:,} customers (now {count:,})")
    return missing


def customer_search_figures(url: str, db_path: Path, count: int = CUSTOMERS, samples: int = CUSTOMER_SEARCHES,
                            seed: int = SEED, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """p50/p95 of ``search_customers`` for ``samples`` random name and phone prefixes among
    ``count`` customers, beside one raw indexed prefix query per search."""
    from desk.models.db import close_database, open_database
    from desk.services.customers import fold, phone_key, search_customers

    open_database(url)
    try:
        from desk.models import database

        top_up_customers(count, seed, log)
        people = database.execute_sql("SELECT name, phone FROM customer ORDER BY id").fetchall()
        rng = random.Random(seed)
        typed: list[str] = []
        for i in range(samples):
            name, phone = rng.choice(people)
            if i % 2 == 0 or not phone:  # a name: the start of the first or the last name, 2 to 5 letters
                word = rng.choice(name.split())
                typed.append(word[: rng.randint(2, 5)].lower())
            else:  # a phone: its first 5 to 9 digits as written
                digits = phone_key(phone)
                typed.append(digits[: rng.randint(5, 9)])
        for t in typed[:20]:
            search_customers(t)
        desk_ms = []
        found = 0
        for t in typed:
            start = time.perf_counter()
            rows = search_customers(t)
            desk_ms.append((time.perf_counter() - start) * 1000)
            found += bool(rows)
        from desk.services.customers import count_customers, fetch_customers

        list_ms = []  # the Customers screen's paged list: the count and the first page of 200
        for t in typed:
            start = time.perf_counter()
            count_customers(t)
            fetch_customers(t, 0, 200)
            list_ms.append((time.perf_counter() - start) * 1000)
    finally:
        close_database()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        raw_ms = []
        for t in typed:
            is_phone = t.isdigit()
            key = t if is_phone else fold(t)
            column = "search_phone" if is_phone else "search_name"
            sql = f"SELECT id, name, phone, email FROM customer WHERE {column} >= ? AND {column} < ? ORDER BY {column} LIMIT 50"
            start = time.perf_counter()
            conn.execute(sql, (key, key[:-1] + chr(ord(key[-1]) + 1))).fetchall()
            raw_ms.append((time.perf_counter() - start) * 1000)
    finally:
        conn.close()
    out = {
        "customer_search_p50_ms": statistics.median(desk_ms),
        "customer_search_p95_ms": _pct(desk_ms, 95),
        "raw_customer_search_p50_ms": statistics.median(raw_ms),
        "raw_customer_search_p95_ms": _pct(raw_ms, 95),
        "customer_list_p50_ms": statistics.median(list_ms),
        "customer_list_p95_ms": _pct(list_ms, 95),
        "customer_search_samples": samples,
        "customer_search_customers": count,
        "customer_search_found_share": found / samples,
    }
    out["customer_search_p95_ratio_vs_raw"] = out["customer_search_p95_ms"] / out["raw_customer_search_p95_ms"]
    return out


def measure_customer_search(ctx: Context) -> dict[str, Any]:
    """Customer search by name or phone prefix among 200,000 customers beside a raw indexed query,
    on a copy of the benchmark store (a kept store stays as it was built)."""
    import shutil

    from desk.models.db import close_database

    close_database()  # the last connection checkpoints the WAL into the file
    copy = ctx.workdir / "customers-copy.sqlite3"
    shutil.copyfile(ctx.db_path, copy)
    count = CUSTOMERS if ctx.lines >= 100_000 else max(1000, ctx.lines)
    try:
        return customer_search_figures("sqlite:///" + str(copy), copy, count, CUSTOMER_SEARCHES, SEED, ctx.log)
    finally:
        close_database()
        for suffix in ("", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


# ----------------------------------------------------------------------------- how the runner reports them

IMPORT_FIGURES = [
    Figure("import_rows_per_s", "Canonical CSV import: rows per second (line and tender rows)", "rows/s", digits=0,
           better="higher", target_lines=None, baseline="raw_import_rows_per_s", ratio="import_ratio_vs_raw"),
    Figure("import_ratio_vs_raw", "Import throughput as a share of csv + sqlite3.executemany of the same rows", "x",
           target=0.5, better="higher", target_lines=None),
]
LOOKUP_FIGURES = [
    Figure("lookup_p50_ms", "Receipt lookup by number (find_receipt, whole sale), median", "ms", baseline="raw_lookup_p50_ms"),
    Figure("lookup_p95_ms", "Receipt lookup by number (find_receipt, whole sale), 95th percentile", "ms", target=2.0,
           baseline="raw_lookup_p95_ms", ratio="lookup_p95_ratio_vs_raw"),
]
CUSTOMER_FIGURES = [
    Figure("customer_search_p50_ms", "Customer search by name or phone prefix (200,000 customers), median", "ms",
           baseline="raw_customer_search_p50_ms"),
    Figure("customer_search_p95_ms", "Customer search by name or phone prefix (200,000 customers), 95th percentile", "ms",
           target=20.0, baseline="raw_customer_search_p95_ms", ratio="customer_search_p95_ratio_vs_raw"),
    Figure("customer_list_p50_ms", "Customers list for the same prefixes: count and first page of 200, median", "ms"),
    Figure("customer_list_p95_ms", "Customers list for the same prefixes: count and first page of 200, 95th percentile", "ms"),
]
DESCRIPTIONS = {
    "sales_import": """A canonical CSV file of 20,000 sales (fixed seed; about 50,000 line rows and 23,000 tender rows,
a customer on a third of the sales) imported with `sales_import.import_file` into a fresh Desk SQLite database with a
GBP store, beside the raw baseline: the same file read with plain `csv` and its rows inserted as they are into one
table of a fresh SQLite file (WAL, synchronous=FULL) with `sqlite3.executemany` in one transaction. The ratio is Desk's
rows per second over the baseline's. Medians of 3.""",
    "receipt_lookup": """1,000 random receipt numbers of the benchmark store opened with `sale_lookup.find_receipt`
(the sale with its lines, tenders and returned quantities), beside the raw indexed query `SELECT id, receipt_no,
sold_at, total FROM sale WHERE store_id = ? AND receipt_no = ?` through the stdlib `sqlite3` on the same file.""",
    "customer_search": """The benchmark store topped up to 200,000 customers (written in bulk with their search keys, as
the app writes them), then 500 random prefixes typed as a clerk would (half the first 2-5 letters of a first or last
name, half the first 5-9 digits of a phone) through `customers.search_customers`, beside one raw indexed prefix query
per search (`search_name` or `search_phone` range, LIMIT 50) through the stdlib `sqlite3`. The Customers list is the
same prefixes through `customers.count_customers` and `customers.fetch_customers(text, 0, 200)` (the count and the
first page the paged list loads).""",
}


def register() -> None:
    """Register the three measurements with the bench runner (once)."""
    from bench.registry import MEASUREMENTS, measurement

    if any(m.name == "sales_import" for m in MEASUREMENTS):
        return
    measurement("sales_import", IMPORT_FIGURES, DESCRIPTIONS["sales_import"])(measure_import)
    measurement("receipt_lookup", LOOKUP_FIGURES, DESCRIPTIONS["receipt_lookup"])(measure_lookup)
    measurement("customer_search", CUSTOMER_FIGURES, DESCRIPTIONS["customer_search"])(measure_customer_search)

