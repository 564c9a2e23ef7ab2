"""The sale receipt (original or reprint) and the gift receipt."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from desk.printing.data import GiftReceiptData, ReceiptData
from desk.printing.layout import Document, ItemRow, TotalRow

GIFT_NOTE = (
    "A gift for you. To exchange an item or return it for store credit at the price paid, "
    "bring this gift receipt to the customer service desk."
)


def percent(rate: Decimal, locale: str) -> str:
    return format_decimal(Decimal(rate).normalize(), locale=locale) + "%"


def receipt_document(data: ReceiptData) -> Document:
    """The receipt of a sale as a Document; marked REPRINT with when and by whom if a reprint."""
    doc = Document(title="Receipt", number=data.receipt_no, store=data.store, locale=data.locale,
                   currency=data.currency, footer=data.returns_policy)
    money = doc.money
    if data.voided:
        doc.banner("VOIDED", data.void_detail)
    if data.reprint:
        doc.reprint_banner(data.printed_at, data.printed_by, data.printed_by_code)
    doc.fields([  # the number is in the header, over and under the barcode
        ("Sold", doc.datetime(data.sold_at)),
        ("Till", data.till),
        ("Served by", data.cashier),
    ])
    paid_label = "Paid" if data.prices_include_tax else "Paid incl. tax"
    rows = []
    for line in data.lines:
        sub: list[tuple[str, str]] = []
        if line.line_discount:
            sub.append(("Discount", money(-line.line_discount)))
        if line.order_discount_share:
            sub.append(("Share of order discount", money(-line.order_discount_share)))
        if line.paid != line.gross:
            sub.append((paid_label, money(line.paid)))
        rows.append(ItemRow(line.description, line.quantity, money(line.unit_price), money(line.gross), tuple(sub)))
    doc.items(rows)

    totals = [TotalRow("Subtotal", money(data.subtotal))]
    if data.discount_total:
        totals.append(TotalRow("Discounts", money(-data.discount_total)))
    if not data.prices_include_tax:
        totals.append(TotalRow("Tax", money(data.tax_total)))
    totals.append(TotalRow("Total", money(data.total), strong=True))
    if data.prices_include_tax and data.tax_total:
        totals.append(TotalRow("Tax included", money(data.tax_total)))
    doc.totals(totals)

    if data.tenders:
        tender_rows = [[t.label, money(t.amount)] for t in data.tenders]
        change = data.tendered - data.total
        if change > 0:
            tender_rows.append(["Change", money(change)])
        doc.table(["Paid by", "Amount"], tender_rows, align="LR", widths=[3, 1.4])
    if data.tax_rows:
        doc.table(
            ["Tax rate", "Net", "Tax", "Gross"],
            [[percent(r.rate, data.locale), money(r.net), money(r.tax), money(r.gross)] for r in data.tax_rows],
            align="LRRR",
            widths=[1, 1.3, 1.1, 1.3],
        )
    return doc


def build_receipt(data: ReceiptData, paper: str = "roll") -> bytes:
    """PDF bytes of a sale's receipt on ``paper`` (roll, a4, letter)."""
    return receipt_document(data).render(paper)


def gift_receipt_document(data: GiftReceiptData) -> Document:
    """Items and quantities, never a price or a total; the gift code as Code128."""
    # No currency: the document never formats money.
    doc = Document(title="Gift receipt", number=data.code, store=data.store, locale=data.locale,
                   currency="XXX", footer=data.returns_policy)
    doc.text(GIFT_NOTE, center=True)
    doc.space(1.5)
    doc.fields([
        ("Purchased", doc.date(data.sold_at)),
        ("Receipt", data.receipt_no),
    ])
    doc.items([_gift_row(line) for line in data.lines], priced=False)
    issued = f"Issued {doc.datetime(data.issued_at)}"
    if data.issued_by:
        issued += f" by {data.issued_by}" + (f" ({data.issued_by_code})" if data.issued_by_code else "")
    doc.text(issued, small=True)
    return doc


def _gift_row(line) -> ItemRow:
    return ItemRow(line.description, line.quantity)


def build_gift_receipt(data: GiftReceiptData, paper: str = "roll") -> bytes:
    return gift_receipt_document(data).render(paper)
