"""Sample documents built from in-memory data (no database): for previews, tests and the benchmark."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from desk.printing.data import (
    GiftLine,
    GiftReceiptData,
    ReceiptData,
    ReceiptLine,
    StoreHeader,
    TenderRow,
    tax_summary,
)

STORE = StoreHeader(
    name="Harbour Street Home & Style",
    address_lines=("12 Harbour Street", "Bristol BS1 4RN", "United Kingdom"),
    tax_number="GB 123 4567 89",
    code="DEMO",
)
POLICY = "Unused items in their original packaging can be returned within 30 days with this receipt."
SOLD_AT = dt.datetime(2026, 11, 20, 14, 5, 0)
PRINTED_AT = dt.datetime(2026, 11, 23, 9, 41, 0)

NAMES = [
    ("Świeca sojowa – Łąka", 1, 1450, Decimal("20")),
    ("Organic cotton T-shirt, M, Navy", 2, 1800, Decimal("20")),
    ("Hand-thrown stoneware serving bowl with a reactive glaze in deep sea green, large", 1, 3900, Decimal("20")),
    ("Children's picture book: Zoë Ødegård and the lighthouse", 1, 799, Decimal("0")),
    ("Wool socks, L, Oat", 3, 1200, Decimal("20")),
]


def receipt_lines(count: int) -> tuple[ReceiptLine, ...]:
    lines = []
    for i in range(count):
        name, qty, unit, rate = NAMES[i % len(NAMES)]
        gross = qty * unit
        line_discount = 300 if i % 4 == 1 else 0
        share = 100 if i % 3 == 2 else 0
        paid = gross - line_discount - share
        tax = paid - int((Decimal(paid) * 100 / (100 + rate)).to_integral_value()) if rate else 0
        lines.append(ReceiptLine(i + 1, name, qty, unit, line_discount, share, paid, rate, tax, sku=f"SKU-{i:03d}"))
    return tuple(lines)


def receipt_data(count: int = 5, *, reprint: bool = True, store: StoreHeader = STORE, locale: str = "en_GB",
                 currency: str = "GBP") -> ReceiptData:
    lines = receipt_lines(count)
    total = sum(l.paid for l in lines)
    card = total - 2000 if total > 4000 else total
    tenders = (TenderRow("card", card, "Visa", "4242"),) + ((TenderRow("cash", total - card),) if total != card else ())
    return ReceiptData(
        store=store,
        currency=currency,
        locale=locale,
        receipt_no="T01-0004217",
        sold_at=SOLD_AT,
        lines=lines,
        subtotal=sum(l.gross for l in lines),
        discount_total=sum(l.discount for l in lines),
        tax_total=sum(l.tax_amount for l in lines),
        total=total,
        tenders=tenders,
        tax_rows=tax_summary(lines),
        prices_include_tax=True,
        till="T01",
        cashier="Zoë Ødegård",
        reprint=reprint,
        printed_at=PRINTED_AT,
        printed_by="Łucja Wiśniewska",
        printed_by_code="100",
        returns_policy=POLICY,
    )


def gift_data(count: int = 3) -> GiftReceiptData:
    return GiftReceiptData(
        store=STORE,
        locale="en_GB",
        code="G-DEMO-7KQ2MX9PRT",
        receipt_no="T01-0004217",
        sold_at=SOLD_AT,
        issued_at=PRINTED_AT,
        lines=tuple(GiftLine(l.line_no, l.description, l.quantity) for l in receipt_lines(count)),
        issued_by="Łucja Wiśniewska",
        issued_by_code="100",
        returns_policy=POLICY,
    )
