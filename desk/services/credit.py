"""Store credit: vouchers with an unguessable code and a balance kept as a ledger of entries.

- ``issue_voucher(...)`` (inside a return's transaction) writes the voucher and its ``issue`` entry.
- ``voucher_view(code)`` -> ``VoucherView``: the balance the scan field shows, and its history.
- ``redeem(actor, code, amount, reference)`` takes credit in payment, in its own transaction.
- ``redeem_in(...)`` the same inside the caller's transaction (an exchange's store-credit tender).
- ``cancel_unspent(...)`` (inside a void's transaction) cancels what is left of a voucher.
- ``expires_on(voucher)``: the last day it can be used (Settings ``voucher_expiry_days``, 0 = never);
  ``expire_due(actor)`` writes the ``expire`` entries of the vouchers past it.
- ``list_vouchers(VoucherQuery, offset, limit) -> list[VoucherRow]`` and ``count_vouchers(VoucherQuery)``:
  the Vouchers screen, a page at a time, filtered in SQL.
- ``cancel_voucher(actor, code, reason, approver=None)``: a manager cancels what is left.

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
from desk.services.auth import require, verify_approver

# No 0/O, 1/I/L: a code read aloud or typed from paper is not misread. 12 of 31 symbols: ~59 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
_CODE_RE = re.compile(r"^V-[" + CODE_ALPHABET + r"]{" + str(CODE_LENGTH) + r"}$")


@dataclass(frozen=True)
class VoucherEntryView:
    at: dt.datetime  # naive UTC
    kind: str  # issue | redeem | reverse | expire | cancel
    amount: int  # signed minor units
    reference: str
    staff_code: str
    staff_name: str = ""


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
    source: str = "goodwill"  # return | exchange | goodwill
    source_number: str = ""


SOURCES = ("return", "exchange", "goodwill")
STATUSES = ("active", "spent", "expired", "cancelled")


@dataclass
class VoucherQuery:
    text: str = ""  # part of the code or the customer's name
    status: str = ""  # "" | active | spent | cancelled | expired
    limit: int = 500
    source: str = ""  # "" | return | exchange | goodwill


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
    source: str = "goodwill"  # return | exchange | goodwill
    source_number: str = ""  # the return's or the exchange's number


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
    from desk.models import Exchange

    rows = list(VoucherEntry.select().where(VoucherEntry.voucher == voucher).order_by(VoucherEntry.id))
    names = dict(Staff.select(Staff.code, Staff.name).where(Staff.code.in_({e.staff_code for e in rows})).tuples()) if rows else {}
    entries = [VoucherEntryView(e.created_at, e.kind, e.amount, e.reference, e.staff_code, names.get(e.staff_code, ""))
               for e in rows]
    balance = sum(e.amount for e in entries)
    status = _status(voucher, balance, entries)
    number = voucher.issued_by_return.number if voucher.issued_by_return_id else ""
    exchange = (Exchange.select(Exchange.number).where(Exchange.ret == voucher.issued_by_return_id).scalar()
                if voucher.issued_by_return_id else None)
    source, source_number = _source(voucher.issued_by_return_id, number, exchange)
    return VoucherView(voucher.code, voucher.currency, voucher.amount, balance, status, voucher.created_at,
                       voucher.customer_name, number, entries, expires_on(voucher), source, source_number)


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


def _expiry_cutoff() -> dt.datetime | None:
    """Vouchers created before this (naive UTC) are past their last day; None: they never expire."""
    from desk import clock
    from desk.services import settings

    days = settings.get("voucher_expiry_days")
    if not days:
        return None
    today = clock.to_local(clock.utcnow()).date()
    return clock.local_midnight_utc(today - dt.timedelta(days=days))


def _voucher_query(query: VoucherQuery):
    """Vouchers with their balance (``bal``) and the document that issued them (``ret_no``, ``ex_no``),
    filtered in SQL by text and status (the status rules of ``_status``)."""
    from desk.models import Exchange, Return

    bal = fn.COALESCE(fn.SUM(VoucherEntry.amount), 0)
    q = (Voucher.select(Voucher, bal.alias("bal"), Return.number.alias("ret_no"), Exchange.number.alias("ex_no"))
         .join(VoucherEntry, on=(VoucherEntry.voucher == Voucher.id))
         .switch(Voucher).join(Return, JOIN.LEFT_OUTER, on=(Voucher.issued_by_return == Return.id))
         .join(Exchange, JOIN.LEFT_OUTER, on=(Exchange.ret == Return.id))
         .group_by(Voucher.id, Return.number, Exchange.number))
    text = (query.text or "").strip()
    if text:
        q = q.where(Voucher.code.contains(text.upper()) | fn.LOWER(Voucher.customer_name).contains(text.lower()))
    source = (query.source or "").strip()
    if source == "exchange":
        q = q.where(Exchange.id.is_null(False))
    elif source == "return":
        q = q.where(Voucher.issued_by_return.is_null(False) & Exchange.id.is_null(True))
    elif source == "goodwill":
        q = q.where(Voucher.issued_by_return.is_null(True))
    elif source:
        raise InvalidInput("Source", f"'{source}' is not one of {', '.join(SOURCES)}")
    status = (query.status or "").strip()
    cutoff = _expiry_cutoff()
    past = (Voucher.created_at < cutoff) if cutoff is not None else None
    if status == "cancelled":
        q = q.where(Voucher.status == "cancelled")
    elif status == "expired":
        late = (Voucher.status == "active") & (bal > 0)
        q = q.having((Voucher.status == "expired") | (late & past) if past is not None else (Voucher.status == "expired"))
    elif status == "spent":
        q = q.where(Voucher.status == "active").having(bal == 0)
    elif status == "active":
        q = q.where(Voucher.status == "active")
        if past is not None:
            q = q.where(~past)
        q = q.having(bal > 0)
    elif status:
        raise InvalidInput("Status", f"'{status}' is not one of {', '.join(STATUSES)}")
    return q


def count_vouchers(query: VoucherQuery | None = None) -> int:
    """How many vouchers the Vouchers screen's filters match."""
    return _voucher_query(query or VoucherQuery()).count()


def list_vouchers(query: VoucherQuery | None = None, offset: int = 0, limit: int | None = None) -> list[VoucherRow]:
    """One page of vouchers with their balances, newest first (the Vouchers screen).
    ``limit`` None: ``query.limit``."""
    query = query or VoucherQuery()
    limit = query.limit if limit is None else limit
    q = (_voucher_query(query).order_by(Voucher.created_at.desc(), Voucher.id.desc())
         .offset(max(0, offset)).limit(max(0, limit)))
    rows = []
    for v in q.objects():
        balance = int(v.bal or 0)
        source, number = _source(v.issued_by_return_id, getattr(v, "ret_no", None), getattr(v, "ex_no", None))
        rows.append(VoucherRow(v.code, v.currency, v.amount, balance, _status(v, balance), v.created_at, expires_on(v),
                               v.customer_name, getattr(v, "ret_no", None) or "", source, number))
    return rows


def _source(return_id, return_number, exchange_number) -> tuple[str, str]:
    """(return | exchange | goodwill, the issuing document's number)."""
    if exchange_number:
        return "exchange", exchange_number
    if return_id:
        return "return", return_number or ""
    return "goodwill", ""


def cancel_voucher(actor: Staff, code: str, reason: str, approver=None) -> VoucherView:
    """A manager cancels what is left of a voucher (lost, issued in error), with a reason: a
    ``cancel`` entry takes the balance to zero. ``approver`` (a ``returns.DeskApproval``): a
    manager's code and PIN typed at the desk of someone who may not cancel; the cancel is then
    the manager's (the PIN is checked in its own transaction, so a wrong one counts)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Reason", "say why the voucher is cancelled")
    if approver is not None:
        require(actor, "vouchers.view")
        manager = verify_approver(approver.code, approver.pin, "vouchers.cancel", during="voucher cancel")
    else:
        require(actor, "vouchers.cancel")
        manager = actor
    with database.atomic():
        voucher = _locked(code)
        if voucher.status == "cancelled":
            raise NotAllowed(f"Voucher {voucher.code} was already cancelled.")
        if voucher.status == "expired" or _expired(voucher):
            raise NotAllowed(f"Voucher {voucher.code} expired on {expires_on(voucher).isoformat()}: nothing is left to cancel.")
        balance = balance_of(voucher.id)
        if balance <= 0:
            raise NotAllowed(f"Voucher {voucher.code} is spent: nothing is left to cancel.")
        VoucherEntry.create(voucher=voucher, kind="cancel", amount=-balance, reference=reason[:80], staff_code=manager.code)
        Voucher.update(status="cancelled").where(Voucher.id == voucher.id).execute()
        audit.record("voucher.cancelled", manager, entity="voucher", entity_uuid=voucher.uuid,
                     details={"code": voucher.code, "amount": balance, "reason": reason,
                              "at_desk_of": actor.code if approver is not None else ""})
    return voucher_view(voucher.code)


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
