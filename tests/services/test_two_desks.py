"""Several desks on one database (two real processes, each opening it itself): a clerk's
approval request on desk 01 is answered by a manager on desk 02 and completed on desk 01; each
desk's document numbers carry its own desk number and never collide. SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp

from desk.models import Approval, Return
from desk.services.policy import NEEDS_APPROVAL, Policy, save_policy
from tests.services.test_returns import CLERK, MANAGER, add_team, make_sale

TIMEOUT = 60


def _run(desk: str, url: str, sale_id: int, line_id: int, results) -> None:
    """Run one desk; a failure is put on the queue at once so the test fails fast with it."""
    try:
        globals()[desk](url, sale_id, line_id, results)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(("error", type(exc).__name__, str(exc)))


def _clerk_desk(url: str, sale_id: int, line_id: int, results) -> None:
    """Desk 01: ask for approval, wait for the answer from the other desk, complete the return."""
    import time

    from desk.models import Staff
    from desk.models.db import open_database
    from desk.services import approvals, returns
    from desk.services.returns import ReturnLineRequest, ReturnRequest

    open_database(url)
    clerk = Staff.get(Staff.code == CLERK[0])
    request = ReturnRequest(lines=[ReturnLineRequest(1, "changed_mind", condition="opened", sale_line_id=line_id)],
                            sale_id=sale_id, desk_code="01")
    asked = approvals.request_approval(clerk, request)
    deadline = time.monotonic() + TIMEOUT
    while approvals.approval_status(asked.id).status == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    view = returns.create_return(clerk, request, approval_id=asked.id)
    results.put(("clerk", view.number, view.approved_by_code))


def _manager_desk(url: str, sale_id: int, line_id: int, results) -> None:
    """Desk 02: see the request appear in the queue, approve it, then take a return of its own."""
    import time

    from desk.models import Staff
    from desk.models.db import open_database
    from desk.services import approvals, returns
    from desk.services.returns import ReturnLineRequest, ReturnRequest

    open_database(url)
    manager = Staff.get(Staff.code == MANAGER[0])
    deadline = time.monotonic() + TIMEOUT
    pending = []
    while not pending and time.monotonic() < deadline:
        pending = approvals.pending_approvals(manager)
        time.sleep(0.05)
    approvals.decide(manager, pending[0].id, True, "approved from desk 02")
    request = ReturnRequest(lines=[ReturnLineRequest(1, "defective", condition="defective", sale_line_id=line_id)],
                            sale_id=sale_id, desk_code="02")
    view = returns.create_return(manager, request)
    results.put(("manager", view.number, pending[0].desk_code))


def test_a_request_from_one_desk_is_approved_on_another_and_numbers_stay_per_desk(store, db):
    team = add_team(store[0])
    save_policy(team[3], Policy(opened_rules={"Kitchen": NEEDS_APPROVAL}))
    view = make_sale(store[0], "T1-1", [("Skillet", 2, 4800, 0, "Kitchen")])
    line_id = view.lines[0].id
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    procs = [ctx.Process(target=_run, args=(desk, db.url, view.id, line_id, results))
             for desk in ("_clerk_desk", "_manager_desk")]
    for p in procs:
        p.start()
    outcomes = {}
    for _ in procs:
        who, *rest = results.get(timeout=TIMEOUT)
        assert who != "error", rest
        outcomes[who] = rest
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    clerk_number, approved_by = outcomes["clerk"]
    manager_number, asked_from = outcomes["manager"]
    assert approved_by == MANAGER[0] and asked_from == "01"
    code = store[0].code
    assert clerk_number.startswith(f"R-{code}-01-") and manager_number.startswith(f"R-{code}-02-")
    assert Return.select().count() == 2 and Approval.get().status == "used"
