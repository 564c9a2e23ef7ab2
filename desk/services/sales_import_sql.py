"""The canonical CSV import of a clean file, checked and written by SQL (SQLite only).

``sales_import.import_file`` tries this first for a canonical CSV file. One pass in Python
reads the rows and sends them as they are, a chunk at a time with ``executemany``, into TEMP
staging tables: line rows with the nine columns a line needs, tender rows with five, each
sale's own fields from its first line row (in a deferred transaction: the ledger's write lock
is not taken for it). That pass also numbers the sales and tenders and checks what needs the
file's order (a tender after its sale's first line row, a sale's later rows agreeing with its
first). SQL then checks every value and every sale as the exact reader does, and builds the ``sale``, ``sale_line`` and ``tender`` rows with ``INSERT ... SELECT``:
lines in line-number order, the order discount shared by largest remainder (window
functions), tax as ``price_sale`` works it out, all in integer minor units (money text becomes
an integer by string operations and ``CAST(... AS INTEGER)``, never a REAL). Products,
customers and tills are few: they are matched and created by the exact path's own functions.

It gives up (returns None, having written nothing to the ledger) on anything that is not
plainly a good row: a bad value, an unusual one (whitespace at either end of a value, which
the exact reader strips; a timestamp of another shape; a digit that is not ASCII; what might
be a card number), a sale over 30 million units. The caller then reads the file with the exact
reader, which reports every bad row with its row number, column and reason, or imports the
file the slow way. Both store the same ledger: ``tests/services/test_sales_import_sql.py``
imports the same files both ways and compares every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import operator
from decimal import Decimal

import peewee
from peewee import __exception_wrapper__

from desk import clock
from desk.errors import InvalidInput
from desk.io.feeds.canonical import ALL_FIELDS, REQUIRED_LINE_COLUMNS
from desk.io.feeds.common import (
    MAX_BARCODE,
    MAX_BRAND,
    MAX_CASHIER,
    MAX_CATEGORY,
    MAX_CUSTOMER_NAME,
    MAX_EMAIL,
    MAX_PHONE,
    MAX_RECEIPT,
    MAX_REF,
    MAX_SKU,
    MAX_TILL,
    Feed,
    FeedCustomer,
    FeedProduct,
    Fields,
    RawFile,
    RowError,
    exponent,
    looks_like_card_number,
    parse_tax_rate,
    valid_email,
)
from desk.models import SaleImport, Staff, Store, database
from desk.models.db import is_postgres
from desk.services import sales as sales_service
from desk.services.sales import TENDER_METHODS

# What str.strip() takes off (every character whose isspace() is true): a value that starts or
# ends with one goes the exact way, which strips it.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
              "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
MAX_SALE_VALUE = 3_000_000_000  # minor units: above it a sale goes the exact way (keeps SQL's products in 64 bits)
MAX_UNIT_PRICE = 1_000_000_000_000
TEMP_TABLES = ("_imp_stage", "_imp_tstage", "_imp_rate", "_imp_sale", "_imp_line", "_imp_total", "_imp_share", "_imp_sums", "_imp_tender",
               "_imp_product", "_imp_customer", "_imp_till")


def applies(raw: RawFile) -> bool:
    """Whether this path may try ``raw``: a canonical CSV file (not JSON Lines) on SQLite."""
    from desk.io.pos_feeds import is_jsonl, raw_format

    if is_postgres() or is_jsonl(raw) or "\x00" in raw.text:
        return False
    try:
        return raw_format(raw) == "canonical"
    except InvalidInput:
        return False


class _GiveUp(Exception):
    """Not a file this path takes as it is: the exact path reads it."""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def import_canonical(actor: Staff, store: Store, raw: RawFile, progress, cancel):
    """Import ``raw``: None when the exact path must read it (nothing written then). Raises what
    ``import_file`` raises for a clean file."""
    from desk.services import sales_import as si

    cur = database.cursor()
    try:
        try:
            # Staging and checking write TEMP tables only: a deferred transaction, so that the
            # ledger's write lock (BEGIN IMMEDIATE) is held for the writes alone.
            with __exception_wrapper__, database.atomic(lock_type="deferred"):
                plan = _stage_and_check(cur, raw.text, bool(store.__data__["prices_include_tax"]))
        except (_GiveUp, csv.Error, ValueError, OverflowError):
            return None
        except (peewee.OperationalError, peewee.ProgrammingError, peewee.DataError):
            # a row with too few or too many values (its bindings), a sum past 64 bits
            return None
        feed = Feed(format="canonical", currency=plan["currency"], rows=plan["rows"], sales=[], errors=[], filename=raw.filename,
                    sha256=raw.sha256)
        si.check_currency(feed, store)
        return si.guarded(raw.filename, raw.sha256, lambda: _write(cur, actor, store, raw, plan, progress, cancel))
    finally:
        for table in TEMP_TABLES:
            cur.execute(f"DROP TABLE IF EXISTS temp.{table}")
        cur.close()


_SPACE_CODES = ", ".join(str(ord(c)) for c in WHITESPACE)


def _edge_space(x: str) -> str:
    """SQL: ``x`` starts or ends with a character ``str.strip`` takes off, or a control
    character (true for a few more than need it: they go the exact way; NULL for '')."""
    first, last = f"unicode({x})", f"unicode(substr({x}, -1))"
    # The usual value (both ends printable ASCII) is settled by the first test: its first
    # character by comparing texts (a character past ASCII starts with a byte above 0x7f), the
    # last by one call.
    return (f"(NOT ({x} >= '!' AND {x} < '\x7f' AND substr({x}, -1) BETWEEN '!' AND '~') "
            f"AND ({first} <= 32 OR {last} <= 32 OR (({first} > 127 OR {last} > 127) "
            f"AND ({first} IN ({_SPACE_CODES}) OR {last} IN ({_SPACE_CODES})))))")


# what the staging tables keep of a line row and of a tender row (a sale's own fields are on its first line row)
LINE_STAGED = ("line", "sku", "barcode", "description", "category", "quantity", "unit_price", "line_discount", "tax_rate")
TENDER_STAGED = ("method", "amount", "card_brand", "card_last4", "reference")
STAGE_CHUNK = 20_000  # line rows held in Python before they go to the staging table
SALE_FIELDS = ("receipt", "timestamp", "till", "cashier", "order_discount", "customer_name", "customer_email", "customer_phone")
_LINE_NUMBERS = tuple(str(n) for n in range(1000))


def _picker(columns: list[int]):
    """A function giving the values at ``columns`` of a row as a tuple (C speed)."""
    if not columns:
        return lambda values: ()
    if len(columns) == 1:
        (i,) = columns
        return lambda values: (values[i],)
    return operator.itemgetter(*columns)


def _one(cur, sql: str, params=()):
    return cur.execute(sql, params).fetchone()[0]


def _stage_and_check(cur, text: str, include_tax: bool) -> dict:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    try:
        while not any(h.strip() for h in header):
            header = next(reader)
    except StopIteration:
        raise _GiveUp from None
    header = [h.strip().lower() for h in header]
    if any(c not in header for c in REQUIRED_LINE_COLUMNS) or len(set(header)) != len(header):
        raise _GiveUp
    width = len(header)
    col = {name: f"c{i}" for i, name in enumerate(header)}
    e = {name: col.get(name, "''") for name in ALL_FIELDS}  # a column the file lacks reads as ''
    # Line rows and tender rows go into a table each, with only the columns their kind reads
    # (file order kept as rowid), each row with its sale's place (ord: sales in the order of
    # their first line row), each tender its place among its sale's tenders (seq), and each
    # sale what its first line row says. A tender row before its receipt's first line row, a
    # later line row of a sale with another timestamp or an order discount, or a row of another
    # kind or width sends the file the exact way, as parse_csv_fast does.
    line_cols = [i for i, name in enumerate(header) if name in LINE_STAGED]
    tender_cols = [i for i, name in enumerate(header) if name in TENDER_STAGED]
    pad = [""]  # appended to a sale's first row: the value of a column the file lacks
    sale_cols = [header.index(name) if name in header else width for name in SALE_FIELDS]
    i_record, i_receipt, i_ts, i_line, i_currency = (header.index(name) for name in ("record", "receipt", "timestamp", "line", "currency"))
    i_od = header.index("order_discount") if "order_discount" in header else None
    pick_line, pick_tender, pick_sale = _picker(line_cols), _picker(tender_cols), _picker(sale_cols)
    ords: dict[str, int] = {}
    stamps = [""]  # by ord
    tender_count = [0]  # by ord
    lines: list[tuple] = []
    tenders: list[tuple] = []
    sales: list[tuple] = []
    currencies: set[str] = set()  # as the rows write them, made upper case as the exact reader does
    currency = None
    # Usually each sale's line rows come together, numbered 1, 2, 3 ... and its tenders after
    # them: then the tables are in the order the ledger is written and nothing is sorted.
    lines_in_order = tenders_in_order = True
    last_ord = last_tender_ord = expected = 0
    numbers = _LINE_NUMBERS
    for table in TEMP_TABLES:
        cur.execute(f"DROP TABLE IF EXISTS temp.{table}")
    inserts = []
    for table, keys, cols in (("_imp_stage", "ord", line_cols), ("_imp_tstage", "ord, seq", tender_cols)):
        cur.execute(f"CREATE TEMP TABLE {table} ({', '.join([keys] + [f'c{i}' for i in cols])})")
        inserts.append(f"INSERT INTO temp.{table} VALUES ({', '.join(['?'] * (len(cols) + keys.count(',') + 1))})")
    cur.execute("CREATE TEMP TABLE _imp_sale (ord INTEGER PRIMARY KEY, first INTEGER, receipt TEXT NOT NULL, ts TEXT, till TEXT, "
                "cashier TEXT, od_text TEXT, name TEXT, email TEXT, phone TEXT, od INTEGER, k INTEGER)")
    inserts.append(f"""INSERT INTO temp._imp_sale (ord, first, receipt, ts, till, cashier, od_text, name, email, phone)
        VALUES (?, ?, ?, ?, ?, substr(?, 1, {MAX_CASHIER}), ?, substr(?, 1, {MAX_CUSTOMER_NAME}), ?, ?)""")

    def flush() -> None:  # the rows read so far into their tables (the memory held stays small)
        for sql, staged in zip(inserts, (lines, tenders, sales)):
            cur.executemany(sql, staged)
            staged.clear()

    add_line, add_tender, add_sale = lines.append, tenders.append, sales.append
    n_lines = n_tenders = 0
    for values in reader:
        if not values:
            continue
        if len(values) != width:
            raise _GiveUp
        kind = values[i_record]
        if kind != "line" and kind != "tender":
            kind = kind.lower() if kind.isascii() else ""
        if kind == "line":
            receipt = values[i_receipt]
            o = ords.get(receipt)
            n_lines += 1
            if o is None:
                o = ords[receipt] = len(ords) + 1
                add_sale((o, n_lines) + pick_sale(values + pad))
                stamps.append(values[i_ts])
                tender_count.append(0)
                if lines_in_order:
                    if values[i_line] == "1":
                        last_ord, expected = o, 2
                    else:
                        lines_in_order = False
            else:
                stamp = values[i_ts]
                if (stamp and stamp != stamps[o]) or (i_od is not None and values[i_od]):
                    raise _GiveUp
                if lines_in_order:
                    if o == last_ord and expected < len(numbers) and values[i_line] == numbers[expected]:
                        expected += 1
                    else:
                        lines_in_order = False
            if values[i_currency] is not currency and values[i_currency] != currency:
                currency = values[i_currency]
                currencies.add(currency.upper())
            add_line((o,) + pick_line(values))
            if len(lines) >= STAGE_CHUNK:
                flush()
        elif kind == "tender":
            o = ords.get(values[i_receipt])
            if o is None:
                raise _GiveUp
            n_tenders += 1
            tender_count[o] += 1
            if o < last_tender_ord:
                tenders_in_order = False
            last_tender_ord = o
            add_tender((o, tender_count[o]) + pick_tender(values))
        else:
            raise _GiveUp
    flush()
    rows = n_lines + n_tenders
    if not n_lines:
        raise _GiveUp

    def st(name: str) -> str:
        return e[name] if e[name] == "''" else "st." + e[name]

    # one currency, a code the store can hold
    if len(currencies) != 1:
        raise _GiveUp
    currency = currencies.pop()
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha() and currency.isupper()):
        raise _GiveUp
    places = exponent(currency)
    scale = 10**places

    def money_ok(x: str) -> str:
        return (f"({x} <> '' AND {x} NOT GLOB '*[^0-9.]*' AND {x} NOT GLOB '*.*.*' AND {x} NOT GLOB '.*' AND length({x}) <= 15 "
                f"AND (instr({x}, '.') = 0 OR length({x}) - instr({x}, '.') <= {places}))")

    def money(x: str) -> str:
        # '12.5' -> 1250 (two places): the whole part times 10**places plus the fraction padded; text and integers only
        return (f"(CASE WHEN instr({x}, '.') = 0 THEN CAST({x} AS INTEGER) * {scale} "
                f"ELSE CAST(substr({x}, 1, instr({x}, '.') - 1) AS INTEGER) * {scale} "
                f"+ CAST(substr(substr({x}, instr({x}, '.') + 1) || '000000', 1, {places}) AS INTEGER) END)")

    def count_ok(x: str, digits: int) -> str:
        return f"({x} <> '' AND {x} NOT GLOB '*[^0-9]*' AND length({x}) <= {digits} AND CAST({x} AS INTEGER) > 0)"

    def cardish(x: str) -> str:
        # could hold 13 digits in a row (or a digit that is not ASCII): Python's card-number check decides
        digits = x
        for d in "0123456789":
            digits = f"replace({digits}, '{d}', '')"
        return f"(length({x}) >= 13 AND (length(CAST({x} AS BLOB)) <> length({x}) OR length({x}) - length({digits}) >= 13))"

    # every row, as the exact reader's fast path takes it
    line_ok = (f"{count_ok(e['line'], 9)} AND {count_ok(e['quantity'], 6)} AND {money_ok(e['unit_price'])} "
               f"AND ({e['line_discount']} = '' OR {money_ok(e['line_discount'])}) AND {e['tax_rate']} <> '' "
               f"AND {e['description']} <> '' AND length({e['sku']}) <= {MAX_SKU} AND length({e['barcode']}) <= {MAX_BARCODE} "
               f"AND length({e['category']}) <= {MAX_CATEGORY}")
    methods = ", ".join(_sql_text(m) for m in TENDER_METHODS)
    tender_ok = (f"lower({e['method']}) IN ({methods}) AND {money_ok(e['amount'])} "
                 f"AND ({e['card_last4']} = '' OR replace(replace({e['card_last4']}, ' ', ''), '-', '') GLOB '[0-9][0-9][0-9][0-9]') "
                 f"AND length({e['reference']}) <= {MAX_REF}")
    # Values are staged as they are: the exact reader strips them (str.strip). The checks
    # refuse whitespace in every number, code and date; a text that starts or ends with any
    # (rare) sends the file the exact way. Each row is checked where it is read anyway: a
    # line row as _imp_line is built (column bad), a tender row as _imp_tender is, the
    # receipt once per sale in _imp_sale (a tender's receipt must be a sale's); a row that is
    # neither is in neither table. (As CASE WHEN: SQLite stops at the first true term of an OR
    # in a condition, but works out every term of one in a value.)
    line_bad = f"(NOT ({line_ok}) OR {' OR '.join(_edge_space(st(c)) for c in ('sku', 'barcode', 'description', 'category'))})"
    tender_bad = f"(NOT ({tender_ok}) OR {' OR '.join(_edge_space(st(c)) for c in ('card_brand', 'reference'))})"
    # references and brands that might be card numbers: the exact path refuses or reports them
    brand = f"substr({e['card_brand']}, 1, {MAX_BRAND})"
    for ref, brand_text in cur.execute(f"SELECT {e['reference']}, {brand} FROM _imp_tstage "
                                       f"WHERE {cardish(e['reference'])} OR {cardish(brand)}").fetchall():
        if (looks_like_card_number(ref) or sales_service._looks_like_card_number(ref)
                or sales_service._looks_like_card_number(brand_text)):
            raise _GiveUp

    # tax rates: few distinct texts, read by the exact reader's own function
    rates: dict[str, Decimal] = {}
    cur.execute("CREATE TEMP TABLE _imp_rate (raw TEXT PRIMARY KEY, th INTEGER NOT NULL)")
    for (raw_rate,) in cur.execute(f"SELECT DISTINCT {e['tax_rate']} FROM _imp_stage").fetchall():
        errors: list[RowError] = []
        rate = parse_tax_rate(Fields(0, {}, errors), "tax_rate", raw_rate)
        if rate is None or errors:
            raise _GiveUp
        try:
            th = sales_service._tax_rate_and_int(1, rate)[1]
        except InvalidInput:
            raise _GiveUp from None
        rates[raw_rate] = rate
        cur.execute("INSERT INTO _imp_rate VALUES (?, ?)", (raw_rate, th))

    shape = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]'"
    stamp_ok = (f"(substr(ts, 1, 19) GLOB {shape} AND (substr(ts, 20) = 'Z' OR substr(ts, 20) GLOB '[+-][0-9][0-9]:[0-9][0-9]') "
                f"AND substr(ts, 1, 4) BETWEEN '1900' AND '9998' "
                f"AND strftime('%Y-%m-%dT%H:%M:%S', substr(ts, 1, 19)) = substr(ts, 1, 19) AND datetime(ts) IS NOT NULL)")
    if _one(cur, f"SELECT count(*) FROM _imp_sale WHERE {' OR '.join(map(_edge_space, ('receipt', 'till', 'cashier', 'name', 'email', 'phone')))}"):
        raise _GiveUp
    if _one(cur, f"""SELECT count(*) FROM _imp_sale WHERE NOT (receipt <> '' AND length(receipt) <= {MAX_RECEIPT}
                     AND length(till) <= {MAX_TILL}
                     AND length(email) <= {MAX_EMAIL} AND length(phone) <= {MAX_PHONE} AND (od_text = '' OR {money_ok('od_text')})
                     AND {stamp_ok})"""):
        raise _GiveUp
    for (offset,) in cur.execute("SELECT DISTINCT substr(ts, 20) FROM _imp_sale").fetchall():
        if offset != "Z":
            dt.datetime.fromisoformat("2000-01-01T00:00:00" + offset)  # ValueError: the exact path says why
    for (email,) in cur.execute("SELECT DISTINCT email FROM _imp_sale WHERE email <> ''").fetchall():
        if not valid_email(email):
            raise _GiveUp
    cur.execute(f"UPDATE _imp_sale SET od = CASE WHEN od_text = '' THEN 0 ELSE {money('od_text')} END")
    # lines in line-number order, money in minor units (the longer texts stay in the staging row)
    cur.execute(f"""CREATE TEMP TABLE _imp_line AS
        SELECT st.ord AS ord, CAST({st('line')} AS INTEGER) AS line_no, st.rowid AS src, CAST({st('quantity')} AS INTEGER) AS qty,
               {money(st('unit_price'))} AS unit_price,
               CASE WHEN {st('line_discount')} = '' THEN 0 ELSE {money(st('line_discount'))} END AS line_discount,
               (SELECT r.th FROM _imp_rate r WHERE r.raw = {st('tax_rate')}) AS th, {st('sku')} AS sku, {st('barcode')} AS barcode,
               CASE WHEN {line_bad} THEN 1 END AS bad
        FROM _imp_stage st
        ORDER BY {'st.rowid' if lines_in_order else 'st.ord, line_no'}""")
    if not lines_in_order and _one(cur, """SELECT count(*) FROM (SELECT count(*) AS n, max(line_no) AS top, count(DISTINCT line_no) AS nd
                                           FROM _imp_line GROUP BY ord) WHERE NOT (n = top AND n = nd)"""):
        raise _GiveUp  # a sale's lines are not numbered 1 to n, once each
    if _one(cur, f"SELECT count(*) FROM _imp_line WHERE bad OR th IS NULL OR unit_price >= {MAX_UNIT_PRICE} OR line_discount > qty * unit_price"):
        raise _GiveUp
    # order discounts within the sale's value; sales small enough for 64-bit products below
    # (_imp_line is in sale order: grouped by sale through this index, nothing is sorted)
    cur.execute("CREATE INDEX temp._imp_line_ord ON _imp_line (ord)")
    cur.execute("""CREATE TEMP TABLE _imp_total AS
        SELECT ord, sum(qty * unit_price) AS subtotal, sum(line_discount) AS line_discounts, sum(qty * unit_price - line_discount) AS gross
        FROM _imp_line GROUP BY ord ORDER BY ord""")
    if _one(cur, f"""SELECT count(*) FROM _imp_sale s JOIN _imp_total t ON t.rowid = s.ord
                     WHERE t.subtotal > {MAX_SALE_VALUE} OR s.od < 0 OR s.od > t.gross"""):
        raise _GiveUp

    # price_sale in SQL: the order discount by largest remainder (ties to the earlier line),
    # then the tax as charged, on prices including tax (the tax is inside) or not (added on top)
    # (only the few sales with an order discount need the window functions' sorting)
    cur.execute("CREATE TEMP TABLE _imp_share (lid INTEGER PRIMARY KEY, share INTEGER NOT NULL)")
    cur.execute("""INSERT INTO _imp_share (lid, share)
        WITH b AS (
            SELECT l.rowid AS lid, l.ord, l.line_no, s.od, (s.od * (l.qty * l.unit_price - l.line_discount)) / t.gross AS q,
                   (s.od * (l.qty * l.unit_price - l.line_discount)) % t.gross AS r
            FROM _imp_line l JOIN _imp_sale s ON s.ord = l.ord JOIN _imp_total t ON t.rowid = l.ord WHERE s.od > 0),
        c AS (
            SELECT b.*, row_number() OVER (PARTITION BY ord ORDER BY r DESC, line_no) AS place, sum(q) OVER (PARTITION BY ord) AS floors
            FROM b)
        SELECT lid, q + (place <= od - floors) FROM c ORDER BY lid""")
    # (not stored: the sums below and the line rows' insert work paid and tax out as they read a line)
    cur.execute(f"""CREATE TEMP TABLE _imp_sums AS
        SELECT ord, sum(tax) AS tax_total, sum(paid) AS total,
               max(CASE WHEN net < 0 OR typeof(share) <> 'integer' OR typeof(paid) <> 'integer' OR typeof(tax) <> 'integer'
                        THEN 1 ELSE 0 END) AS bad
        FROM ({priced_sql(include_tax)}) GROUP BY ord ORDER BY ord""")

    # tenders in file order, each after its sale's first line row; they add up to what the lines paid
    cur.execute(f"""CREATE TEMP TABLE _imp_tender AS
        SELECT st.ord AS ord, st.seq AS seq, st.rowid AS src, {money(st('amount'))} AS amount, CASE WHEN {tender_bad} THEN 1 END AS bad
        FROM _imp_tstage st
        ORDER BY {'st.rowid' if tenders_in_order else 'st.ord, st.rowid'}""")
    if _one(cur, "SELECT count(*) FROM _imp_tender WHERE bad"):
        raise _GiveUp
    cur.execute("CREATE INDEX temp._imp_tender_ord ON _imp_tender (ord)")
    if _one(cur, """SELECT count(*) FROM _imp_sums m LEFT JOIN (SELECT ord, sum(amount) AS paid FROM _imp_tender GROUP BY ord) p
                    ON p.ord = m.ord WHERE coalesce(p.paid, 0) <> m.total OR typeof(m.total) <> 'integer' OR m.bad"""):
        raise _GiveUp
    return {"currency": currency, "rows": rows, "rates": rates, "e": e, "include_tax": include_tax}


def priced_sql(include_tax: bool, where: str = "1") -> str:
    """SQL: each line of _imp_line with its order-discount share, net, paid and tax (price_sale's
    formulas: on prices including tax the tax is inside, otherwise added on top), in line order."""
    if include_tax:
        paid_tax = "net AS paid, net - (2 * net * 100000 + (100000 + th)) / (2 * (100000 + th)) AS tax"
    else:
        paid_tax = "net + (2 * net * th + 100000) / 200000 AS paid, (2 * net * th + 100000) / 200000 AS tax"
    return f"""SELECT x.*, {paid_tax} FROM (
            SELECT l.rowid AS lid, l.ord, l.line_no, l.src, l.qty, l.unit_price, l.line_discount, l.th, l.sku, l.barcode,
                   coalesce(sh.share, 0) AS share, l.qty * l.unit_price - l.line_discount - coalesce(sh.share, 0) AS net
            FROM _imp_line l LEFT JOIN _imp_share sh ON sh.lid = l.rowid WHERE {where}) x"""


def _write(cur, actor: Staff, store: Store, raw: RawFile, plan: dict, progress, cancel):
    from desk.services import sales_import as si

    if SaleImport.select().where(SaleImport.sha256 == raw.sha256).exists():
        return si._nothing("canonical")
    e = plan["e"]

    def st(name: str) -> str:
        return e[name] if e[name] == "''" else "st." + e[name]

    total_sales = _one(cur, "SELECT count(*) FROM _imp_sale")
    # k: the sale's place among the new ones (its id is the largest id + k). Usually no receipt
    # of the file is in the ledger yet: then k is ord (1..n) and nothing needs _imp_sale's k,
    # nor a join to it to skip a sale.
    if _one(cur, "SELECT EXISTS (SELECT 1 FROM _imp_sale s JOIN main.sale x ON x.store_id = ? AND x.receipt_no = s.receipt)",
            (store.id,)):
        cur.execute("""UPDATE _imp_sale SET k = n.k FROM (
                           SELECT s.ord, row_number() OVER (ORDER BY s.ord) AS k FROM _imp_sale s
                           WHERE NOT EXISTS (SELECT 1 FROM main.sale x WHERE x.store_id = ? AND x.receipt_no = s.receipt)) n
                       WHERE n.ord = _imp_sale.ord""", (store.id,))
        ords = [o for (o,) in cur.execute("SELECT ord FROM _imp_sale WHERE k IS NOT NULL ORDER BY ord").fetchall()]

        def k(row: str) -> tuple[str, str, str]:  # (k, a join giving it, a condition: the sale is new)
            return "s.k", f"JOIN _imp_sale s ON s.ord = {row}.ord", "s.k IS NOT NULL"
    else:
        ords = list(range(1, total_sales + 1))

        def k(row: str) -> tuple[str, str, str]:
            return f"{row}.ord", "", "1"
    new = len(ords)
    if progress:
        progress(0, new)
    convention = bool(store.__data__["prices_include_tax"])

    # products: each (SKU, barcode) where the new sales first meet it
    first: dict[tuple[str, str], tuple[FeedProduct, bool]] = {}
    for sku_v, barcode_v, description, category, unit_price, rate_raw in cur.execute(f"""
            SELECT l.sku, l.barcode, {st('description')}, {st('category')}, l.unit_price, {st('tax_rate')}
            FROM (SELECT min(l.rowid) AS r FROM _imp_line l {k('l')[1]}
                  WHERE {k('l')[2]} AND (l.sku <> '' OR l.barcode <> '') GROUP BY l.sku, l.barcode) f
            JOIN _imp_line l ON l.rowid = f.r JOIN _imp_stage st ON st.rowid = l.src
            ORDER BY f.r""").fetchall():
        first[(sku_v, barcode_v)] = (FeedProduct(sku_v, barcode_v, description, category, unit_price, plan["rates"][rate_raw]),
                                     convention)
    product_of, products_created = si.product_ids(first, store)
    cur.execute("CREATE TEMP TABLE _imp_product (sku TEXT, barcode TEXT, id INTEGER, PRIMARY KEY (sku, barcode))")
    cur.executemany("INSERT INTO _imp_product VALUES (?, ?, ?)", [(s, b, pid) for (s, b), pid in product_of.items()])

    # customers: each one as the new sales first meet it
    met = cur.execute(f"""SELECT name, email, phone FROM _imp_sale s WHERE {k('s')[2]} AND (name <> '' OR email <> '' OR phone <> '')
                         GROUP BY name, email, phone ORDER BY min(ord)""").fetchall()
    ids, customers_created = si.customer_ids([FeedCustomer(name or email or phone, email or None, phone or None)
                                              for name, email, phone in met])
    cur.execute("CREATE TEMP TABLE _imp_customer (name TEXT, email TEXT, phone TEXT, id INTEGER, PRIMARY KEY (name, email, phone))")
    cur.executemany("INSERT INTO _imp_customer VALUES (?, ?, ?, ?)", [(*m, cid) for m, cid in zip(met, ids)])

    # tills, in the order the new sales meet them
    tills: dict = {}
    cur.execute("CREATE TEMP TABLE _imp_till (code TEXT PRIMARY KEY, id INTEGER)")
    for (code,) in cur.execute(f"SELECT till FROM _imp_sale s WHERE {k('s')[2]} AND till <> '' GROUP BY till ORDER BY min(ord)").fetchall():
        cur.execute("INSERT INTO _imp_till VALUES (?, ?)", (code, sales_service._till(store, code, tills).id))

    sale_base = _one(cur, "SELECT coalesce(max(id), 0) FROM main.sale")
    n_lines = _one(cur, f"SELECT count(*) FROM _imp_line p {k('p')[1]} WHERE {k('p')[2]}")
    n_tenders = _one(cur, f"SELECT count(*) FROM _imp_tender t {k('t')[1]} WHERE {k('t')[2]}")
    now = sales_service.stored_time(clock.utcnow())
    # uuids counted up by the row's place in its temp table (ascending; gaps where a sale was skipped)
    runs = {name: sales_service.uuid7_run(_one(cur, f"SELECT count(*) FROM {table}"))
            for name, table in (("sale", "_imp_sale"), ("line", "_imp_line"), ("tender", "_imp_tender"))}

    def uuid(run: str, k: str) -> str:
        prefix, start = runs[run]
        v = f"({start} + {k})"  # start + k, k from 0: the variant bits 10, then 62 bits counted up
        return f"printf('%s%x%015x', '{prefix}', 8 + ({v} >> 60), {v} & {(1 << 60) - 1})"

    # Ids as the exact path gives them: sales after the largest id, lines and tenders by SQLite
    # in the order they are written (sale by sale, line by line).
    sale_sql = f"""INSERT INTO main.sale (id, uuid, created_at, store_id, till_id, receipt_no, sold_at, customer_id, cashier, currency,
                       subtotal, discount_total, tax_total, total, source, source_ref)
        SELECT {sale_base} + {k('s')[0]}, {uuid('sale', 's.ord - 1')}, :now, :store, t.id, s.receipt, datetime(s.ts), c.id, s.cashier, :currency, tt.subtotal,
               tt.line_discounts + s.od, m.tax_total, m.total, 'canonical', s.receipt
        FROM _imp_sale s JOIN _imp_total tt ON tt.rowid = s.ord JOIN _imp_sums m ON m.rowid = s.ord
        LEFT JOIN _imp_till t ON t.code = s.till
        LEFT JOIN _imp_customer c ON c.name = s.name AND c.email = s.email AND c.phone = s.phone
        WHERE s.ord BETWEEN :lo AND :hi AND {k('s')[2]} ORDER BY s.ord"""
    line_sql = f"""INSERT INTO main.sale_line (uuid, created_at, sale_id, line_no, product_id, sku, barcode, description, category,
                       quantity, unit_price, line_discount, order_discount_share, paid, tax_rate, tax_amount)
        SELECT {uuid('line', 'p.lid - 1')}, :now, {sale_base} + {k('p')[0]}, p.line_no, pr.id, p.sku, p.barcode,
               {st('description')}, {st('category')}, p.qty, p.unit_price, p.line_discount, p.share, p.paid, p.th, p.tax
        FROM ({priced_sql(plan["include_tax"], "l.rowid BETWEEN :first AND :last")}) p {k('p')[1]} JOIN _imp_stage st ON st.rowid = p.src
        LEFT JOIN _imp_product pr ON pr.sku = p.sku AND pr.barcode = p.barcode
        WHERE {k('p')[2]} ORDER BY p.lid"""
    tender_sql = f"""INSERT INTO main.tender (uuid, created_at, sale_id, seq, method, amount, card_brand, card_last4, reference)
        SELECT {uuid('tender', 't.rowid - 1')}, :now, {sale_base} + {k('t')[0]},
               t.seq, lower({st('method')}), t.amount,
               substr({st('card_brand')}, 1, {MAX_BRAND}), replace(replace({st('card_last4')}, ' ', ''), '-', ''), {st('reference')}
        FROM _imp_tender t {k('t')[1]} JOIN _imp_tstage st ON st.rowid = t.src
        WHERE t.rowid BETWEEN :first AND :last AND {k('t')[2]} ORDER BY t.rowid"""
    line_span = "SELECT min(rowid), max(rowid) FROM _imp_line WHERE ord BETWEEN :lo AND :hi"
    tender_span = "SELECT min(rowid), max(rowid) FROM _imp_tender WHERE ord BETWEEN :lo AND :hi"
    batch = si.BATCH
    lines_done = tenders_done = 0
    with __exception_wrapper__:  # the driver's errors as peewee's (IntegrityError ...)
        for start in range(0, new, batch):
            if cancel and cancel():
                raise si.ImportCancelled(raw.filename)
            lo, hi = ords[start], ords[min(new, start + batch) - 1]
            cur.execute(sale_sql, {"now": now, "store": store.id, "currency": store.currency, "lo": lo, "hi": hi})
            # (the batch's lines and tenders are a run of rowids: both tables are in sale order)
            first, last = cur.execute(line_span, {"lo": lo, "hi": hi}).fetchone()
            cur.execute(line_sql, {"now": now, "first": first, "last": last})
            lines_done += cur.rowcount
            first, last = cur.execute(tender_span, {"lo": lo, "hi": hi}).fetchone()
            if first is not None:
                cur.execute(tender_sql, {"now": now, "first": first, "last": last})
                tenders_done += cur.rowcount
            if progress:
                progress(min(new, start + batch), new)
    if cancel and cancel():
        raise si.ImportCancelled(raw.filename)
    if (lines_done, tenders_done) != (n_lines, n_tenders):  # pragma: no cover - a defect, not a file's fault
        raise RuntimeError(f"wrote {lines_done} lines and {tenders_done} tenders, expected {n_lines} and {n_tenders}")
    result = si.ImportResult(
        format="canonical",
        sales_added=new,
        sales_skipped=total_sales - new,
        lines_added=n_lines,
        refunds_added=0,
        products_created=products_created,
        customers_created=customers_created,
        already_imported=False,
    )
    return si.record_import(actor, raw.filename, raw.sha256, plan["rows"], result)
