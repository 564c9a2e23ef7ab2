"""Special orders and service cases travel to head office: their exporters (see
``desk.services.exporters``; the tables' ``version`` column and change-log triggers come from
migration 0012). Each record carries codes and uuids instead of local ids; free text that may
name or describe a customer (notes, contact addresses, what the customer said) stays at the
store. Customers referred to go out as the ``customers`` kind does (a pseudonymous contact key).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from peewee import JOIN

from desk.models import (
    Case,
    CaseCategory,
    CaseEvent,
    CaseNote,
    ContactAttempt,
    ContactLog,
    Customer,
    Exchange,
    FollowUp,
    OrderEvent,
    OrderTender,
    Return,
    Sale,
    SpecialOrder,
    SpecialOrderLine,
    Staff,
    Store,
    Voucher,
)
from desk.services.exporters import BadRecord, Exporter, _clean, _int, _typed, register, typed

# An order waits on the supplier until it arrives, then on the customer until it is collected.
WAITING_ON_SUPPLIER = ("requested", "ordered")
WAITING_ON_CUSTOMER = ("arrived", "contacted")


def _date(rec: dict, key: str) -> str:
    value = rec.get(key)
    if value is None:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise BadRecord(f"{key} is not a date") from None


# --------------------------------------------------------------------------- special orders


def _order_rows(where) -> Iterable[dict]:
    clerk, approver = Staff.alias(), Staff.alias()
    query = (
        SpecialOrder.select(
            SpecialOrder.uuid, SpecialOrder.version, SpecialOrder.number, Store.code.alias("store"),
            SpecialOrder.desk_code.alias("desk"), clerk.code.alias("clerk"), Customer.uuid.alias("customer_uuid"),
            SpecialOrder.contact_via, SpecialOrder.status, SpecialOrder.currency, SpecialOrder.total,
            SpecialOrder.deposit_required, SpecialOrder.supplier, SpecialOrder.ordered_at, SpecialOrder.expected_date,
            SpecialOrder.arrived_at, SpecialOrder.contacted_at, SpecialOrder.collection_deadline,
            SpecialOrder.collected_at, SpecialOrder.cancelled_at, SpecialOrder.deposit_outcome,
            approver.code.alias("approved_by"), Sale.receipt_no.alias("sale_receipt"),
            Return.uuid.alias("return_uuid"), SpecialOrder.created_at, SpecialOrder.updated_at,
        )
        .join_from(SpecialOrder, Store)
        .join_from(SpecialOrder, clerk, on=(SpecialOrder.clerk == clerk.id))
        .join_from(SpecialOrder, Customer, JOIN.LEFT_OUTER)
        .join_from(SpecialOrder, approver, JOIN.LEFT_OUTER, on=(SpecialOrder.approved_by == approver.id))
        .join_from(SpecialOrder, Sale, JOIN.LEFT_OUTER)
        .join_from(SpecialOrder, Return, JOIN.LEFT_OUTER)
        .where(where)
        .order_by(SpecialOrder.id)
    )
    return _clean(query.dicts())


def order_due(rec: dict) -> str:
    """The date the order is late after (ISO, "" for none): the supplier's expected date while it
    waits on the supplier, the collection deadline while it waits on the customer."""
    status = rec.get("status")
    if status in WAITING_ON_SUPPLIER:
        return _date(rec, "expected_date")
    if status in WAITING_ON_CUSTOMER:
        return _date(rec, "collection_deadline")
    return ""


def _order_project(rec: dict) -> dict:
    typed = _typed(rec, amount="total", currency="currency", status="status", label="supplier", clerk="clerk")
    typed["detail"] = order_due(rec)
    return typed


def _order_line_rows(where) -> Iterable[dict]:
    query = (
        SpecialOrderLine.select(
            SpecialOrderLine.uuid, SpecialOrderLine.version, SpecialOrder.uuid.alias("order_uuid"),
            SpecialOrderLine.line_no, SpecialOrderLine.sku, SpecialOrderLine.barcode, SpecialOrderLine.description,
            SpecialOrderLine.supplier, SpecialOrderLine.supplier_code, SpecialOrderLine.quantity,
            SpecialOrderLine.unit_price, SpecialOrderLine.tax_rate, SpecialOrderLine.total, SpecialOrderLine.received,
            SpecialOrderLine.received_at, SpecialOrderLine.created_at,
        )
        .join(SpecialOrder)
        .where(where)
        .order_by(SpecialOrderLine.id)
    )
    for row in _clean(query.dicts()):
        row["tax_rate"] = str(row["tax_rate"])  # a Decimal percentage, e.g. "20" or "17.5"
        yield row


def _order_event_rows(where) -> Iterable[dict]:
    query = (
        OrderEvent.select(
            OrderEvent.uuid, OrderEvent.version, SpecialOrder.uuid.alias("order_uuid"),
            OrderEvent.staff_code.alias("staff"), OrderEvent.action, OrderEvent.from_status, OrderEvent.to_status,
            OrderEvent.created_at,
        )
        .join(SpecialOrder)
        .where(where)
        .order_by(OrderEvent.id)
    )
    return _clean(query.dicts())


def _contact_attempt_rows(where) -> Iterable[dict]:
    query = (
        ContactAttempt.select(
            ContactAttempt.uuid, ContactAttempt.version, SpecialOrder.uuid.alias("order_uuid"),
            ContactAttempt.staff_code.alias("staff"), ContactAttempt.method, ContactAttempt.outcome,
            ContactAttempt.created_at,
        )
        .join(SpecialOrder)
        .where(where)
        .order_by(ContactAttempt.id)
    )
    return _clean(query.dicts())


def _order_tender_rows(where) -> Iterable[dict]:
    query = (
        OrderTender.select(
            OrderTender.uuid, OrderTender.version, SpecialOrder.uuid.alias("order_uuid"), SpecialOrder.currency,
            OrderTender.seq, OrderTender.kind, OrderTender.direction, OrderTender.method, OrderTender.amount,
            OrderTender.card_brand, OrderTender.card_last4, OrderTender.reference, Voucher.uuid.alias("voucher_uuid"),
            OrderTender.staff_code.alias("staff"), OrderTender.created_at,
        )
        .join_from(OrderTender, SpecialOrder)
        .join_from(OrderTender, Voucher, JOIN.LEFT_OUTER)
        .where(where)
        .order_by(OrderTender.id)
    )
    return _clean(query.dicts())


# --------------------------------------------------------------------------- cases


def _case_rows(where) -> Iterable[dict]:
    owner, opener = Staff.alias(), Staff.alias()
    query = (
        Case.select(
            Case.uuid, Case.version, Case.number, Store.code.alias("store"), Store.currency,
            Case.desk_code.alias("desk"), Case.type, Case.channel, CaseCategory.name.alias("category"),
            CaseCategory.code.alias("category_code"),
            Case.priority, Case.summary, Customer.uuid.alias("customer_uuid"), Sale.receipt_no.alias("sale_receipt"),
            Return.uuid.alias("return_uuid"), Exchange.uuid.alias("exchange_uuid"), Case.order_number,
            owner.code.alias("owner"), opener.code.alias("opened_by"), Case.status, Case.first_response_due,
            Case.first_response_at, Case.resolution_due, Case.resolved_at, Case.closed_at, Case.paused_since,
            Case.paused_seconds, Case.next_due_at, Case.resolution_kind, Case.goodwill_amount, Case.created_at,
            Case.updated_at,
        )
        .join_from(Case, Store)
        .join_from(Case, CaseCategory, JOIN.LEFT_OUTER)
        .join_from(Case, Customer, JOIN.LEFT_OUTER)
        .join_from(Case, Sale, JOIN.LEFT_OUTER)
        .join_from(Case, Return, JOIN.LEFT_OUTER)
        .join_from(Case, Exchange, JOIN.LEFT_OUTER)
        .join_from(Case, owner, JOIN.LEFT_OUTER, on=(Case.owner == owner.id))
        .join_from(Case, opener, on=(Case.opened_by == opener.id))
        .where(where)
        .order_by(Case.id)
    )
    for row in _clean(query.dicts()):
        row["category"] = row["category"] or ""
        row["category_code"] = row["category_code"] or ""
        yield row


def _case_child(model, *fields, staff=True):
    def rows(where) -> Iterable[dict]:
        columns = [model.uuid, model.version, Case.uuid.alias("case_uuid"), *fields]
        query = model.select(*columns, model.created_at).join_from(model, Case)
        if staff:
            query = query.select_extend(Staff.code.alias("staff")).join_from(model, Staff, JOIN.LEFT_OUTER)
        return _clean(query.where(where).order_by(model.id).dicts())

    return rows


def _follow_up_project(rec: dict) -> dict:
    typed = _typed(rec, status="status", clerk="staff", parent="case_uuid")
    typed["at"] = _typed(rec, at="done_at")["at"] or _typed(rec, at="created_at")["at"]
    typed["amount"] = _int(rec, "satisfaction", required=False)
    return typed


def _contact_log_rows(where) -> Iterable[dict]:
    query = (
        ContactLog.select(
            ContactLog.uuid, ContactLog.version, Customer.uuid.alias("customer_uuid"), Case.uuid.alias("case_uuid"),
            Staff.code.alias("staff"), ContactLog.channel, ContactLog.direction, ContactLog.reached,
            ContactLog.created_at,
        )
        .join_from(ContactLog, Customer, JOIN.LEFT_OUTER)
        .join_from(ContactLog, Case, JOIN.LEFT_OUTER)
        .join_from(ContactLog, Staff)
        .where(where)
        .order_by(ContactLog.id)
    )
    return _clean(query.dicts())


for _exporter in (
    Exporter("orders", SpecialOrder, _order_rows, _order_project),
    Exporter("order_lines", SpecialOrderLine, _order_line_rows,
             typed(amount="total", label="sku", detail="supplier_code", parent="order_uuid")),
    Exporter("order_events", OrderEvent, _order_event_rows,
             typed(status="to_status", label="action", clerk="staff", parent="order_uuid")),
    Exporter("order_contacts", ContactAttempt, _contact_attempt_rows,
             typed(status="outcome", label="method", clerk="staff", parent="order_uuid")),
    Exporter("order_tenders", OrderTender, _order_tender_rows,
             typed(amount="amount", currency="currency", status="direction", label="method",
                              detail="kind", clerk="staff", parent="order_uuid")),
    Exporter("cases", Case, _case_rows,
             typed(amount="goodwill_amount", currency="currency", status="status", label="category",
                              detail="type", clerk="opened_by")),
    Exporter("case_notes", CaseNote, _case_child(CaseNote, CaseNote.kind, CaseNote.to_customer),
             typed(label="kind", clerk="staff", parent="case_uuid", flag="to_customer")),
    Exporter("case_events", CaseEvent,
             _case_child(CaseEvent, CaseEvent.action, CaseEvent.from_status, CaseEvent.to_status),
             typed(status="to_status", label="action", clerk="staff", parent="case_uuid")),
    Exporter("follow_ups", FollowUp,
             _case_child(FollowUp, FollowUp.due_at, FollowUp.status, FollowUp.attempts, FollowUp.last_attempt_at,
                         FollowUp.done_at, FollowUp.satisfaction),
             _follow_up_project),
    Exporter("contact_logs", ContactLog, _contact_log_rows,
             typed(label="channel", detail="direction", clerk="staff", parent="case_uuid",
                              flag="reached")),
):
    register(_exporter)
