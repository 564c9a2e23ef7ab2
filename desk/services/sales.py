"""Writing sales into the ledger and reading them back.

``record_sales`` is the one path every source of sales goes through (the demo store, the
tills' files): it works out what each line actually paid (its share of the order discount
by largest remainder, tax as charged), checks the tenders add up, and writes whole sales
in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable

from peewee import __exception_wrapper__

from desk import clock
from desk.errors import InvalidInput
from desk.models import Desk, Sale, SaleLine, Store, Tender, database
from desk.money import allocate, round_half_up

TENDER_METHODS = ("cash", "card", "gift_card", "other")


@dataclass(slots=True)
class LineInput:
    description: str
    quantity: int
    unit_price: int  # minor units, as the store shows prices (tax included or not)
    tax_rate: Decimal  # percent
    line_discount: int = 0
    sku: str = ""
    barcode: str = ""
    category: str = ""
    product_id: int | None = None


@dataclass(slots=True)
class TenderInput:
    method: str
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    reference: str = ""


@dataclass(slots=True)
class SaleInput:
    receipt_no: str
    sold_at: dt.datetime  # aware, or naive UTC
    lines: list[LineInput]
    tenders: list[TenderInput]
    order_discount: int = 0
    till_code: str = ""
    cashier: str = ""
    customer_id: int | None = None
    source_ref: str = ""


@dataclass(slots=True)
class PricedLine:
    gross: int
    order_discount_share: int
    paid: int
    tax_amount: int


@dataclass(slots=True)
class PricedSale:
    lines: list[PricedLine]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int


def paid_and_tax(net: int, thousandths: int, prices_include_tax: bool) -> tuple[int, int]:
    """What a line paid and its tax, from what it costs after its discounts (``net`` >= 0, minor
    units) at a rate in thousandths of a percent: on prices including tax the tax is inside,
    otherwise it is added on top. Exact integer arithmetic, equal to rounding half up in
    Decimal: a quotient of these sizes is never so close to a half that 28 significant digits
    could misplace it."""
    if prices_include_tax:
        d = 100_000 + thousandths
        return net, net - (2 * net * 100_000 + d) // (2 * d)
    tax = (2 * net * thousandths + 100_000) // 200_000
    return net + tax, tax


def price_sale(sale: SaleInput, prices_include_tax: bool) -> PricedSale:
    """What each line paid, tax included, and the sale's totals. Pure: no database."""
    lines = sale.lines
    if not lines:
        raise InvalidInput("lines", f"sale {sale.receipt_no} has no lines")
    grosses = []
    subtotal = 0
    line_discounts = 0
    i = 0
    for line in lines:
        i += 1
        quantity, unit_price, line_discount = line.quantity, line.unit_price, line.line_discount
        if quantity <= 0:
            raise InvalidInput(f"line {i} quantity", f"must be positive, not {quantity}")
        if unit_price < 0 or line_discount < 0:
            raise InvalidInput(f"line {i} price", "must not be negative")
        value = quantity * unit_price
        gross = value - line_discount
        if gross < 0:
            raise InvalidInput(f"line {i} discount", "is more than the line's price")
        grosses.append(gross)
        subtotal += value
        line_discounts += line_discount
    order_discount = sale.order_discount
    if order_discount < 0 or order_discount > sum(grosses):
        raise InvalidInput("order discount", "must be between zero and the sale's value")
    shares = allocate(order_discount, grosses) if order_discount else None
    rates = [_tax_rate_and_int(i, line.tax_rate) for i, line in enumerate(lines, 1)]
    priced = []
    tax_total = 0
    total = 0
    for n, gross in enumerate(grosses):
        share = shares[n] if shares is not None else 0
        net = gross - share
        rate, thousandths = rates[n]
        if type(net) is int and net >= 0:
            paid, tax = paid_and_tax(net, thousandths, prices_include_tax)
        elif prices_include_tax:
            paid = net
            tax = paid - round_half_up(Decimal(paid) * 100 / (100 + rate))
        else:
            tax = round_half_up(Decimal(net) * rate / 100)
            paid = net + tax
        priced.append(PricedLine(gross, share, paid, tax))
        tax_total += tax
        total += paid
    return PricedSale(priced, subtotal, line_discounts + order_discount, tax_total, total)


_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d)*")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _looks_like_card_number(text: str) -> bool:
    """A run of 13 to 19 digits (spaces or dashes between them allowed) that passes the Luhn check."""
    if not text or len(text) < 13:  # too short to hold 13 digits
        return False
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


_RATES: dict[tuple[type, Decimal], tuple[Decimal, int]] = {}  # checked rates: (rate, thousandths of a percent)


def _tax_rate_and_int(i: int, value) -> tuple[Decimal, int]:
    """A tax rate in percent (0 to 100 with at most 3 decimal places, never a float) and the
    same rate in thousandths of a percent, as TaxRateField stores it."""
    key = (type(value), value)
    try:
        known = _RATES.get(key)
    except TypeError:  # unhashable
        known = None
    if known is not None:
        return known
    try:
        rate = Decimal(value) if not isinstance(value, float) else None
    except (InvalidOperation, TypeError, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(Decimal("0.001")):
        raise InvalidInput(f"line {i} tax rate", f"{value!r} is not a percentage from 0 to 100 with at most 3 decimal places")
    known = (rate, int(rate * 1000))
    if type(value) in (Decimal, int, str) and len(_RATES) < 1000:
        _RATES[key] = known
    return known


def _to_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _till(store: Store, code: str, cache: dict[str, Desk]) -> Desk | None:
    if not code:
        return None
    if code not in cache:
        till, _ = Desk.get_or_create(store=store, code=code, defaults={"kind": "till", "name": f"Till {code}"})
        cache[code] = till
    return cache[code]


def _check_tenders(s: SaleInput, priced: PricedSale) -> None:
    """The refusal rules every sale meets before it is written: known tender methods, four-digit
    last fours, no card number anywhere, and tenders that add up to what the lines paid."""
    paid = 0
    for t in s.tenders:
        if t.method not in TENDER_METHODS:
            raise InvalidInput(f"receipt {s.receipt_no} tender", f"'{t.method}' is not one of {', '.join(TENDER_METHODS)}")
        if t.card_last4 and not (len(t.card_last4) == 4 and t.card_last4.isdigit()):
            raise InvalidInput(f"receipt {s.receipt_no} card last four", f"'{t.card_last4}' is not four digits")
        for text, what in ((t.reference, "reference"), (t.card_brand, "brand")):
            if text and _looks_like_card_number(text):
                raise InvalidInput(f"receipt {s.receipt_no} card {what}",
                                   "looks like a full card number; Desk keeps only the brand, last four digits and the processor's reference")
        if type(t.amount) is not int:  # what MoneyField refuses: never a float, Decimal or bool
            raise TypeError(f"money must be integer minor units, got {type(t.amount).__name__}")
        paid += t.amount
    if paid != priced.total:
        raise InvalidInput(f"receipt {s.receipt_no} tenders", f"add up to {paid} but the lines paid {priced.total} (minor units)")


_EPOCH = dt.datetime(1970, 1, 1)


def uuid_hexes(n: int, run: tuple[str, int] | None = None) -> list[str]:
    """``n`` new UUIDs as the 32 hex digits UUIDField stores, made in bulk and in ascending order.

    Version 7 (RFC 9562): the time in milliseconds, then 74 random bits, here a random
    starting point counted up by one for each row (the RFC's "monotonic random"). Rows written
    together get ascending uuids, so each unique uuid index grows at its end instead of at
    a random page per row; two desks still cannot make the same one (a clash needs the same
    millisecond and overlapping runs in 2**74). ``run``: a part of a ``uuid7_run`` to count
    on in, (its prefix, the start plus the rows counted before), instead of a new run."""
    if n <= 0:
        return []
    prefix, start = run or uuid7_run(n)
    value = (0b10 << 62) | start  # the variant bits, then rand_b
    end = value + n
    # the last four hex digits from a table, the twelve before them written once per 65,536:
    # a quarter of the time of formatting each number
    tail = _hex4()
    out: list[str] = []
    while value < end:
        high, low = divmod(value, 0x10000)
        count = min(end - value, 0x10000 - low)
        out += map(f"{prefix}{high:012x}".__add__, tail[low : low + count])
        value += count
    return out


@functools.cache
def _hex4() -> list[str]:
    """'0000' ... 'ffff'."""
    return [f"{v:04x}" for v in range(0x10000)]


def uuid7_run(n: int) -> tuple[str, int]:
    """What ``uuid_hexes(n)`` counts from: the first 16 hex digits (time, version, rand_a) and
    the random start of rand_b (62 bits), so that ``start + n`` still fits. The uuid of row
    ``k`` (0-based) is the prefix, then ``(0b10 << 62 | start + k)`` in 16 hex digits."""
    ms = (clock.utcnow() - _EPOCH) // dt.timedelta(milliseconds=1)
    rand_a = int.from_bytes(os.urandom(2), "big") & 0xFFF
    start = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    if start + n >= 1 << 62:  # keep the count inside rand_b
        start -= n
    return f"{ms & 0xFFFFFFFFFFFF:012x}7{rand_a:03x}", start


def _insert_sql(model, columns: list[str]) -> str:
    db = database.obj
    q = db.quote  # the quote characters, e.g. '""'
    names = ", ".join(f"{q[0]}{c}{q[1]}" for c in columns)
    marks = ", ".join([db.param] * len(columns))
    return f"INSERT INTO {q[0]}{model._meta.table_name}{q[1]} ({names}) VALUES ({marks})"


def _columns(model, names: list[str]) -> list[str]:
    fields = model._meta.fields
    return [fields[n].column_name for n in names]


_SALE_FIELDS = ["id", "uuid", "created_at", "store", "till", "receipt_no", "sold_at", "customer", "cashier", "currency",
                "subtotal", "discount_total", "tax_total", "total", "source", "source_ref"]
_LINE_FIELDS = ["uuid", "created_at", "sale", "line_no", "product", "sku", "barcode", "description", "category", "quantity",
                "unit_price", "line_discount", "order_discount_share", "paid", "tax_rate", "tax_amount"]
_TENDER_FIELDS = ["uuid", "created_at", "sale", "seq", "method", "amount", "card_brand", "card_last4", "reference"]


def stored_time(value: dt.datetime):
    """A naive UTC datetime as the database driver binds it. SQLite's driver writes a datetime
    as its text ``str(value)`` (2026-11-23 13:18:36.818273), converting it again for every row
    it is bound to: the text made once here, for a value that many rows share, is the same
    stored text. PostgreSQL takes the datetime itself."""
    from desk.models.db import is_postgres

    return value if is_postgres() else str(value)


def new_ids(model, n: int) -> list[int]:
    """Ids for ``n`` new rows of ``model``, taken inside the write transaction. SQLite: after
    the largest id (the IMMEDIATE transaction holds the write lock, so no other desk can take
    them; if one did, the insert fails on the primary key and the whole transaction rolls
    back). PostgreSQL: from the table's sequence, in one query."""
    from desk.models.db import is_postgres

    if n <= 0:
        return []
    table, pk = model._meta.table_name, model._meta.primary_key.column_name
    if is_postgres():
        rows = database.execute_sql(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", (table, pk, n)).fetchall()
        return [int(r[0]) for r in rows]
    top = database.execute_sql(f'SELECT MAX("{pk}") FROM "{table}"').fetchone()[0] or 0
    return list(range(top + 1, top + n + 1))


def insert_rows(model, field_names: list[str], rows: list[tuple], cursor=None) -> None:
    """INSERT ``rows`` (tuples of database values, in the order of ``field_names``) into
    ``model``'s table: SQLite with one prepared statement executed for all of them, PostgreSQL
    with one ``COPY`` (a round trip per row costs it more than the rows themselves). Either
    way the table's constraints and triggers apply to every row."""
    from desk.models.db import is_postgres

    if not rows:
        return
    own = cursor is None
    cursor = cursor or database.cursor()
    try:
        with __exception_wrapper__:  # the driver's errors as peewee's (IntegrityError ...)
            if is_postgres():
                _copy_rows(model, field_names, rows, cursor)
            else:
                cursor.executemany(_insert_sql(model, _columns(model, field_names)), rows)
    finally:
        if own:
            cursor.close()


MAX_BOUND = 32_766  # SQLite's limit on the values bound to one statement (SQLITE_MAX_VARIABLE_NUMBER)


def insert_values(model, field_names: list[str], values: list, cursor, rows: int | None = None,
                  shared: dict | None = None) -> None:
    """INSERT rows given one after another in one list (``len(field_names)`` values a row, in
    the order of ``field_names``) into ``model``'s table, each row also given the values of
    ``shared`` (field name -> the value every row takes). SQLite: multi-row INSERTs of ``rows``
    rows, or of as many as its limit on bound values allows; one call binds them all (the shared
    values once a statement), and SQLite lets go of the GIL while it inserts them
    (``executemany`` takes it back for every row). PostgreSQL: one ``COPY``. Either way the
    table's constraints and triggers apply to every row."""
    from desk.models.db import is_postgres

    width = len(field_names)
    if not values:
        return
    shared = shared or {}
    names, first = [*shared, *field_names], tuple(shared.values())
    with __exception_wrapper__:
        if is_postgres():
            _copy_rows(model, names, (first + tuple(values[i : i + width]) for i in range(0, len(values), width)), cursor)
            return
        head, _, _ = _insert_sql(model, _columns(model, names)).rpartition(" VALUES ")
        # ?1 ... for the shared values, written first so that each plain ? counts on after them
        row = "(" + ", ".join([f"?{n}" for n in range(1, len(first) + 1)] + ["?"] * width) + ")"
        step = min(rows or MAX_BOUND, (MAX_BOUND - len(first)) // width) * width
        for i in range(0, len(values), step):
            part = values[i : i + step]
            cursor.execute(f"{head} VALUES {', '.join([row] * (len(part) // width))}", [*first, *part] if first else part)


def _copy_rows(model, field_names: list[str], rows, cursor) -> None:
    columns = ", ".join(f'"{c}"' for c in _columns(model, field_names))
    with cursor.copy(f'COPY "{model._meta.table_name}" ({columns}) FROM STDIN') as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def _write(store: Store, pending: list[tuple[SaleInput, PricedSale]], source: str, tills: dict[str, Desk]) -> None:
    """Write checked, priced sales with their lines and tenders: one prepared INSERT per table,
    executed for many rows at once, values converted as the models' fields convert them."""
    if not pending:
        return
    now = stored_time(clock.utcnow())  # the same for every row: converted once
    ids = new_ids(Sale, len(pending))
    n_lines = n_tenders = 0
    for s, _ in pending:
        n_lines += len(s.lines)
        n_tenders += len(s.tenders)
    uuids = uuid_hexes(len(pending) + n_lines + n_tenders)
    u = 0
    store_id, currency = store.id, store.currency
    sale_rows, line_rows, tender_rows = [], [], []
    add_line, add_tender = line_rows.append, tender_rows.append
    for sale_id, (s, priced) in zip(ids, pending):
        till = _till(store, s.till_code, tills)
        sale_rows.append((sale_id, uuids[u], now, store_id, till.id if till else None, s.receipt_no, _to_utc(s.sold_at),
                          s.customer_id, s.cashier, currency, priced.subtotal, priced.discount_total, priced.tax_total,
                          priced.total, source, s.source_ref))
        u += 1
        n = 0
        for line, p in zip(s.lines, priced.lines):
            n += 1
            unit_price, line_discount = line.unit_price, line.line_discount
            if type(unit_price) is not int or type(line_discount) is not int:  # what MoneyField refuses: never a float, Decimal or bool
                bad = unit_price if type(unit_price) is not int else line_discount
                raise TypeError(f"money must be integer minor units, got {type(bad).__name__}")
            add_line((uuids[u], now, sale_id, n, line.product_id, line.sku, line.barcode, line.description,
                      line.category, line.quantity, unit_price, line_discount, p.order_discount_share,
                      p.paid, _tax_rate_and_int(n, line.tax_rate)[1], p.tax_amount))
            u += 1
        n = 0
        for t in s.tenders:
            n += 1
            add_tender((uuids[u], now, sale_id, n, t.method, t.amount, t.card_brand, t.card_last4, t.reference))
            u += 1
    cursor = database.cursor()
    try:
        insert_rows(Sale, _SALE_FIELDS, sale_rows, cursor)
        insert_rows(SaleLine, _LINE_FIELDS, line_rows, cursor)
        insert_rows(Tender, _TENDER_FIELDS, tender_rows, cursor)
    finally:
        cursor.close()


def check_sale(s: SaleInput, prices_include_tax: bool) -> PricedSale:
    """Price ``s`` and apply the refusal rules: what ``record_sales`` does before writing."""
    priced = price_sale(s, prices_include_tax)
    _check_tenders(s, priced)
    return priced


def record_sales(
    store: Store,
    sales: Iterable[SaleInput],
    source: str,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write sales (lines and tenders) to the ledger. Call inside the caller's transaction.

    Refuses, naming the receipt, a sale whose tenders do not add up to what its lines paid.
    Returns the number of sales written.
    """
    return record_priced_sales(store, ((s, None) for s in sales), source, batch=batch, progress=progress)


def record_priced_sales(
    store: Store,
    sales: Iterable[tuple[SaleInput, PricedSale | None]],
    source: str,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
    tills: dict[str, Desk] | None = None,
) -> int:
    """``record_sales`` for sales the caller has already priced with ``price_sale`` under the
    store's convention (None: price it here). The tender rules are checked all the same.
    ``tills``: the store's tills met so far (code -> Desk), kept between calls in one transaction."""
    if not database.obj.in_transaction():
        raise RuntimeError("record_sales must run inside the caller's transaction")
    tills = {} if tills is None else tills
    written = 0
    pending: list[tuple[SaleInput, PricedSale]] = []
    include = store.prices_include_tax
    for s, priced in sales:
        if priced is None:
            priced = price_sale(s, include)
        _check_tenders(s, priced)
        pending.append((s, priced))
        if len(pending) >= batch:
            _write(store, pending, source, tills)
            written += len(pending)
            pending.clear()
            if progress:
                progress(written)
    if pending:
        _write(store, pending, source, tills)
        written += len(pending)
        if progress:
            progress(written)
    return written


@dataclass
class LedgerFigures:
    sales: int
    first: dt.datetime | None
    last: dt.datetime | None


def ledger_figures() -> LedgerFigures:
    from peewee import fn

    # Queries each answered from an index; one COUNT+MIN+MAX query reads the whole table.
    # Voided sales (an exchange's replacement sale when the exchange was voided) do not count:
    # the few of them are counted through the status index and taken off, and the first and
    # last dates walk the sold_at index to the first sale that is not voided.
    live = Sale.status != "voided"
    count = Sale.select(fn.COUNT(Sale.id)).scalar() - Sale.select(fn.COUNT(Sale.id)).where(Sale.status == "voided").scalar()
    first = Sale.select(Sale.sold_at).where(live).order_by(Sale.sold_at).limit(1).scalar()
    last = Sale.select(Sale.sold_at).where(live).order_by(Sale.sold_at.desc()).limit(1).scalar()
    if isinstance(first, str):  # SQLite aggregates come back as text
        first = dt.datetime.fromisoformat(first)
    if isinstance(last, str):
        last = dt.datetime.fromisoformat(last)
    return LedgerFigures(int(count or 0), first, last)


@dataclass
class DayFigures:
    sales: int
    total: int


def figures_between(start_utc: dt.datetime, end_utc: dt.datetime) -> DayFigures:
    """Sales and takings in [start, end): voided sales left out."""
    from peewee import fn

    row = (
        Sale.select(fn.COUNT(Sale.id), fn.COALESCE(fn.SUM(Sale.total), 0))
        .where((Sale.sold_at >= start_utc) & (Sale.sold_at < end_utc) & (Sale.status != "voided"))
        .tuples()
        .get()
    )
    return DayFigures(int(row[0]), int(row[1]))
