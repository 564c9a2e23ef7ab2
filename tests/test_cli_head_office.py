"""The head-office commands end to end: a store database and a head-office database, the
bundle travelling between them as a file."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest

from desk.cli import main
from desk.models.db import close_database

STORE = ["init", "--name", "Corner Shop", "--code", "cs01", "--currency", "GBP",
         "--admin-code", "900", "--admin-pin", "482913"]
HQ = ["init", "--name", "Head Office", "--code", "HQ", "--currency", "GBP",
      "--admin-code", "900", "--admin-pin", "482913"]


@pytest.fixture(autouse=True)
def _closed():
    yield
    close_database()


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_register_export_import_coverage_report(tmp_path, capsys):
    store, hq = "sqlite:///" + str(tmp_path / "store.db"), "sqlite:///" + str(tmp_path / "hq.db")
    assert run(capsys, "--db", store, *STORE)[0] == 0
    assert run(capsys, "--db", hq, *HQ)[0] == 0

    code, out, err = run(capsys, "--db", hq, "ho-register-store", "cs01", "Corner Shop")
    assert code == 0, err
    assert "Registered store CS01: Corner Shop" in out
    key = re.search(r"^\s+([0-9a-f]{64})$", out, re.M).group(1)
    fingerprint = re.search(r"Fingerprint ([0-9a-f]{12})", out).group(1)

    code, out, err = run(capsys, "--db", store, "export", "--out", tmp_path / "out")
    assert code == 1 and "no head office key" in err and out == ""
    code, out, err = run(capsys, "--db", store, "set-ho-key", key)
    assert code == 0 and fingerprint in out

    code, out, err = run(capsys, "--db", store, "export", "--since-last", "--out", tmp_path / "out")
    assert code == 0, err
    assert "Bundle 1 written to" in out
    bundle = next((tmp_path / "out").glob("CS01-000001-*.zip"))

    code, out, err = run(capsys, "--db", hq, "ho-import", bundle)
    assert code == 0, err
    assert "bundle 1 of store CS01 imported" in out
    code, out, err = run(capsys, "--db", hq, "ho-import", bundle)
    assert code == 0 and "already imported; nothing changed" in out

    # a byte changed in the manifest: refused with the reason, exit 1
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b'"bundle_number": 1', b'"bundle_number": 2') if name == "manifest.json" else data)
    code, out, err = run(capsys, "--db", hq, "ho-import", bad)
    assert code == 1
    assert "bad.zip: refused. The signature does not match store CS01's key" in err

    today = dt.date.today()
    code, out, err = run(capsys, "--db", hq, "ho-coverage", "--from", today - dt.timedelta(days=1), "--to", today)
    assert code == 0, err
    assert "CS01" in out and "+ arrived" in out
    code, out, err = run(capsys, "--db", hq, "ho-report", "refunds_by_store", "--from", today, "--to", today,
                         "--csv", tmp_path / "r.csv")
    assert code == 0, err
    assert "Refunds by store" in out and "(no records in these days)" in out
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").startswith("Store,Name,Currency,Returns,Refunded")
    code, out, err = run(capsys, "--db", hq, "ho-report", "nonsense", "--from", today, "--to", today)
    assert code == 1 and "no report called 'nonsense'" in err


def test_bad_dates_are_usage_errors(tmp_path, capsys):
    code, out, err = run(capsys, "--db", "sqlite:///" + str(tmp_path / "s.db"), "export", "--day", "23/11/2026",
                         "--out", tmp_path)
    assert code == 2 and "is not a date: write it as YYYY-MM-DD" in err


def test_ho_store_days_sets_the_calendar_and_coverage_shows_closed_days(tmp_path, capsys):
    hq = "sqlite:///" + str(tmp_path / "hq.db")
    assert run(capsys, "--db", hq, *HQ)[0] == 0
    assert run(capsys, "--db", hq, "ho-register-store", "cs01", "Corner Shop")[0] == 0
    code, out, err = run(capsys, "--db", hq, "ho-store-days", "cs01")
    assert code == 0 and out.strip() == "CS01: closed on none; closed dates none"
    code, out, err = run(capsys, "--db", hq, "ho-store-days", "cs01", "--closed-weekdays", "sat,sun",
                         "--closed", "2026-12-25,2026-12-26")
    assert code == 0, err
    assert out.strip() == "CS01: closed on sat, sun; closed dates 2026-12-25, 2026-12-26"
    code, out, err = run(capsys, "--db", hq, "ho-store-days", "cs01", "--closed", "2027-01-01", "--open", "2026-12-26")
    assert out.strip() == "CS01: closed on sat, sun; closed dates 2026-12-25, 2027-01-01"  # weekdays kept
    code, out, err = run(capsys, "--db", hq, "ho-store-days", "cs01", "--closed-weekdays", "sunny")
    assert code == 1 and "Closed weekdays: 'sunny' is not a weekday" in err
    code, out, err = run(capsys, "--db", hq, "ho-store-days", "zz01", "--closed-weekdays", "sun")
    assert code == 1 and "no store 'zz01' is registered" in err

    today = dt.date.today()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    code, out, err = run(capsys, "--db", hq, "ho-coverage", "--from", saturday, "--to", saturday + dt.timedelta(days=1))
    assert code == 0, err
    assert re.search(r"^CS01\s+ -  - $", out, re.M) and "- closed" in out
