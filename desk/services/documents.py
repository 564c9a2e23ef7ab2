"""Documents the desk prints: their data read from the ledger, rendered to PDF by ``desk.printing``.

The screens and the command line call these:

- ``receipt_data(receipt_no, actor, reprint=True)`` -> ``ReceiptData``
- ``gift_receipt(actor, receipt_no, line_numbers=None)`` -> ``GiftReceiptData`` (issues a new
  gift receipt: a ``GiftReceipt`` row and its audit event, in one transaction)
- ``find_gift_receipt(code)`` -> ``GiftReceiptData`` of a gift receipt issued before
- ``render(kind, number, actor, paper=None)`` -> ``RenderedDocument`` (PDF bytes), for any
  registered kind; ``register_kind(kind, builder)`` adds one (refund, voucher, order ...).

Rendering never writes business data except where the document itself is the record (a
gift receipt is issued when it is first rendered from a receipt number). Archive what was
printed or saved with ``desk.services.archive.archive``.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from peewee import fn

from desk import clock
from desk.errors import DeskError, InvalidInput, NotFound
from desk.models import GiftReceipt, Sale, SaleLine, Staff, Store, Tender, database
from desk import printing
from desk.printing import PAPERS
from desk.printing.data import (
    GiftLine,
    GiftReceiptData,
    ReceiptData,
    ReceiptLine,
    StoreHeader,
    TenderRow,
    tax_summary,
)
from desk.services import audit, settings
from desk.services.auth import require
from desk.services.store import current_store

__all__ = [
    "RenderedDocument",
    "register_kind",
    "kinds",
    "paper_for",
    "render",
    "receipt_data",
    "gift_receipt",
    "find_gift_receipt",
    "is_gift_code",
    "store_header",
    "GIFT_CODE_ALPHABET",
    "render_gift",
    "safe_name",
    "save_pdf",
]

# No 0/O, 1/I/L: a code read aloud or typed from paper is not misread.
GIFT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GIFT_CODE_LENGTH = 10
_GIFT_CODE_RE = re.compile(r"^G-[A-Z0-9]{2,16}-[" + GIFT_CODE_ALPHABET + r"]{" + str(GIFT_CODE_LENGTH) + r"}$")


@dataclass(frozen=True)
class RenderedDocument:
    """A document ready to preview, print, save or archive."""

    kind: str  # receipt | gift | ... (see kinds())
    number: str  # the document's number: a receipt number, a gift receipt code ...
    paper: str  # roll | a4 | letter
    pdf: bytes
    title: str  # what a window or a file dialog shows: "Receipt T01-0004217 (reprint)"

    @property
    def filename(self) -> str:
        """A file name for Save as PDF: ``receipt-T01-0004217.pdf``."""
        return f"{self.kind}-{safe_name(self.number)}.pdf"


Builder = Callable[[str, Staff, str], RenderedDocument]
"""builder(number, actor, paper) -> RenderedDocument; raises NotFound naming the number."""


@dataclass(frozen=True)
class _Kind:
    kind: str
    label: str
    builder: Builder


_KINDS: dict[str, _Kind] = {}


def register_kind(kind: str, builder: Builder, label: str | None = None) -> None:
    """Make ``render(kind, ...)`` build documents with ``builder``. Its paper setting is ``paper.<kind>``."""
    kind = kind.strip().lower()
    if not re.match(r"^[a-z][a-z0-9_]{0,23}$", kind):
        raise ValueError(f"bad document kind {kind!r}")
    _KINDS[kind] = _Kind(kind, label or kind.capitalize(), builder)


def kinds() -> dict[str, str]:
    """The registered kinds and their labels, in registration order."""
    return {k.kind: k.label for k in _KINDS.values()}


def safe_name(text: str) -> str:
    """``text`` usable in a file name on every system: letters, digits, '.', '-', '_' only."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text.strip()).strip("._")
    return cleaned[:80] or "document"


def paper_for(kind: str) -> str:
    """The paper chosen in Settings for ``kind`` (``paper.<kind>``); the roll if none."""
    key = f"paper.{kind}"
    if key in settings.SPECS:
        value = settings.get(key)
        if value in PAPERS:
            return value
    return "roll"


def _check_paper(paper: str) -> str:
    value = (paper or "").strip().lower()
    if value not in PAPERS:
        raise InvalidInput("paper", f"'{paper}' is not a paper: choose one of {', '.join(PAPERS)}")
    return value


def render(kind: str, number: str, actor: Staff, paper: str | None = None) -> RenderedDocument:
    """The document ``kind`` number ``number`` as PDF bytes, on ``paper`` or the one in Settings."""
    name = (kind or "").strip().lower()
    spec = _KINDS.get(name)
    if spec is None:
        raise InvalidInput("kind", f"'{kind}' is not a kind of document: choose one of {', '.join(_KINDS) or 'none'}")
    number = (number or "").strip()
    if not number:
        raise InvalidInput("number", f"the {spec.label.lower()}'s number is required")
    chosen = _check_paper(paper) if paper else paper_for(name)
    return spec.builder(number, actor, chosen)


def save_pdf(doc: RenderedDocument, path: str | os.PathLike) -> Path:
    """Write ``doc``'s PDF to ``path`` (Save as PDF, ``desk print --out``), whole or not at all.

    Raises DeskError naming the path when it cannot be written (missing folder, read-only, full).
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise DeskError(f"{target} is a folder: give a file name, such as {target / doc.filename}.")
    if not target.parent.is_dir():
        raise DeskError(f"Cannot save the PDF to {target}: the folder {target.parent} does not exist.")
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(doc.pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            advice = "the disk is full: free some space or choose another place"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            advice = "it cannot be written there: choose another folder"
        else:
            advice = "choose another place"
        raise DeskError(f"Cannot save the PDF to {target} ({reason}): {advice}.") from None
    return target


# --- what every document's header shows --------------------------------------------------

def store_header(store: Store | None = None) -> StoreHeader:
    store = store or current_store()
    if store is None:
        raise NotFound("This database has no store yet: run the first-run set-up first.")
    return StoreHeader.from_text(store.name, store.address, store.tax_number, settings.get("logo_path"), store.code)


def _policy() -> str:
    return settings.get("returns_policy_text")


def _staff_name(code: str) -> str:
    if not code:
        return ""
    staff = Staff.get_or_none(Staff.code == code)
    return staff.name if staff else ""


# --- receipts -------------------------------------------------------------------------------

def _find_sale(receipt_no: str) -> Sale:
    number = (receipt_no or "").strip()
    if not number:
        raise InvalidInput("Receipt number", "is required")
    rows = list(Sale.select().where(Sale.receipt_no == number).limit(2))
    if not rows:
        rows = list(Sale.select().where(fn.UPPER(Sale.receipt_no) == number.upper()).limit(2))
    if len(rows) > 1:
        store = current_store()
        mine = [s for s in rows if store is not None and s.store_id == store.id]
        if len(mine) != 1:
            raise InvalidInput("Receipt number", f"{number} belongs to sales of more than one store")
        rows = mine
    if not rows:
        raise NotFound(f"No sale has the receipt number {number}.")
    return rows[0]


def _lines(sale: Sale) -> list[SaleLine]:
    return list(SaleLine.select().where(SaleLine.sale == sale).order_by(SaleLine.line_no))


def receipt_data(receipt_no: str, actor: Staff, reprint: bool = True) -> ReceiptData:
    """The receipt of the sale ``receipt_no``; a reprint carries now and the actor's name."""
    require(actor, "sales.view")
    sale = _find_sale(receipt_no)
    store = Store.get_by_id(sale.store_id)
    lines = tuple(
        ReceiptLine(
            line_no=l.line_no,
            description=l.description,
            quantity=l.quantity,
            unit_price=l.unit_price,
            line_discount=l.line_discount,
            order_discount_share=l.order_discount_share,
            paid=l.paid,
            tax_rate=l.tax_rate,
            tax_amount=l.tax_amount,
            sku=l.sku,
        )
        for l in _lines(sale)
    )
    tenders = tuple(
        TenderRow(t.method, t.amount, t.card_brand, t.card_last4)
        for t in Tender.select().where(Tender.sale == sale).order_by(Tender.seq)
    )
    till = sale.till.code if sale.till_id else ""
    return ReceiptData(
        store=store_header(store),
        currency=sale.currency,
        locale=store.locale,
        receipt_no=sale.receipt_no,
        sold_at=sale.sold_at,
        lines=lines,
        subtotal=sale.subtotal,
        discount_total=sale.discount_total,
        tax_total=sale.tax_total,
        total=sale.total,
        tenders=tenders,
        tax_rows=tax_summary(lines),
        prices_include_tax=store.prices_include_tax,
        till=till,
        cashier=sale.cashier,
        reprint=reprint,
        printed_at=clock.utcnow(),
        printed_by=actor.name,
        printed_by_code=actor.code,
        returns_policy=_policy(),
    )


# --- gift receipts --------------------------------------------------------------------------

def is_gift_code(text: str) -> bool:
    """Whether ``text`` looks like a gift receipt code (what the scan field checks first)."""
    return bool(_GIFT_CODE_RE.match((text or "").strip().upper()))


def _new_code(store_code: str) -> str:
    while True:
        code = f"G-{store_code}-" + "".join(secrets.choice(GIFT_CODE_ALPHABET) for _ in range(GIFT_CODE_LENGTH))
        if not GiftReceipt.select().where(GiftReceipt.code == code).exists():
            return code


def _chosen_lines(sale: Sale, lines: list[SaleLine], line_numbers: Iterable[int] | None) -> list[SaleLine]:
    if line_numbers is None:
        return lines
    wanted = []
    for n in line_numbers:
        try:
            number = int(n)
        except (TypeError, ValueError):
            raise InvalidInput("Lines", f"{n!r} is not a line number") from None
        if number not in wanted:
            wanted.append(number)
    if not wanted:
        raise InvalidInput("Lines", "choose at least one line for the gift receipt")
    by_no = {l.line_no: l for l in lines}
    missing = [n for n in wanted if n not in by_no]
    if missing:
        raise InvalidInput("Lines", f"sale {sale.receipt_no} has no line {', '.join(map(str, missing))}")
    return [by_no[n] for n in sorted(wanted)]


def _gift_data(row: GiftReceipt, sale: Sale, lines: list[SaleLine], issued_by: str) -> GiftReceiptData:
    store = Store.get_by_id(sale.store_id)
    return GiftReceiptData(
        store=store_header(store),
        locale=store.locale,
        code=row.code,
        receipt_no=sale.receipt_no,
        sold_at=sale.sold_at,
        issued_at=row.created_at,
        lines=tuple(GiftLine(l.line_no, l.description, l.quantity) for l in lines),
        issued_by=issued_by,
        issued_by_code=row.staff_code,
        returns_policy=_policy(),
    )


def gift_receipt(actor: Staff, receipt_no: str, line_numbers: Iterable[int] | None = None) -> GiftReceiptData:
    """Issue a gift receipt for the sale ``receipt_no`` (every line, or the ``line_numbers`` given).

    Writes the GiftReceipt and its ``gift_receipt.issued`` audit event in one transaction.
    """
    require(actor, "sales.view")
    with database.atomic():
        sale = _find_sale(receipt_no)
        lines = _chosen_lines(sale, _lines(sale), line_numbers)
        store = Store.get_by_id(sale.store_id)
        numbers = [l.line_no for l in lines]
        row = GiftReceipt.create(
            code=_new_code(store.code),
            sale=sale,
            line_numbers="" if line_numbers is None else ",".join(map(str, numbers)),
            staff_code=actor.code,
            created_at=clock.utcnow(),
        )
        audit.record(
            "gift_receipt.issued",
            actor,
            entity="gift_receipt",
            entity_uuid=row.uuid,
            details={"code": row.code, "receipt_no": sale.receipt_no, "lines": numbers},
        )
    return _gift_data(row, sale, lines, actor.name)


def find_gift_receipt(code: str) -> GiftReceiptData:
    """A gift receipt issued before, by its code (as scanned or typed; case does not matter)."""
    value = (code or "").strip().upper()
    if not value:
        raise InvalidInput("Gift receipt code", "is required")
    row = GiftReceipt.get_or_none(GiftReceipt.code == value)
    if row is None:
        raise NotFound(f"No gift receipt has the code {value}.")
    sale = Sale.get_by_id(row.sale_id)
    lines = _lines(sale)
    if row.line_numbers:
        wanted = {int(n) for n in row.line_numbers.split(",") if n}
        lines = [l for l in lines if l.line_no in wanted]
    return _gift_data(row, sale, lines, _staff_name(row.staff_code))


# --- the kinds this module supplies ---------------------------------------------------------

def _render_receipt(number: str, actor: Staff, paper: str) -> RenderedDocument:
    data = receipt_data(number, actor, reprint=True)
    return RenderedDocument("receipt", data.receipt_no, paper, printing.build_receipt(data, paper),
                            f"Receipt {data.receipt_no} (reprint)")


def _render_gift(number: str, actor: Staff, paper: str) -> RenderedDocument:
    """A gift code re-renders that gift receipt; a receipt number issues a new one for every line."""
    if is_gift_code(number):
        require(actor, "sales.view")
        data = find_gift_receipt(number)
    else:
        data = gift_receipt(actor, number)
    return RenderedDocument("gift", data.code, paper, printing.build_gift_receipt(data, paper),
                            f"Gift receipt {data.code} (receipt {data.receipt_no})")


def render_gift(data: GiftReceiptData, paper: str | None = None) -> RenderedDocument:
    """A gift receipt already issued (``gift_receipt``'s result) as a document."""
    chosen = _check_paper(paper) if paper else paper_for("gift")
    return RenderedDocument("gift", data.code, chosen, printing.build_gift_receipt(data, chosen),
                            f"Gift receipt {data.code} (receipt {data.receipt_no})")


register_kind("receipt", _render_receipt, "Receipt")
register_kind("gift", _render_gift, "Gift receipt")


def _render_refund(number: str, actor: Staff, paper: str) -> RenderedDocument:
    from desk.services.returns import render_refund

    return render_refund(number, actor, paper)


def _render_voucher(number: str, actor: Staff, paper: str) -> RenderedDocument:
    from desk.services.credit import render_voucher

    return render_voucher(number, actor, paper)


register_kind("refund", _render_refund, "Refund slip")
register_kind("voucher", _render_voucher, "Store credit voucher")


def _render_exchange(number: str, actor: Staff, paper: str) -> RenderedDocument:
    from desk.services.exchanges import render_exchange

    return render_exchange(number, actor, paper)


register_kind("exchange", _render_exchange, "Exchange slip")


def _render_case(number: str, actor: Staff, paper: str) -> RenderedDocument:
    from desk.services.cases import render_case

    return render_case(number, actor, paper)


def _render_case_letter(number: str, actor: Staff, paper: str) -> RenderedDocument:
    from desk.services.cases import render_case

    return render_case(number, actor, paper, letter=True)


register_kind("case", _render_case, "Case summary")
register_kind("case_letter", _render_case_letter, "Letter to the customer")
