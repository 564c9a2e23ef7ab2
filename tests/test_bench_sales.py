"""The sales ledger's benchmark code on tiny sizes (every key reported; no timing asserted), and
the import's fast path giving exactly what the full reading gives."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from bench import sales as bs
from bench.registry import MEASUREMENTS
from desk.io.feeds import canonical
from desk.io.feeds.common import read_text
from desk.models.db import close_database

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _closed():
    close_database()
    yield
    close_database()


def test_the_generated_file_is_a_good_canonical_file(tmp_path):
    path = tmp_path / "sales.csv"
    counts = bs.write_canonical_csv(path, 40)
    assert counts["sales"] == 40 and counts["rows"] == counts["lines"] + counts["tenders"]
    raw = read_text(path)
    feed = canonical.parse_full(raw.text, jsonl=False)
    assert feed.errors == [] and len(feed.sales) == 40 and feed.rows == counts["rows"]
    assert canonical.parse_csv_fast(raw.text) == feed


def test_import_figures_report_desk_and_raw_in_the_same_run(tmp_path):
    out = bs.import_figures(tmp_path, sales=30, runs=1)
    for key in ("import_rows_per_s", "raw_import_rows_per_s", "import_ratio_vs_raw", "import_s", "raw_import_s"):
        assert out[key] > 0, key
    assert out["import_file_sales"] == 30
    assert out["import_ratio_vs_raw"] == pytest.approx(out["raw_import_s"] / out["import_s"])


@pytest.fixture
def small_store(tmp_path):
    from bench.store import build_store

    path = tmp_path / "store.sqlite3"
    build_store(path, 300, lambda _: None)
    return path


def test_lookup_and_customer_search_figures(small_store):
    url = "sqlite:///" + str(small_store)
    look = bs.lookup_figures(url, small_store, samples=20)
    for key in ("lookup_p50_ms", "lookup_p95_ms", "raw_lookup_p50_ms", "raw_lookup_p95_ms", "lookup_p95_ratio_vs_raw"):
        assert look[key] > 0, key
    found = bs.customer_search_figures(url, small_store, count=2400, samples=20)  # the demo has 2,000
    for key in ("customer_search_p50_ms", "customer_search_p95_ms", "raw_customer_search_p95_ms", "customer_list_p95_ms"):
        assert found[key] > 0, key
    assert found["customer_search_found_share"] > 0.5  # prefixes of stored customers find them
    from desk.models.db import open_database
    from desk.models import Customer

    open_database(url)
    assert Customer.select().count() == 2400
    assert Customer.select().where(Customer.search_name.is_null()).count() == 0


def test_the_measurements_are_registered_with_their_figures(monkeypatch):
    monkeypatch.setattr("bench.registry.MEASUREMENTS", list(MEASUREMENTS))
    from bench import registry

    bs.register()
    bs.register()  # once only
    assert [m.name for m in registry.MEASUREMENTS].count("sales_import") == 1
    names = {m.name: m for m in registry.MEASUREMENTS}
    assert {"sales_import", "receipt_lookup", "customer_search"} <= set(names)
    keys = {f.key for m in registry.MEASUREMENTS for f in m.figures}
    assert {"import_ratio_vs_raw", "lookup_p95_ms", "customer_search_p95_ms"} <= keys


def _mutations(seed: int, trials: int):
    base = (DATA / "canonical_good.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(base, newline="")))
    values = ["", " ", "0", "1", "2", "-1", "+1", "1.0", "1,000", "12.5", "12.", ".5", "12.345", "abc", "20%", "101",
              "8.8755", "gbp", "USD", "XXX", "tender", "LINE", "cheque", "42 42", "12345", "4242424242424242",
              "2026-10-03 14:22:05", "2026-10-03T14:22:05Z", "x" * 70, "a@b.co", "bad-email", "R1002", "R9"]
    rng = random.Random(seed)
    for _ in range(trials):
        changed = [list(r) for r in rows]
        for _ in range(rng.randint(1, 3)):
            r = rng.randrange(1, len(changed))
            changed[r][rng.randrange(len(changed[r]))] = rng.choice(values)
        out = io.StringIO()
        csv.writer(out).writerows(changed)
        yield out.getvalue()


def test_the_fast_path_reads_what_the_full_reading_reads_or_leaves_it_to_it():
    fast_taken = 0
    for text in _mutations(seed=3, trials=400):
        fast = canonical.parse_csv_fast(text)
        if fast is None:
            continue
        fast_taken += 1
        assert fast == canonical.parse_full(text, jsonl=False), text
    assert fast_taken > 50  # many mutated files are still good files
    broken = read_text(DATA / "canonical_broken.csv").text
    assert canonical.parse_csv_fast(broken) is None
    assert canonical.parse(broken, jsonl=False).errors  # the full reading reports its rows
