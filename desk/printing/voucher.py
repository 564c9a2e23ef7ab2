"""A store-credit voucher: its code as a barcode the scan field reads, its value and balance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from desk.printing.data import StoreHeader
from desk.printing.layout import Document, TotalRow

VOUCHER_NOTE = ("Store credit. Scan or type this code at the desk or the till to pay with it. "
                "It is not exchangeable for cash. Keep it safe: whoever holds it can spend it.")


@dataclass(frozen=True)
class VoucherData:
    store: StoreHeader
    locale: str
    currency: str
    code: str
    amount: int  # issued
    balance: int
    issued_at: dt.datetime  # naive UTC
    status: str  # active | spent | cancelled
    customer: str = ""
    return_number: str = ""
    returns_policy: str = ""


def voucher_document(data: VoucherData) -> Document:
    doc = Document(title="Store credit", number=data.code, store=data.store, locale=data.locale,
                   currency=data.currency, footer=data.returns_policy)
    if data.status == "cancelled":
        doc.banner("CANCELLED", "This voucher cannot be spent.")
    doc.fields([
        ("Issued", doc.datetime(data.issued_at)),
        ("For", data.customer),
        ("Refund", data.return_number),
    ])
    rows = [TotalRow("Value", doc.money(data.amount))]
    rows.append(TotalRow("Balance", doc.money(data.balance), strong=True))
    doc.totals(rows)
    doc.text(VOUCHER_NOTE, small=True)
    return doc


def build_voucher(data: VoucherData, paper: str = "roll") -> bytes:
    return voucher_document(data).render(paper)
