"""The order slip (what the customer keeps while a special order is on its way) and the
collection slip (what they take home with the goods).

Plain data in (``OrderSlipData``, filled by ``desk.services.orders.slip_data``), PDF bytes out.
The order number is the document's barcode: the scan field opens the order from either slip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.printing.data import StoreHeader
from desk.printing.layout import ItemRow, TotalRow, paper_spec
from desk.printing.refund_slip import SlipDocument


@dataclass(frozen=True)
class OrderSlipLine:
    description: str
    quantity: int
    unit_price: int
    total: int
    note: str = ""  # SKU, or the supplier and the supplier's code


@dataclass(frozen=True)
class OrderSlipTender:
    label: str  # "Visa •••• 4242", "Cash", "Store credit"
    amount: int
    kind: str  # deposit | balance | refund
    reference: str = ""
    voucher_code: str = ""


@dataclass(frozen=True)
class OrderSlipData:
    store: StoreHeader
    locale: str
    currency: str
    number: str
    created_at: dt.datetime  # naive UTC
    clerk: str
    customer: str
    contact: str  # "Phone 07700 900123" / "Email ann@example.com"
    status_label: str
    lines: tuple[OrderSlipLine, ...]
    total: int
    deposit_paid: int
    balance_paid: int
    balance: int
    tenders: tuple[OrderSlipTender, ...] = ()
    supplier: str = ""
    expected_date: dt.date | None = None
    collection_deadline: dt.date | None = None
    collected_at: dt.datetime | None = None
    collected_by: str = ""
    cancelled: bool = False
    cancel_detail: str = ""
    refunded: int = 0  # given back when cancelled
    kept: int = 0  # deposit kept when cancelled
    return_number: str = ""  # goods returned towards this order (an exchange)
    returns_policy: str = ""


def _rows(data: OrderSlipData, money) -> list[ItemRow]:
    return [ItemRow(l.description, l.quantity, money(l.unit_price), money(l.total), (), l.note) for l in data.lines]


def _tender_rows(tenders, money):
    return [[t.label + (f" (ref. {t.reference})" if t.reference and not t.voucher_code else "")
             + (f" {t.voucher_code}" if t.voucher_code else ""), money(t.amount)] for t in tenders]


def order_slip_document(data: OrderSlipData) -> SlipDocument:
    doc = SlipDocument(title="Special order", number=data.number, store=data.store, locale=data.locale,
                       currency=data.currency, footer=data.returns_policy)
    money = doc.money
    if data.cancelled:
        doc.banner("CANCELLED", data.cancel_detail)
    doc.fields([
        ("Ordered", doc.datetime(data.created_at)),
        ("Customer", data.customer),
        ("We tell you by", data.contact),
        ("Expected", "" if data.cancelled else doc.date(data.expected_date) if data.expected_date else "we will let you know"),
        ("Collect by", doc.date(data.collection_deadline) if data.collection_deadline and not data.cancelled else ""),
        ("Status", data.status_label),
        ("Goods returned", data.return_number),
        ("Served by", data.clerk),
    ])
    doc.items(_rows(data, money), headings=("Ordered", "Qty", "Price", "Amount"))
    rows = [TotalRow("Total", money(data.total)), TotalRow("Deposit paid", money(data.deposit_paid))]
    if data.balance_paid:
        rows.append(TotalRow("Paid at collection", money(data.balance_paid)))
    if not data.cancelled:
        rows.append(TotalRow("To pay at collection", money(data.balance), strong=True))
    elif data.kept:
        rows.append(TotalRow("Deposit kept", money(data.kept), strong=True))
    else:
        rows.append(TotalRow("Given back", money(data.refunded), strong=True))
    doc.totals(rows)
    deposit = [t for t in data.tenders if t.kind == "deposit"]
    if deposit:
        doc.table(["Deposit paid by", "Amount"], _tender_rows(deposit, money), align="LR", widths=[3, 1.4])
    refunds = [t for t in data.tenders if t.kind == "refund"]
    if refunds:
        doc.table(["Given back to", "Amount"], _tender_rows(refunds, money), align="LR", widths=[3, 1.4])
        for t in refunds:
            if t.voucher_code:
                doc.text(f"Store credit voucher {t.voucher_code}: {money(t.amount)}", bold=True)
                doc.barcode(t.voucher_code)
    if not data.cancelled:
        doc.rule()
        doc.text("Keep this slip and bring it when you collect your order.", bold=True)
        doc.text(f"We will contact you ({data.contact.lower()}) as soon as it arrives.", small=True)
    return doc


def collection_slip_document(data: OrderSlipData) -> SlipDocument:
    doc = SlipDocument(title="Collection", number=data.number, store=data.store, locale=data.locale,
                       currency=data.currency, footer=data.returns_policy)
    money = doc.money
    doc.fields([
        ("Collected", doc.datetime(data.collected_at) if data.collected_at else ""),
        ("Ordered", doc.datetime(data.created_at)),
        ("Customer", data.customer),
        ("Receipt", data.number),
        ("Served by", data.collected_by or data.clerk),
    ])
    doc.items(_rows(data, money), headings=("Collected", "Qty", "Price", "Amount"))
    doc.totals([TotalRow("Total", money(data.total)), TotalRow("Deposit paid", money(data.deposit_paid)),
                TotalRow("Paid today", money(data.balance_paid), strong=True)])
    paid_in = [t for t in data.tenders if t.kind in ("deposit", "balance")]
    if paid_in:
        doc.table(["Paid by", "Amount"], [[("Deposit: " if t.kind == "deposit" else "") + r[0], r[1]]
                                          for t, r in zip(paid_in, _tender_rows(paid_in, money))],
                  align="LR", widths=[3, 1.4])
    doc.text("Paid in full. This slip is your receipt: keep it to return or exchange the goods.", bold=True)
    doc.space(8)
    doc.text("Received in good order ________________________", small=True)
    return doc


def build_order_slip(data: OrderSlipData, paper: str = "roll") -> bytes:
    paper_spec(paper)
    return order_slip_document(data).render(paper)


def build_collection_slip(data: OrderSlipData, paper: str = "roll") -> bytes:
    paper_spec(paper)
    return collection_slip_document(data).render(paper)
