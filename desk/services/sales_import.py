"""Importing the tills' files into the sales ledger.

``preview`` reads and checks a file and says what importing it would do; ``import_file``
imports it in one transaction: every sale, line and tender, the products and customers it
meets, the refunds the tills already made, one ``SaleImport`` row and one audit event. A file
with any bad row, or in another currency than the store's, imports nothing. Sales whose
receipt number is already in the ledger are skipped, so importing a file again, or a file
that overlaps one imported before, changes nothing that is already there.
"""

from __future__ import annotations

import datetime as dt
import gc
import uuid as uuidlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable

import peewee
from peewee import fn

from desk import clock
from desk.errors import DeskError, InvalidInput
from desk.io.pos_feeds import Feed, FeedCustomer, FeedProduct, FeedRefund, FeedSale, RowError, feed_from_raw, read_text
from desk.models import Category, Customer, Product, Sale, SaleImport, SaleLine, Staff, Store, TillRefund, database
from desk.models.db import bulk_write_cache, first_line
from desk.money import from_minor
from desk.services import audit, sales_import_fast
from desk.services.auth import require
from desk.services.customers import search_keys
from desk.services.sales import PricedSale, uuid_hexes, insert_rows, new_ids, price_sale, record_priced_sales
from desk.services.store import require_store

BATCH = 500  # sales per batch: progress is reported and cancel asked between batches
CHUNK = 500  # values per IN (...) query
DOLLAR_CURRENCIES = frozenset({"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN", "BSD", "BBD", "BZD", "BMD", "FJD", "JMD", "LRD", "NAD", "SBD", "SRD", "TTD", "XCD", "BND", "KYD", "GYD", "ZWL"})
MAX_LISTED = 20

# Which column of each format a sale-level problem belongs to.
_COLUMNS = {
    "canonical": {"discount": "order_discount", "tenders": "amount", "total": "amount", "tax": "tax_rate", "lines": "line"},
    "shopify": {"discount": "Discount Amount", "tenders": "Total", "total": "Total", "tax": "Taxes", "lines": "Lineitem quantity"},
    "square": {"discount": "Discounts", "tenders": "Net Sales", "total": "Net Sales", "tax": "Tax", "lines": "Item"},
}


class ImportRefused(DeskError):
    """The file has bad rows: ``errors`` lists every one; nothing was imported."""

    def __init__(self, errors: Iterable[RowError], filename: str = ""):
        self.errors = list(errors)
        self.filename = filename
        n = len(self.errors)
        listed = "\n".join(str(e) for e in self.errors[:MAX_LISTED])
        more = f"\n… and {n - MAX_LISTED} more" if n > MAX_LISTED else ""
        name = filename or "The file"
        super().__init__(f"{name} has {n} bad row{'' if n == 1 else 's'}; nothing was imported. Fix {'it' if n == 1 else 'them'} and import the file again:\n{listed}{more}")


class ImportCancelled(DeskError):
    """The import was cancelled; nothing was imported."""

    def __init__(self, filename: str = ""):
        super().__init__(f"Import of {filename or 'the file'} cancelled; nothing was imported.")


@dataclass
class ImportPreview:
    format: str
    filename: str
    rows: int
    sales: int
    lines: int
    new_sales: int
    already_in_ledger: int
    refunds: int
    total: int  # minor units paid in the new sales
    currency: str
    first: dt.datetime | None  # UTC (naive, as the ledger stores it)
    last: dt.datetime | None
    errors: list[RowError]
    already_imported: bool  # this very file (same sha256) was imported before
    not_sales: int = 0  # orders in the file that took no money (Shopify voided), left out


@dataclass
class ImportResult:
    format: str
    sales_added: int
    sales_skipped: int
    lines_added: int
    refunds_added: int
    products_created: int
    customers_created: int
    already_imported: bool


# ---------------------------------------------------------------- checking

def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _convention(fs: FeedSale, store: Store) -> bool:
    return fs.prices_include_tax if fs.prices_include_tax is not None else store.__data__["prices_include_tax"]


def _money(minor: int, currency: str) -> str:
    return str(from_minor(minor, currency))


def check_currency(feed: Feed, store: Store) -> None:
    """Refuse a file in another currency than the store's."""
    if feed.currency and feed.currency != store.currency:
        raise InvalidInput(
            "Currency",
            f"{feed.filename or 'the file'} is in {feed.currency} but this store's ledger is in {store.currency}; nothing was imported",
        )
    if not feed.currency and feed.currency_symbol == "$" and store.currency not in DOLLAR_CURRENCIES:
        raise InvalidInput(
            "Currency",
            f"{feed.filename or 'the file'} has amounts in $ but this store's ledger is in {store.currency}; nothing was imported",
        )


def _price_all(feed: Feed, store: Store, errors: list[RowError]) -> dict[int, PricedSale]:
    """Price every sale as the ledger will and check it against what the file says was paid."""
    cols = _COLUMNS[feed.format]
    priced: dict[int, PricedSale] = {}
    currency = store.currency
    for i, fs in enumerate(feed.sales):
        receipt = fs.sale.receipt_no
        try:
            p = price_sale(fs.sale, _convention(fs, store))
        except InvalidInput as exc:
            column = cols["discount"] if "discount" in exc.field else cols["lines"]
            errors.append(RowError(fs.row, column, f"receipt {receipt}: {exc.field} {exc.why}"))
            continue
        before = len(errors)
        paid = 0
        for t in fs.sale.tenders:
            paid += t.amount
        if fs.expected_total is not None and p.total != fs.expected_total:
            errors.append(RowError(fs.row, cols["total"], f"receipt {receipt}: the lines come to {_money(p.total, currency)} "
                                                         f"but the file says {_money(fs.expected_total, currency)} was paid"))
        elif paid != p.total:
            errors.append(RowError(fs.row, cols["tenders"], f"receipt {receipt}: the tenders add up to {_money(paid, currency)} "
                                                           f"but the lines come to {_money(p.total, currency)}"))
        if fs.expected_tax is not None and abs(p.tax_total - fs.expected_tax) > fs.tax_tolerance:
            errors.append(RowError(fs.row, cols["tax"], f"receipt {receipt}: the tax at the lines' rates is {_money(p.tax_total, currency)} "
                                                       f"but the file says {_money(fs.expected_tax, currency)}"))
        if fs.expected_paid is not None:
            for n, (line, want_paid) in enumerate(zip(p.lines, fs.expected_paid)):
                want_tax = fs.expected_line_tax[n] if fs.expected_line_tax else line.tax_amount
                if line.paid != want_paid or line.tax_amount != want_tax:
                    errors.append(RowError(fs.line_rows[n], cols["total"], f"the line would be stored as {_money(line.paid, currency)} "
                                                                          f"with tax {_money(line.tax_amount, currency)} but the file says "
                                                                          f"{_money(want_paid, currency)} with tax {_money(want_tax, currency)}"))
        if len(errors) == before:
            priced[i] = p
    return priced


@dataclass
class _Line:
    id: int | None
    line_no: int
    sku: str
    description: str
    quantity: int
    paid: int
    refunded_qty: int = 0
    refunded_amount: int = 0


def _ledger_lines(receipts: list[str], store: Store) -> dict[str, list[_Line]]:
    """The ledger's lines of these receipts, with what the tills already refunded on them."""
    out: dict[str, list[_Line]] = {}
    by_id: dict[int, _Line] = {}
    for i in range(0, len(receipts), CHUNK):
        chunk = receipts[i : i + CHUNK]
        query = (
            SaleLine.select(SaleLine.id, SaleLine.line_no, SaleLine.sku, SaleLine.description, SaleLine.quantity, SaleLine.paid, Sale.receipt_no)
            .join(Sale)
            .where((Sale.store == store.id) & (Sale.receipt_no.in_(chunk)))
            .order_by(Sale.receipt_no, SaleLine.line_no)
            .tuples()
        )
        for lid, line_no, sku, desc, qty, paid, receipt in query:
            line = _Line(lid, line_no, sku, desc, qty, paid)
            out.setdefault(receipt, []).append(line)
            by_id[lid] = line
    ids = list(by_id)
    for i in range(0, len(ids), CHUNK):
        query = (
            TillRefund.select(TillRefund.sale_line, fn.SUM(TillRefund.quantity), fn.SUM(TillRefund.amount))
            .where(TillRefund.sale_line.in_(ids[i : i + CHUNK]))
            .group_by(TillRefund.sale_line)
            .tuples()
        )
        for lid, qty, amount in query:
            by_id[lid].refunded_qty = int(qty or 0)
            by_id[lid].refunded_amount = int(amount or 0)
    return out


def _stored_refund_keys(line_ids: list[int], source: str) -> set[tuple[str, int]]:
    keys: set[tuple[str, int]] = set()
    for i in range(0, len(line_ids), CHUNK):
        query = TillRefund.select(TillRefund.source_ref, TillRefund.sale_line).where(
            (TillRefund.source == source) & TillRefund.sale_line.in_(line_ids[i : i + CHUNK])
        ).tuples()
        keys.update((ref, lid) for ref, lid in query)
    return keys


def _find_line(lines: list[_Line], refund: FeedRefund, file_line: tuple[str, str] | None) -> _Line | None:
    """The ledger line a refund is against: its line number when the sale came from the same
    file, else the same SKU, else the same description."""
    sku, desc = file_line if file_line else (refund.sku, refund.description)
    if refund.line_no is not None:
        for line in lines:
            if line.line_no == refund.line_no and (line.sku, line.description) == (sku, desc):
                return line
    for line in lines:
        if sku and line.sku == sku:
            return line
    for line in lines:
        if not sku and line.description == desc:
            return line
    return None


@dataclass
class _RefundPlan:
    rows: list[dict] = field(default_factory=list)  # TillRefund rows to insert (sale_line may be None in a preview)
    count: int = 0


def _plan_refunds(feed: Feed, lines_of: dict[str, list[_Line]], errors: list[RowError], currency: str) -> _RefundPlan:
    """Place every till refund on its line, check it fits, and drop those already stored."""
    plan = _RefundPlan()
    cols = _COLUMNS[feed.format]
    items: list[tuple[FeedRefund, tuple[str, str] | None, int]] = []
    for fs in feed.sales:
        refunds = fs.refunds
        if fs.refunded_total is not None:
            refunds = _refunds_since(fs, lines_of.get(fs.sale.receipt_no) or [], errors, currency)
        for r in refunds:
            if r.line_no and r.line_no <= len(fs.sale.lines) and not r.sku:
                line = fs.sale.lines[r.line_no - 1]
                items.append((r, (line.sku, line.description), r.row or fs.row))
            else:
                items.append((r, None, r.row or fs.row))
    for r in feed.orphan_refunds:
        items.append((r, None, r.row))
    ids = [l.id for ls in lines_of.values() for l in ls if l.id is not None]
    stored = _stored_refund_keys(ids, feed.format) if ids else set()
    for refund, file_line, row in items:
        lines = lines_of.get(refund.receipt_no)
        if not lines:
            errors.append(RowError(row, "Transaction ID" if feed.format == "square" else cols["lines"],
                                   f"refund of {refund.receipt_no}, a sale that is neither in this file nor in the ledger: import the file with the sale first"))
            continue
        line = _find_line(lines, refund, file_line)
        if line is None:
            errors.append(RowError(row, "Item" if feed.format == "square" else cols["lines"],
                                   f"refund of '{refund.description or refund.sku}', which sale {refund.receipt_no} did not sell"))
            continue
        if line.id is not None and (refund.source_ref, line.id) in stored:
            continue  # imported before
        if line.refunded_qty + refund.quantity > line.quantity:
            errors.append(RowError(row, "Qty" if feed.format == "square" else "Refunded Amount",
                                   f"refunds {line.refunded_qty + refund.quantity} of '{line.description}' but sale {refund.receipt_no} sold {line.quantity}"))
            continue
        if line.refunded_amount + refund.amount > line.paid:
            errors.append(RowError(row, "Net Sales" if feed.format == "square" else "Refunded Amount",
                                   f"refunds more than the {line.description!r} line of sale {refund.receipt_no} paid"))
            continue
        line.refunded_qty += refund.quantity
        line.refunded_amount += refund.amount
        plan.count += 1
        plan.rows.append({
            "sale_line": line.id,
            "quantity": refund.quantity,
            "amount": refund.amount,
            "refunded_at": _utc(refund.refunded_at),
            "source": feed.format,
            "source_ref": refund.source_ref,
        })
    return plan


def _refunds_since(fs: FeedSale, lines: list[_Line], errors: list[RowError], currency: str) -> list[FeedRefund]:
    """Shopify's Refunded Amount is what was refunded on the order so far: when the ledger
    already holds some of it (an earlier export), only the rest is new."""
    from desk.io.feeds.common import place_refund
    from desk.io.feeds.shopify import refund_ref

    already = sum(l.refunded_amount for l in lines if l.id is not None)
    if not already:
        if not fs.refunds:
            errors.append(RowError(fs.row, "Refunded Amount", f"order {fs.sale.receipt_no}: {_money(fs.refunded_total, currency)} is not the whole "
                                                             "order nor some units of one line; Shopify's export does not say which items "
                                                             "were refunded: record this refund at the desk instead"))
        return fs.refunds
    if already == fs.refunded_total:
        return []
    if already > fs.refunded_total:
        errors.append(RowError(fs.row, "Refunded Amount", f"order {fs.sale.receipt_no}: {_money(already, currency)} was already refunded, "
                                                         f"more than the {_money(fs.refunded_total, currency)} this file says"))
        return []
    delta = fs.refunded_total - already
    placed = place_refund([(l.quantity, l.paid, l.refunded_qty, l.refunded_amount) for l in lines], delta)
    if placed is None:
        errors.append(RowError(fs.row, "Refunded Amount", f"order {fs.sale.receipt_no}: the {_money(delta, currency)} refunded since the last import "
                                                         "is not the rest of the order nor some units of one line"))
        return []
    return [FeedRefund(line_no=lines[i].line_no, quantity=q, amount=a, refunded_at=fs.sale.sold_at,
                       source_ref=refund_ref(fs.sale.receipt_no, fs.refunded_total), receipt_no=fs.sale.receipt_no,
                       sku=lines[i].sku, description=lines[i].description, row=fs.row)
            for i, q, a in placed]


def _refund_receipts(feed: Feed) -> list[str]:
    receipts = {fs.sale.receipt_no for fs in feed.sales if fs.refunds or fs.refunded_total}
    return sorted(receipts | {r.receipt_no for r in feed.orphan_refunds})


def _existing_receipts(receipts: list[str], store: Store) -> set[str]:
    """Which of ``receipts`` the store's ledger already holds: one prepared query per chunk,
    each receipt a seek in the unique (store, receipt_no) index."""
    found: set[str] = set()
    db = database.obj
    for i in range(0, len(receipts), CHUNK):
        chunk = receipts[i : i + CHUNK]
        sql = (f'SELECT "receipt_no" FROM "sale" WHERE "store_id" = {db.param} '
               f'AND "receipt_no" IN ({", ".join([db.param] * len(chunk))})')
        found.update(r for (r,) in database.execute_sql(sql, [store.id, *chunk]).fetchall())
    return found


def _file_lines(fs: FeedSale, priced: PricedSale | None) -> list[_Line]:
    return [
        _Line(None, n, l.sku, l.description, l.quantity, priced.lines[n - 1].paid if priced else 0)
        for n, l in enumerate(fs.sale.lines, 1)
    ]


# ---------------------------------------------------------------- preview

def preview(path, fmt: str | None = None) -> ImportPreview:
    """Read and check the file at ``path`` and say what importing it would do. Writes nothing.

    Raises InvalidInput for a file that cannot be read at all ("File") or that is in another
    currency than the store's ("Currency"); bad rows are listed in ``errors``.
    """
    store = require_store()
    with _no_gc():
        raw = read_text(path)
        if sales_import_fast.applies(raw, fmt):
            # a clean canonical CSV file: read and priced the lean way, as the import will
            # (None for a file with any bad or unusual row: the exact reader below lists them)
            lean = sales_import_fast.preview_canonical(store, raw)
            if lean is not None:
                return lean
        feed = feed_from_raw(raw, fmt)
    check_currency(feed, store)
    errors = list(feed.errors)
    priced = _price_all(feed, store, errors)
    receipts = [fs.sale.receipt_no for fs in feed.sales]
    existing = _existing_receipts(receipts, store)
    refund_receipts = _refund_receipts(feed)
    lines_of = _ledger_lines(refund_receipts, store) if refund_receipts else {}
    for i, fs in enumerate(feed.sales):
        if fs.sale.receipt_no not in existing and (fs.refunds or fs.refunded_total):
            lines_of[fs.sale.receipt_no] = _file_lines(fs, priced.get(i))
    plan = _plan_refunds(feed, lines_of, errors, store.currency)
    errors.sort(key=lambda e: e.row)
    new = [i for i, fs in enumerate(feed.sales) if fs.sale.receipt_no not in existing]
    times = [_utc(fs.sale.sold_at) for fs in feed.sales]
    return ImportPreview(
        format=feed.format,
        filename=feed.filename,
        rows=feed.rows,
        sales=len(feed.sales),
        lines=sum(len(fs.sale.lines) for fs in feed.sales),
        new_sales=len(new),
        already_in_ledger=len(feed.sales) - len(new),
        refunds=plan.count,
        total=sum(priced[i].total for i in new if i in priced),
        currency=store.currency,
        first=min(times) if times else None,
        last=max(times) if times else None,
        errors=errors,
        already_imported=SaleImport.select().where(SaleImport.sha256 == feed.sha256).exists(),
        not_sales=len(feed.not_sales),
    )


# ---------------------------------------------------------------- import

def _store_pricing(store: Store, prices_include_tax: bool) -> Store:
    """The store as record_sales should price a sale whose file says how prices were shown."""
    if store.prices_include_tax == prices_include_tax:
        return store
    copy = Store(**store.__data__)
    copy.prices_include_tax = prices_include_tax
    return copy


def _shelf_price(p: FeedProduct, file_includes_tax: bool, store: Store) -> int:
    from desk.io.feeds.common import tax_exclusive_to_inclusive, tax_inclusive_to_exclusive

    if file_includes_tax == store.prices_include_tax:
        return p.unit_price
    if store.prices_include_tax:
        return tax_exclusive_to_inclusive(p.unit_price, p.tax_rate)
    return tax_inclusive_to_exclusive(p.unit_price, p.tax_rate)


def _rows_in(sql: str, values: list, *before) -> list[tuple]:
    """Rows of ``sql`` (its one IN list written as ``IN ({})``) for ``values``, ``CHUNK`` at a
    time: plain parameters, so that thousands of values cost a prepared query per chunk and
    not an expression object each."""
    db = database.obj
    out: list[tuple] = []
    for i in range(0, len(values), CHUNK):
        chunk = values[i : i + CHUNK]
        out.extend(database.execute_sql(sql.format(", ".join([db.param] * len(chunk))), [*before, *chunk]).fetchall())
    return out


def _match_products(sales: list[FeedSale], store: Store) -> int:
    """Set each line's product: matched by SKU, then barcode, or created. Returns how many were created."""
    first: dict[tuple[str, str], tuple[FeedProduct, bool]] = {}  # (sku, barcode) -> where first met
    for fs in sales:
        for p in fs.products:
            if p is not None:
                key = (p.sku, p.barcode)
                if key not in first:
                    first[key] = (p, _convention(fs, store))
    product_of, created = product_ids(first, store)
    for fs in sales:
        for line, p in zip(fs.sale.lines, fs.products):
            if p is not None:
                line.product_id = product_of[(p.sku, p.barcode)]
    return created


def product_ids(first: dict[tuple[str, str], tuple[FeedProduct, bool]], store: Store) -> tuple[dict[tuple[str, str], int | None], int]:
    """The product of each (SKU, barcode) met in a file, in the order first met (with the tax
    convention of the sale that met it): matched by SKU, then barcode, or created. Returns
    the products and how many were created."""
    skus = sorted({sku or barcode for sku, barcode in first if sku or barcode})  # a barcode-only line is kept under its barcode as SKU
    barcodes = sorted({barcode for _, barcode in first if barcode})
    by_sku: dict[str, int] = {}
    by_barcode: dict[str, int] = {}
    for pid, sku, barcode in _rows_in('SELECT "id", "sku", "barcode" FROM "product" WHERE "sku" IN ({})', skus):
        by_sku[sku] = pid
        if barcode:
            by_barcode[barcode] = pid
    for pid, sku, barcode in _rows_in('SELECT "id", "sku", "barcode" FROM "product" WHERE "barcode" IN ({})', barcodes):
        by_barcode[barcode] = pid
        by_sku.setdefault(sku, pid)
    categories: dict[str, int] = {}
    new_rows: list[tuple] = []
    for p, convention in first.values():  # in the order the file first meets them
        if (p.sku and p.sku in by_sku) or (p.barcode and p.barcode in by_barcode):
            continue
        sku = p.sku or p.barcode
        if sku in by_sku:
            continue
        category_id = None
        if p.category:
            if p.category not in categories:
                cat = Category.get_or_none(Category.name == p.category) or Category.create(name=p.category)
                categories[p.category] = cat.id
            category_id = categories[p.category]
        new_rows.append((sku, p.barcode or None, (p.description or sku)[:200], category_id,
                         _shelf_price(p, convention, store), p.tax_rate))
        by_sku[sku] = -len(new_rows)  # its place in new_rows until it has an id
        if p.barcode:
            by_barcode[p.barcode] = -len(new_rows)
    created = len(new_rows)
    if new_rows:
        ids = new_ids(Product, len(new_rows))
        now = clock.utcnow()
        insert_rows(Product, ["id", "uuid", "created_at", "sku", "barcode", "name", "category", "price", "tax_rate",
                              "stock_on_hand", "size", "colour", "active"],
                    [(pid, uuid, now, sku, barcode, name, cat, price, Product.tax_rate.db_value(rate),
                      0, "", "", Product.active.db_value(True))
                     for pid, uuid, (sku, barcode, name, cat, price, rate) in zip(ids, uuid_hexes(len(ids)), new_rows)])
        for table in (by_sku, by_barcode):
            for k, v in table.items():
                if v < 0:
                    table[k] = ids[-v - 1]
    product_of: dict[tuple[str, str], int | None] = {}
    for sku, barcode in first:
        pid = by_sku.get(sku) if sku else None
        if pid is None and barcode:
            pid = by_barcode.get(barcode)
        if pid is None:
            pid = by_sku.get(sku or barcode)
        product_of[(sku, barcode)] = pid
    return product_of, created


def _match_customers(sales: list[FeedSale]) -> int:
    """Set each sale's customer: matched by email, then phone (then the till's customer id), or created."""
    owners = [fs for fs in sales if fs.customer is not None]
    ids, created = customer_ids([fs.customer for fs in owners])
    for fs, cid in zip(owners, ids):
        fs.sale.customer_id = cid
    return created


def customer_ids(customers: list[FeedCustomer]) -> tuple[list[int], int]:
    """The customer of each of ``customers`` (the sales' customers in file order): matched by
    email, then phone (then the till's customer id), or created. Returns their ids and how
    many were created."""
    emails = sorted({c.email.lower() for c in customers if c.email})
    phones = sorted({c.phone for c in customers if c.phone})
    by_email: dict[str, int] = {}
    by_phone: dict[str, int] = {}
    # lower(email): the customer_email_lower index; the lowest id first, as one query for all would give
    for cid, email in sorted(_rows_in('SELECT "id", LOWER("email") FROM "customer" WHERE LOWER("email") IN ({})', emails)):
        by_email.setdefault(email, cid)
    for cid, phone in sorted(_rows_in('SELECT "id", "phone" FROM "customer" WHERE "phone" IN ({})', phones)):
        by_phone.setdefault(phone, cid)
    by_key: dict[str, int] = {}
    created = 0
    out: list[int] = [0] * len(customers)
    new_rows: list[tuple[FeedCustomer, list[int]]] = []  # customers to create, with where they are in ``customers``
    new_by_key: dict[str, int] = {}  # key -> index in new_rows
    for at, c in enumerate(customers):
        key = c.key()
        cid = by_key.get(key)
        pending = new_by_key.get(key) if cid is None else None  # created from an earlier sale of this file
        if cid is None and pending is None and c.email:
            cid = by_email.get(c.email.lower())
            if cid is None:
                pending = new_by_key.get("e:" + c.email.lower())
        if cid is None and pending is None and c.phone:
            cid = by_phone.get(c.phone)
            if cid is None:
                pending = new_by_key.get("p:" + c.phone)
        if cid is None and pending is None and c.external_ref and not c.email and not c.phone:
            found = Customer.select(Customer.id).where(Customer.notes.contains(f"[{c.external_ref}]")).order_by(Customer.id).first()
            cid = found.id if found else None
        if cid is None:
            if pending is None:
                pending = len(new_rows)
                new_rows.append((c, []))
                if c.email:
                    new_by_key.setdefault("e:" + c.email.lower(), pending)
                if c.phone:
                    new_by_key.setdefault("p:" + c.phone, pending)
            new_by_key.setdefault(key, pending)
            new_rows[pending][1].append(at)
            continue
        by_key[key] = cid
        out[at] = cid
    if new_rows:
        ids = new_ids(Customer, len(new_rows))
        now = clock.utcnow()
        rows = []
        for cid, uuid, (c, _) in zip(ids, uuid_hexes(len(ids)), new_rows):  # written together: ascending uuids, as sales get
            keys = search_keys(c.name, c.phone)
            rows.append((cid, uuid, now, c.name[:160], c.email, c.phone,
                         f"[{c.external_ref}]" if c.external_ref else "",
                         keys["search_name"], keys["search_last"], keys["search_phone"]))
        insert_rows(Customer, ["id", "uuid", "created_at", "name", "email", "phone", "notes",
                               "search_name", "search_last", "search_phone"], rows)
        for cid, (_, owners) in zip(ids, new_rows):
            for at in owners:
                out[at] = cid
        created = len(new_rows)
    return out, created


@contextmanager
def _no_gc():
    """The cyclic garbage collector paused while a file's rows become objects: they hold no
    cycles, and its passes over the growing heap cost more than the reading itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(
    actor: Staff,
    path,
    fmt: str | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> ImportResult:
    """Import the file at ``path`` into the sales ledger, all of it or nothing.

    Raises NotAllowed, InvalidInput ("File": cannot be read; "Currency": not the store's),
    ImportRefused (bad rows: every one listed) or ImportCancelled. ``progress(done, total)``
    counts sales; ``cancel()`` is asked between batches.
    """
    require(actor, "sales.import")
    with _no_gc():
        return _import_file(actor, path, fmt, progress, cancel)


def _import_file(actor: Staff, path, fmt, progress, cancel) -> ImportResult:
    store = require_store()
    raw = read_text(path)
    if sales_import_fast.applies(raw, fmt):
        # A clean canonical CSV file: read, checked and priced in one lean pass and written
        # in batches. Any row it does not take as it is (a bad row, an unusual value)
        # sends the file down the exact path below, which reports every problem; both store
        # the same ledger.
        result = sales_import_fast.import_canonical(actor, store, raw, progress, cancel)
        if result is not None:
            return result
    feed = feed_from_raw(raw, fmt)
    check_currency(feed, store)
    if SaleImport.select().where(SaleImport.sha256 == feed.sha256).exists():
        return _nothing(feed.format)
    errors = list(feed.errors)
    priced = _price_all(feed, store, errors)
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row), feed.filename)
    return guarded(feed.filename, feed.sha256, lambda: _import(actor, store, feed, progress, cancel, priced), feed.format)


def _nothing(fmt: str) -> ImportResult:
    return ImportResult(fmt, 0, 0, 0, 0, 0, 0, already_imported=True)


def guarded(filename: str, sha256: str, work: Callable[[], ImportResult | None], fmt: str = "canonical") -> ImportResult | None:
    """``work()`` in one write transaction; a clash with another desk's import is said plainly."""
    try:
        with bulk_write_cache(), database.atomic():
            return work()
    except peewee.IntegrityError as exc:
        if SaleImport.select().where(SaleImport.sha256 == sha256).exists():
            return _nothing(fmt)
        if "receipt" in str(exc).lower() or "sale" in str(exc).lower() or "unique" in str(exc).lower():
            raise DeskError(f"{filename} was being imported on another desk at the same moment; nothing was imported here. "
                            "Import it again: what is already in the ledger will be skipped.") from None
        raise DeskError(f"{filename} could not be imported: the database refused it ({first_line(exc)}); nothing was imported.") from None


def _import(actor: Staff, store: Store, feed: Feed, progress, cancel, priced: dict[int, PricedSale] | None = None) -> ImportResult:
    if SaleImport.select().where(SaleImport.sha256 == feed.sha256).exists():
        return _nothing(feed.format)
    receipts = [fs.sale.receipt_no for fs in feed.sales]
    existing = _existing_receipts(receipts, store)
    new_at = [i for i, fs in enumerate(feed.sales) if fs.sale.receipt_no not in existing]
    new = [feed.sales[i] for i in new_at]
    total = len(new)
    if progress:
        progress(0, total)
    products_created = _match_products(new, store)
    customers_created = _match_customers(new)
    done = 0
    tills: dict = {}
    for start in range(0, len(new), BATCH):
        if cancel and cancel():
            raise ImportCancelled(feed.filename)
        batch = new_at[start : start + BATCH]
        i = 0
        while i < len(batch):  # runs of sales priced the same way
            convention = _convention(feed.sales[batch[i]], store)
            j = i
            while j < len(batch) and _convention(feed.sales[batch[j]], store) == convention:
                j += 1
            # priced by _price_all under the same convention: not priced again
            record_priced_sales(_store_pricing(store, convention),
                                [(feed.sales[k].sale, priced.get(k) if priced else None) for k in batch[i:j]],
                                feed.format, batch=BATCH, tills=tills)
            i = j
        done += len(batch)
        if progress:
            progress(done, total)
    if cancel and cancel():
        raise ImportCancelled(feed.filename)
    refund_receipts = _refund_receipts(feed)
    refunds_added = 0
    if refund_receipts:
        errors: list[RowError] = []
        plan = _plan_refunds(feed, _ledger_lines(refund_receipts, store), errors, store.currency)
        if errors:
            raise ImportRefused(sorted(errors, key=lambda e: e.row), feed.filename)
        now = clock.utcnow()
        rows = [{**r, "uuid": uuidlib.uuid4(), "created_at": now} for r in plan.rows]
        for k in range(0, len(rows), 1000):
            TillRefund.insert_many(rows[k : k + 1000]).execute()
        refunds_added = len(rows)
    lines_added = sum(len(fs.sale.lines) for fs in new)
    result = ImportResult(
        format=feed.format,
        sales_added=len(new),
        sales_skipped=len(feed.sales) - len(new),
        lines_added=lines_added,
        refunds_added=refunds_added,
        products_created=products_created,
        customers_created=customers_created,
        already_imported=False,
    )
    return record_import(actor, feed.filename, feed.sha256, feed.rows, result)


def record_import(actor: Staff, filename: str, sha256: str, rows: int, result: ImportResult) -> ImportResult:
    """The import's ``SaleImport`` row and its audit event, in the import's transaction."""
    record = SaleImport.create(
        sha256=sha256,
        filename=filename[:255],
        format=result.format,
        rows=rows,
        sales_added=result.sales_added,
        sales_skipped=result.sales_skipped,
        lines_added=result.lines_added,
        staff_code=actor.code,
        imported_at=clock.utcnow(),
    )
    audit.record(
        "sales.imported",
        actor,
        entity="sale_import",
        entity_uuid=record.uuid,
        details={
            "filename": filename,
            "sha256": sha256,
            "format": result.format,
            "rows": rows,
            "sales_added": result.sales_added,
            "sales_skipped": result.sales_skipped,
            "lines_added": result.lines_added,
            "refunds_added": result.refunds_added,
            "products_created": result.products_created,
            "customers_created": result.customers_created,
        },
        staff_code=actor.code,
    )
    return result
