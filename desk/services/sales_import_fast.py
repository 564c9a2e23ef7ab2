"""The canonical CSV import of a clean file, read in one lean pass and written in batches.

``sales_import.import_file`` tries this first for a canonical CSV file. One pass in Python
reads the rows (``csv``), checks each value as the exact reader's fast path does
(``canonical.parse_csv_fast``: the same money and count readers, tax rates, lengths,
timestamps, tender rules), prices each sale with the ledger's own rule (``sales.price_sale``'s
integer core, ``sales.paid_and_tax``, and ``money.allocate`` for the order discount) and keeps
each sale as plain tuples, not as the exact path's objects. Reading and pricing take no lock.
Only then, in the write transaction, are the receipts already in the ledger skipped, products,
customers and tills matched or created by the exact path's own functions, and the rows written
500 sales at a time with ``sales.insert_rows`` (one prepared INSERT per table on SQLite, one
``COPY`` on PostgreSQL; ids and values as the exact path gives them), so that progress is
reported and cancel asked between batches.

It gives up (returns None, having written nothing) on anything that is not plainly a good row:
a bad value, an unusual one (whitespace at either end of a value, which the exact reader strips;
a timestamp of another shape; a digit that is not ASCII; what might be a card number), a sale
over 30 million units, tenders that do not add up. The caller then reads the file with the
exact reader, which reports every bad row with its row number, column and reason, or imports
the file the slow way. Both store the same ledger: ``tests/services/test_sales_import_fast.py``
imports the same files both ways and compares every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import operator
import re
from decimal import Decimal

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
# a ledger line's columns as the write gives them: what the write adds, the line's product as
# _read keeps it (PRODUCT), then the line's own numbers and what pricing made of them
PRODUCT = ["sku", "barcode", "description", "category", "unit_price", "tax_rate"]
LINE_FIELDS = ["uuid", "created_at", "sale", "product", *PRODUCT, "line_no", "quantity", "line_discount",
               "order_discount_share", "paid", "tax_amount"]


def applies(raw: RawFile) -> bool:
    """Whether this path may try ``raw``: a canonical CSV file (not JSON Lines)."""
    from desk.io.pos_feeds import is_jsonl, raw_format

    if is_jsonl(raw) or "\x00" in raw.text:
        return False
    try:
        return raw_format(raw) == "canonical"
    except InvalidInput:
        return False


class _GiveUp(Exception):
    """Not a file this path takes as it is: the exact path reads it."""


def import_canonical(actor: Staff, store: Store, raw: RawFile, progress, cancel):
    """Import ``raw``: None when the exact path must read it (nothing written then). Raises what
    ``import_file`` raises for a clean file."""
    from desk.services import sales_import as si

    try:
        plan = _read(raw.text, bool(store.__data__["prices_include_tax"]))
    except (_GiveUp, _Unusual, csv.Error, ValueError, OverflowError, InvalidInput):
        return None
    feed = Feed(format="canonical", currency=plan.currency, rows=plan.rows, sales=[], errors=[], filename=raw.filename,
                sha256=raw.sha256)
    si.check_currency(feed, store)
    return si.guarded(raw.filename, raw.sha256, lambda: _write(actor, store, raw, plan, progress, cancel))


class _Plan:
    """What the file says, checked and priced: per sale (receipt, sold_at, till, cashier,
    customer (name, email, phone) or None, subtotal, discount_total, tax_total, total, lines,
    shares or None, paids, taxes, tenders); each line (line_no, quantity, line_discount, its
    product's place in ``products``), with its order discount share, what it paid and its tax
    at the same place in the sale's lists; each product as the lines name it (``PRODUCT``:
    sku, barcode, description, category, unit price, tax rate in thousandths), one tuple for
    every line that names it alike; each tender (method, amount, brand, last4, reference) in
    the file's order."""

    __slots__ = ("currency", "rows", "sales", "products", "rates")

    def __init__(self, currency: str, rows: int, sales: list[tuple], products: list[tuple], rates: dict[int, Decimal]):
        self.currency, self.rows, self.sales, self.products, self.rates = currency, rows, sales, products, rates


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
    methods = {m: m for m in TENDER_METHODS}
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
            quantity = counts.get(raw_qty) or _fast_int(raw_qty)
            if raw_disc:
                line_discount = money(raw_disc)
                if line_discount > quantity * products[k][4]:
                    raise _GiveUp
            else:
                line_discount = 0
            receipt = values[i_receipt]
            entry = receipts.get(receipt)
            if entry is None:
                entry = receipts[receipt] = [pick_sale(values), [], []]
            elif (ts and ts != entry[0][0]) or od:  # a sale's later rows: its timestamp or none, no order discount
                raise _GiveUp
            entry[1].append((line_no, quantity, line_discount, k))
        elif kind == "tender":
            entry = receipts.get(values[i_receipt])
            if entry is None or i_method == missing:  # a tender before its receipt's lines: the exact reader decides
                raise _GiveUp
            method, raw_amount, brand, last4, reference = pick_tender(values)
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
            entry[2].append((method, amount, brand, last4, reference))
        else:
            raise _GiveUp
    if not receipts:
        raise _GiveUp

    times: dict[str, str] = {}  # the file's timestamp -> the UTC time the ledger stores
    offsets: dict[str, dt.timedelta] = {}
    stamp_shape = _STAMP.fullmatch
    sales: list[tuple] = []
    add_sale = sales.append

    def stamp_of(raw: str) -> str:
        if stamp_shape(raw) is None or not ("1900" <= raw[:4] <= "9998"):
            raise _GiveUp
        zone = raw[19:]  # the shape: 19 characters of local time, then Z or the offset
        delta = offsets.get(zone)
        if delta is None:
            delta = offsets[zone] = dt.datetime.fromisoformat("2000-01-01T00:00:00" + zone).utcoffset()
        value = (dt.datetime.fromisoformat(raw[:19]) - delta).isoformat(" ")  # str() of the datetime
        if len(times) < 10_000:
            times[raw] = value
        return value

    for receipt, entry in receipts.items():
        (stamp, till, cashier, raw_od, name, email, phone), lines, tenders = entry
        entry[1] = entry[2] = None  # the sale's rows are let go as it is priced
        if not receipt or len(receipt) > MAX_RECEIPT or receipt != receipt.strip():
            raise _GiveUp
        n = subtotal = line_discounts = 0
        for line in lines:
            n += 1
            if line[0] != n:  # not written 1, 2, 3 ...: sorted by number, which must then be 1 to n once each
                lines = sorted(lines, key=_BY_NUMBER)
                if [line[0] for line in lines] != list(range(1, len(lines) + 1)):
                    raise _GiveUp
                break
        grosses = []
        for _, quantity, line_discount, k in lines:
            value = quantity * products[k][4]
            subtotal += value
            line_discounts += line_discount
            grosses.append(value - line_discount)
        if subtotal > MAX_SALE_VALUE:
            raise _GiveUp
        sold_at = times.get(stamp) or stamp_of(stamp)
        cashier = cashier[:MAX_CASHIER]
        if len(till) > MAX_TILL or till != till.strip() or cashier != cashier.strip():
            raise _GiveUp
        order_discount = money(raw_od) if raw_od else 0
        if order_discount > subtotal - line_discounts:
            raise _GiveUp
        name = name[:MAX_CUSTOMER_NAME]
        customer = None
        if name or email or phone:
            if (len(email) > MAX_EMAIL or len(phone) > MAX_PHONE or (email and not valid_email(email))
                    or name != name.strip() or email != email.strip() or phone != phone.strip()):
                raise _GiveUp
            customer = (name, email, phone)
        # price_sale's rule: the order discount by largest remainder, then the tax as charged
        shares = allocate(order_discount, grosses) if order_discount else None
        tax_total = total = 0
        paids, taxes = [], []
        for i, line in enumerate(lines):
            paid, tax = paid_and_tax(grosses[i] - shares[i] if shares else grosses[i], products[line[3]][5], include_tax)
            tax_total += tax
            total += paid
            paids.append(paid)
            taxes.append(tax)
        paid_in = 0
        for tender in tenders:
            paid_in += tender[1]
        if paid_in != total:
            raise _GiveUp
        add_sale((receipt, sold_at, till, cashier, customer, subtotal, line_discounts + order_discount, tax_total, total,
                  lines, shares, paids, taxes, tenders))
    return _Plan(currency, n_rows, sales, products, rate_of)


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
        for line in s[9]:
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
    met = list(dict.fromkeys(s[4] for s in new if s[4] is not None))
    ids, customers_created = si.customer_ids([FeedCustomer(name or email or phone, email or None, phone or None)
                                              for name, email, phone in met])
    customer_of = dict(zip(met, ids))
    customer_of[None] = None
    tills: dict = {}
    till_of: dict[str, int | None] = {"": None}
    # the time as the driver binds it: SQLite's text as _read made it, PostgreSQL a datetime
    when = dt.datetime.fromisoformat if is_postgres() else str

    now = sales_service.stored_time(clock.utcnow())
    store_id, currency = store.id, store.currency
    n_lines = n_tenders = 0
    batch = si.BATCH
    cursor = database.cursor()
    try:
        for start in range(0, total_new, batch):
            if cancel and cancel():
                raise si.ImportCancelled(raw.filename)
            chunk = new[start : start + batch]
            ids = sales_service.new_ids(Sale, len(chunk))
            uuids = iter(sales_service.uuid_hexes(len(chunk) + sum(len(s[9]) + len(s[13]) for s in chunk)))
            sale_rows, line_rows, tender_rows = [], [], []
            add_line, add_tender = line_rows.append, tender_rows.append
            for sale_id, (receipt, sold_at, till, cashier, customer, subtotal, discounts, tax_total, total, lines, shares,
                          paids, taxes, tenders) in zip(ids, chunk):
                till_id = till_of.get(till, 0)
                if till_id == 0:
                    till_id = till_of[till] = sales_service._till(store, till, tills).id
                sale_rows.append((sale_id, next(uuids), now, store_id, till_id, receipt, when(sold_at), customer_of[customer], cashier,
                                  currency, subtotal, discounts, tax_total, total, "canonical", receipt))
                i = 0
                for n, quantity, line_discount, k in lines:  # LINE_FIELDS
                    add_line((next(uuids), now, sale_id, *heads[k], n, quantity, line_discount, shares[i] if shares else 0,
                              paids[i], taxes[i]))
                    i += 1
                seq = 0
                for tender in tenders:
                    seq += 1
                    add_tender((next(uuids), now, sale_id, seq) + tender)
            sales_service.insert_rows(Sale, sales_service._SALE_FIELDS, sale_rows, cursor)
            sales_service.insert_rows(SaleLine, LINE_FIELDS, line_rows, cursor)
            sales_service.insert_rows(Tender, sales_service._TENDER_FIELDS, tender_rows, cursor)
            n_lines += len(line_rows)
            n_tenders += len(tender_rows)
            if progress:
                progress(min(total_new, start + batch), total_new)
    finally:
        cursor.close()
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
