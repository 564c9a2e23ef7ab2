"""The exchange slip: what came back, what went out, the difference and how it was settled.

Plain data in (``ExchangeSlipData``, filled by ``desk.services.exchanges.slip_data``), PDF bytes
out; the exchange number is printed as a barcode (the document's own), a voucher given for a
down-exchange with its own barcode.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.printing.data import StoreHeader
from desk.printing.layout import ItemRow, TotalRow, paper_spec
from desk.printing.refund_slip import SlipDocument


@dataclass(frozen=True)
class ExchangeSlipLine:
    description: str
    quantity: int
    value: int
    sku: str = ""


@dataclass(frozen=True)
class ExchangeSlipTender:
    label: str
    amount: int
    paid_in: bool  # True: the customer paid it; False: refunded to the customer
    reference: str = ""
    voucher_code: str = ""


@dataclass(frozen=True)
class ExchangeSlipData:
    store: StoreHeader
    locale: str
    currency: str
    number: str
    created_at: dt.datetime  # naive UTC
    clerk: str
    return_number: str
    original_receipt_no: str = ""
    customer: str = ""
    came_back: tuple[ExchangeSlipLine, ...] = ()
    went_out: tuple[ExchangeSlipLine, ...] = ()
    returned_value: int = 0
    replacement_total: int = 0
    difference: int = 0
    to_order: str = ""  # a special order's number: the value left over went to it as its deposit
    tenders: tuple[ExchangeSlipTender, ...] = ()
    voided: bool = False
    void_detail: str = ""
    returns_policy: str = ""


def _rows(lines, money):
    out = []
    for l in lines:
        unit = money(l.value // l.quantity) if l.quantity and l.value % l.quantity == 0 else ""
        out.append(ItemRow(l.description, l.quantity, unit, money(l.value), (), l.sku))
    return out


def exchange_slip_document(data: ExchangeSlipData) -> SlipDocument:
    doc = SlipDocument(title="Exchange", number=data.number, store=data.store, locale=data.locale,
                       currency=data.currency, footer=data.returns_policy)
    money = doc.money
    if data.voided:
        doc.banner("VOIDED", data.void_detail)
    doc.fields([
        ("Date", doc.datetime(data.created_at)),
        ("Receipt", data.original_receipt_no),
        ("Return", data.return_number),
        ("Customer", data.customer),
        ("Served by", data.clerk),
    ])
    doc.text("Came back", bold=True)
    doc.items(_rows(data.came_back, money), headings=("Item", "Qty", "Price", "Amount"))
    doc.text("Went out", bold=True)
    doc.items(_rows(data.went_out, money), headings=("Item", "Qty", "Price", "Amount"))
    if data.difference > 0:
        last = TotalRow("To pay", money(data.difference), strong=True)
    elif data.difference < 0 and data.to_order:
        last = TotalRow("To the order", money(-data.difference), strong=True)
    elif data.difference < 0:
        last = TotalRow("To refund", money(-data.difference), strong=True)
    else:
        last = TotalRow("Even exchange", money(0), strong=True)
    doc.totals([TotalRow("Came back", money(data.returned_value)), TotalRow("Went out", money(data.replacement_total)), last])
    if data.to_order:
        doc.text(f"What is left, {money(max(0, -data.difference))}, is the deposit of special order {data.to_order}: "
                 "keep its order slip.")
    if data.tenders and not (data.to_order and data.difference < 0):
        doc.table(["Paid by" if data.difference > 0 else "Refunded to", "Amount"],
                  [[t.label + (f" (ref. {t.reference})" if t.reference and not t.voucher_code else "")
                    + (f" {t.voucher_code}" if t.voucher_code and t.paid_in else ""), money(t.amount)]
                   for t in data.tenders], align="LR", widths=[3, 1.4])
    for t in data.tenders:
        if t.voucher_code and not t.paid_in:
            doc.text(f"Store credit voucher {t.voucher_code}: {money(t.amount)}", bold=True)
            doc.barcode(t.voucher_code)
    return doc


def build_exchange_slip(data: ExchangeSlipData, paper: str = "roll") -> bytes:
    paper_spec(paper)
    return exchange_slip_document(data).render(paper)
