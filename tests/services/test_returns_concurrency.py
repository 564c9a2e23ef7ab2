"""Two desks (two real processes, each opening the database itself) return the same sale line
at the same moment: exactly one succeeds and nothing is over-refunded. SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp

from desk.models import RefundTender, Return
from desk.services.sale_lookup import returned_quantities
from tests.services.test_returns import CLERK, CLERK2, add_team, make_sale

HOLD_SECONDS = 0.4  # each desk pauses after counting what was returned, widening the race


def _desk(url: str, staff_code: str, desk_code: str, sale_id: int, line_id: int, barrier, results, hold: str = "count") -> None:
    """One desk: open the database, wait for the other, return one unit of the line. ``hold``
    says where it pauses: after counting what was returned, or after reading the number counter."""
    import time

    from desk.errors import DeskError
    from desk.models import Staff
    from desk.models.db import open_database
    from desk.services import returns
    from desk.services.returns import ReturnLineRequest, ReturnRequest

    open_database(url)
    original = returns.returned_quantities

    def slow(ids):
        counted = original(ids)
        time.sleep(HOLD_SECONDS)  # the other desk runs while this one holds what it counted
        return counted

    if hold == "count":
        returns.returned_quantities = slow
    else:
        from desk.models import DocumentCounter

        update = DocumentCounter.update

        def slow_update(*args, **kwargs):
            time.sleep(HOLD_SECONDS)  # the other desk runs while this one holds the number it read
            return update(*args, **kwargs)

        DocumentCounter.update = slow_update
    clerk = Staff.get(Staff.code == staff_code)
    request = ReturnRequest(lines=[ReturnLineRequest(1, "wrong_size", sale_line_id=line_id)], sale_id=sale_id,
                            desk_code=desk_code)
    barrier.wait(timeout=30)
    try:
        view = returns.create_return(clerk, request)
        results.put(("ok", view.number, view.total))
    except DeskError as exc:
        results.put(("refused", type(exc).__name__, str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        results.put(("error", type(exc).__name__, str(exc)))


def test_two_desks_return_the_same_line_at_once_exactly_one_succeeds(store, db):
    add_team(store[0])
    view = make_sale(store[0], "T1-1", [("Kettle", 1, 3999, 0, "Kitchen")])
    line_id = view.lines[0].id
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_desk, args=(db.url, code, desk, view.id, line_id, barrier, results))
             for code, desk in ((CLERK[0], "01"), (CLERK2[0], "02"))]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(o for o in outcomes if o[0] == "refused")
    assert refused[1] == "InvalidInput" and "only 0 of the 1 sold" in refused[2]
    assert Return.select().count() == 1
    assert returned_quantities([line_id])[line_id] == 1
    assert sum(t.amount for t in RefundTender.select()) == 3999


def _race(db, sale_id, line_ids, desk_codes, hold):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_desk, args=(db.url, code, desk, sale_id, line_id, barrier, results, hold))
             for code, desk, line_id in zip((CLERK[0], CLERK2[0]), desk_codes, line_ids)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return outcomes


def test_two_desks_sharing_a_desk_code_get_consecutive_numbers(store, db):
    from desk.services.returns import create_return
    from tests.services.test_returns import make_request

    clerk = add_team(store[0])[0]
    first = make_sale(store[0], "T1-3", [("Kettle", 1, 3999, 0, "Kitchen")])
    assert create_return(clerk, make_request(first, {1: 1})).number == "R-TST01-01-000001"  # the counter row exists
    view = make_sale(store[0], "T1-2", [("Kettle", 1, 3999, 0, "Kitchen"), ("Toaster", 1, 2999, 0, "Kitchen")])
    outcomes = _race(db, view.id, [view.lines[0].id, view.lines[1].id], ("01", "01"), "number")
    assert sorted(o[0] for o in outcomes) == ["ok", "ok"], outcomes
    assert sorted(o[1] for o in outcomes) == ["R-TST01-01-000002", "R-TST01-01-000003"]
    assert sum(t.amount for t in RefundTender.select()) == 3999 + 3999 + 2999
