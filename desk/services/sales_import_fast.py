"""The canonical CSV import of a clean file, read in one lean pass and written in batches.

``sales_import.import_file`` tries this first for a canonical CSV file. One pass in Python
reads the rows (``csv``), groups them by sale and checks what the write must match before
anything is priced: receipts, tills, cashiers, customers, each distinct product, each line's
number. This takes no lock. Then, in the write transaction, the receipts already in the
ledger are skipped and products, customers and tills matched or created by the exact path's
own functions. The sales are then priced 500 at a time with the ledger's own rule
(``sales.price_sale``'s integer core, ``sales.paid_and_tax``, and ``money.allocate`` for the
order discount), each value checked as the exact reader's fast path checks it
(``canonical.parse_csv_fast``: the same money and count readers, timestamps, tender rules),
and their rows built as plain values, not as the exact path's objects. On SQLite each
batch's rows are inserted on a thread of their own while the next batch is priced
(``_Inserts``); on PostgreSQL with one ``COPY`` per table. Ids and values are as the exact
path gives them; progress is reported and cancel asked between batches.

It gives up (returns None, having written nothing or rolled back what it wrote) on anything
that is not plainly a good row: a bad value, an unusual one (whitespace at either end of a
value, which the exact reader strips; a timestamp of another shape; a digit that is not
ASCII; what might be a card number), a sale over 30 million units, tenders that do not add
up. The caller then reads the file with the exact reader, which reports every bad row with
its row number, column and reason, or imports the file the slow way. Both store the same
ledger: ``tests/services/test_sales_import_fast.py`` imports the same files both ways and
compares every row.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import functools
import itertools
import operator
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from peewee import __exception_wrapper__

from desk import clock
from desk.errors import InvalidInput
from desk.io.feeds.canonical import REQUIRED_LINE_COLUMNS, _fast_int, _fast_money, _Unusual
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
    header_row,
    looks_like_card_number,
    parse_tax_rate,
    text_lines,
    valid_email,
)
from desk.models import Sale, SaleImport, SaleLine, Staff, Store, Tender, database
from desk.models.db import is_postgres
from desk.money import allocate
from desk.services import sales as sales_service
from desk.services.sales import TENDER_METHODS, paid_and_tax

MAX_SALE_VALUE = 3_000_000_000  # minor units: above it a sale goes the exact way
MAX_UNIT_PRICE = 1_000_000_000_000
MAX_PRODUCTS = 100_000  # distinct product values kept checked: beyond that each line's are checked anew
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)", re.ASCII)
_COUNTS = {str(n): n for n in range(1, 1000)}  # the usual line numbers and quantities, read once
_BY_NUMBER = operator.itemgetter(0)
_METHODS = {m: m for m in TENDER_METHODS}
# a ledger line's columns as the write gives them: what the write adds, the line's product as
# _read keeps it (PRODUCT), then the line's own numbers and what pricing made of them
PRODUCT = ["sku", "barcode", "description", "category", "unit_price", "tax_rate"]
LINE_FIELDS = ("uuid", "sale", "product", *PRODUCT, "line_no", "quantity", "line_discount",
               "order_discount_share", "paid", "tax_amount")
# a sale's and a tender's own values as the write gives them: the values every row of the
# import shares (creation time; store, currency and source of a sale) are bound once a statement
SALE_FIELDS = ("id", "uuid", "till", "receipt_no", "sold_at", "customer", "cashier", "subtotal", "discount_total",
               "tax_total", "total", "source_ref")
TENDER_FIELDS = ("uuid", "sale", "seq", "method", "amount", "card_brand", "card_last4", "reference")
# a ledger line as the SQLite write binds it: its uuid's place in the import's run of uuids,
# its product's place in _Plan.products (the rest comes from the file's products: _lines_sql)
COMPACT_LINE = ("uuid", "sale", "k", "line_no", "quantity", "line_discount", "order_discount_share", "paid", "tax_amount")
_PRODUCTS_TABLE = 'temp."desk_import_product"'  # each product a line names, by its place in _Plan.products


@functools.lru_cache(maxsize=16)
def _lines_sql(n: int) -> str:
    """The INSERT of ``n`` lines given as ``COMPACT_LINE`` values after the creation time (?1)
    and the import's run of uuids (?2 its prefix, ?3 the signed 64-bit value of its first
    uuid's last 16 hex digits: ``_uuid_base``): each line's uuid is written by SQLite from its
    place in the run, and its product columns (``LINE_FIELDS``' product and ``PRODUCT``) are
    joined from ``_PRODUCTS_TABLE`` by its product's place, so that SQLite, not the GIL-holding
    driver, copies them. The lines are given by sale and number, the order in which they take
    their ids, and go in in that order: the CROSS JOIN keeps the values as SQLite's outer loop
    (its documented rule for CROSS JOIN), so they need no sort (an ORDER BY cost a fifth of the
    statement)."""
    columns = ", ".join(f'"{c}"' for c in sales_service._columns(SaleLine, ["created_at", *LINE_FIELDS]))
    own = {name: f"v.column{i}" for i, name in enumerate(COMPACT_LINE, 1)}
    own["uuid"] = f"printf('%s%016x', ?2, ?3 + {own['uuid']})"  # as sales.uuid_hexes writes it
    picked = ", ".join(own.get(name) or f'h."{name}"' for name in LINE_FIELDS)
    row = "(" + ", ".join(["?"] * len(COMPACT_LINE)) + ")"
    return (f'INSERT INTO "sale_line" ({columns}) SELECT ?1, {picked} '
            f'FROM (VALUES {", ".join([row] * n)}) AS v CROSS JOIN {_PRODUCTS_TABLE} AS h ON h."product_k" = {own["k"]}')


def applies(raw: RawFile, fmt: str | None = None) -> bool:
    """Whether this path may try ``raw``, read as ``fmt`` (None: detected from its header): a
    canonical CSV file (not JSON Lines)."""
    from desk.io.pos_feeds import is_jsonl, raw_format

    if fmt not in (None, "canonical") or is_jsonl(raw) or "\x00" in raw.text:
        return False
    try:
        return raw_format(raw) == "canonical"
    except InvalidInput:
        return False


class _GiveUp(Exception):
    """Not a file this path takes as it is: the exact path reads it."""


def _checked_plan(store: Store, raw: RawFile) -> _Plan | None:
    """``raw`` read by ``_read`` for ``store``, its currency checked (InvalidInput "Currency" for
    another); None when the exact path must read it."""
    from desk.services import sales_import as si

    try:
        plan = _read(raw.text, bool(store.__data__["prices_include_tax"]))
    except (_GiveUp, _Unusual, csv.Error, ValueError, OverflowError, InvalidInput):
        return None
    si.check_currency(Feed(format="canonical", currency=plan.currency, rows=plan.rows, sales=[], errors=[],
                           filename=raw.filename, sha256=raw.sha256), store)
    return plan


def preview_canonical(store: Store, raw: RawFile):
    """What ``sales_import.preview`` says of ``raw``, read the lean way and priced by the same
    rule as the import, batch by batch, keeping only the figures; None when the exact path must
    read it (it then reports every bad row). Writes nothing and takes no lock."""
    from desk.services import sales_import as si

    plan = _checked_plan(store, raw)
    if plan is None:
        return None
    existing = si._existing_receipts([s[0] for s in plan.sales], store)
    # the pricing with no ids to give: each row's ids and uuids stand as None, a line's product
    # as its place
    nothing = itertools.repeat(None)
    price = _pricer(plan, [(k,) for k in range(len(plan.products))], collections.defaultdict(type(None)),
                    collections.defaultdict(type(None)), str)
    width, at_receipt, at_time, at_total = (len(SALE_FIELDS), SALE_FIELDS.index("receipt_no"),
                                            SALE_FIELDS.index("sold_at"), SALE_FIELDS.index("total"))
    total = new_sales = 0
    first = last = None
    try:
        for start in range(0, len(plan.sales), si.BATCH):
            sale_rows = price(plan.sales[start : start + si.BATCH], nothing, nothing, nothing)[0]
            for i in range(0, len(sale_rows), width):
                when = sale_rows[i + at_time]
                first = when if first is None or when < first else first
                last = when if last is None or when > last else last
                if sale_rows[i + at_receipt] not in existing:
                    new_sales += 1
                    total += sale_rows[i + at_total]
    except _GiveUp:
        return None
    return si.ImportPreview(
        format="canonical",
        filename=raw.filename,
        rows=plan.rows,
        sales=len(plan.sales),
        lines=sum(len(s[6]) for s in plan.sales),
        new_sales=new_sales,
        already_in_ledger=len(plan.sales) - new_sales,
        refunds=0,
        total=total,
        currency=store.currency,
        first=dt.datetime.fromisoformat(first) if first else None,
        last=dt.datetime.fromisoformat(last) if last else None,
        errors=[],
        already_imported=SaleImport.select().where(SaleImport.sha256 == raw.sha256).exists(),
    )


def import_canonical(actor: Staff, store: Store, raw: RawFile, progress, cancel):
    """Import ``raw``: None when the exact path must read it (nothing written then). Raises what
    ``import_file`` raises for a clean file."""
    from desk.services import sales_import as si

    plan = _checked_plan(store, raw)
    if plan is None:
        return None
    try:
        return si.guarded(raw.filename, raw.sha256, lambda: _write(actor, store, raw, plan, progress, cancel))
    except _GiveUp:  # a sale priced as it was written: rolled back with all the rest
        return None


class _Plan:
    """What the file says, grouped by sale and checked as far as the write needs it before any
    sale is priced: per sale (receipt, timestamp as the file writes it, till, cashier, order
    discount, customer (name, email, phone) or None, lines in the order of their numbers,
    tenders), in the order of its first line row; each line (line_no, its quantity and line
    discount as the file writes them, its product's place in ``products``); each product as
    the lines name it (``PRODUCT``: sku, barcode, description, category, unit price, tax rate
    in thousandths), one tuple for every line that names it alike; each tender as the file
    writes it (method, amount, brand, last4, reference), in the file's order. ``money`` reads
    an amount of the file's currency. ``_pricer`` reads the rest as each sale is priced, while
    the batch before is inserted."""

    __slots__ = ("currency", "rows", "sales", "products", "rates", "include_tax", "money")

    def __init__(self, currency: str, rows: int, sales: list[tuple], products: list[tuple], rates: dict[int, Decimal],
                 include_tax: bool, money):
        self.currency, self.rows, self.sales, self.products, self.rates = currency, rows, sales, products, rates
        self.include_tax, self.money = include_tax, money


def _pricer(plan: _Plan, line_heads: list, till_of: dict, customer_of: dict, when):
    """``price(sales, sale_ids, uuids, line_uuids)``: the rows of a batch of ``plan``'s sales
    priced with the ledger's rule, each table's values one after another in one list, as
    ``_Inserts`` takes them: (sales as ``SALE_FIELDS``, lines as ``line_heads`` makes them
    (after a line's uuid and sale, ``line_heads[k]`` stands for its product k, then the line's
    own numbers), tenders as ``TENDER_FIELDS``). ``uuids`` gives each sale's uuid and then its
    tenders', ``line_uuids`` each line's; ``till_of`` and ``customer_of`` the ids of the tills
    and customers as the plan names them; ``when`` the sale's time as the driver binds it, from
    its UTC text. Raises _GiveUp for a sale the exact path must read."""
    products, include_tax, money = plan.products, plan.include_tax, plan.money
    counts, methods = _COUNTS, _METHODS
    offsets: dict[str, dt.timedelta] = {}
    # the file's date, hour and offset ('2026-06-01T09+01:00') -> the UTC date and hour the
    # ledger stores ('2026-06-01 08'), for offsets of whole hours: the minutes and seconds stay
    hours: dict[str, str] = {}
    stamp_shape = _STAMP.fullmatch
    whole_hour = dt.timedelta(hours=1)

    def stamp_of(raw: str) -> str:
        """'2026-06-01T09:30:15+01:00' -> '2026-06-01 08:30:15', the text of the UTC datetime
        as SQLite's driver writes it."""
        if stamp_shape(raw) is None or raw[14:16] > "59" or raw[17:19] > "59":
            raise _GiveUp
        key = raw[:13] + raw[19:]  # the shape: 19 characters of local time, then Z or the offset
        head = hours.get(key)
        if head is not None:
            return head + raw[13:19]
        if not ("1900" <= raw[:4] <= "9998"):
            raise _GiveUp
        zone = raw[19:]
        try:
            delta = offsets.get(zone)
            if delta is None:
                delta = offsets[zone] = dt.datetime.fromisoformat("2000-01-01T00:00:00" + zone).utcoffset()
            value = (dt.datetime.fromisoformat(raw[:19]) - delta).isoformat(" ")  # str() of the datetime
        except ValueError:  # no such day, time or offset
            raise _GiveUp from None
        if not delta % whole_hour and len(hours) < 10_000:
            hours[key] = value[:13]
        return value

    def read_tender(raw: tuple) -> tuple:
        method, raw_amount, brand, last4, reference = raw
        method = methods.get(method) or methods.get(method.lower())
        if method is None:
            raise _GiveUp
        amount = money(raw_amount)
        brand = brand[:MAX_BRAND]
        if last4:
            last4 = last4.replace(" ", "").replace("-", "")
            if not (len(last4) == 4 and last4.isdigit() and last4.isascii()):
                raise _GiveUp
        if (len(reference) > MAX_REF or brand != brand.strip() or reference != reference.strip()
                or (len(reference) >= 13 and (looks_like_card_number(reference)
                                              or sales_service._looks_like_card_number(reference)))
                or (len(brand) >= 13 and sales_service._looks_like_card_number(brand))):
            raise _GiveUp
        return method, amount, brand, last4, reference

    def price(sales: list[tuple], sale_ids, uuids, line_uuids) -> tuple[list, list, list]:
        try:
            return priced(sales, sale_ids, uuids, line_uuids)
        except (_Unusual, ValueError, OverflowError) as exc:  # a number the exact reader reads or reports
            raise _GiveUp from exc

    def priced(sales, sale_ids, uuids, line_uuids) -> tuple[list, list, list]:
        sale_rows: list = []
        line_rows: list = []
        tender_rows: list = []
        add_sale, add_line, add_tender = sale_rows.extend, line_rows.extend, tender_rows.extend
        next_uuid, next_line_uuid = uuids.__next__, line_uuids.__next__
        for sale_id, (receipt, stamp, till, cashier, order_discount, customer, rows, raw_tenders) in zip(sale_ids, sales):
            subtotal = line_discounts = 0
            lines, grosses = [], []
            for n, raw_qty, raw_disc, k in rows:
                quantity = counts.get(raw_qty) or _fast_int(raw_qty)
                value = quantity * products[k][4]
                line_discount = money(raw_disc) if raw_disc else 0
                if line_discount > value:
                    raise _GiveUp
                subtotal += value
                line_discounts += line_discount
                grosses.append(value - line_discount)
                lines.append((n, quantity, line_discount, k))
            tenders = [read_tender(t) for t in raw_tenders]
            if subtotal > MAX_SALE_VALUE or order_discount > subtotal - line_discounts:
                raise _GiveUp
            sold_at = stamp_of(stamp)
            # price_sale's rule: the order discount by largest remainder, then the tax as charged
            shares = allocate(order_discount, grosses) if order_discount else None
            tax_total = total = 0
            for i, (n, quantity, line_discount, k) in enumerate(lines):
                share = shares[i] if shares else 0
                paid, tax = paid_and_tax(grosses[i] - share, products[k][5], include_tax)
                tax_total += tax
                total += paid
                add_line((next_line_uuid(), sale_id, *line_heads[k], n, quantity, line_discount, share, paid, tax))
            paid_in = 0
            for tender in tenders:
                paid_in += tender[1]
            if paid_in != total:
                raise _GiveUp
            add_sale((sale_id, next_uuid(), till_of[till], receipt, when(sold_at), customer_of[customer], cashier,
                      subtotal, line_discounts + order_discount, tax_total, total, receipt))  # SALE_FIELDS
            seq = 0
            for tender in tenders:
                seq += 1
                add_tender((next_uuid(), sale_id, seq, *tender))  # TENDER_FIELDS
        return sale_rows, line_rows, tender_rows

    return price


def _read(text: str, include_tax: bool) -> _Plan:
    reader = csv.reader(text_lines(text), strict=True)
    try:
        header = header_row(reader)
    except StopIteration:
        raise _GiveUp from None
    if any(c not in header for c in REQUIRED_LINE_COLUMNS) or len(set(header)) != len(header):
        raise _GiveUp
    width = len(header)
    missing = width  # a column the file lacks reads as the '' appended to each row that needs it

    def at(name: str) -> int:
        return header.index(name) if name in header else missing

    (i_record, i_receipt, i_ts, i_till, i_cashier, i_line, i_sku, i_barcode, i_desc, i_cat, i_qty, i_price, i_disc, i_rate,
     i_currency, i_od, i_name, i_email, i_phone, i_method, i_amount, i_brand, i_last4, i_ref) = map(at, (
        "record", "receipt", "timestamp", "till", "cashier", "line", "sku", "barcode", "description", "category",
        "quantity", "unit_price", "line_discount", "tax_rate", "currency", "order_discount", "customer_name",
        "customer_email", "customer_phone", "method", "amount", "card_brand", "card_last4", "reference"))
    pad = [""] if max(i_ts, i_till, i_cashier, i_sku, i_barcode, i_cat, i_disc, i_od, i_name, i_email, i_phone, i_method, i_amount,
                      i_brand, i_last4, i_ref) == missing else None
    # receipt -> [the sale's own values (from its first line row), its lines, its tenders]: sales
    # in the order of their first line row, as the exact reader keeps them. Each row is checked
    # as it is read and kept as numbers and shared texts, not as the file's text.
    pick_sale = operator.itemgetter(i_ts, i_till, i_cashier, i_od, i_name, i_email, i_phone)
    pick_line = operator.itemgetter(i_line, i_qty, i_disc, i_ts, i_od)
    pick_product = operator.itemgetter(i_sku, i_barcode, i_desc, i_cat, i_price, i_rate)
    pick_tender = operator.itemgetter(i_method, i_amount, i_brand, i_last4, i_ref)
    receipts: dict[str, list] = {}
    currency = currency_text = None
    places = 0
    amounts: dict[str, int] = {}  # '12.50' -> 1250: prices repeat from line to line
    rates: dict[str, int] = {}  # the file's tax rate text -> thousandths of a percent
    rate_of: dict[int, Decimal] = {}  # thousandths -> the rate as the exact reader reads it
    texts: dict[str, str] = {}  # one object for each distinct SKU, barcode, description and category
    shared = texts.setdefault
    # the file's product values (PRODUCT, as text) -> their place in ``products``, checked once:
    # a shop's lines name the same products again and again
    product_at: dict[tuple, int] = {}
    products: list[tuple] = []
    counts = _COUNTS
    n_rows = 0

    def money(raw: str) -> int:
        value = amounts.get(raw)
        if value is None:
            value = _fast_money(raw, places)
            if len(amounts) < 10_000:
                amounts[raw] = value
        return value

    def rate(raw: str) -> int:
        errors: list[RowError] = []
        value = parse_tax_rate(Fields(0, {}, errors), "tax_rate", raw) if raw and raw == raw.strip() else None
        if value is None or errors:
            raise _GiveUp
        th = sales_service._tax_rate_and_int(1, value)[1]
        rate_of.setdefault(th, value)
        if len(rates) < 1000:
            rates[raw] = th
        return th

    def product(raw: tuple) -> int:
        sku, barcode, description, category, raw_price, raw_rate = raw
        unit_price = money(raw_price)
        th = rates.get(raw_rate)
        if th is None:
            th = rate(raw_rate)
        if (not description or len(sku) > MAX_SKU or len(barcode) > MAX_BARCODE or len(category) > MAX_CATEGORY
                or unit_price >= MAX_UNIT_PRICE or description != description.strip() or sku != sku.strip()
                or barcode != barcode.strip() or category != category.strip()):
            raise _GiveUp
        k = len(products)
        products.append((shared(sku, sku), shared(barcode, barcode), shared(description, description),
                         shared(category, category), unit_price, th))
        if k < MAX_PRODUCTS:
            product_at[raw] = k
        return k

    for values in reader:
        if not values:
            continue
        if len(values) != width:
            raise _GiveUp
        if pad is not None:
            values += pad
        n_rows += 1
        kind = values[i_record]
        if kind != "line" and kind != "tender":
            kind = kind.lower() if kind.isascii() else ""
        if kind == "line":
            text = values[i_currency]
            if text is not currency_text and text != currency_text:  # one currency, in any case
                if currency is None:
                    currency = text.upper()
                    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
                        raise _GiveUp
                    places = exponent(currency)
                elif text.upper() != currency:
                    raise _GiveUp
                currency_text = text
            raw_line, raw_qty, raw_disc, ts, od = pick_line(values)
            raw = pick_product(values)
            k = product_at.get(raw)
            if k is None:
                k = product(raw)
            line_no = counts.get(raw_line) or _fast_int(raw_line)
            receipt = values[i_receipt]
            entry = receipts.get(receipt)
            if entry is None:
                entry = receipts[receipt] = [pick_sale(values), [], []]
            elif (ts and ts != entry[0][0]) or od:  # a sale's later rows: its timestamp or none, no order discount
                raise _GiveUp
            entry[1].append((line_no, raw_qty, raw_disc, k))  # the numbers are read as the sale is priced
        elif kind == "tender":
            entry = receipts.get(values[i_receipt])
            if entry is None or i_method == missing:  # a tender before its receipt's lines: the exact reader decides
                raise _GiveUp
            entry[2].append(pick_tender(values))  # read as the sale is priced
        else:
            raise _GiveUp
    if not receipts:
        raise _GiveUp

    # each sale's own values checked: what the write matches or creates before any sale is priced
    sales: list[tuple] = []
    add_sale = sales.append
    for receipt, entry in receipts.items():
        (stamp, till, cashier, raw_od, name, email, phone), lines, tenders = entry
        if not receipt or len(receipt) > MAX_RECEIPT or receipt != receipt.strip():
            raise _GiveUp
        cashier = cashier[:MAX_CASHIER]
        if len(till) > MAX_TILL or till != till.strip() or cashier != cashier.strip():
            raise _GiveUp
        n = 0
        for line in lines:
            n += 1
            if line[0] != n:  # not written 1, 2, 3 ...: sorted by number, which must then be 1 to n once each
                lines = sorted(lines, key=_BY_NUMBER)
                if [line[0] for line in lines] != list(range(1, len(lines) + 1)):
                    raise _GiveUp
                break
        name = name[:MAX_CUSTOMER_NAME]
        customer = None
        if name or email or phone:
            if (len(email) > MAX_EMAIL or len(phone) > MAX_PHONE or (email and not valid_email(email))
                    or name != name.strip() or email != email.strip() or phone != phone.strip()):
                raise _GiveUp
            customer = (name, email, phone)
        add_sale((receipt, stamp, till, cashier, money(raw_od) if raw_od else 0, customer, lines, tenders))
    receipts.clear()
    return _Plan(currency, n_rows, sales, products, rate_of, include_tax, money)


def _uuid_base(start: int) -> int:
    """The last 16 hex digits of a run's first uuid (``sales.uuid7_run``: the variant bits, then
    ``start``) as the signed 64-bit integer SQLite binds: ``printf('%016x', base + k)`` writes the
    same digits as ``sales.uuid_hexes`` for the run's row ``k``."""
    return ((0b10 << 62) | start) - (1 << 64)


class _Inserts:
    """Each batch's rows inserted while the next batch is priced and built.

    On SQLite the inserts run on a thread of their own, on the import's connection and in its
    transaction: SQLite lets go of the GIL while it inserts, so on two cores the pricing and
    building of one batch overlaps the inserts of the one before. Each table's rows go in
    multi-row INSERTs (``sales.insert_values``), which bind thousands of values at once:
    ``executemany`` would take the GIL back for every row and wait for it each time. Lines and
    tenders, whose number varies from batch to batch, go ``LEAF_ROWS`` rows a statement, the
    rest held for the next batch, so that every statement but the last is one SQLite has
    already prepared (preparing a statement of a thousand rows costs three times what
    running it does). The sales go first, whole, before the lines and tenders that point to
    them. Lines given as ``COMPACT_LINE`` take their product's columns by a join in SQL and
    their uuids from SQL's ``printf`` (``_lines_sql``): the driver holds the GIL while it binds
    a statement's values, and a line bound as 9 integers instead of 17 values (6 of them texts)
    leaves the pricing beside it faster. While
    the thread runs, the interpreter hands the GIL over every half millisecond instead of
    every five, so that the thread waits little for it between statements.

    Only one thread uses the connection at a time: ``put`` first waits for the batch before,
    and so do ``finish`` and ``close``. On PostgreSQL (``threaded`` False) each batch is
    inserted at once, in the calling thread."""

    LEAF_ROWS = 1024
    SWITCH_INTERVAL = 0.0005  # seconds

    def __init__(self, cursor, threaded: bool):
        self._cursor = cursor
        self._held: dict = {}  # a table's values not inserted yet, and what its rows share
        self._pool = None
        if threaded:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-import-write")
            self._interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._interval, self.SWITCH_INTERVAL))
        self._pending = None

    def put(self, tables: list[tuple]) -> None:
        """Insert ``tables`` ((model, field names, their rows' values one after another, whether
        to insert them all now, the values every row shares), in order) once the batch before
        is written."""
        self._wait()
        if self._pool is None:
            self._insert(tables)
        else:
            self._pending = self._pool.submit(self._insert, tables)

    def finish(self) -> None:
        """Insert what is held and wait for it: raises what any batch raised."""
        self._wait()  # the batch before may still hold rows back
        self.put([(model, fields, [], True, shared) for (model, fields), (_, shared) in self._held.items()])
        self._wait()

    def close(self) -> None:
        """Wait for the batch being written (its error is not raised here: ``finish`` raises
        it), then end the thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
            sys.setswitchinterval(self._interval)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _insert(self, tables: list[tuple]) -> None:
        for model, fields, values, whole, shared in tables:
            held, _ = self._held.pop((model, fields), (None, None))
            if held:
                values = held + values
            cut = len(values)
            if not whole:
                cut -= cut % (self.LEAF_ROWS * len(fields))
                if cut < len(values):
                    self._held[model, fields] = (values[cut:], shared)
            part = values[:cut] if cut < len(values) else values
            if fields is COMPACT_LINE:
                step = self.LEAF_ROWS * len(fields)
                with __exception_wrapper__:  # the driver's errors as peewee's (IntegrityError ...)
                    for i in range(0, len(part), step):
                        chunk = part[i : i + step]
                        self._cursor.execute(_lines_sql(len(chunk) // len(fields)), [*shared.values(), *chunk])
            else:
                sales_service.insert_values(model, list(fields), part, self._cursor, rows=None if whole else self.LEAF_ROWS,
                                            shared=shared)


def _write(actor: Staff, store: Store, raw: RawFile, plan: _Plan, progress, cancel):
    from desk.services import sales_import as si

    if SaleImport.select().where(SaleImport.sha256 == raw.sha256).exists():
        return si._nothing("canonical")
    existing = si._existing_receipts([s[0] for s in plan.sales], store)
    new = [s for s in plan.sales if s[0] not in existing] if existing else plan.sales
    total_new = len(new)
    if progress:
        progress(0, total_new)
    convention = bool(store.__data__["prices_include_tax"])

    # products: each (SKU, barcode) where the new sales first meet it
    first: dict[tuple[str, str], tuple[FeedProduct, bool]] = {}
    rate_of, products = plan.rates, plan.products
    seen = bytearray(len(products))
    for s in new:
        for line in s[6]:
            k = line[3]
            if not seen[k]:
                seen[k] = 1
                sku, barcode, description, category, unit_price, th = products[k]
                if (sku, barcode) not in first and (sku or barcode):
                    first[sku, barcode] = (FeedProduct(sku, barcode, description, category, unit_price, rate_of[th]), convention)
    product_of, products_created = si.product_ids(first, store)
    product_of[("", "")] = None
    # each product as a line writes it: its id, then its values (LINE_FIELDS)
    heads = [(product_of[p[0], p[1]],) + p if seen[k] else None for k, p in enumerate(products)]
    # customers: each one as the new sales first meet it
    met = list(dict.fromkeys(s[5] for s in new if s[5] is not None))
    ids, customers_created = si.customer_ids([FeedCustomer(name or email or phone, email or None, phone or None)
                                              for name, email, phone in met])
    customer_of = dict(zip(met, ids))
    customer_of[None] = None
    # tills, as the new sales first meet them
    tills: dict = {}
    till_of: dict[str, int | None] = {"": None}
    for s in new:
        if s[2] not in till_of:
            till_of[s[2]] = sales_service._till(store, s[2], tills).id
    sale_ids = sales_service.new_ids(Sale, total_new)
    # the time as the driver binds it: SQLite's text as _read made it, PostgreSQL a datetime
    when = dt.datetime.fromisoformat if is_postgres() else str
    now = sales_service.stored_time(clock.utcnow())
    store_id, currency = store.id, store.currency
    # one run of uuids for the import: the lines' first, in the order they are written, then the
    # sales' and tenders' as each batch is built
    all_lines = sum(len(s[6]) for s in new)
    prefix, first_uuid = sales_service.uuid7_run(all_lines + total_new + sum(len(s[7]) for s in new))
    next_uuid = first_uuid + all_lines
    n_lines = 0
    batch = si.BATCH
    cursor = database.cursor()
    # SQLite: each line bound as COMPACT_LINE, its product's place standing for its columns,
    # which are joined in SQL (_lines_sql); PostgreSQL: each line whole (LINE_FIELDS), for COPY
    compact = not is_postgres()
    line_fields = COMPACT_LINE if compact else LINE_FIELDS
    line_heads = [(k,) for k in range(len(heads))] if compact else heads
    if compact:
        database.execute_sql(f"DROP TABLE IF EXISTS {_PRODUCTS_TABLE}")
        names = ", ".join(f'"{n}"' for n in ["product", *PRODUCT])  # as heads gives them
        database.execute_sql(f'CREATE TEMP TABLE {_PRODUCTS_TABLE} ("product_k" INTEGER PRIMARY KEY, {names})')
        cursor.executemany(f"INSERT INTO {_PRODUCTS_TABLE} VALUES ({', '.join(['?'] * (len(PRODUCT) + 2))})",
                           [(k, *h) for k, h in enumerate(heads) if h is not None])
    shared = {"created_at": now}
    sale_shared = {**shared, "store": store_id, "currency": currency, "source": "canonical"}
    # _lines_sql's: the creation time, the run's prefix and its first uuid's last digits
    line_shared = {**shared, "uuid_prefix": prefix, "uuid_base": _uuid_base(first_uuid)} if compact else shared
    price = _pricer(plan, line_heads, till_of, customer_of, when)
    inserts = _Inserts(cursor, threaded=compact)
    try:
        for start in range(0, total_new, batch):
            if cancel and cancel():
                raise si.ImportCancelled(raw.filename)
            sales = new[start : start + batch]
            batch_lines = sum(len(s[6]) for s in sales)
            batch_uuids = len(sales) + sum(len(s[7]) for s in sales)  # a sale's, then its tenders'
            uuids = iter(sales_service.uuid_hexes(batch_uuids, run=(prefix, next_uuid)))
            next_uuid += batch_uuids
            # SQLite: a line's place in the run, from which _lines_sql writes its uuid
            line_uuids = iter(range(n_lines, n_lines + batch_lines) if compact
                              else sales_service.uuid_hexes(batch_lines, run=(prefix, first_uuid + n_lines)))
            sale_rows, line_rows, tender_rows = price(sales, sale_ids[start : start + batch], uuids, line_uuids)
            n_lines += batch_lines
            inserts.put([(Sale, SALE_FIELDS, sale_rows, True, sale_shared),
                         (SaleLine, line_fields, line_rows, False, line_shared),
                         (Tender, TENDER_FIELDS, tender_rows, False, shared)])
            if progress:
                progress(min(total_new, start + batch), total_new)
        inserts.finish()
    finally:
        inserts.close()
        cursor.close()
        if compact:
            database.execute_sql(f"DROP TABLE IF EXISTS {_PRODUCTS_TABLE}")
    if cancel and cancel():
        raise si.ImportCancelled(raw.filename)
    result = si.ImportResult(
        format="canonical",
        sales_added=total_new,
        sales_skipped=len(plan.sales) - total_new,
        lines_added=n_lines,
        refunds_added=0,
        products_created=products_created,
        customers_created=customers_created,
        already_imported=False,
    )
    return si.record_import(actor, raw.filename, raw.sha256, plan.rows, result)
