"""Store credit: vouchers with an unguessable code and a balance kept as a ledger of entries.

- ``issue_voucher(...)`` (inside a return's transaction) writes the voucher and its ``issue`` entry.
- ``voucher_view(code)`` -> ``VoucherView``: the balance the scan field shows, and its history.
- ``redeem(actor, code, amount, reference)`` takes credit in payment, in its own transaction.
- ``cancel_unspent(...)`` (inside a void's transaction) cancels what is left of a voucher.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from peewee import fn

from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.models import Customer, Staff, Store, Voucher, VoucherEntry, database
from desk.models.db import is_postgres
from desk.services import audit
from desk.services.auth import require

# No 0/O, 1/I/L: a code read aloud or typed from paper is not misread. 12 of 31 symbols: ~59 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
_CODE_RE = re.compile(r"^V-[" + CODE_ALPHABET + r"]{" + str(CODE_LENGTH) + r"}$")


@dataclass(frozen=True)
class VoucherEntryView:
    at: dt.datetime  # naive UTC
    kind: str  # issue | redeem | cancel
    amount: int  # signed minor units
    reference: str
    staff_code: str


@dataclass(frozen=True)
class VoucherView:
    code: str
    currency: str
    amount: int  # issued
    balance: int
    status: str  # active | spent | cancelled
    issued_at: dt.datetime
    customer_name: str
    return_number: str
    entries: list[VoucherEntryView] = field(default_factory=list)


def is_voucher_code(text: str) -> bool:
    """Whether ``text`` looks like a voucher code (what the scan field checks)."""
    return bool(_CODE_RE.match((text or "").strip().upper()))


def new_code() -> str:
    while True:
        code = "V-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Voucher.select().where(Voucher.code == code).exists():
            return code


def balance_of(voucher_id: int) -> int:
    return int(VoucherEntry.select(fn.COALESCE(fn.SUM(VoucherEntry.amount), 0))
               .where(VoucherEntry.voucher == voucher_id).scalar() or 0)


def issue_voucher(store: Store, amount: int, actor: Staff, *, customer: Customer | None = None,
                  customer_name: str = "", ret=None, reference: str = "") -> Voucher:
    """A new voucher worth ``amount``. Call inside the transaction that pays it out."""
    if not database.obj.in_transaction():
        raise RuntimeError("issue_voucher must run inside the caller's transaction")
    if amount <= 0:
        raise InvalidInput("store credit", "must be more than zero")
    voucher = Voucher.create(code=new_code(), store=store, currency=store.currency, amount=amount, customer=customer,
                             customer_name=customer_name[:160], issued_by_return=ret, status="active")
    VoucherEntry.create(voucher=voucher, kind="issue", amount=amount, reference=reference[:80], staff_code=actor.code)
    audit.record("voucher.issued", actor, entity="voucher", entity_uuid=voucher.uuid,
                 details={"code": voucher.code, "amount": amount, "return": reference})
    return voucher


def _locked(code: str) -> Voucher:
    value = (code or "").strip().upper()
    if not value:
        raise InvalidInput("Voucher code", "is required")
    query = Voucher.select().where(Voucher.code == value)
    if is_postgres():
        query = query.for_update()
    voucher = query.first()
    if voucher is None:
        raise NotFound(f"No voucher has the code {value}.")
    return voucher


def voucher_view(code: str) -> VoucherView:
    """A voucher as the scan field and the slip show it: balance and history."""
    value = (code or "").strip().upper()
    voucher = Voucher.get_or_none(Voucher.code == value)
    if voucher is None:
        raise NotFound(f"No voucher has the code {value}.")
    entries = [VoucherEntryView(e.created_at, e.kind, e.amount, e.reference, e.staff_code)
               for e in VoucherEntry.select().where(VoucherEntry.voucher == voucher).order_by(VoucherEntry.id)]
    balance = sum(e.amount for e in entries)
    status = voucher.status if voucher.status == "cancelled" else ("spent" if balance == 0 else "active")
    number = voucher.issued_by_return.number if voucher.issued_by_return_id else ""
    return VoucherView(voucher.code, voucher.currency, voucher.amount, balance, status, voucher.created_at,
                       voucher.customer_name, number, entries)


def redeem(actor: Staff, code: str, amount: int, reference: str = "") -> VoucherView:
    """Take ``amount`` of a voucher's credit in payment. Refuses more than its balance."""
    require(actor, "vouchers.redeem")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput("Amount", "must be more than zero")
    with database.atomic():
        voucher = _locked(code)
        if voucher.status == "cancelled":
            raise NotAllowed(f"Voucher {voucher.code} was cancelled.")
        balance = balance_of(voucher.id)
        if amount > balance:
            from desk.money import format_money

            raise InvalidInput("Amount", f"voucher {voucher.code} has only {format_money(balance, voucher.currency)} left")
        VoucherEntry.create(voucher=voucher, kind="redeem", amount=-amount, reference=(reference or "")[:80], staff_code=actor.code)
        audit.record("voucher.redeemed", actor, entity="voucher", entity_uuid=voucher.uuid,
                     details={"code": voucher.code, "amount": amount, "reference": reference, "balance": balance - amount})
    return voucher_view(voucher.code)


def cancel_unspent(voucher: Voucher, actor: Staff, reason: str) -> None:
    """Cancel a voucher that was never spent (a void). Call inside the void's transaction."""
    query = Voucher.select().where(Voucher.id == voucher.id)
    if is_postgres():
        query = query.for_update()
    voucher = query.get()
    balance = balance_of(voucher.id)
    if voucher.status == "cancelled":
        return
    if balance != voucher.amount:
        from desk.money import format_money

        used = format_money(voucher.amount - balance, voucher.currency)
        raise NotAllowed(f"Voucher {voucher.code} was already spent ({used} of it used), so this return cannot be voided.")
    VoucherEntry.create(voucher=voucher, kind="cancel", amount=-balance, reference=reason[:80], staff_code=actor.code)
    Voucher.update(status="cancelled").where(Voucher.id == voucher.id).execute()
    audit.record("voucher.cancelled", actor, entity="voucher", entity_uuid=voucher.uuid,
                 details={"code": voucher.code, "amount": balance, "reason": reason})


def voucher_data(code: str):
    """The voucher's printable data (``desk.printing.voucher.VoucherData``)."""
    from desk.printing.voucher import VoucherData
    from desk.services import settings
    from desk.services.documents import store_header

    v = voucher_view(code)
    voucher = Voucher.get(Voucher.code == v.code)
    store = Store.get_by_id(voucher.store_id)
    return VoucherData(store=store_header(store), locale=store.locale, currency=v.currency, code=v.code, amount=v.amount,
                       balance=v.balance, issued_at=v.issued_at, status=v.status, customer=v.customer_name,
                       return_number=v.return_number, returns_policy=settings.get("returns_policy_text"))


def render_voucher(code: str, actor: Staff, paper: str = "roll"):
    """The voucher ``code`` as a ``RenderedDocument`` (``documents.render("voucher", ...)``)."""
    from desk.printing.voucher import build_voucher
    from desk.services.documents import RenderedDocument

    require(actor, "vouchers.redeem")
    data = voucher_data(code)
    return RenderedDocument("voucher", data.code, paper, build_voucher(data, paper), f"Store credit {data.code}")
