"""The approval queue: a clerk asks, a manager on another desk answers, the clerk completes."""

from __future__ import annotations

import json

import pytest

from desk.errors import InvalidInput, NeedsApproval, NotAllowed, NotFound
from desk.models import Approval, AuditEvent, Return
from desk.services.approvals import approval_status, decide, pending_approvals, request_approval, withdraw
from desk.services.policy import NEEDS_APPROVAL, Policy, save_policy
from desk.services.returns import Refused, create_return
from tests.services.test_returns import add_team, make_request, make_sale


@pytest.fixture
def queue(store):
    clerk, clerk2, supervisor, manager = add_team(store[0])
    save_policy(manager, Policy(opened_rules={"Kitchen": NEEDS_APPROVAL}))
    view = make_sale(store[0], "T1-1", [("Skillet", 2, 4800, 0, "Kitchen")])
    request = make_request(view, [(1, 1, "changed_mind", "opened", "stock")])
    return clerk, clerk2, supervisor, manager, view, request


def test_the_queue_flow_from_request_to_completed_return(queue):
    clerk, clerk2, supervisor, manager, view, request = queue
    with pytest.raises(NeedsApproval):
        create_return(clerk, request)
    asked = request_approval(clerk, request)
    assert asked.status == "pending" and asked.amount == 4800 and "T1-1" in asked.summary
    assert "opened Kitchen need a manager's approval" in asked.reasons[0]
    with pytest.raises(NotAllowed):
        pending_approvals(clerk)
    assert [a.id for a in pending_approvals(manager)] == [asked.id]
    with pytest.raises(NotAllowed, match="not been answered"):
        create_return(clerk, request, approval_id=asked.id)
    with pytest.raises(InvalidInput, match="Note"):
        decide(manager, asked.id, True, "")
    answered = decide(manager, asked.id, True, "box opened, pan unused")
    assert approval_status(asked.id).status == "approved" and answered.decided_by_name == "Maja Manager"
    assert pending_approvals(manager) == []
    with pytest.raises(NotAllowed, match="another clerk"):
        create_return(clerk2, request, approval_id=asked.id)
    r = create_return(clerk, request, approval_id=asked.id)
    assert (r.approval_id, r.approved_by_code, r.approval_note) == (asked.id, "300", "box opened, pan unused")
    assert approval_status(asked.id).status == "used"
    with pytest.raises(NotAllowed, match="used"):
        create_return(clerk, request, approval_id=asked.id)
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    tail = [a for a in actions if a.startswith(("approval.", "return."))]
    assert tail == ["approval.requested", "approval.approved", "approval.used", "return.created"]


def test_an_approval_covers_only_the_request_it_was_for(queue):
    clerk, _, _, manager, view, request = queue
    asked = request_approval(clerk, request)
    decide(manager, asked.id, True, "ok")
    bigger = make_request(view, [(1, 2, "changed_mind", "opened", "stock")])
    with pytest.raises(InvalidInput, match="has changed"):
        create_return(clerk, bigger, approval_id=asked.id)
    assert approval_status(asked.id).status == "approved" and Return.select().count() == 0


def test_nobody_answers_their_own_request_and_a_refusal_stops_the_return(queue):
    clerk, _, supervisor, manager, view, request = queue
    asked = request_approval(supervisor, request)
    with pytest.raises(NotAllowed, match="their own approval request"):
        decide(supervisor, asked.id, True, "fine")
    refused = decide(manager, asked.id, False, "the pan has been used")
    assert refused.status == "refused" and refused.note == "the pan has been used"
    with pytest.raises(NotAllowed, match="already answered"):
        decide(manager, asked.id, True, "changed my mind")
    with pytest.raises(NotAllowed, match="refused"):
        create_return(supervisor, request, approval_id=asked.id)
    assert Return.select().count() == 0


def test_an_override_in_the_queue_needs_a_manager(store):
    clerk, _, supervisor, manager = add_team(store[0])
    view = make_sale(store[0], "T1-2", [("Vase", 1, 3400, 0, "Home")], days_ago=40)
    request = make_request(view, {1: 1})
    with pytest.raises(Refused):
        create_return(clerk, request)
    asked = request_approval(clerk, request)
    assert asked.is_override
    with pytest.raises(NotAllowed, match="may not override"):
        decide(supervisor, asked.id, True, "ok")
    decide(manager, asked.id, True, "goodwill")
    r = create_return(clerk, request, approval_id=asked.id)
    assert r.override and r.decision == "refused"


def test_an_allowed_return_or_a_final_refusal_is_not_queued(store):
    clerk, _, _, manager = add_team(store[0])
    save_policy(manager, Policy(final_sale_categories=["Clearance"]))
    view = make_sale(store[0], "T1-3", [("Vase", 1, 3400, 0, "Home"), ("Odd sock", 1, 100, 0, "Clearance")])
    with pytest.raises(InvalidInput, match="needs no approval"):
        request_approval(clerk, make_request(view, {1: 1}))
    with pytest.raises(Refused):
        request_approval(clerk, make_request(view, {2: 1}))
    assert Approval.select().count() == 0


def test_withdraw_and_unknown_ids(queue):
    clerk, clerk2, _, manager, view, request = queue
    asked = request_approval(clerk, request)
    with pytest.raises(NotAllowed):
        withdraw(clerk2, asked.id)
    assert withdraw(clerk, asked.id).status == "withdrawn"
    assert pending_approvals(manager) == []
    with pytest.raises(NotFound):
        approval_status(999)
    stored = json.loads(Approval.get_by_id(asked.id).request)
    assert stored["sale_id"] == view.id
