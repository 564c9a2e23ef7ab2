"""The benchmark store: N sale lines built by the demo builder, the code the app itself uses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

SEED = 1
CUSTOMERS = 2_000


def store_file(folder: Path, lines: int) -> Path:
    return folder / f"desk-bench-{lines}.sqlite3"


def existing_store_lines(path: Path) -> int | None:
    """Sale lines in a finished benchmark store at ``path``, or None if there is none."""
    if not path.exists():
        return None
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            built = conn.execute("select count(*) from audit_event where action = 'demo.built'").fetchone()[0]
            if not built:
                return None
            # the demo's till lines (collected special orders and exchanges add sales of their own)
            return conn.execute("select count(*) from sale_line l join sale s on s.id = l.sale_id "
                                "where s.source = 'demo'").fetchone()[0]
    except sqlite3.Error:
        return None


def build_store(path: Path, lines: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Build the store in a fresh SQLite file; returns the build's figures."""
    from desk.models.db import close_database, open_database
    from desk.services.demo import build_demo

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = "sqlite:///" + str(path)
    step = max(1, lines // 20)
    next_report = [step]
    start = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if done >= next_report[0]:
            next_report[0] = (done // step + 1) * step
            elapsed = time.perf_counter() - start
            log(f"building: {done:,} of {total:,} lines, {elapsed:.0f} s")

    open_database(url)
    try:
        result = build_demo(seed=SEED, lines=lines, customers=CUSTOMERS, progress=progress)
    finally:
        close_database()  # the last connection closing checkpoints the WAL into the file
    seconds = time.perf_counter() - start
    log(f"built {result.lines:,} lines in {result.sales:,} sales in {seconds:.1f} s")
    return {
        "build_s": seconds,
        "build_lines_per_s": result.lines / seconds if seconds else None,
        "store_sales": result.sales,
        "store_customers": result.customers,
        "store_products": result.products,
    }


def db_size_mb(path: Path) -> float:
    return sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists()) / 1e6
