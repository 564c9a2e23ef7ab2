"""The refund slip of a return: what was taken back, why, and where the money went.

Plain data in (``RefundSlipData``, filled by ``desk.services.returns.slip_data``), PDF bytes out.
On the slip: store header, the return number with its barcode, the original receipt, the
lines with their reasons, the refund per tender, the voucher code and its barcode when store
credit was given, the policy's notes and who approved, and a signature line for cash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from desk.printing.data import StoreHeader
from desk.printing.layout import BarcodeFlowable, Document, ItemRow, TotalRow, barcode_encodable, paper_spec

from reportlab.lib.units import mm
from reportlab.platypus import Spacer


@dataclass(frozen=True)
class SlipLine:
    description: str
    quantity: int
    value: int
    fee: int
    refund: int
    reason: str  # "Wrong size" or "Other: strap broke"
    condition: str
    disposition: str  # "Back to stock"
    sku: str = ""


@dataclass(frozen=True)
class SlipTender:
    label: str  # "Visa •••• 4242", "Cash", "Store credit"
    amount: int
    reference: str = ""
    voucher_code: str = ""


@dataclass(frozen=True)
class RefundSlipData:
    store: StoreHeader
    locale: str
    currency: str
    number: str
    created_at: dt.datetime  # naive UTC
    kind_label: str  # "with a receipt", "with a gift receipt", ...
    clerk: str
    receipt_no: str = ""
    sold_at: dt.datetime | None = None
    gift_code: str = ""
    customer: str = ""
    lines: tuple[SlipLine, ...] = ()
    fee_total: int = 0
    total: int = 0
    tenders: tuple[SlipTender, ...] = ()
    decision: str = ""  # Allowed | Needs approval | Refused
    policy_reasons: tuple[str, ...] = ()
    policy_notes: tuple[str, ...] = ()
    approved_by: str = ""  # "Maja Manager (300)"
    approved_at: dt.datetime | None = None
    approval_note: str = ""
    override: bool = False
    cash_refunded: int = 0
    voided: bool = False
    void_detail: str = ""
    returns_policy: str = ""
    reprint: bool = False  # printed before: marked REPRINT with when and by whom
    printed_at: dt.datetime | None = None  # naive UTC; when the reprint was made
    printed_by: str = ""
    printed_by_code: str = ""


@dataclass
class _Barcode:
    value: str
    caption: str


@dataclass
class SlipDocument(Document):
    """A Document that can also print a second barcode (a voucher's code) in its body."""

    extra: list = field(default_factory=list)

    def barcode(self, value: str, caption: str = "") -> "SlipDocument":
        if barcode_encodable(value):
            self.blocks.append(_Barcode(value, caption or value))
        return self

    def _block(self, block, p, s, cw):
        if isinstance(block, _Barcode):
            return [Spacer(1, 1.5 * mm), BarcodeFlowable(block.value, p, align="CENTER" if p.is_roll else "LEFT",
                                                         caption=block.caption), Spacer(1, 2 * mm)]
        return super()._block(block, p, s, cw)


def refund_slip_document(data: RefundSlipData) -> SlipDocument:
    doc = SlipDocument(title="Refund", number=data.number, store=data.store, locale=data.locale,
                       currency=data.currency, footer=data.returns_policy)
    money = doc.money
    if data.voided:
        doc.banner("VOIDED", data.void_detail)
    elif data.reprint:
        doc.reprint_banner(data.printed_at, data.printed_by, data.printed_by_code)
    doc.fields([
        ("Date", doc.datetime(data.created_at)),
        ("Return", data.kind_label),
        ("Receipt", data.receipt_no),
        ("Purchased", doc.date(data.sold_at) if data.sold_at else ""),
        ("Gift receipt", data.gift_code),
        ("Customer", data.customer),
        ("Served by", data.clerk),
    ])
    rows = []
    for line in data.lines:
        sub: list[tuple[str, str]] = []
        if line.fee:
            sub.append(("Restocking fee", money(-line.fee)))
            sub.append(("Refund", money(line.refund)))
        note = f"Reason: {line.reason} · {line.condition.capitalize()} · {line.disposition}"
        unit = money(line.value // line.quantity) if line.quantity and line.value % line.quantity == 0 else ""
        rows.append(ItemRow(line.description, line.quantity, unit, money(line.value), tuple(sub), note))
    doc.items(rows, headings=("Returned", "Qty", "Price", "Amount"))
    totals = []
    if data.fee_total:
        totals.append(TotalRow("Restocking fees", money(-data.fee_total)))
    totals.append(TotalRow("Refunded", money(data.total), strong=True))
    doc.totals(totals)
    if data.tenders:
        doc.table(["Refunded to", "Amount"],
                  [[t.label + (f" (ref. {t.reference})" if t.reference and not t.voucher_code else ""), money(t.amount)]
                   for t in data.tenders], align="LR", widths=[3, 1.4])
    for t in data.tenders:
        if t.voucher_code:
            doc.text(f"Store credit voucher {t.voucher_code}: {money(t.amount)}", bold=True)
            doc.barcode(t.voucher_code)
    if data.policy_reasons or data.policy_notes or data.approved_by:
        doc.rule()
        if data.policy_reasons:
            doc.text(f"Return policy: {data.decision.lower()}", bold=True, small=True)
            for reason in data.policy_reasons:
                doc.text(f"• {reason}", small=True)
        for note in data.policy_notes:
            doc.text(f"Note: {note}", small=True)
        if data.approved_by:
            what = "Override approved" if data.override else "Approved"
            when = f" {doc.datetime(data.approved_at)}" if data.approved_at else ""
            doc.text(f"{what} by {data.approved_by}{when}", small=True, bold=True)
            if data.approval_note:
                doc.text(f"“{data.approval_note}”", small=True)
    if data.cash_refunded:
        doc.space(8)
        doc.text(f"Cash received {money(data.cash_refunded)}", small=True)
        doc.space(8)
        doc.text("Customer's signature ________________________", small=True)
    return doc


def build_refund_slip(data: RefundSlipData, paper: str = "roll") -> bytes:
    paper_spec(paper)
    return refund_slip_document(data).render(paper)
