"""Store credit redeemed: two desks at once (two real processes), expiry per Settings, the
ledger's kinds and the Vouchers list. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp

import pytest

from desk import clock
from desk.errors import InvalidInput, NotAllowed
from desk.models import VoucherEntry, database
from desk.services import credit, settings
from desk.services.credit import VoucherQuery, list_vouchers
from tests.services.test_returns import CLERK, CLERK2, add_team

HOLD_SECONDS = 0.4


def _desk(url: str, staff_code: str, code: str, amount: int, barrier, results) -> None:
    import time

    from desk.errors import DeskError
    from desk.models import Staff
    from desk.models.db import open_database
    from desk.services import credit as c

    open_database(url)
    original = c.balance_of

    def slow(voucher_id):
        value = original(voucher_id)
        time.sleep(HOLD_SECONDS)  # the other desk runs while this one holds the balance it read
        return value

    c.balance_of = slow
    clerk = Staff.get(Staff.code == staff_code)
    barrier.wait(timeout=30)
    try:
        view = c.redeem(clerk, code, amount, f"desk {staff_code}")
        results.put(("ok", view.balance, ""))
    except DeskError as exc:
        results.put(("refused", type(exc).__name__, str(exc)))
    except Exception as exc:  # noqa: BLE001
        results.put(("error", type(exc).__name__, str(exc)))


def _voucher(store, clerk, amount=5000):
    with database.atomic():
        return credit.issue_voucher(store, amount, clerk, customer_name="Ann Lee", reference="goodwill").code


def test_two_desks_redeem_the_same_voucher_at_once_never_below_zero(store, db):
    clerk = add_team(store[0])[0]
    code = _voucher(store[0], clerk)
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [ctx.Process(target=_desk, args=(db.url, c, code, 3000, barrier, results)) for c in (CLERK[0], CLERK2[0])]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    refused = next(o for o in outcomes if o[0] == "refused")
    assert "has only" in refused[2]
    view = credit.voucher_view(code)
    assert view.balance == 2000
    assert [e.kind for e in view.entries] == ["issue", "redeem"]


def test_redeem_more_than_balance_is_refused_and_writes_nothing(store):
    clerk = add_team(store[0])[0]
    code = _voucher(store[0], clerk, 1000)
    with pytest.raises(InvalidInput, match="has only"):
        credit.redeem(clerk, code, 1001)
    assert VoucherEntry.select().count() == 1
    assert credit.redeem(clerk, code, 1000).status == "spent"


def test_expiry_per_settings(store, clock_at):
    st, admin = store
    clerk = add_team(st)[0]
    now = dt.datetime(2026, 3, 1, 12, 0)
    clock_at(now)
    code = _voucher(st, clerk)
    assert credit.voucher_view(code).expires_on is None  # 0 = never
    settings.update(admin, {"voucher_expiry_days": 30})
    view = credit.voucher_view(code)
    assert view.expires_on == clock.to_local(now).date() + dt.timedelta(days=30)
    clock_at(now + dt.timedelta(days=40))
    assert credit.voucher_view(code).status == "expired"
    with pytest.raises(NotAllowed, match=f"expired on {view.expires_on.isoformat()}"):
        credit.redeem(clerk, code, 100)
    assert credit.expire_due(clerk) == 1
    view = credit.voucher_view(code)
    assert view.balance == 0 and [e.kind for e in view.entries] == ["issue", "expire"]
    assert [r.status for r in list_vouchers(VoucherQuery(status="expired"))] == ["expired"]


def test_list_vouchers_with_balances(store):
    clerk = add_team(store[0])[0]
    a = _voucher(store[0], clerk, 1000)
    b = _voucher(store[0], clerk, 2000)
    credit.redeem(clerk, b, 500)
    rows = {r.code: r for r in list_vouchers()}
    assert rows[a].balance == 1000 and rows[b].balance == 1500 and rows[b].status == "active"
    credit.redeem(clerk, a, 1000)
    assert [r.code for r in list_vouchers(VoucherQuery(status="spent"))] == [a]
    assert [r.code for r in list_vouchers(VoucherQuery(text=b[-5:]))] == [b]
    assert len(list_vouchers(VoucherQuery(text="ann lee"))) == 2
