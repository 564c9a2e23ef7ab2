"""Plain data that documents are built from: the services fill these, the builders read them.

Money is integer minor units of ``currency``; timestamps are naive UTC (as stored) and are
shown in local time by the document. Nothing here touches the database or Qt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

PAPERS = ("roll", "a4", "letter")

TENDER_LABELS = {"cash": "Cash", "card": "Card", "gift_card": "Gift card", "other": "Other"}


@dataclass(frozen=True)
class StoreHeader:
    """What the top of every document shows."""

    name: str
    address_lines: tuple[str, ...] = ()
    tax_number: str = ""
    logo_path: str = ""  # an image file (PNG/JPEG); empty for none; a missing file is skipped
    code: str = ""

    @classmethod
    def from_text(cls, name: str, address: str = "", tax_number: str = "", logo_path: str = "", code: str = "") -> "StoreHeader":
        lines = tuple(line.strip() for line in (address or "").splitlines() if line.strip())
        return cls(name=name, address_lines=lines, tax_number=tax_number or "", logo_path=logo_path or "", code=code)


@dataclass(frozen=True)
class ReceiptLine:
    line_no: int
    description: str
    quantity: int
    unit_price: int  # as the store shows prices (tax included or not)
    line_discount: int = 0
    order_discount_share: int = 0
    paid: int = 0  # what the line actually paid, tax included
    tax_rate: Decimal = Decimal(0)  # percent
    tax_amount: int = 0
    sku: str = ""

    @property
    def gross(self) -> int:
        return self.quantity * self.unit_price

    @property
    def discount(self) -> int:
        return self.line_discount + self.order_discount_share


@dataclass(frozen=True)
class TaxRow:
    rate: Decimal  # percent
    net: int
    tax: int
    gross: int


@dataclass(frozen=True)
class TenderRow:
    method: str  # cash | card | gift_card | other
    amount: int
    card_brand: str = ""
    card_last4: str = ""

    @property
    def label(self) -> str:
        """"Card Visa ****1234", "Cash": never more of a card than its brand and last four."""
        label = TENDER_LABELS.get(self.method, self.method.replace("_", " ").capitalize())
        if self.method == "card":
            parts = [label]
            if self.card_brand:
                parts.append(self.card_brand)
            if self.card_last4:
                parts.append("****" + self.card_last4[-4:])
            return " ".join(parts)
        return label


def _plain(rate) -> Decimal:
    """20.000 -> 20, 8.875 -> 8.875 (never 2E+1)."""
    value = Decimal(rate).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def tax_summary(lines: Iterable[ReceiptLine]) -> tuple[TaxRow, ...]:
    """Net, tax and gross by tax rate, highest rate first."""
    by_rate: dict[Decimal, list[int]] = {}
    for line in lines:
        acc = by_rate.setdefault(_plain(line.tax_rate), [0, 0])
        acc[0] += line.paid
        acc[1] += line.tax_amount
    return tuple(
        TaxRow(rate=rate, net=gross - tax, tax=tax, gross=gross)
        for rate, (gross, tax) in sorted(by_rate.items(), key=lambda item: item[0], reverse=True)
    )


@dataclass(frozen=True)
class ReceiptData:
    """A sale's receipt, as first printed or as a reprint."""

    store: StoreHeader
    currency: str
    locale: str
    receipt_no: str
    sold_at: dt.datetime  # naive UTC
    lines: tuple[ReceiptLine, ...]
    subtotal: int
    discount_total: int
    tax_total: int
    total: int
    tenders: tuple[TenderRow, ...] = ()
    tax_rows: tuple[TaxRow, ...] = ()
    prices_include_tax: bool = True
    till: str = ""
    cashier: str = ""
    reprint: bool = True
    voided: bool = False  # an exchange's replacement sale, the exchange voided
    void_detail: str = ""
    printed_at: dt.datetime | None = None  # naive UTC; when the reprint was made
    printed_by: str = ""  # the staff member's name
    printed_by_code: str = ""
    returns_policy: str = ""

    @property
    def tendered(self) -> int:
        return sum(t.amount for t in self.tenders)


@dataclass(frozen=True)
class GiftLine:
    """A gift receipt's line: what and how many, never a price."""

    line_no: int
    description: str
    quantity: int


@dataclass(frozen=True)
class GiftReceiptData:
    store: StoreHeader
    locale: str
    code: str  # G-<store>-<10 chars>: the scan field opens it
    receipt_no: str
    sold_at: dt.datetime  # naive UTC
    issued_at: dt.datetime  # naive UTC
    lines: tuple[GiftLine, ...]
    issued_by: str = ""
    issued_by_code: str = ""
    returns_policy: str = ""
