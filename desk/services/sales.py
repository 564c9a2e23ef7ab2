"""Writing sales into the ledger and reading them back.

``record_sales`` is the one path every source of sales goes through (the demo store, the
tills' files): it works out what each line actually paid (its share of the order discount
by largest remainder, tax as charged), checks the tenders add up, and writes whole sales
in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable, Iterable

from desk import clock
from desk.errors import InvalidInput
from desk.models import Desk, Sale, SaleLine, Store, Tender, database
from desk.money import allocate, round_half_up

TENDER_METHODS = ("cash", "card", "gift_card", "other")


@dataclass
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


@dataclass
class TenderInput:
    method: str
    amount: int
    card_brand: str = ""
    card_last4: str = ""
    reference: str = ""


@dataclass
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


@dataclass
class PricedLine:
    gross: int
    order_discount_share: int
    paid: int
    tax_amount: int


@dataclass
class PricedSale:
    lines: list[PricedLine]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int


def price_sale(sale: SaleInput, prices_include_tax: bool) -> PricedSale:
    """What each line paid, tax included, and the sale's totals. Pure: no database."""
    if not sale.lines:
        raise InvalidInput("lines", f"sale {sale.receipt_no} has no lines")
    grosses = []
    for i, line in enumerate(sale.lines, 1):
        if line.quantity <= 0:
            raise InvalidInput(f"line {i} quantity", f"must be positive, not {line.quantity}")
        if line.unit_price < 0 or line.line_discount < 0:
            raise InvalidInput(f"line {i} price", "must not be negative")
        gross = line.quantity * line.unit_price - line.line_discount
        if gross < 0:
            raise InvalidInput(f"line {i} discount", "is more than the line's price")
        grosses.append(gross)
    if sale.order_discount < 0 or sale.order_discount > sum(grosses):
        raise InvalidInput("order discount", "must be between zero and the sale's value")
    shares = allocate(sale.order_discount, grosses)
    priced = []
    rates = [_tax_rate(i, line.tax_rate) for i, line in enumerate(sale.lines, 1)]
    for line, gross, share, rate in zip(sale.lines, grosses, shares, rates):
        net = gross - share
        if prices_include_tax:
            paid = net
            tax = paid - round_half_up(Decimal(paid) * 100 / (100 + rate))
        else:
            tax = round_half_up(Decimal(net) * rate / 100)
            paid = net + tax
        priced.append(PricedLine(gross, share, paid, tax))
    subtotal = sum(l.quantity * l.unit_price for l in sale.lines)
    return PricedSale(
        lines=priced,
        subtotal=subtotal,
        discount_total=sum(l.line_discount for l in sale.lines) + sale.order_discount,
        tax_total=sum(p.tax_amount for p in priced),
        total=sum(p.paid for p in priced),
    )


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
    for match in _DIGIT_RUN.finditer(text or ""):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return True
    return False


def _tax_rate(i: int, value) -> Decimal:
    """A tax rate in percent: 0 to 100 with at most 3 decimal places, never a float."""
    try:
        rate = Decimal(value) if not isinstance(value, float) else None
    except (InvalidOperation, TypeError, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(Decimal("0.001")):
        raise InvalidInput(f"line {i} tax rate", f"{value!r} is not a percentage from 0 to 100 with at most 3 decimal places")
    return rate


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
    if not database.obj.in_transaction():
        raise RuntimeError("record_sales must run inside the caller's transaction")
    tills: dict[str, Desk] = {}
    written = 0
    pending: list[tuple[SaleInput, PricedSale]] = []

    def flush() -> None:
        nonlocal written
        if not pending:
            return
        now = clock.utcnow()
        sale_rows = []
        for s, priced in pending:
            till = _till(store, s.till_code, tills)
            sale_rows.append(
                {
                    "uuid": uuidlib.uuid4(),
                    "created_at": now,
                    "store": store.id,
                    "till": till.id if till else None,
                    "receipt_no": s.receipt_no,
                    "sold_at": _to_utc(s.sold_at),
                    "customer": s.customer_id,
                    "cashier": s.cashier,
                    "currency": store.currency,
                    "subtotal": priced.subtotal,
                    "discount_total": priced.discount_total,
                    "tax_total": priced.tax_total,
                    "total": priced.total,
                    "source": source,
                    "source_ref": s.source_ref,
                }
            )
        returned = Sale.insert_many(sale_rows).returning(Sale.id, Sale.uuid).tuples().execute()
        ids = {str(u): i for i, u in returned}
        line_rows = []
        tender_rows = []
        for row, (s, priced) in zip(sale_rows, pending):
            sale_id = ids[str(row["uuid"])]
            for n, (line, p) in enumerate(zip(s.lines, priced.lines), 1):
                line_rows.append(
                    {
                        "uuid": uuidlib.uuid4(),
                        "created_at": now,
                        "sale": sale_id,
                        "line_no": n,
                        "product": line.product_id,
                        "sku": line.sku,
                        "barcode": line.barcode,
                        "description": line.description,
                        "category": line.category,
                        "quantity": line.quantity,
                        "unit_price": line.unit_price,
                        "line_discount": line.line_discount,
                        "order_discount_share": p.order_discount_share,
                        "paid": p.paid,
                        "tax_rate": line.tax_rate,
                        "tax_amount": p.tax_amount,
                    }
                )
            for n, t in enumerate(s.tenders, 1):
                tender_rows.append(
                    {
                        "uuid": uuidlib.uuid4(),
                        "created_at": now,
                        "sale": sale_id,
                        "seq": n,
                        "method": t.method,
                        "amount": t.amount,
                        "card_brand": t.card_brand,
                        "card_last4": t.card_last4,
                        "reference": t.reference,
                    }
                )
        for i in range(0, len(line_rows), 5000):
            SaleLine.insert_many(line_rows[i : i + 5000]).execute()
        for i in range(0, len(tender_rows), 5000):
            Tender.insert_many(tender_rows[i : i + 5000]).execute()
        written += len(pending)
        pending.clear()
        if progress:
            progress(written)

    for s in sales:
        priced = price_sale(s, store.prices_include_tax)
        for t in s.tenders:
            if t.method not in TENDER_METHODS:
                raise InvalidInput(f"receipt {s.receipt_no} tender", f"'{t.method}' is not one of {', '.join(TENDER_METHODS)}")
            if t.card_last4 and not (len(t.card_last4) == 4 and t.card_last4.isdigit()):
                raise InvalidInput(f"receipt {s.receipt_no} card last four", f"'{t.card_last4}' is not four digits")
            for text, what in ((t.reference, "reference"), (t.card_brand, "brand")):
                if _looks_like_card_number(text):
                    raise InvalidInput(f"receipt {s.receipt_no} card {what}",
                                       "looks like a full card number; Desk keeps only the brand, last four digits and the processor's reference")
        paid = sum(t.amount for t in s.tenders)
        if paid != priced.total:
            raise InvalidInput(f"receipt {s.receipt_no} tenders", f"add up to {paid} but the lines paid {priced.total} (minor units)")
        pending.append((s, priced))
        if len(pending) >= batch:
            flush()
    flush()
    return written


@dataclass
class LedgerFigures:
    sales: int
    first: dt.datetime | None
    last: dt.datetime | None


def ledger_figures() -> LedgerFigures:
    from peewee import fn

    row = Sale.select(fn.COUNT(Sale.id), fn.MIN(Sale.sold_at), fn.MAX(Sale.sold_at)).tuples().get()
    first, last = row[1], row[2]
    if isinstance(first, str):  # SQLite aggregates come back as text
        first, last = dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(last)
    return LedgerFigures(row[0], first, last)


@dataclass
class DayFigures:
    sales: int
    total: int


def figures_between(start_utc: dt.datetime, end_utc: dt.datetime) -> DayFigures:
    from peewee import fn

    row = (
        Sale.select(fn.COUNT(Sale.id), fn.COALESCE(fn.SUM(Sale.total), 0))
        .where((Sale.sold_at >= start_utc) & (Sale.sold_at < end_utc))
        .tuples()
        .get()
    )
    return DayFigures(int(row[0]), int(row[1]))
