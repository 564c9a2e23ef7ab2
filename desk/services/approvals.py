"""The approval queue: a clerk sends a return that needs a manager's word; a supervisor or
manager on any desk of the same database answers it; the clerk then completes the return.

- ``request_approval(actor, request) -> ApprovalView`` (status ``pending``)
- ``pending_approvals(actor) -> list[ApprovalView]`` (oldest first)
- ``decide(actor, approval_id, approve, note) -> ApprovalView`` (``approved`` or ``refused``)
- ``approval_status(approval_id) -> ApprovalView`` (what the clerk's screen polls)
- ``withdraw(actor, approval_id) -> ApprovalView`` (the clerk gives up on it)
- then ``desk.services.returns.create_return(actor, request, approval_id=...)`` with the same
  request: it checks the approval matches and marks it ``used``.

Each is one transaction with its audit event. Nobody answers their own request; refusals the
policy allows a manager to override need ``returns.override`` to approve.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from desk import clock
from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.models import Approval, Staff, database
from desk.models.db import is_postgres
from desk.money import format_money
from desk.services import audit
from desk.services.auth import can, require
from desk.services.policy import ALLOWED, REFUSED, Decision

STATUSES = ("pending", "approved", "refused", "used", "withdrawn")


@dataclass(frozen=True)
class ApprovalView:
    id: int
    status: str  # pending | approved | refused | used | withdrawn
    created_at: dt.datetime  # naive UTC
    clerk_code: str
    clerk_name: str
    desk_code: str
    outcome: str  # what the policy said: needs_approval | refused (an override)
    reasons: list[str]
    summary: str
    amount: int
    currency: str
    decided_by_code: str
    decided_by_name: str
    decided_at: dt.datetime | None
    note: str

    @property
    def is_override(self) -> bool:
        return self.outcome == REFUSED


def _view(row: Approval) -> ApprovalView:
    clerk = Staff.get_or_none(Staff.id == row.clerk_id)
    decider = Staff.get_or_none(Staff.id == row.decided_by_id) if row.decided_by_id else None
    return ApprovalView(
        id=row.id, status=row.status, created_at=row.created_at,
        clerk_code=clerk.code if clerk else "", clerk_name=clerk.name if clerk else "",
        desk_code=row.desk_code, outcome=row.outcome, reasons=json.loads(row.reasons or "[]"), summary=row.summary,
        amount=row.amount, currency=row.store.currency,
        decided_by_code=decider.code if decider else "", decided_by_name=decider.name if decider else "",
        decided_at=row.decided_at, note=row.note,
    )


def _locked(approval_id: int) -> Approval:
    query = Approval.select().where(Approval.id == int(approval_id))
    if is_postgres():
        query = query.for_update()
    row = query.first()
    if row is None:
        raise NotFound(f"There is no approval request number {approval_id}.")
    return row


def request_approval(actor: Staff, request) -> ApprovalView:
    """Send a return that needs approval (or a refusal a manager may override) to the queue."""
    from desk.services.returns import Refused, _plan

    require(actor, "returns.create")
    with database.atomic():
        plan = _plan(request, actor, lock=False)
        d = plan.decision
        if d.outcome == ALLOWED:
            raise InvalidInput("Approval", "this return needs no approval: complete it now")
        if d.outcome == REFUSED and not d.overridable:
            raise Refused(d.reasons, False)
        money = format_money(plan.total, plan.store.currency, plan.store.locale)
        what = plan.sale.receipt_no if plan.sale else f"{request.kind} return"
        units = sum(l.req.quantity for l in plan.lines)
        summary = f"{what}: {units} item{'s' if units != 1 else ''}, {money} — {plan.lines[0].description}" + (
            f" and {len(plan.lines) - 1} more" if len(plan.lines) > 1 else "")
        row = Approval.create(
            store=plan.store, status="pending", clerk=actor.id, desk_code=request.desk_code, outcome=d.outcome,
            reasons=json.dumps(d.reasons), summary=summary, amount=plan.total, request=request.to_json(),
            fingerprint=request.fingerprint(), created_at=clock.utcnow(),
        )
        audit.record("approval.requested", actor, entity="approval", entity_uuid=row.uuid,
                     details={"id": row.id, "outcome": d.outcome, "reasons": d.reasons, "amount": plan.total, "summary": summary})
    return _view(row)


def pending_approvals(actor: Staff) -> list[ApprovalView]:
    require(actor, "returns.approve")
    return [_view(r) for r in Approval.select().where(Approval.status == "pending").order_by(Approval.created_at, Approval.id)]


def approval_status(approval_id: int) -> ApprovalView:
    row = Approval.get_or_none(Approval.id == int(approval_id))
    if row is None:
        raise NotFound(f"There is no approval request number {approval_id}.")
    return _view(row)


def decide(actor: Staff, approval_id: int, approve: bool, note: str) -> ApprovalView:
    """A supervisor or manager answers a pending request, with a note saying why."""
    require(actor, "returns.approve")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Note", "say why the return is " + ("approved" if approve else "refused"))
    with database.atomic():
        row = _locked(approval_id)
        if row.status != "pending":
            raise NotAllowed(f"Approval request {row.id} was already answered ({row.status}).")
        if row.clerk_id == actor.id:
            raise NotAllowed(f"{actor.name} cannot answer their own approval request: another supervisor or manager must.")
        if approve and row.outcome == REFUSED:
            require(actor, "returns.override")
        row.status = "approved" if approve else "refused"
        row.decided_by = actor.id
        row.decided_at = clock.utcnow()
        row.note = note
        row.save()
        audit.record("approval.approved" if approve else "approval.refused", actor, entity="approval",
                     entity_uuid=row.uuid, details={"id": row.id, "note": note, "override": row.outcome == REFUSED})
    return _view(row)


def withdraw(actor: Staff, approval_id: int) -> ApprovalView:
    """The clerk who asked gives up on a request that is still pending or approved."""
    require(actor, "returns.create")
    with database.atomic():
        row = _locked(approval_id)
        if row.clerk_id != actor.id:
            raise NotAllowed("Only the clerk who asked can withdraw an approval request.")
        if row.status not in ("pending", "approved"):
            raise NotAllowed(f"Approval request {row.id} is {row.status}.")
        row.status = "withdrawn"
        row.save()
        audit.record("approval.withdrawn", actor, entity="approval", entity_uuid=row.uuid, details={"id": row.id})
    return _view(row)


def use_approval(approval_id: int, actor: Staff, request, decision: Decision) -> Approval:
    """Inside the return's transaction: the approval must be approved, asked by this clerk, for
    exactly this request, and cover what the policy says now. Marks it used."""
    row = _locked(approval_id)
    if row.status == "pending":
        raise NotAllowed(f"Approval request {row.id} has not been answered yet.")
    if row.status != "approved":
        raise NotAllowed(f"Approval request {row.id} is {row.status}, not approved.")
    if row.clerk_id != actor.id:
        raise NotAllowed(f"Approval request {row.id} was asked by another clerk.")
    if row.fingerprint != request.fingerprint():
        raise InvalidInput("Approval", f"the return has changed since approval request {row.id} was answered: ask again")
    if decision.outcome == REFUSED and row.outcome != REFUSED:
        raise NotAllowed(f"Approval request {row.id} did not cover a refusal: " + "; ".join(decision.reasons))
    decider = Staff.get_by_id(row.decided_by_id)
    if decision.outcome == REFUSED and not can(decider, "returns.override"):
        raise NotAllowed(f"{decider.name} may not override a refusal.")
    row.status = "used"
    row.used_at = clock.utcnow()
    row.save()
    audit.record("approval.used", actor, entity="approval", entity_uuid=row.uuid, details={"id": row.id})
    return row
