"""Head office's benchmark code on tiny sizes: the generated bundle is one head office accepts,
every key is reported, the bench's database is dropped after. No timing is asserted."""

from __future__ import annotations

import json
import os

import psycopg
import pytest

from bench import head_office as bh
from bench.registry import MEASUREMENTS
from desk.io.bundles import open_bundle
from desk.services.exporters import EXPORTERS
from desk.models.db import close_database
from tests.conftest import PG_URL


@pytest.fixture(autouse=True)
def _closed():
    close_database()
    yield
    close_database()


def test_the_generated_bundle_is_signed_checked_and_holds_the_mix(tmp_path):
    path = tmp_path / "b.zip"
    counts = bh.make_bundle(path, 700)
    assert sum(counts.values()) == 700
    assert all(counts[k] > 0 for k in ("returns", "return_lines", "refund_tenders", "vouchers", "voucher_entries",
                                       "customers", "audit_events"))
    bundle = open_bundle(path, {bh.STORE: bh.KEY}.get, set(EXPORTERS))
    try:
        assert bundle.lines == counts
        first = next(bundle.iter_records("returns"))[1]
        assert first["store"] == bh.STORE and isinstance(first["total"], int)
    finally:
        bundle.close()
    assert bh.make_bundle(tmp_path / "again.zip", 700) == counts  # fixed seed
    assert (tmp_path / "again.zip").read_bytes() == path.read_bytes()


def _bench_databases() -> set[str]:
    """The databases this process's bench made (other test runs may share the server)."""
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                                  (f"desk_bench_{os.getpid()}_%",))}


@pytest.mark.pg
def test_import_figures_report_desk_and_raw_in_the_same_run(tmp_path):
    if not PG_URL:
        pytest.skip("DESK_TEST_PG_URL is not set")
    out = bh.import_figures(PG_URL, records=600, runs=1, workdir=tmp_path)
    for key in ("ho_import_rows_per_s", "raw_ho_import_rows_per_s", "ho_import_ratio_vs_raw", "ho_import_s",
                "raw_ho_import_s"):
        assert out[key] > 0, key
    assert out["ho_import_records"] == 600 and sum(out["ho_import_counts"].values()) == 600
    assert out["ho_import_ratio_vs_raw"] == pytest.approx(out["raw_ho_import_s"] / out["ho_import_s"])
    assert _bench_databases() == set()  # the bench's own database was dropped
    assert list(tmp_path.iterdir()) == []


@pytest.mark.pg
def test_export_figures_on_sqlite_and_postgres(tmp_path):
    if not PG_URL:
        pytest.skip("DESK_TEST_PG_URL is not set")
    out = bh.export_figures(PG_URL, returns=6, runs=1, workdir=tmp_path)
    assert out["export_day_2000_returns_s"] > 0 and out["export_day_2000_returns_pg_s"] > 0
    assert out["export_day_returns"] == 6 and out["export_day_records"] > 6 * 4  # lines, tenders, audit events


def test_the_runner_reports_them(tmp_path, capsys):
    from bench.run import main as bench_main

    out_json = tmp_path / "bench.json"
    code = bench_main(["--lines", "200", "--runs", "1", "--json", str(out_json), "--no-doc", "--only", "ho_export",
                       "--only", "ho_import"] + (["--pg", PG_URL] if PG_URL else []))
    assert code == 0, capsys.readouterr()
    results = json.loads(out_json.read_text())
    assert results["export_day_2000_returns_s"] > 0
    if PG_URL:
        assert results["ho_import_rows_per_s"] > 0 and results["export_day_2000_returns_pg_s"] > 0
    names = {m.name for m in MEASUREMENTS}
    assert {"ho_import", "ho_export"} <= names
