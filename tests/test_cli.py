"""The `desk` command line, run in-process through desk.cli.main on fresh databases."""

from __future__ import annotations

import os
import sqlite3
import sys

import pytest

from desk.cli import main
from desk.models.db import close_database

INIT = ["init", "--name", "Corner Shop", "--code", "cs01", "--currency", "GBP",
        "--admin-code", "900", "--admin-pin", "482913", "--admin-name", "Ada Admin"]


@pytest.fixture(autouse=True)
def _closed():
    yield
    close_database()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def no_traceback(text: str) -> None:
    assert "Traceback" not in text


def sqlite_path(url: str) -> str:
    return url[len("sqlite:///"):]


def test_init_then_verify_audit(db_url, capsys):
    code, out, err = run(capsys, "--db", db_url, *INIT)
    assert code == 0, err
    assert "Created store CS01: Corner Shop" in out
    assert "admin 900: Ada Admin" in out
    assert "482913" not in out  # the admin's PIN is never echoed
    # --db after the subcommand works as well as before it
    code, out, err = run(capsys, "verify-audit", "--db", db_url)
    assert code == 0, err
    assert "Audit chain is whole: 3 events" in out
    assert err == ""


def test_init_twice_refuses_and_changes_nothing(sqlite_url, capsys):
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    code, out, err = run(capsys, "--db", sqlite_url, "init", "--name", "Other", "--code", "OT01", "--currency",
                         "EUR", "--admin-code", "901", "--admin-pin", "482914")
    assert code == 1
    assert "already belongs to store CS01" in err
    assert "nothing was changed" in err
    assert out == ""
    no_traceback(err)
    with sqlite3.connect(sqlite_path(sqlite_url)) as conn:
        assert conn.execute("select code from store").fetchall() == [("CS01",)]
        assert conn.execute("select count(*) from staff").fetchone() == (1,)


def test_bad_store_code_names_the_field_and_creates_no_file(sqlite_url, capsys):
    argv = list(INIT)
    argv[argv.index("cs01")] = "x"
    code, out, err = run(capsys, "--db", sqlite_url, *argv)
    assert code == 1
    assert "Store code" in err and "2 to 8 letters or digits" in err
    no_traceback(err)
    assert not os.path.exists(sqlite_path(sqlite_url))


def test_easy_admin_pin_is_refused(sqlite_url, capsys):
    argv = list(INIT)
    argv[argv.index("482913")] = "1111"
    code, out, err = run(capsys, "--db", sqlite_url, *argv)
    assert code == 1
    assert "Admin PIN" in err and "too easy to guess" in err


def test_verify_audit_names_the_tampered_event(sqlite_url, capsys):
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    with sqlite3.connect(sqlite_path(sqlite_url)) as conn:
        conn.execute("update audit_event set details = '{\"code\":\"EVIL\"}' where seq = 2")
    code, out, err = run(capsys, "--db", sqlite_url, "verify-audit")
    assert code == 1
    assert "broken at event #2" in err
    assert "altered" in err
    assert out == ""
    no_traceback(err)


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0
    assert out.startswith("desk 0.1.0 (SQLite 3.")
    # also after a subcommand
    code, out2, err = run(capsys, "verify-audit", "--version")
    assert code == 0 and out2 == out


def test_unreachable_postgresql_exits_2_with_a_clear_message(capsys):
    code, out, err = run(capsys, "--db", "postgresql://desk@127.0.0.1:1/desk", "verify-audit")
    assert code == 2
    assert "Cannot open the database PostgreSQL desk@127.0.0.1:1/desk" in err
    assert "Check that the server is running" in err
    no_traceback(err)


def test_database_from_a_newer_version_is_refused(sqlite_url, capsys):
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    with sqlite3.connect(sqlite_path(sqlite_url)) as conn:
        conn.execute("insert into schema_migration (name, applied) values ('0999_from_the_future', '2030-01-01 00:00:00')")
    code, out, err = run(capsys, "--db", sqlite_url, "verify-audit")
    assert code == 2
    assert "written by a newer version of Desk" in err
    assert "0999_from_the_future" in err
    no_traceback(err)


def test_read_only_database_file(sqlite_url, capsys, monkeypatch):
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    path = sqlite_path(sqlite_url)
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK):  # root may write to any file: make the check see it as read-only
        import desk.models.db as db_module

        real_access = os.access
        monkeypatch.setattr(db_module.os, "access",
                            lambda p, mode, **kw: False if mode == os.W_OK and str(p) == path else real_access(p, mode, **kw))
    code, out, err = run(capsys, "--db", sqlite_url, "verify-audit")
    os.chmod(path, 0o644)
    assert code == 2
    assert "read-only" in err and "--db" in err
    no_traceback(err)


def test_write_failure_is_a_message_not_a_traceback(sqlite_url, capsys, monkeypatch):
    import peewee

    import desk.services.store as store_service

    def disk_full(*args, **kwargs):
        raise peewee.OperationalError("database or disk is full")

    monkeypatch.setattr(store_service, "init_store", disk_full)
    code, out, err = run(capsys, "--db", sqlite_url, *INIT)
    assert code == 2
    assert "The disk is full" in err and "nothing was saved" in err
    no_traceback(err)


def test_usage_error_exits_2(capsys):
    code, out, err = run(capsys, "init", "--name", "No code")
    assert code == 2
    assert "the following arguments are required" in err


def test_demo_prints_the_demo_pins(sqlite_url, capsys):
    code, out, err = run(capsys, "--db", sqlite_url, "demo", "--lines", "120", "--customers", "10")
    assert code == 0, err
    assert "Built the demo store DEMO" in out
    assert "120 sale lines" in out
    from desk.services.demo import DEMO_STAFF

    for staff in DEMO_STAFF:
        assert f"{staff.code}  {staff.name}" in out
        assert f"PIN {staff.pin}" in out
    code, out, err = run(capsys, "--db", sqlite_url, "verify-audit")
    assert code == 0, err


def test_demo_on_a_store_that_exists_refuses(sqlite_url, capsys):
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    code, out, err = run(capsys, "--db", sqlite_url, "demo", "--lines", "50")
    assert code == 1
    assert "already belongs to store CS01" in err


def test_no_subcommand_starts_the_gui_with_the_url(sqlite_url, monkeypatch):
    import types

    seen = {}
    fake = types.ModuleType("desk.app")
    fake.run_gui = lambda url=None, **kw: seen.setdefault("url", url) and 0
    monkeypatch.setitem(sys.modules, "desk.app", fake)
    assert main(["--db", sqlite_url]) == 0
    assert seen["url"] == sqlite_url


def test_commands_never_import_qt(sqlite_url, capsys):
    import subprocess

    code = (
        "import sys; from desk.cli import main; "
        f"rc = main(['--db', {sqlite_url!r}] + {INIT!r}); "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'; "
        "raise SystemExit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 0, proc.stderr
    assert "Created store CS01" in proc.stdout


def test_import_sales_missing_file(sqlite_url, capsys, tmp_path):
    code, out, err = run(capsys, "--db", sqlite_url, "import-sales", str(tmp_path / "nope.csv"))
    assert code == 1
    assert "No such file" in err and "nothing was imported" in err


def test_show_sale_json_and_unknown_receipt(sqlite_url, capsys):
    import json

    assert run(capsys, "--db", sqlite_url, "demo", "--lines", "60", "--customers", "5")[0] == 0
    with sqlite3.connect(sqlite_path(sqlite_url)) as conn:
        receipt, total = conn.execute(
            "select s.receipt_no, sum(l.paid) from sale s join sale_line l on l.sale_id = s.id "
            "group by s.id order by s.id limit 1").fetchone()
    code, out, err = run(capsys, "--db", sqlite_url, "show-sale", receipt, "--json")
    assert code == 0, err
    sale = json.loads(out)
    assert sale["receipt"] == receipt and sale["currency"] == "GBP"
    assert sale["lines"] and set(sale["lines"][0]) >= {"line", "sku", "description", "qty", "unit_price", "discount",
                                                       "tax", "paid", "returned_qty"}
    from decimal import Decimal

    assert Decimal(sale["total"]) == Decimal(total) / 100
    code, out, err = run(capsys, "--db", sqlite_url, "show-sale", receipt)
    assert code == 0 and f"Receipt {receipt}" in out and f"total {sale['total']}" in out
    code, out, err = run(capsys, "--db", sqlite_url, "show-sale", "NOPE-1", "--json")
    assert code == 1
    assert "NOPE-1" in err and out == ""
    no_traceback(err)


DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _data(name: str) -> str:
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        pytest.skip(f"sample file {name} is not there")
    return path


def test_import_sales_then_reimport_changes_nothing(db_url, capsys):
    good = _data("shopify_orders_good.csv")
    assert run(capsys, "--db", db_url, *INIT)[0] == 0
    code, out, err = run(capsys, "--db", db_url, "import-sales", good)
    assert code == 0, err
    assert "(shopify)" in out and "sales with" in out and "lines added" in out
    code, out, err = run(capsys, "--db", db_url, "import-sales", good, "--format", "shopify")
    assert code == 0, err
    assert "imported before; nothing changed" in out
    code, out, err = run(capsys, "--db", db_url, "verify-audit")
    assert code == 0, err


def test_import_sales_bad_rows_are_each_named_and_nothing_is_imported(sqlite_url, capsys):
    broken = _data("shopify_orders_broken.csv")
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    code, out, err = run(capsys, "--db", sqlite_url, "import-sales", broken)
    assert code == 1
    assert "nothing was imported" in err
    assert "  row 3, Lineitem quantity: 'two' is not a number" in err.splitlines()
    assert err.count("row 3, Lineitem quantity") == 1  # each bad row once
    no_traceback(err)
    with sqlite3.connect(sqlite_path(sqlite_url)) as conn:
        assert conn.execute("select count(*) from sale").fetchone() == (0,)


def test_import_sales_other_currency_and_wrong_format(sqlite_url, capsys):
    assert run(capsys, "--db", sqlite_url, *INIT)[0] == 0
    code, out, err = run(capsys, "--db", sqlite_url, "import-sales", _data("canonical_usd.csv"))
    assert code == 1 and "USD" in err and "GBP" in err
    code, out, err = run(capsys, "--db", sqlite_url, "import-sales", _data("square_item_sales_good.csv"),
                         "--format", "shopify")
    assert code == 1 and "Shopify" in err
    code, out, err = run(capsys, "--db", sqlite_url, "import-sales", _data("canonical_good.csv"), "--format", "csv")
    assert code == 2 and "invalid choice" in err


def test_gui_without_qt_libraries_says_what_to_install(sqlite_url, monkeypatch, capsys):
    import builtins

    real_import = builtins.__import__

    def no_qt(name, *args, **kwargs):
        if name == "desk.app":
            raise ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "desk.app", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_qt)
    code, out, err = run(capsys, "--db", sqlite_url)
    assert code == 2
    assert "libEGL.so.1" in err and "apt install" in err
    no_traceback(err)


# -- desk print ----------------------------------------------------------------------------

@pytest.fixture
def printed_store(sqlite_url, tmp_path, monkeypatch):
    """A store with one sale; returns (url, receipt number)."""
    import datetime as dt
    from decimal import Decimal

    from desk.models import database
    from desk.models.db import open_database
    from desk.services.sales import LineInput, SaleInput, TenderInput, record_sales
    from tests.conftest import make_store

    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    open_database(sqlite_url)
    store, _admin = make_store()
    with database.atomic():
        record_sales(store, [SaleInput("T1-0000042", dt.datetime(2026, 11, 20, 14, 5),
                                       [LineInput("Świeca sojowa – Łąka", 1, 1450, Decimal("20"))],
                                       [TenderInput("cash", 1450)])], "demo")
    close_database()
    return sqlite_url, "T1-0000042"


@pytest.mark.parametrize("paper,width_mm", [("roll", 80), ("a4", 210), ("letter", 216)])
def test_print_writes_the_document_to_a_pdf(printed_store, tmp_path, capsys, paper, width_mm):
    from tests.printing.pdfcheck import page_sizes_mm, text_of

    url, receipt = printed_store
    out = tmp_path / "r.pdf"
    code, stdout, err = run(capsys, "print", "receipt", receipt, "--out", str(out), "--paper", paper, "--db", url)
    assert code == 0, err
    assert str(out) in stdout
    pdf = out.read_bytes()
    assert "REPRINT" in text_of(pdf) and "Łąka" in text_of(pdf)
    assert round(page_sizes_mm(pdf)[0][0]) == width_mm


def test_print_a_gift_receipt_has_no_price(printed_store, tmp_path, capsys):
    from tests.printing.pdfcheck import text_of

    url, receipt = printed_store
    out = tmp_path / "g.pdf"
    code, _out, err = run(capsys, "print", "gift", receipt, "--out", str(out), "--db", url)
    assert code == 0, err
    assert "£" not in text_of(out.read_bytes())


@pytest.mark.parametrize("argv,words", [
    (["print", "receipt", "T9-404"], "No sale has the receipt number T9-404"),
    (["print", "invoice", "T1-0000042"], "'invoice' is not a kind of document"),
])
def test_print_refusals_name_what_is_wrong(printed_store, tmp_path, capsys, argv, words):
    url, _receipt = printed_store
    out = tmp_path / "x.pdf"
    code, _out, err = run(capsys, *argv, "--out", str(out), "--db", url)
    assert code == 1
    assert words in err
    no_traceback(err)
    assert not out.exists()


def test_print_to_an_unwritable_place_is_named(printed_store, tmp_path, capsys):
    url, receipt = printed_store
    out = tmp_path / "missing-folder" / "r.pdf"
    code, _out, err = run(capsys, "print", "receipt", receipt, "--out", str(out), "--db", url)
    assert code == 1
    assert "does not exist" in err and str(out) in err


def test_print_refuses_an_unknown_paper(printed_store, tmp_path, capsys):
    url, receipt = printed_store
    code, _out, err = run(capsys, "print", "receipt", receipt, "--out", str(tmp_path / "r.pdf"), "--paper", "a5", "--db", url)
    assert code == 2
    assert "invalid choice: 'a5'" in err


def test_print_a_refund_slip_and_a_voucher_from_the_demo(sqlite_url, tmp_path, capsys, monkeypatch):
    from desk.models import Return, Voucher
    from desk.models.db import open_database
    from tests.printing.pdfcheck import text_of

    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    code, _out, err = run(capsys, "demo", "--lines", "600", "--customers", "40", "--db", sqlite_url)
    assert code == 0, err
    open_database(sqlite_url)
    number = Return.select(Return.number).order_by(Return.id).first().number
    voucher = Voucher.select(Voucher.code).order_by(Voucher.id).first().code
    close_database()
    for kind, doc_number in (("refund", number), ("voucher", voucher)):
        out = tmp_path / f"{kind}.pdf"
        code, _stdout, err = run(capsys, "print", kind, doc_number, "--out", str(out), "--db", sqlite_url)
        assert code == 0, err
        assert doc_number in text_of(out.read_bytes())
    code, _stdout, err = run(capsys, "print", "refund", "R-NOPE-01-999", "--out", str(tmp_path / "x.pdf"), "--db", sqlite_url)
    assert code == 1 and "R-NOPE-01-999" in err
    no_traceback(err)


def test_show_sale_says_a_voided_sale_is_voided(sqlite_url, capsys, monkeypatch, tmp_path):
    import json

    from desk.models import Exchange
    from desk.models.db import open_database

    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    assert run(capsys, "--db", sqlite_url, "demo", "--lines", "300", "--customers", "10")[0] == 0
    open_database(sqlite_url)
    voided = Exchange.get(Exchange.status == "voided").number  # the demo voids one exchange
    kept = Exchange.get(Exchange.status == "completed").number
    close_database()
    code, out, err = run(capsys, "--db", sqlite_url, "show-sale", voided, "--json")
    assert code == 0 and json.loads(out)["status"] == "voided"
    code, out, err = run(capsys, "--db", sqlite_url, "show-sale", voided)
    assert code == 0 and "VOIDED" in out
    code, out, err = run(capsys, "--db", sqlite_url, "show-sale", kept)
    assert code == 0 and "VOIDED" not in out
