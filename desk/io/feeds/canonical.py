"""Desk's own format: CSV or JSON Lines, one row per line item plus one row per tender.

See docs/formats.md for every field.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

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
    CsvRow,
    Feed,
    FeedCustomer,
    FeedProduct,
    FeedSale,
    Fields,
    RowError,
    csv_rows,
    currency_code,
    file_problem,
    header_row,
    looks_like_card_number,
    parse_tax_rate,
    text_lines,
    valid_email,
)
from desk.services.sales import TENDER_METHODS, LineInput, SaleInput, TenderInput

LINE_FIELDS = (
    "record", "receipt", "timestamp", "till", "cashier", "line", "sku", "barcode", "description", "category",
    "quantity", "unit_price", "line_discount", "tax_rate", "currency", "order_discount",
    "customer_name", "customer_email", "customer_phone",
)
TENDER_FIELDS = ("record", "receipt", "method", "amount", "card_brand", "card_last4", "reference")
ALL_FIELDS = tuple(dict.fromkeys(LINE_FIELDS + TENDER_FIELDS))
REQUIRED_COLUMNS = ("record", "receipt")
REQUIRED_LINE_COLUMNS = ("record", "receipt", "timestamp", "line", "description", "quantity", "unit_price", "tax_rate", "currency")


def is_canonical_header(header: list[str]) -> bool:
    names = {h.strip().lower() for h in header}
    return all(c in names for c in REQUIRED_COLUMNS)


def parse_timestamp(f: Fields, column: str) -> dt.datetime | None:
    raw = f.text(column, required=True)
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        f.bad(column, f"'{raw}' is not an ISO 8601 timestamp like 2026-10-03T14:22:05+01:00")
        return None
    if value.tzinfo is None:
        f.bad(column, f"'{raw}' has no UTC offset (write it like 2026-10-03T14:22:05+01:00)")
        return None
    return value


def jsonl_rows(text: str, errors: list[RowError]) -> list[CsvRow]:
    rows: list[CsvRow] = []
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            cut = n == len(lines)
            errors.append(RowError(n, "whole row", f"is not valid JSON ({exc.msg})" + ("; the file looks cut short" if cut else "")))
            continue
        if not isinstance(obj, dict):
            errors.append(RowError(n, "whole row", "is not a JSON object"))
            continue
        values: dict[str, str] = {}
        for key, value in obj.items():
            key = str(key)
            if value is None:
                values[key] = ""
            elif isinstance(value, bool) or isinstance(value, (list, dict)):
                errors.append(RowError(n, key, f"must be a string or a number, not {json.dumps(value)[:40]}"))
                values[key] = ""
            else:
                values[key] = str(value)
        rows.append(CsvRow(n, values))
    if not rows and not errors:
        raise file_problem("has no rows")
    return rows


def parse(text: str, *, jsonl: bool) -> Feed:
    if not jsonl:
        fast = parse_csv_fast(text)
        if fast is not None:
            return fast
    return parse_full(text, jsonl=jsonl)


def parse_full(text: str, *, jsonl: bool) -> Feed:
    """Every row read field by field, every bad one reported (``parse`` tries the fast path first)."""
    errors: list[RowError] = []
    if jsonl:
        rows = jsonl_rows(text, errors)
    else:
        header, rows = csv_rows(text, errors, lower=True)
        missing = [c for c in REQUIRED_LINE_COLUMNS if c not in header]
        if any((r.values.get("record") or "").strip().lower() == "tender" for r in rows):
            missing += [c for c in ("method", "amount") if c not in header]
        if missing:
            raise file_problem(f"its header has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''} (see the canonical format's fields)")
    receipts: dict[str, dict] = {}
    currencies: set[str] = set()
    tenders: list[tuple[CsvRow, Fields]] = []
    for r in rows:
        f = Fields(r.row, r.values, errors)
        kind = f.text("record", required=True).lower()
        receipt = f.text("receipt", required=True, max_len=MAX_RECEIPT)
        if kind == "tender":
            tenders.append((r, f))
            continue
        if kind and kind != "line":
            f.bad("record", f"'{kind}' is not line or tender")
            continue
        entry = receipts.setdefault(receipt, {"lines": [], "tenders": [], "row": r.row})
        entry["lines"].append((r, f))
    currency = None
    sales: list[FeedSale] = []
    # Currency first: every amount needs it.
    for receipt, entry in receipts.items():
        for r, f in entry["lines"]:
            raw = f.text("currency", required=True)
            if raw:
                code = currency_code(f, "currency", raw)
                if code:
                    currencies.add(code)
                    entry.setdefault("currency", code)
    if len(currencies) > 1:
        first_rows = {}
        for receipt, entry in receipts.items():
            for r, f in entry["lines"]:
                code = (r.values.get("currency") or "").strip().upper()
                if code and code not in first_rows:
                    first_rows[code] = r.row
        ordered = sorted(first_rows.items(), key=lambda kv: kv[1])
        for code, row in ordered[1:]:
            errors.append(RowError(row, "currency", f"{code} differs from {ordered[0][0]} on row {ordered[0][1]}: one file, one currency"))
    currency = next(iter(sorted(currencies))) if len(currencies) == 1 else (None if not currencies else sorted(currencies)[0])
    for r, f in tenders:
        receipt = f.values.get("receipt", "").strip()
        if receipt not in receipts:
            if receipt:
                f.bad("receipt", f"tender for receipt '{receipt}' which has no line rows")
            continue
        receipts[receipt]["tenders"].append((r, f))
    for receipt, entry in receipts.items():
        sale = _sale(receipt, entry, currency or entry.get("currency"), errors)
        if sale is not None:
            sales.append(sale)
    return Feed(format="canonical", currency=currency, rows=len(rows), sales=sales, errors=errors)


def _sale(receipt: str, entry: dict, currency: str | None, errors: list[RowError]) -> FeedSale | None:
    ok = True
    parsed = []
    for r, f in entry["lines"]:
        errs = len(errors)
        line_no = f.integer("line", positive=True)
        quantity = f.integer("quantity", positive=True)
        unit_price = f.money("unit_price", currency)
        line_discount = f.money("line_discount", currency, required=False)
        rate_raw = f.text("tax_rate", required=True)
        rate = parse_tax_rate(f, "tax_rate", rate_raw) if rate_raw else None
        description = f.text("description", required=True)
        sku = f.text("sku", max_len=MAX_SKU)
        barcode = f.text("barcode", max_len=MAX_BARCODE)
        category = f.text("category", max_len=MAX_CATEGORY)
        if unit_price is not None and quantity is not None and line_discount is not None and line_discount > unit_price * quantity:
            f.bad("line_discount", "is more than the line's price")
        if len(errors) != errs:
            ok = False
            continue
        parsed.append((line_no, r, f, LineInput(
            description=description, quantity=quantity, unit_price=unit_price, tax_rate=rate,
            line_discount=line_discount or 0, sku=sku, barcode=barcode, category=category,
        )))
    first_r, first = entry["lines"][0]
    errs = len(errors)
    sold_at = parse_timestamp(first, "timestamp")
    till = first.text("till", max_len=MAX_TILL)
    cashier = first.text("cashier", max_len=MAX_CASHIER, truncate=True)
    order_discount = 0
    for r, f in entry["lines"]:
        if f.text("order_discount"):
            if f is not first:
                f.bad("order_discount", "belongs on the receipt's first row only")
            else:
                order_discount = f.money("order_discount", currency) or 0
        ts = f.text("timestamp")
        if f is not first and ts and first.text("timestamp") and ts != first.text("timestamp"):
            f.bad("timestamp", f"'{ts}' differs from the receipt's first row ({first.text('timestamp')})")
    customer = None
    name = first.text("customer_name", max_len=MAX_CUSTOMER_NAME, truncate=True)
    email = first.text("customer_email", max_len=MAX_EMAIL)
    phone = first.text("customer_phone", max_len=MAX_PHONE)
    if email and not valid_email(email):
        first.bad("customer_email", f"'{email}' is not an email address")
    if name or email or phone:
        customer = FeedCustomer(name=name or email or phone, email=email or None, phone=phone or None)
    if len(errors) != errs:
        ok = False
    numbers = sorted(p[0] for p in parsed)
    if ok and numbers != list(range(1, len(numbers) + 1)):
        dupes = sorted({n for n in numbers if numbers.count(n) > 1})
        why = f"line {dupes[0]} appears twice" if dupes else f"has lines {', '.join(map(str, numbers))}: number them 1 to {len(numbers)}"
        errors.append(RowError(first_r.row, "line", f"receipt {receipt} {why}"))
        ok = False
    tenders = []
    for r, f in entry["tenders"]:
        errs = len(errors)
        method = f.text("method", required=True).lower()
        if method and method not in TENDER_METHODS:
            f.bad("method", f"'{method}' is not one of {', '.join(TENDER_METHODS)}")
        amount = f.money("amount", currency, allow_negative=False)
        brand = f.text("card_brand", max_len=MAX_BRAND, truncate=True)
        last4 = f.text("card_last4")
        if last4:
            digits = last4.replace(" ", "").replace("-", "")
            if digits.isdigit() and len(digits) > 4:
                f.bad("card_last4", f"has {len(digits)} digits: give only the last four digits, never a card number (it was not stored)")
            elif not (digits.isdigit() and len(digits) == 4):
                f.bad("card_last4", "must be exactly four digits")
            else:
                last4 = digits
        reference = f.text("reference", max_len=MAX_REF)
        if looks_like_card_number(reference):
            f.bad("reference", "holds what looks like a card number; Desk never stores one (it was not stored)")
        if len(errors) != errs:
            ok = False
            continue
        tenders.append(TenderInput(method=method, amount=amount, card_brand=brand, card_last4=last4, reference=reference))
    if not ok:
        return None
    parsed.sort(key=lambda p: p[0])
    lines = [p[3] for p in parsed]
    products = [
        FeedProduct(sku=l.sku, barcode=l.barcode, description=l.description, category=l.category, unit_price=l.unit_price, tax_rate=l.tax_rate)
        if (l.sku or l.barcode) else None
        for l in lines
    ]
    sale = SaleInput(receipt_no=receipt, sold_at=sold_at, lines=lines, tenders=tenders, order_discount=order_discount,
                     till_code=till, cashier=cashier, source_ref=receipt)
    return FeedSale(sale=sale, row=first_r.row, line_rows=[p[1].row for p in parsed], customer=customer, products=products)


# ----------------------------------------------------------------------------- the fast path
#
# A file of good rows, read straight from the CSV rows by column position with the values
# that repeat (timestamps, tax rates) worked out once. Anything out of the ordinary (a value
# the fast path does not read, or any bad row) sends the whole file to ``parse`` above, which
# reports every problem: the fast path gives the same Feed or none at all.


class _Unusual(Exception):
    pass


_CACHE_LIMIT = 10_000


def _fast_money(raw: str, places: int) -> int:
    """'12.50' -> 1250 for plain amounts only (digits, at most ``places`` decimals)."""
    if raw.isdigit() and raw.isascii():
        return int(raw) * 10**places
    if places and len(raw) > places + 1 and raw[-places - 1] == ".":  # '12.50': all the decimals written
        digits = raw[: -places - 1] + raw[-places:]
        if digits.isdigit() and digits.isascii():
            return int(digits)
    whole, dot, frac = raw.partition(".")
    if dot and whole.isdigit() and whole.isascii() and len(frac) <= places and (frac.isdigit() and frac.isascii() or not frac):
        return int(whole) * 10**places + (int(frac) * 10 ** (places - len(frac)) if frac else 0)
    raise _Unusual


def _fast_int(raw: str) -> int:
    if raw.isdigit() and raw.isascii():
        value = int(raw)
        if value > 0:
            return value
    raise _Unusual


def parse_csv_fast(text: str) -> Feed | None:
    """The Feed ``parse(text, jsonl=False)`` gives for a file with no bad row, or None when the
    file needs the full reading (bad rows, unusual values)."""
    import csv

    from desk.io.feeds.common import exponent

    try:
        return _parse_fast(csv, exponent, text)
    except Exception:  # noqa: BLE001 - anything unusual: the full reading reports it
        return None


def _parse_fast(csv, exponent, text: str) -> Feed | None:
    reader = csv.reader(text_lines(text), strict=True)
    header = header_row(reader)
    if any(c not in header for c in REQUIRED_LINE_COLUMNS) or len(set(header)) != len(header):
        return None
    width = len(header)
    col = {name: i for i, name in enumerate(header)}
    missing = width  # index of an always-empty value appended to every row
    ix = {name: col.get(name, missing) for name in ALL_FIELDS}
    i_record, i_receipt = ix["record"], ix["receipt"]
    receipts: dict[str, list] = {}  # receipt -> [first row, lines [(row, values)], tenders [values]]
    n_rows = 0
    start = reader.line_num + 1
    for values in reader:
        if not values:
            start = reader.line_num + 1
            continue
        if len(values) != width:
            return None
        values = list(map(str.strip, values))
        values.append("")
        n_rows += 1
        kind = values[i_record].lower()
        receipt = values[i_receipt]
        if not receipt or len(receipt) > MAX_RECEIPT:
            return None
        if kind == "line":
            entry = receipts.get(receipt)
            if entry is None:
                entry = receipts[receipt] = [start, [], []]
            entry[1].append((start, values))
        elif kind == "tender":
            entry = receipts.get(receipt)
            if entry is None:  # a tender before its receipt's lines: the full reading decides
                return None
            entry[2].append(values)
        else:
            return None
        start = reader.line_num + 1
    if not n_rows:
        return None
    if ix["method"] == missing and any(entry[2] for entry in receipts.values()):
        return None
    i_currency = ix["currency"]
    currencies = {values[i_currency].upper() for entry in receipts.values() for _, values in entry[1]}
    if len(currencies) != 1:
        return None
    currency = next(iter(currencies))
    if len(currency) != 3 or not (currency.isalpha() and currency.isascii() and currency.isupper()):
        return None
    places = exponent(currency)
    rates: dict[str, Decimal] = {}
    times: dict[str, dt.datetime] = {}
    amounts: dict[str, int] = {}  # '12.50' -> 1250: prices repeat from line to line
    (i_line, i_qty, i_price, i_disc, i_rate, i_desc, i_sku, i_barcode, i_cat, i_ts, i_till, i_cashier, i_order,
     i_name, i_email, i_phone, i_method, i_amount, i_brand, i_last4, i_ref) = (
        ix[c] for c in ("line", "quantity", "unit_price", "line_discount", "tax_rate", "description", "sku", "barcode",
                        "category", "timestamp", "till", "cashier", "order_discount", "customer_name",
                        "customer_email", "customer_phone", "method", "amount", "card_brand", "card_last4", "reference"))
    sales: list[FeedSale] = []
    # Positional arguments below (keywords cost as much again per object): LineInput(description,
    # quantity, unit_price, tax_rate, line_discount, sku, barcode, category), FeedProduct(sku,
    # barcode, description, category, unit_price, tax_rate), TenderInput(method, amount, card_brand,
    # card_last4, reference), SaleInput(receipt_no, sold_at, lines, tenders, order_discount,
    # till_code, cashier, customer_id, source_ref), FeedSale(sale, row, line_rows, customer, products).
    for receipt, (first_row, line_rows, tender_rows) in receipts.items():
        first = line_rows[0][1]
        stamp = first[i_ts]
        ordered = line_rows
        n = 0
        for _, v in line_rows:
            n += 1
            if v[i_line] != str(n):  # not written 1, 2, 3 ... in order: sorted by number (checked below)
                ordered = sorted(line_rows, key=lambda rv: _fast_int(rv[1][i_line]))
                break
        lines = []
        products = []
        rows = []
        n = 0
        for row, v in ordered:
            n += 1
            raw = v[i_line]
            if raw != str(n) and _fast_int(raw) != n:  # lines numbered 1 to n once each ("01" is 1)
                return None
            raw = v[i_qty]
            quantity = int(raw) if raw.isdigit() and raw.isascii() else 0
            if quantity <= 0:
                return None
            raw = v[i_price]
            unit_price = amounts.get(raw)
            if unit_price is None:
                unit_price = _fast_money(raw, places)
                if len(amounts) < _CACHE_LIMIT:
                    amounts[raw] = unit_price
            raw = v[i_disc]
            line_discount = _fast_money(raw, places) if raw else 0
            rate_raw = v[i_rate]
            rate = rates.get(rate_raw)
            if rate is None:
                errors: list[RowError] = []
                rate = parse_tax_rate(Fields(row, {}, errors), "tax_rate", rate_raw) if rate_raw else None
                if rate is None or errors:
                    return None
                if len(rates) < _CACHE_LIMIT:
                    rates[rate_raw] = rate
            description = v[i_desc]
            sku, barcode, category = v[i_sku], v[i_barcode], v[i_cat]
            if (not description or len(sku) > MAX_SKU or len(barcode) > MAX_BARCODE or len(category) > MAX_CATEGORY
                    or line_discount > unit_price * quantity):
                return None
            if v is not first and ((v[i_ts] and v[i_ts] != stamp) or v[i_order]):
                return None
            lines.append(LineInput(description, quantity, unit_price, rate, line_discount, sku, barcode, category))
            products.append(FeedProduct(sku, barcode, description, category, unit_price, rate) if (sku or barcode) else None)
            rows.append(row)
        sold_at = times.get(stamp)
        if sold_at is None:
            if not stamp:
                return None
            # as parse_timestamp reads it; anything it would refuse goes to the full reading
            sold_at = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00") if stamp.endswith("Z") else stamp)
            if sold_at.tzinfo is None:
                return None
            if len(times) < _CACHE_LIMIT:
                times[stamp] = sold_at
        till = first[i_till]
        if len(till) > MAX_TILL:
            return None
        cashier = first[i_cashier][:MAX_CASHIER]
        order_discount = _fast_money(first[i_order], places) if first[i_order] else 0
        name = first[i_name][:MAX_CUSTOMER_NAME]
        email, phone = first[i_email], first[i_phone]
        if name or email or phone:
            if len(email) > MAX_EMAIL or len(phone) > MAX_PHONE or (email and not valid_email(email)):
                return None
            customer = FeedCustomer(name or email or phone, email or None, phone or None)
        else:
            customer = None
        tenders = []
        for v in tender_rows:
            method = v[i_method].lower()
            if method not in TENDER_METHODS:
                return None
            raw = v[i_amount]
            amount = amounts.get(raw)
            if amount is None:
                amount = _fast_money(raw, places)
                if len(amounts) < _CACHE_LIMIT:
                    amounts[raw] = amount
            brand = v[i_brand][:MAX_BRAND]
            last4 = v[i_last4]
            if last4:
                digits = last4.replace(" ", "").replace("-", "")
                if not (digits.isdigit() and len(digits) == 4):
                    return None
                last4 = digits
            reference = v[i_ref]
            if len(reference) > MAX_REF or (reference and looks_like_card_number(reference)):
                return None
            tenders.append(TenderInput(method, amount, brand, last4, reference))
        sale = SaleInput(receipt, sold_at, lines, tenders, order_discount, till, cashier, None, receipt)
        sales.append(FeedSale(sale, first_row, rows, customer, products))
    return Feed(format="canonical", currency=currency, rows=n_rows, sales=sales, errors=[])
