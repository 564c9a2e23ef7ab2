"""What travels to head office, kind by kind: one registered ``Exporter`` per kind of record.

An exporter names the table whose rows travel, a query that gives those rows as plain dicts
(the record as it travels: codes and uuids instead of local ids, no free-text contact
details), and the projection head office files it under (the typed columns its reports group
and sum by). Special orders and cases plug in with one ``register(Exporter(...))`` each, and a
migration that gives their tables a ``version`` column and the change-log triggers (see
migration 0011).

How the rows of a bundle are chosen:
- ``source="changes"``: the rows the change log names (inserted or updated since they were last
  carried), or, for a day's bundle, the rows created or changed that day;
- ``source="references"``: the rows the other records of the bundle refer to (customers);
- ``source="audit"``: the audit events after the last bundle's chain head (or of that day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable

from peewee import JOIN, Model

from desk.models import (
    Approval,
    AuditEvent,
    Customer,
    Exchange,
    ExchangeTender,
    RefundTender,
    Return,
    ReturnLine,
    Sale,
    Staff,
    Store,
    Voucher,
    VoucherEntry,
)

BATCH = 500  # ids per IN (...) list


class BadRecord(ValueError):
    """A record from a bundle lacks a field its kind needs, or has one of the wrong type."""


@dataclass(frozen=True)
class Exporter:
    kind: str  # the file's name in the bundle: data/<kind>.jsonl, csv/<kind>.csv
    model: type[Model]
    rows: Callable[[Any], Iterable[dict]]  # rows(where) -> the records as they travel
    project: Callable[[dict], dict]  # a record -> head office's typed columns
    source: str = "changes"  # changes | references | audit
    check: Callable[[dict], None] | None = None  # raises BadRecord when a record cannot be what it claims


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> None:
    """Add a kind of record to the bundles (the order of registration is the files' order)."""
    if exporter.source not in ("changes", "references", "audit"):
        raise ValueError(f"unknown source {exporter.source!r}")
    EXPORTERS[exporter.kind] = exporter


def plain(value: Any) -> Any:
    """A stored value as it travels in JSON."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuidlib.UUID):
        return str(value)
    return value


def canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _clean(rows: Iterable[dict], json_fields: tuple[str, ...] = ()) -> Iterable[dict]:
    for row in rows:
        out = {k: plain(v) for k, v in row.items()}
        for name in json_fields:
            try:
                out[name] = json.loads(out.get(name) or "[]")
            except ValueError:
                out[name] = []
        yield out


# --------------------------------------------------------------------------- reading a record


def _str(rec: dict, key: str, size: int = 0) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"{key} is not text")
    return value[:size] if size else value


def _int(rec: dict, key: str, required: bool = True) -> int | None:
    value = rec.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{key} is not a whole number")
    if not -(1 << 63) <= value < (1 << 63):  # what a store's database holds, and head office's column
        raise BadRecord(f"{key} is out of range")
    return value


_fromisoformat = dt.datetime.fromisoformat


def _when(rec: dict, key: str) -> dt.datetime | None:
    value = rec.get(key)
    if value is None:
        return None
    try:
        when = _fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRecord(f"{key} is not a date and time") from None
    return when if when.tzinfo is None else when.replace(tzinfo=None)


def _typed(rec: dict, *, at="created_at", amount=None, currency=None, status=None, label=None, detail=None,
           clerk=None, parent=None, flag=None) -> dict:
    return {
        "at": _when(rec, at) if at else None,
        "amount": _int(rec, amount) if amount else None,
        "currency": _str(rec, currency, 3) if currency else "",
        "status": _str(rec, status, 16) if status else "",
        "label": _str(rec, label, 80) if label else "",
        "detail": _str(rec, detail, 32) if detail else "",
        "clerk": _str(rec, clerk, 16) if clerk else "",
        "parent": _str(rec, parent, 36) if parent else "",
        "flag": bool(rec.get(flag)) if flag else False,
    }


@dataclass(frozen=True)
class Typed:
    """A projection that only names which field of the record fills which typed column (the
    keyword arguments of ``_typed``). Being plain data, it is also written out as a function of
    its own (``row``), which head office's import uses for each record."""

    fields: tuple[tuple[str, str | None], ...]

    def __call__(self, rec: dict) -> dict:
        return _typed(rec, **dict(self.fields))

    @cached_property
    def row(self) -> Callable[[dict], tuple]:
        """A function of a record: ``self(rec)``'s values in TYPED_COLUMNS' order, read by the same
        functions (the import on PostgreSQL makes each record's row with it). It is written out
        for the spec, as dataclasses and namedtuple write theirs: one call a column and no loop,
        twice as fast as looping over the columns, which counts at a million records."""
        named = {"at": "created_at", **dict(self.fields)}  # _typed's defaults
        parts = []
        for column in TYPED_COLUMNS:
            key = named.get(column)
            if not key:
                parts.append({"at": "None", "amount": "None", "flag": "False"}.get(column, "''"))
            elif column == "at":
                parts.append(f"_when(rec, {key!r})")
            elif column == "amount":
                parts.append(f"_int(rec, {key!r})")
            elif column == "flag":
                parts.append(f"bool(rec.get({key!r}))")
            else:
                parts.append(f"_str(rec, {key!r}, {TEXT_SIZES[column]})")
        namespace = {"_when": _when, "_int": _int, "_str": _str}
        exec(f"def row(rec):\n    return ({', '.join(parts)},)\n", namespace)  # noqa: S102 - our own source
        return namespace["row"]


def typed_row(project: Callable[[dict], dict], rec: dict) -> tuple:
    """A kind's typed columns for ``rec`` in TYPED_COLUMNS' order, whatever its projection."""
    if isinstance(project, Typed):
        return project.row(rec)
    typed = project(rec)
    return tuple([typed[c] for c in TYPED_COLUMNS])


def typed(**fields) -> Typed:
    """``Typed`` for ``_typed(rec, **fields)``; ``at`` is ``created_at`` unless given."""
    fields.setdefault("at", "created_at")
    unknown = set(fields) - set(TYPED_COLUMNS)
    if unknown:
        raise ValueError(f"no typed column {sorted(unknown)}")
    return Typed(tuple(sorted(fields.items())))


TYPED_COLUMNS = ("at", "amount", "currency", "status", "label", "detail", "clerk", "parent", "flag")
TEXT_SIZES = {"currency": 3, "status": 16, "label": 80, "detail": 32, "clerk": 16, "parent": 36}


# --------------------------------------------------------------------------- the kinds


def _return_rows(where) -> Iterable[dict]:
    clerk, approver, voider = Staff.alias(), Staff.alias(), Staff.alias()
    query = (
        Return.select(
            Return.uuid, Return.version, Return.number, Store.code.alias("store"), Return.desk_code.alias("desk"),
            Return.kind, Sale.receipt_no.alias("sale_receipt"), Return.gift_code, Customer.uuid.alias("customer_uuid"),
            clerk.code.alias("clerk"), Return.currency, Return.total, Return.fee_total, Return.refund_to, Return.status,
            Return.decision, Return.policy_reasons, Approval.uuid.alias("approval_uuid"),
            approver.code.alias("approved_by"), Return.approved_at, Return.override, Return.created_at,
            Return.voided_at, voider.code.alias("voided_by"), Return.void_reason,
        )
        .join_from(Return, Store)
        .join_from(Return, clerk, on=(Return.clerk == clerk.id))
        .join_from(Return, Sale, JOIN.LEFT_OUTER)
        .join_from(Return, Customer, JOIN.LEFT_OUTER)
        .join_from(Return, Approval, JOIN.LEFT_OUTER)
        .join_from(Return, approver, JOIN.LEFT_OUTER, on=(Return.approved_by == approver.id))
        .join_from(Return, voider, JOIN.LEFT_OUTER, on=(Return.voided_by == voider.id))
        .where(where)
        .order_by(Return.id)
    )
    return _clean(query.dicts(), ("policy_reasons",))


def _return_line_rows(where) -> Iterable[dict]:
    query = (
        ReturnLine.select(
            ReturnLine.uuid, ReturnLine.version, Return.uuid.alias("return_uuid"), ReturnLine.line_no, ReturnLine.sku,
            ReturnLine.description, ReturnLine.category, ReturnLine.quantity, ReturnLine.value, ReturnLine.fee,
            ReturnLine.refund, ReturnLine.reason, ReturnLine.reason_text, ReturnLine.condition, ReturnLine.disposition,
            ReturnLine.created_at,
        )
        .join(Return)
        .where(where)
        .order_by(ReturnLine.id)
    )
    return _clean(query.dicts())


def _refund_tender_rows(where) -> Iterable[dict]:
    query = (
        RefundTender.select(
            RefundTender.uuid, RefundTender.version, Return.uuid.alias("return_uuid"), RefundTender.seq,
            RefundTender.method, RefundTender.amount, RefundTender.card_brand, RefundTender.card_last4,
            RefundTender.reference, Voucher.uuid.alias("voucher_uuid"), RefundTender.created_at,
        )
        .join_from(RefundTender, Return)
        .join_from(RefundTender, Voucher, JOIN.LEFT_OUTER)
        .where(where)
        .order_by(RefundTender.id)
    )
    return _clean(query.dicts())


def _exchange_rows(where) -> Iterable[dict]:
    clerk, voider = Staff.alias(), Staff.alias()
    query = (
        Exchange.select(
            Exchange.uuid, Exchange.version, Exchange.number, Store.code.alias("store"), Exchange.desk_code.alias("desk"),
            Return.uuid.alias("return_uuid"), Sale.receipt_no.alias("sale_receipt"), clerk.code.alias("clerk"),
            Exchange.currency, Exchange.returned_value, Exchange.replacement_total, Exchange.difference,
            Exchange.reason, Exchange.status, Exchange.created_at, Exchange.voided_at, voider.code.alias("voided_by"),
            Exchange.void_reason,
        )
        .join_from(Exchange, Store)
        .join_from(Exchange, Return)
        .join_from(Exchange, clerk, on=(Exchange.clerk == clerk.id))
        .join_from(Exchange, Sale, JOIN.LEFT_OUTER)
        .join_from(Exchange, voider, JOIN.LEFT_OUTER, on=(Exchange.voided_by == voider.id))
        .where(where)
        .order_by(Exchange.id)
    )
    return _clean(query.dicts())


def _exchange_tender_rows(where) -> Iterable[dict]:
    query = (
        ExchangeTender.select(
            ExchangeTender.uuid, ExchangeTender.version, Exchange.uuid.alias("exchange_uuid"), ExchangeTender.seq,
            ExchangeTender.direction, ExchangeTender.method, ExchangeTender.amount, ExchangeTender.card_brand,
            ExchangeTender.card_last4, ExchangeTender.reference, Voucher.uuid.alias("voucher_uuid"),
            ExchangeTender.created_at,
        )
        .join_from(ExchangeTender, Exchange)
        .join_from(ExchangeTender, Voucher, JOIN.LEFT_OUTER)
        .where(where)
        .order_by(ExchangeTender.id)
    )
    return _clean(query.dicts())


def _voucher_rows(where) -> Iterable[dict]:
    query = (
        Voucher.select(
            Voucher.uuid, Voucher.version, Voucher.code, Store.code.alias("store"), Voucher.currency, Voucher.amount,
            Customer.uuid.alias("customer_uuid"), Return.uuid.alias("return_uuid"), Voucher.status, Voucher.created_at,
        )
        .join_from(Voucher, Store)
        .join_from(Voucher, Customer, JOIN.LEFT_OUTER)
        .join_from(Voucher, Return, JOIN.LEFT_OUTER)
        .where(where)
        .order_by(Voucher.id)
    )
    return _clean(query.dicts())


def _voucher_entry_rows(where) -> Iterable[dict]:
    query = (
        VoucherEntry.select(
            VoucherEntry.uuid, VoucherEntry.version, Voucher.uuid.alias("voucher_uuid"), Voucher.currency,
            VoucherEntry.kind, VoucherEntry.amount, VoucherEntry.reference, VoucherEntry.staff_code.alias("staff"),
            VoucherEntry.created_at,
        )
        .join(Voucher)
        .where(where)
        .order_by(VoucherEntry.id)
    )
    return _clean(query.dicts())


def _approval_rows(where) -> Iterable[dict]:
    clerk, decider = Staff.alias(), Staff.alias()
    query = (
        Approval.select(
            Approval.uuid, Approval.version, Store.code.alias("store"), Store.currency, Approval.status,
            clerk.code.alias("clerk"), Approval.desk_code.alias("desk"), Approval.outcome, Approval.reasons,
            Approval.summary, Approval.amount, decider.code.alias("decided_by"), Approval.decided_at, Approval.note,
            Approval.used_at, Approval.created_at,
        )
        .join_from(Approval, Store)
        .join_from(Approval, clerk, on=(Approval.clerk == clerk.id))
        .join_from(Approval, decider, JOIN.LEFT_OUTER, on=(Approval.decided_by == decider.id))
        .where(where)
        .order_by(Approval.id)
    )
    return _clean(query.dicts(), ("reasons",))


def contact_key(email: str | None, phone: str | None) -> str:
    """A pseudonymous key that matches one customer across stores without sending the contact
    details: SHA-256 of the lower-cased email, or else of the phone's digits."""
    email = (email or "").strip().lower()
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    basis = f"email:{email}" if email else (f"phone:{digits}" if digits else "")
    return hashlib.sha256(basis.encode("utf-8")).hexdigest() if basis else ""


def _customer_rows(where) -> Iterable[dict]:
    query = Customer.select(Customer.uuid, Customer.version, Customer.name, Customer.email, Customer.phone,
                            Customer.created_at).where(where).order_by(Customer.id)
    for row in _clean(query.dicts()):
        email, phone = row.pop("email"), row.pop("phone")
        row["contact_key"] = contact_key(email, phone)
        yield row


def _check_audit_event(rec: dict) -> None:
    """An audit event's hash must be its content's: an event edited after it was written (and
    the bundle signed again) is caught here."""
    from desk.services.audit import hash_matches

    fields = {"uuid": rec.get("uuid"), "at": rec.get("at"), "store": rec.get("store"), "staff": rec.get("staff"),
              "action": rec.get("action"), "entity": rec.get("entity"), "entity_uuid": rec.get("entity_uuid"),
              "details": rec.get("details")}
    seq = _int(rec, "seq")
    if not hash_matches(_str(rec, "prev_hash"), seq, fields, rec.get("hash")):
        raise BadRecord(f"audit event #{seq} does not match its hash: it was altered after it was written")


def _audit_rows(where) -> Iterable[dict]:
    query = AuditEvent.select(
        AuditEvent.uuid, AuditEvent.seq, AuditEvent.at, AuditEvent.store_code.alias("store"),
        AuditEvent.staff_code.alias("staff"), AuditEvent.action, AuditEvent.entity, AuditEvent.entity_uuid,
        AuditEvent.details, AuditEvent.prev_hash, AuditEvent.hash,
    ).where(where).order_by(AuditEvent.seq)
    for row in _clean(query.dicts()):
        row["version"] = 1  # an audit event never changes
        yield row


for _exporter in (
    Exporter("returns", Return, _return_rows,
             typed(amount="total", currency="currency", status="status", label="kind", detail="decision",
                              clerk="clerk", flag="override")),
    Exporter("return_lines", ReturnLine, _return_line_rows,
             typed(amount="refund", label="reason", detail="category", parent="return_uuid")),
    Exporter("refund_tenders", RefundTender, _refund_tender_rows,
             typed(amount="amount", label="method", parent="return_uuid")),
    Exporter("exchanges", Exchange, _exchange_rows,
             typed(amount="difference", currency="currency", status="status", label="reason",
                              clerk="clerk", parent="return_uuid")),
    Exporter("exchange_tenders", ExchangeTender, _exchange_tender_rows,
             typed(amount="amount", label="method", detail="direction", parent="exchange_uuid")),
    Exporter("vouchers", Voucher, _voucher_rows,
             typed(amount="amount", currency="currency", status="status", label="code",
                              parent="return_uuid")),
    Exporter("voucher_entries", VoucherEntry, _voucher_entry_rows,
             typed(amount="amount", currency="currency", label="kind", clerk="staff",
                              parent="voucher_uuid")),
    Exporter("approvals", Approval, _approval_rows,
             typed(amount="amount", currency="currency", status="status", label="outcome",
                              clerk="clerk")),
    Exporter("customers", Customer, _customer_rows, typed(label="name"), source="references"),
    Exporter("audit_events", AuditEvent, _audit_rows,
             typed(at="at", label="action", detail="entity", clerk="staff", parent="entity_uuid"),
             source="audit", check=_check_audit_event),
):
    register(_exporter)

# Special orders and cases register theirs (after the kinds above: the files' order).
from desk.services import exporters_orders_cases  # noqa: E402,F401
