"""The benchmark's code on a tiny store: every key is reported. Not a timed test."""

from __future__ import annotations

import json

import pytest

from bench.registry import all_figures
from bench.run import main as bench_main
from desk.models.db import close_database

KEYS = [
    "cold_start_s", "peak_rss_mb", "baseline_cold_start_s", "baseline_peak_rss_mb",
    "cold_start_ratio_vs_baseline", "peak_rss_ratio_vs_baseline", "build_s",
]


@pytest.fixture(autouse=True)
def _closed():
    yield
    close_database()


def test_bench_reports_every_key_and_writes_its_section(tmp_path, capsys):
    out_json, doc = tmp_path / "bench.json", tmp_path / "benchmarks.md"
    keep = tmp_path / "store"
    code = bench_main(["--lines", "300", "--runs", "1", "--json", str(out_json), "--doc", str(doc),
                       "--keep", str(keep), "--only", "cold_start"])
    out = capsys.readouterr().out
    assert code == 0, out
    results = json.loads(out_json.read_text())
    assert results["lines"] == 300
    assert "errors" not in results
    for key in KEYS:
        assert results[key] > 0, key
    for figure in all_figures():
        if figure.key.startswith(("cold_start", "peak_rss")):
            assert figure.key in results
    assert results["machine"]["cores"] >= 1 and results["machine"]["sqlite"].startswith("3.")
    assert "cold_start_s" in out and "<= 1.50 s" in out
    text = doc.read_text()
    assert "## 300 sale lines" in text and "| `cold_start_s` |" in text and "| `peak_rss_mb` |" in text
    assert (keep / "desk-bench-300.sqlite3").exists()

    # A second run with the same N reuses the kept store and replaces, not repeats, its section.
    code = bench_main(["--lines", "300", "--runs", "1", "--json", str(out_json), "--doc", str(doc),
                       "--keep", str(keep), "--only", "cold_start"])
    assert code == 0
    results = json.loads(out_json.read_text())
    assert results["store_reused"] is True and results["build_s"] > 0 and results["cold_start_s"] > 0
    assert doc.read_text().count("## 300 sale lines") == 1


def test_a_failing_measurement_is_reported_not_hidden(tmp_path, monkeypatch, capsys):
    from bench.measures import cold_start

    monkeypatch.setattr(cold_start, "APP_CODE", "raise SystemExit({url!r} and 3)")
    out_json = tmp_path / "bench.json"
    code = bench_main(["--lines", "50", "--runs", "1", "--json", str(out_json), "--no-doc", "--only", "cold_start"])
    assert code == 1
    results = json.loads(out_json.read_text())
    assert "did not print 'painted'" in results["errors"]["cold_start"]
    assert "FAILED" in capsys.readouterr().err
