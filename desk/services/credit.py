"""Store credit: vouchers with an unguessable code and a balance kept as a ledger of entries.

- ``issue_voucher(...)`` (inside a return's transaction) writes the voucher and its ``issue`` entry.
- ``voucher_view(code)`` -> ``VoucherView``: the balance the scan field shows, and its history.
- ``redeem(actor, code, amount, reference)`` takes credit in payment, in its own transaction.
- ``redeem_in(...)`` the same inside the caller's transaction (an exchange's store-credit tender).
- ``cancel_unspent(...)`` (inside a void's transaction) cancels what is left of a voucher.
- ``expires_on(voucher)``: the last day it can be used (Settings ``voucher_expiry_days``, 0 = never);
  ``expire_due(actor)`` writes the ``expire`` entries of the vouchers past it.
- ``list_vouchers(VoucherQuery) -> list[VoucherRow]``: the Vouchers screen.

The ledger's entry kinds: ``issue`` (+), ``redeem`` (-), ``reverse`` (+, a redemption given back by
a void), ``expire`` (-) and ``cancel`` (-, the voucher voided). The balance never goes below zero:
the voucher row is locked (PostgreSQL ``FOR UPDATE``; SQLite's write transaction is BEGIN
IMMEDIATE) before its balance is read.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from peewee import JOIN, fn

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
    expires_on: dt.date | None = None


@dataclass
class VoucherQuery:
    text: str = ""  # part of the code or the customer's name
    status: str = ""  # "" | active | spent | cancelled | expired
    limit: int = 500


@dataclass(frozen=True)
class VoucherRow:
    code: str
    currency: str
    amount: int
    balance: int
    status: str  # active | spent | cancelled | expired
    issued_at: dt.datetime
    expires_on: dt.date | None
    customer_name: str
    return_number: str


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
                  customer_name: str = "", ret=None, reference: str = "", source: str = "return") -> Voucher:
    """A new voucher worth ``amount``. Call inside the transaction that pays it out. ``source``
    says what gave it: ``return`` (a refund as store credit), ``exchange`` or ``goodwill`` (a case)."""
    if not database.obj.in_transaction():
        raise RuntimeError("issue_voucher must run inside the caller's transaction")
    if amount <= 0:
        raise InvalidInput("store credit", "must be more than zero")
    voucher = Voucher.create(code=new_code(), store=store, currency=store.currency, amount=amount, customer=customer,
                             customer_name=customer_name[:160], issued_by_return=ret, status="active", source=source)
    VoucherEntry.create(voucher=voucher, kind="issue", amount=amount, reference=reference[:80], staff_code=actor.code)
    audit.record("voucher.issued", actor, entity="voucher", entity_uuid=voucher.uuid,
                 details={"code": voucher.code, "amount": amount, "return": reference, "source": source})
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
    status = _status(voucher, balance, entries)
    number = voucher.issued_by_return.number if voucher.issued_by_return_id else ""
    return VoucherView(voucher.code, voucher.currency, voucher.amount, balance, status, voucher.created_at,
                       voucher.customer_name, number, entries, expires_on(voucher))


def expires_on(voucher: Voucher) -> dt.date | None:
    """The last local day ``voucher`` can be used, or None when vouchers never expire."""
    from desk import clock
    from desk.services import settings

    days = settings.get("voucher_expiry_days")
    if not days:
        return None
    return clock.to_local(voucher.created_at).date() + dt.timedelta(days=days)


def _expired(voucher: Voucher) -> bool:
    from desk import clock

    last = expires_on(voucher)
    return last is not None and clock.to_local(clock.utcnow()).date() > last


def _status(voucher: Voucher, balance: int, entries=None) -> str:
    if voucher.status == "cancelled":
        return "cancelled"
    if voucher.status == "expired" or (balance > 0 and _expired(voucher)):
        return "expired"
    return "spent" if balance == 0 else "active"


def list_vouchers(query: VoucherQuery | None = None) -> list[VoucherRow]:
    """Vouchers with their balances, newest first (the Vouchers screen)."""
    from desk.models import Return

    query = query or VoucherQuery()
    bal = fn.COALESCE(fn.SUM(VoucherEntry.amount), 0)
    q = (Voucher.select(Voucher, bal.alias("bal"), Return.number.alias("ret_no"))
         .join(VoucherEntry, on=(VoucherEntry.voucher == Voucher.id))
         .switch(Voucher).join(Return, JOIN.LEFT_OUTER, on=(Voucher.issued_by_return == Return.id))
         .group_by(Voucher.id, Return.number).order_by(Voucher.created_at.desc(), Voucher.id.desc()))
    text = (query.text or "").strip()
    if text:
        q = q.where(Voucher.code.contains(text.upper()) | fn.LOWER(Voucher.customer_name).contains(text.lower()))
    rows = []
    for v in q.objects():
        balance = int(v.bal or 0)
        status = _status(v, balance)
        if query.status and status != query.status:
            continue
        rows.append(VoucherRow(v.code, v.currency, v.amount, balance, status, v.created_at, expires_on(v),
                               v.customer_name, getattr(v, "ret_no", None) or ""))
        if len(rows) >= query.limit:
            break
    return rows


def redeem(actor: Staff, code: str, amount: int, reference: str = "") -> VoucherView:
    """Take ``amount`` of a voucher's credit in payment (the desk's "top down"), in its own
    transaction. Refuses more than its balance, a cancelled or an expired voucher."""
    require(actor, "vouchers.redeem")
    with database.atomic():
        voucher = redeem_in(actor, code, amount, reference)
    return voucher_view(voucher.code)


def redeem_in(actor: Staff, code: str, amount: int, reference: str = "") -> Voucher:
    """``redeem`` inside the caller's transaction (an exchange's store-credit tender)."""
    require(actor, "vouchers.redeem")
    if not database.obj.in_transaction():
        raise RuntimeError("redeem_in must run inside the caller's transaction")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput("Amount", "must be more than zero")
    voucher = _locked(code)
    if voucher.status == "cancelled":
        raise NotAllowed(f"Voucher {voucher.code} was cancelled.")
    if voucher.status == "expired" or _expired(voucher):
        raise NotAllowed(f"Voucher {voucher.code} expired on {expires_on(voucher).isoformat()}.")
    balance = balance_of(voucher.id)
    if amount > balance:
        from desk.money import format_money

        raise InvalidInput("Amount", f"voucher {voucher.code} has only {format_money(balance, voucher.currency)} left")
    VoucherEntry.create(voucher=voucher, kind="redeem", amount=-amount, reference=(reference or "")[:80], staff_code=actor.code)
    audit.record("voucher.redeemed", actor, entity="voucher", entity_uuid=voucher.uuid,
                 details={"code": voucher.code, "amount": amount, "reference": reference, "balance": balance - amount})
    return voucher


def reverse_redemption(actor: Staff, voucher: Voucher, amount: int, reference: str) -> None:
    """Give back ``amount`` redeemed from ``voucher`` (a void). Inside the void's transaction."""
    voucher = _locked(voucher.code)
    VoucherEntry.create(voucher=voucher, kind="reverse", amount=amount, reference=(reference or "")[:80], staff_code=actor.code)
    audit.record("voucher.redemption_reversed", actor, entity="voucher", entity_uuid=voucher.uuid,
                 details={"code": voucher.code, "amount": amount, "reference": reference})


def expire_due(actor: Staff) -> int:
    """Write the ``expire`` entry of every active voucher past its expiry day; how many."""
    require(actor, "vouchers.redeem")
    done = 0
    with database.atomic():
        for v in Voucher.select().where(Voucher.status == "active"):
            if not _expired(v):
                continue
            voucher = _locked(v.code)
            balance = balance_of(voucher.id)
            if balance > 0:
                VoucherEntry.create(voucher=voucher, kind="expire", amount=-balance, reference="expired", staff_code=actor.code)
            Voucher.update(status="expired").where(Voucher.id == voucher.id).execute()
            audit.record("voucher.expired", actor, entity="voucher", entity_uuid=voucher.uuid,
                         details={"code": voucher.code, "amount": balance})
            done += 1
    return done


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
