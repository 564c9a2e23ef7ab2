"""The lean import of a clean canonical CSV file stores exactly the ledger the exact path stores.

Every file is imported twice, into two fresh SQLite databases: once as ``import_file`` does it
(the lean path, ``sales_import_fast``, for a clean canonical CSV file) and once with it switched
off (the exact reader and ``record_sales``). Every row of every ledger table must be the same, but for
uuids and creation times.
"""

from __future__ import annotations

import csv
import random
import uuid
from pathlib import Path

import pytest

from bench.sales import write_canonical_csv
from desk.errors import InvalidInput
from desk.models import database
from desk.models.db import close_database, open_database
from desk.services import sales_import, sales_import_fast
from desk.services.sales_import import ImportRefused, import_file
from tests.conftest import ADMIN_CODE, _reset_pg, make_store

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = ["record", "receipt", "timestamp", "till", "cashier", "line", "sku", "barcode", "description", "category",
          "quantity", "unit_price", "line_discount", "tax_rate", "currency", "order_discount", "customer_name",
          "customer_email", "customer_phone", "method", "amount", "card_brand", "card_last4", "reference"]
TABLES = ("sale", "sale_line", "tender", "product", "customer", "desk", "category", "sale_import", "till_refund")
NOT_COMPARED = {"uuid", "created_at", "imported_at", "updated_at"}


def dump() -> dict[str, list[dict]]:
    out = {}
    for table in TABLES:
        cursor = database.execute_sql(f'SELECT * FROM "{table}" ORDER BY "id"')
        names = [d[0] for d in cursor.description]
        out[table] = [{k: v for k, v in zip(names, row) if k not in NOT_COMPARED} for row in cursor.fetchall()]
    events = database.execute_sql("SELECT action, details FROM audit_event WHERE action = 'sales.imported' ORDER BY id").fetchall()
    out["audit"] = [tuple(e) for e in events]
    return out


def lean_way(m, name: str, sql: bool) -> list[bool]:
    """``sales_import_fast.<name>`` watched through ``m`` (a monkeypatch context): for each call,
    whether the lean way took the file (did not give None). ``sql`` False: the lean way is off."""
    taken: list[bool] = []
    real = getattr(sales_import_fast, name)

    def spy(*args):
        result = real(*args)
        taken.append(result is not None)
        return result

    m.setattr(sales_import_fast, name, spy)
    if not sql:
        m.setattr(sales_import_fast, "applies", lambda raw, fmt=None: False)
    return taken


def outcome(files, url: str, sql: bool, monkeypatch, **store):
    """Import ``files`` one after the other into a fresh database at ``url``; what each import
    returned or raised, which took the lean path, and the ledger after."""
    with monkeypatch.context() as m:
        taken = lean_way(m, "import_canonical", sql)
        close_database()
        open_database(url)
        try:
            make_store(**store)
            from desk.models import Staff

            actor = Staff.get(Staff.code == ADMIN_CODE)
            results = []
            for f in files:
                try:
                    results.append(import_file(actor, f))
                except (ImportRefused, InvalidInput) as exc:
                    results.append((type(exc).__name__, str(exc)))
            return results, taken, dump()
        finally:
            close_database()


def both_ways(tmp_path, monkeypatch, files, **store):
    fast = outcome(files, "sqlite:///" + str(tmp_path / "sql.sqlite3"), True, monkeypatch, **store)
    exact = outcome(files, "sqlite:///" + str(tmp_path / "exact.sqlite3"), False, monkeypatch, **store)
    assert fast[0] == exact[0]  # the same results and messages
    assert exact[1] == []
    for table in fast[2]:
        assert fast[2][table] == exact[2][table], table
    return fast


# ------------------------------------------------------------------ generated files

def random_file(path: Path, seed: int, sales: int = 120, currency: str = "GBP") -> None:
    """A canonical CSV file of good rows using every corner the lean path must get right."""
    rng = random.Random(seed)
    products = [(f"SKU-{n}" if n % 7 else "", f"50{n:011d}" if n % 3 else "", f"Product {n}{rng.choice(['', ', large', ' – café'])}",
                 rng.choice(["Home", "Books", ""]), rng.randrange(0, 5000), rng.choice(["20", "20%", "5.0", "0", "8.875", "17.5"]))
                for n in range(1, 40)]
    products.append(("SKU-1", "9990000000001", "Same SKU, other barcode", "Home", 1234, "20"))  # matched by SKU
    people = [("Ewa Nowak", "ewa@example.pl", ""), ("EWA NOWAK", "Ewa@Example.pl", ""), ("", "", "07700 900123"),
              ("Ó Súilleabháin", "", ""), ("Zoë", "zoe@example.com", "+44 7700 900999"), ("x" * 170, "", "")]
    offsets = ["+01:00", "+00:00", "Z", "-05:30", "+14:00"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for s in range(1, sales + 1):
            receipt = f"G{seed}-{s:05d}"
            ts = f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            ts += rng.choice(offsets)
            chosen = rng.sample(products, rng.choice([1, 1, 2, 3, 5]))
            lines, gross = [], 0
            for n, (sku, barcode, desc, cat, price, rate) in enumerate(chosen, 1):
                qty = rng.choice([1, 1, 2, 3, 7])
                disc = rng.randrange(0, qty * price + 1) if rng.random() < 0.2 else 0
                gross += qty * price - disc
                lines.append([n, sku, barcode, desc, cat, qty, price, disc, rate])
            od = rng.randrange(0, gross + 1) if gross and rng.random() < 0.3 else 0
            if s % 10 == 0:  # equal lines and a discount that does not divide: the remainder's ties
                lines = [[n, f"TIE-{n}", "", "Tie", "", 1, 100, 0, "20"] for n in range(1, 4)]
                od = rng.choice([1, 2, 4, 5])
            if rng.random() < 0.3:
                rng.shuffle(lines)  # line rows not in line-number order
            who = rng.choice(people) if rng.random() < 0.6 else ("", "", "")
            till = rng.choice(["T1", "T2", "", "TILL-9"])
            cashier = rng.choice(["Sam", "", "c" * 90])
            for i, (n, sku, barcode, desc, cat, qty, price, disc, rate) in enumerate(lines):
                first = i == 0
                w.writerow([rng.choice(["line", "LINE", "Line"]), receipt, ts if first or rng.random() < 0.5 else "",
                            till if first else rng.choice(["", "T7"]), cashier if first else "", n, sku, barcode, desc, cat, qty,
                            money(price, currency), money(disc, currency) if disc or rng.random() < 0.5 else "", rate,
                            rng.choice([currency, currency.lower()]), money(od, currency) if first and od else "",
                            *(who if first else ("", "", "")), "", "", "", "", ""])
            # the tenders are worked out by the exact path: import the file once that way and ask
            w.writerow(["tender", receipt] + [""] * 17 + ["TENDERS", "", "", "", ""])


def money(minor: int, currency: str = "GBP") -> str:
    """12.50, or written shorter where it can be: 12.5, 12 (in yen: 1250)"""
    if currency == "JPY":
        return str(minor) if minor % 3 else f"{minor}."
    text = f"{minor // 100}.{minor % 100:02d}"
    if minor % 3 == 0:
        text = text.rstrip("0").rstrip(".") if minor % 100 else str(minor // 100)
    return text


def with_real_tenders(path: Path, tmp_path: Path, include_tax: bool = True, currency: str = "GBP") -> Path:
    """``path`` with each TENDERS placeholder replaced by tenders that pay what the sale came to
    (priced by ``price_sale``, the rule both paths share)."""
    from desk.io.feeds import canonical
    from desk.io.feeds.common import read_text
    from desk.services.sales import price_sale

    text = read_text(path).text.replace("TENDERS,,,,", "cash,0,,,")
    feed = canonical.parse_full(text, jsonl=False)
    totals = {fs.sale.receipt_no: price_sale(fs.sale, include_tax).total for fs in feed.sales}
    rng = random.Random(len(totals))
    out = tmp_path / f"paid-{path.name}"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        for row in csv.reader(text.splitlines()):
            if row[0] == "tender":
                total = totals[row[1]]
                kind = rng.random()
                if kind < 0.4 or total < 2:
                    w.writerow(row[:19] + [rng.choice(["cash", "CASH"]), money(total, currency), "", "", ""])
                else:
                    part = total // 3
                    w.writerow(row[:19] + ["card", money(part, currency), rng.choice(["Visa", "A very long card brand name"]),
                                           rng.choice(["4242", "42 42", "4-242"]), f"AUTH{rng.randrange(10**8)}"])
                    rest = total - part
                    w.writerow(row[:19] + ["gift_card", money(rest, currency), "", "", "GC-1"])
            else:
                w.writerow(row)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_generated_file_stores_the_same_ledger_both_ways(tmp_path, monkeypatch, seed):
    random_file(tmp_path / "g.csv", seed)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path)
    results, taken, ledger = both_ways(tmp_path, monkeypatch, [path])
    assert taken == [True]  # the lean path imported it
    assert results[0].sales_added == 120 and len(ledger["sale_line"]) > 120


def test_interleaved_sales_and_tenders_out_of_sale_order_store_the_same_ledger(tmp_path, monkeypatch):
    """Two sales' line rows taken in turns, the second sale's tenders before the first's: each
    sale's rows are gathered by receipt as the exact reader gathers them."""
    random_file(tmp_path / "g.csv", 8)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path)
    header, *rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    by_sale: dict[str, list] = {}
    for row in rows:
        by_sale.setdefault(row[1], []).append(row)
    sales = list(by_sale.values())
    out = [header]
    for a, b in zip(sales[::2], sales[1::2]):
        a_lines, b_lines = [r for r in a if r[0] != "tender"], [r for r in b if r[0] != "tender"]
        for i in range(max(len(a_lines), len(b_lines))):
            out += a_lines[i:i + 1] + b_lines[i:i + 1]
        out += [r for r in b if r[0] == "tender"] + [r for r in a if r[0] == "tender"]
    mixed = tmp_path / "mixed.csv"
    with open(mixed, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(out)
    results, taken, _ = both_ways(tmp_path, monkeypatch, [mixed])
    assert taken == [True] and results[0].sales_added == 120


def _retimed(path: Path, out: Path, stamp) -> Path:
    """``path`` with each sale's timestamp (on every row that writes one) ``stamp(n)`` for its n-th sale."""
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    order: dict[str, int] = {}
    for row in rows[1:]:
        order.setdefault(row[1], len(order))
        if row[2]:
            row[2] = stamp(order[row[1]])
    with open(out, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return out


def test_sales_in_the_same_hours_store_the_same_times_both_ways(tmp_path, monkeypatch):
    """Many sales an hour, each at its own minute and second, across midnight and the end of a
    month, in offsets of whole hours (the UTC hour worked out once) and of hours and minutes."""
    random_file(tmp_path / "g.csv", 12)
    paid = with_real_tenders(tmp_path / "g.csv", tmp_path)
    hours = ["2026-03-31T23", "2026-04-01T00", "2026-04-01T09", "2026-02-28T23"]
    offsets = ["+01:00", "Z", "-05:30", "+14:00", "-10:00"]
    path = _retimed(paid, tmp_path / "hours.csv",
                    lambda n: f"{hours[n % 4]}:{(n * 7) % 60:02d}:{(n * 13) % 60:02d}{offsets[(n // 4) % 5]}")
    results, taken, ledger = both_ways(tmp_path, monkeypatch, [path])
    assert taken == [True] and results[0].sales_added == 120
    assert "2026-03-31 23:07:13" in {row["sold_at"] for row in ledger["sale"]}  # 2026-04-01T00:07:13+01:00


def test_a_minute_past_59_in_an_hour_already_read_goes_the_exact_way(tmp_path, monkeypatch):
    random_file(tmp_path / "g.csv", 13)
    paid = with_real_tenders(tmp_path / "g.csv", tmp_path)
    path = _retimed(paid, tmp_path / "bad.csv", lambda n: f"2026-05-05T10:{60 if n == 50 else n % 60:02d}:00+01:00")
    results, taken, _ = both_ways(tmp_path, monkeypatch, [path])
    assert taken == [False] and isinstance(results[0], tuple)  # refused, with the row named


def test_small_batches_and_statements_store_the_same_ledger(tmp_path, monkeypatch):
    """Batches of 7 sales and statements of 5 lines or tenders: the lines and tenders held back
    from one batch are inserted with the next, and the last ones at the end."""
    random_file(tmp_path / "g.csv", 14)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path)
    monkeypatch.setattr(sales_import, "BATCH", 7)
    monkeypatch.setattr(sales_import_fast._Inserts, "LEAF_ROWS", 5)
    results, taken, ledger = both_ways(tmp_path, monkeypatch, [path])
    assert taken == [True] and results[0].sales_added == 120
    assert len(ledger["sale_line"]) == results[0].lines_added


def imported_uuids(url: str, path: Path, monkeypatch) -> dict[str, list[str]]:
    """Import ``path`` the lean way in batches of 7 sales and statements of 5 rows into a fresh
    database at ``url``: each ledger table's uuids in the order of its ids, as 32 hex digits."""
    monkeypatch.setattr(sales_import, "BATCH", 7)
    monkeypatch.setattr(sales_import_fast._Inserts, "LEAF_ROWS", 5)
    open_database(url)
    try:
        _, admin = make_store()
        assert import_file(admin, path).sales_added == 120
        return {t: [uuid.UUID(str(u)).hex for (u,) in database.execute_sql(f'SELECT "uuid" FROM "{t}" ORDER BY "id"')]
                for t in ("sale", "sale_line", "tender")}
    finally:
        close_database()


def check_one_run(uuids: dict[str, list[str]]) -> None:
    """Every row's uuid is a version 7 uuid of one run (``sales.uuid_hexes``): the same time and
    random prefix, the last 16 hex digits counted up by one with no gap and no repeat across the
    three tables, and ascending within each table in the order of its ids."""
    every = [u for table in uuids.values() for u in table]
    assert {u[:16] for u in every} == {every[0][:16]}
    assert all(uuid.UUID(u).version == 7 and uuid.UUID(u).variant == uuid.RFC_4122 for u in every)
    counts = sorted(int(u[16:], 16) for u in every)
    assert counts == list(range(counts[0], counts[0] + len(every)))
    for table, values in uuids.items():
        assert values == sorted(values), table


def test_every_row_takes_a_uuid_of_one_run(tmp_path, monkeypatch):
    """On SQLite the lines' uuids are written by SQL from their place in the import's run
    (``_lines_sql``): they must be the same uuids ``uuid_hexes`` would give, without a clash
    with the sales' and tenders', across batches and statements held back for the next."""
    random_file(tmp_path / "g.csv", 21)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path)
    uuids = imported_uuids("sqlite:///" + str(tmp_path / "u.sqlite3"), path, monkeypatch)
    check_one_run(uuids)
    assert len(uuids["sale_line"]) > 200 and all(u == u.lower() for u in uuids["sale_line"])


@pytest.mark.parametrize("at_top", [False, True])
def test_a_uuid_at_either_end_of_its_range_is_written_as_python_writes_it(tmp_path, monkeypatch, at_top):
    """A run whose random start is the lowest or the highest rand_b allows: SQLite's signed
    64-bit sum (from -2**63 up) still writes the digits Python's does."""
    from desk.services import sales as sales_service

    real = sales_service.uuid7_run
    monkeypatch.setattr(sales_service, "uuid7_run", lambda n: (real(n)[0], (1 << 62) - n if at_top else 0))
    random_file(tmp_path / "g.csv", 22)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path)
    uuids = imported_uuids("sqlite:///" + str(tmp_path / "u.sqlite3"), path, monkeypatch)
    check_one_run(uuids)
    ends = sorted(u[16:] for u in uuids["sale_line"] + uuids["sale"] + uuids["tender"])
    assert (ends[-1] == "bfffffffffffffff") if at_top else (ends[0] == "8000000000000000")


def test_a_store_that_shows_prices_without_tax_stores_the_same_ledger(tmp_path, monkeypatch):
    random_file(tmp_path / "g.csv", 4)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path, include_tax=False)
    results, taken, _ = both_ways(tmp_path, monkeypatch, [path], prices_include_tax=False)
    assert taken == [True] and results[0].sales_added == 120


def test_a_currency_without_decimals_stores_the_same_ledger(tmp_path, monkeypatch):
    random_file(tmp_path / "g.csv", 9, currency="JPY")
    path = with_real_tenders(tmp_path / "g.csv", tmp_path, currency="JPY")
    results, taken, ledger = both_ways(tmp_path, monkeypatch, [path], currency="JPY", locale="ja_JP")
    assert taken == [True] and results[0].sales_added == 120
    assert {row["currency"] for row in ledger["sale"]} == {"JPY"}


def test_the_benchmark_file_stores_the_same_ledger(tmp_path, monkeypatch):
    write_canonical_csv(tmp_path / "bench.csv", 300)
    results, taken, _ = both_ways(tmp_path, monkeypatch, [tmp_path / "bench.csv"])
    assert taken == [True] and results[0].sales_added == 300


def test_overlapping_and_repeated_files_store_the_same_ledger(tmp_path, monkeypatch):
    """Sales already in the ledger are skipped, products and customers met before are matched."""
    random_file(tmp_path / "a.csv", 5)
    a = with_real_tenders(tmp_path / "a.csv", tmp_path)
    text = a.read_text(encoding="utf-8").splitlines(keepends=True)
    half = next(i for i in range(len(text) // 2, len(text)) if text[i - 1].startswith("tender") and not text[i].startswith("tender"))
    b = tmp_path / "b.csv"  # the second half of a (whole sales), then new sales of another seed
    random_file(tmp_path / "c.csv", 6)
    c = with_real_tenders(tmp_path / "c.csv", tmp_path)
    b.write_text(text[0] + "".join(text[half:]) + "".join(c.read_text(encoding="utf-8").splitlines(keepends=True)[1:]),
                 encoding="utf-8")
    results, taken, _ = both_ways(tmp_path, monkeypatch, [a, b, a, DATA / "canonical_good.csv"])
    assert taken == [True, True, True, True]
    assert results[1].sales_skipped > 0 and results[2].already_imported


@pytest.mark.parametrize("name", ["canonical_good.csv", "canonical_bom.csv", "canonical_overlap.csv", "canonical_usd.csv",
                                  "canonical_broken.csv", "canonical_good.jsonl"])
def test_every_sample_file_gives_the_same_result(tmp_path, monkeypatch, name):
    results, taken, _ = both_ways(tmp_path, monkeypatch, [DATA / "canonical_good.csv", DATA / name])
    if name in ("canonical_good.csv", "canonical_bom.csv", "canonical_overlap.csv"):
        assert taken == [True, True]
    if name == "canonical_broken.csv":
        assert taken == [True, False]  # given back: the exact path reported its rows
        assert results[1][0] == "ImportRefused"


@pytest.mark.parametrize("change, taken", [
    (("R1001,", " R1001,"), False),  # a value with a space before it: stripped by the exact reader
    (("Stoneware mug", "Stoneware mug\u00a0"), False),  # a no-break space after one
    (("2026-10-03T14:22:05+01:00", "2026-10-03T14:22:05.250+01:00"), False),  # fractions of a second
    (("2026-10-03T14:22:05+01:00", "2026-10-03 14:22:05+01:00"), False),  # a space instead of the T
    ((",Clothing,2,", ",Clothing,\uff12,"), False),  # a quantity in digits that are not ASCII
    (("AUTH123", "4111 1111 1111 1111"), False),  # a card number where the reference goes
    (("card,30.00", "card,30.001"), False),  # more decimals than the currency has: reported
    (("line,R1001", "lime,R1001"), False),  # not a line or tender row: reported
    (("line,R1001", "LINE,R1001"), True),  # the kind in capitals
    (("line,R1001,2026-10-03T14:22:05+01:00,T1,Sam", "tender,R1001,,,,,,,,,,,,,,,,,,cash,0.00,,,\nline,R1001,2026-10-03T14:22:05+01:00,T1,Sam"),
     False),  # a tender row before its receipt's first line row
    (("cash,9.50,,,", "cash,9.50,,"), False),  # a row one value short
    (("method,amount,card_brand,card_last4,reference", "x1,x2,x3,x4,x5"), False),  # no tender columns: reported
    (("1,TSH-M-WHT", "01,TSH-M-WHT"), True),  # a line number written 01
    ((",20,GBP", ",\uff12\uff10,GBP"), True),  # a tax rate Decimal reads (as the exact path does)
    ((",20,GBP", ",20%,GBP"), True),
    (("2026-10-03T14:22:05+01:00", "2026-10-03T13:22:05Z"), True),
])
def test_what_the_lean_path_does_not_take_goes_the_exact_way(tmp_path, monkeypatch, change, taken):
    path = tmp_path / "odd.csv"
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    _, took, _ = both_ways(tmp_path, monkeypatch, [path])
    assert took == [taken]


def test_cancel_in_the_lean_path_leaves_nothing(tmp_path, monkeypatch):
    random_file(tmp_path / "g.csv", 7)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path)
    monkeypatch.setattr(sales_import, "BATCH", 10)
    open_database("sqlite:///" + str(tmp_path / "cancel.sqlite3"))
    try:
        _, admin = make_store()
        before = dump()
        asked = []
        with pytest.raises(sales_import.ImportCancelled):
            import_file(admin, path, cancel=lambda: asked.append(1) or len(asked) >= 4)
        assert len(asked) == 4 and dump() == before
        temp_tables = "SELECT name FROM sqlite_temp_master WHERE type = 'table'"
        assert database.execute_sql(temp_tables).fetchall() == []  # the file's products, joined to the lines
        seen = []
        assert import_file(admin, path, progress=lambda done, total: seen.append((done, total))).sales_added == 120
        assert seen[0] == (0, 120) and seen[-1] == (120, 120) and len(seen) == 13
        assert database.execute_sql(temp_tables).fetchall() == []
    finally:
        close_database()


@pytest.mark.parametrize("value", ["R1001", "T1", "Sam", "TSH-M-WHT", "5012345678900", "Stoneware mug", "Kitchen",
                                   "Łucja Wiśniewska", "lucja@example.pl", "+48 600 100 200", "Visa", "AUTH123", "20"])
@pytest.mark.parametrize("space", ["\u2003", "\xa0", "\x1f"])
def test_a_value_the_exact_reader_would_strip_goes_the_exact_way(tmp_path, monkeypatch, value, space):
    """Whitespace (str.isspace: an em space, a no-break space, a separator control) at either
    end of any text value: the exact reader strips it, so the file goes its way."""
    text = (DATA / "canonical_good.csv").read_text(encoding="utf-8")
    for n, changed in enumerate((space + value, value + space)):
        (tmp_path / str(n)).mkdir()
        path = tmp_path / str(n) / "edge.csv"
        end = "," if "," + value + "," in text else "\n"
        path.write_text(text.replace("," + value + end, "," + changed + end, 1), encoding="utf-8")
        assert path.read_text(encoding="utf-8") != text
        _, took, _ = both_ways(tmp_path / str(n), monkeypatch, [path])
        assert took == [False]


def test_reading_and_checking_leave_the_ledger_free_for_other_desks(tmp_path, monkeypatch):
    """Only the writes hold the write lock: while the file is read and checked another desk can write."""
    import cysqlite  # the driver's own SQLite: two copies of SQLite in one process do not see each other's locks

    db_file = tmp_path / "lock.sqlite3"
    real = sales_import_fast._read
    other_desk_wrote = []

    def staging(*args):
        plan = real(*args)
        other = cysqlite.connect(str(db_file), timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if this import held the write lock
            other.execute("ROLLBACK")
            other_desk_wrote.append(True)
        finally:
            other.close()
        return plan

    monkeypatch.setattr(sales_import_fast, "_read", staging)
    open_database("sqlite:///" + str(db_file))
    try:
        _, admin = make_store()
        assert import_file(admin, DATA / "canonical_good.csv").sales_added == 3
        assert other_desk_wrote == [True]
    finally:
        close_database()


@pytest.mark.pg
def test_postgres_stores_the_same_ledger_both_ways(tmp_path, monkeypatch, pg_base_url):
    """The lean path on PostgreSQL (a store with several desks): the same files, the same ledger
    as the exact path, overlapping files skipped and repeated ones refused alike."""
    write_canonical_csv(tmp_path / "bench.csv", 200)
    random_file(tmp_path / "g.csv", 11)
    generated = with_real_tenders(tmp_path / "g.csv", tmp_path)
    files = [tmp_path / "bench.csv", generated, DATA / "canonical_good.csv", DATA / "canonical_overlap.csv",
             DATA / "canonical_broken.csv", generated]
    _reset_pg(pg_base_url)
    fast = outcome(files, pg_base_url, True, monkeypatch)
    _reset_pg(pg_base_url)
    exact = outcome(files, pg_base_url, False, monkeypatch)
    assert fast[0] == exact[0]
    assert fast[1] == [True, True, True, True, False, True] and exact[1] == []
    assert fast[0][-1].already_imported and fast[0][4][0] == "ImportRefused"
    for table in fast[2]:
        assert fast[2][table] == exact[2][table], table
    _reset_pg(pg_base_url)
    check_one_run(imported_uuids(pg_base_url, generated, monkeypatch))


# ------------------------------------------------------------------ the preview

def previewed(steps, url: str, sql: bool, monkeypatch, **store):
    """In a fresh database at ``url``, ``steps`` one after the other: ("import", path) imports
    the file, ("preview", path) previews it. Each preview (or what it raised) and whether the
    lean way gave it."""
    with monkeypatch.context() as m:
        taken = lean_way(m, "preview_canonical", sql)
        open_database(url)
        try:
            _, admin = make_store(**store)
            seen = []
            for step, path in steps:
                if step == "import":
                    import_file(admin, path)
                    continue
                try:
                    seen.append(sales_import.preview(path))
                except InvalidInput as exc:
                    seen.append((type(exc).__name__, str(exc)))
            return seen, taken
        finally:
            close_database()


def preview_both_ways(tmp_path, monkeypatch, steps, **store):
    lean, taken = previewed(steps, "sqlite:///" + str(tmp_path / "lean.sqlite3"), True, monkeypatch, **store)
    exact, none = previewed(steps, "sqlite:///" + str(tmp_path / "exact.sqlite3"), False, monkeypatch, **store)
    assert none == []
    assert lean == exact  # every figure: sales, lines, new and old, total, first and last, errors
    return lean, taken


def test_the_preview_of_a_clean_file_says_the_same_both_ways(tmp_path, monkeypatch):
    """Generated files, with sales already in the ledger and a file imported before."""
    random_file(tmp_path / "a.csv", 31)
    a = with_real_tenders(tmp_path / "a.csv", tmp_path)
    write_canonical_csv(tmp_path / "bench.csv", 300)
    random_file(tmp_path / "b.csv", 32)
    b = with_real_tenders(tmp_path / "b.csv", tmp_path)
    mixed = tmp_path / "mixed.csv"  # b's sales, then a's: half of them in the ledger by then
    mixed.write_text(b.read_text(encoding="utf-8") + "".join(a.read_text(encoding="utf-8").splitlines(keepends=True)[1:]),
                     encoding="utf-8")
    seen, taken = preview_both_ways(tmp_path, monkeypatch, [("preview", a), ("preview", tmp_path / "bench.csv"),
                                                            ("import", a), ("preview", mixed), ("preview", a)])
    assert taken == [True, True, True, True]
    assert seen[0].sales == seen[0].new_sales == 120 and seen[0].total > 0 and seen[0].first < seen[0].last
    assert seen[2].already_in_ledger == 120 and seen[2].new_sales == 120
    assert seen[3].already_imported and seen[3].new_sales == 0 and seen[3].total == 0


@pytest.mark.parametrize("name", ["canonical_good.csv", "canonical_bom.csv", "canonical_overlap.csv", "canonical_usd.csv",
                                  "canonical_broken.csv", "canonical_good.jsonl"])
def test_the_preview_of_every_sample_file_says_the_same_both_ways(tmp_path, monkeypatch, name):
    seen, taken = preview_both_ways(tmp_path, monkeypatch, [("import", DATA / "canonical_good.csv"), ("preview", DATA / name)])
    if name in ("canonical_good.csv", "canonical_bom.csv", "canonical_overlap.csv"):
        assert taken == [True]
    if name == "canonical_usd.csv":
        assert seen[0][0] == "InvalidInput" and taken == []  # the currency is checked before anything is priced
    if name == "canonical_broken.csv":
        assert taken == [False] and seen[0].errors  # given back: the exact reader lists every bad row


def test_the_preview_of_other_shapes_says_the_same_both_ways(tmp_path, monkeypatch):
    """A store showing prices without tax, and one whose currency has no decimals."""
    (tmp_path / "net").mkdir()
    random_file(tmp_path / "g.csv", 33)
    path = with_real_tenders(tmp_path / "g.csv", tmp_path, include_tax=False)
    assert preview_both_ways(tmp_path / "net", monkeypatch, [("preview", path)], prices_include_tax=False)[1] == [True]
    (tmp_path / "yen").mkdir()
    random_file(tmp_path / "y.csv", 34, currency="JPY")
    path = with_real_tenders(tmp_path / "y.csv", tmp_path, currency="JPY")
    assert preview_both_ways(tmp_path / "yen", monkeypatch, [("preview", path)], currency="JPY", locale="ja_JP")[1] == [True]
