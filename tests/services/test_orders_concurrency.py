"""Two desks at once (two real processes) on one order: receiving the last unit of a line, and
collecting it. Exactly one succeeds; nothing is received, paid or sold twice. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import pytest

from desk.models import OrderTender, Sale, SpecialOrderLine
from desk.services import orders
from desk.services.exchanges import SettlementTender
from tests.services.test_orders import any_shop, arrive, take  # noqa: F401  (fixture)
from tests.services.test_returns import CLERK, CLERK2

HOLD_SECONDS = 0.4


def _desk(url: str, staff_code: str, job: str, number: str, barrier, results) -> None:
    import time

    from desk.errors import DeskError
    from desk.models import Staff
    from desk.models.db import open_database
    from desk.services import orders as o

    open_database(url)
    original = o._get

    def slow(number, *, lock=False):
        row = original(number, lock=lock)
        if lock:
            time.sleep(HOLD_SECONDS)  # the other desk runs while this one holds the order it read
        return row

    o._get = slow
    clerk = Staff.get(Staff.code == staff_code)
    barrier.wait(timeout=30)
    try:
        if job == "receive":
            view = o.receive(clerk, number, 1)
        else:
            view = o.collect(clerk, number, [SettlementTender("cash", 3200)])
        results.put(("ok", view.status, ""))
    except DeskError as exc:
        results.put(("refused", type(exc).__name__, str(exc)))
    except Exception as exc:  # noqa: BLE001
        results.put(("error", type(exc).__name__, str(exc)))


def _race(db, job: str, number: str):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_desk, args=(db.url, c, job, number, barrier, results)) for c in (CLERK[0], CLERK2[0])]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return outcomes


def test_two_desks_receive_the_same_line_at_once_one_fills_it(any_shop, db):
    v = take(any_shop)
    outcomes = _race(db, "receive", v.number)
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "is arrived" in next(o for o in outcomes if o[0] == "refused")[2]
    line = SpecialOrderLine.get()
    assert line.received == 1
    assert orders.order_view(v.number).status == "arrived"
    assert [e.action for e in orders.order_view(v.number).events].count("received") == 1


def test_two_desks_collect_the_same_order_at_once_one_hands_it_over(any_shop, db):
    v = take(any_shop)
    arrive(any_shop, v.number)
    outcomes = _race(db, "collect", v.number)
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "collected" in next(o for o in outcomes if o[0] == "refused")[2]
    assert Sale.select().where(Sale.receipt_no == v.number).count() == 1
    assert [t.kind for t in OrderTender.select().order_by(OrderTender.seq)] == ["deposit", "balance"]
    assert orders.order_view(v.number).status == "collected"
