"""Store credit past its expiry day is written off, stored, once a local day at sign-in. A fixed
clock; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from desk.models import AuditEvent, Voucher, VoucherEntry, database
from desk.services import audit, credit, settings
from desk.services.staff import create_staff
from tests.services.test_returns import add_team

DAY0 = dt.datetime(2026, 3, 2, 11, 0)  # naive UTC, as the services' clock gives it


def _voucher(store, clerk, amount):
    with database.atomic():
        return credit.issue_voucher(store, amount, clerk, customer_name="Ann Lee", reference="goodwill").code


def _kinds(code):
    return [e.kind for e in credit.voucher_view(code).entries]


def test_expiry_runs_once_a_day_and_is_stored(store, clock_at):
    st, admin = store
    clerk, clerk2, _sup, _mgr = add_team(st)
    clock_at(DAY0)
    settings.update(admin, {"voucher_expiry_days": 30})
    old = _voucher(st, clerk, 5000)
    credit.redeem(clerk, old, 1500)  # partly spent: what is left expires
    spent = _voucher(st, clerk, 1000)
    credit.redeem(clerk, spent, 1000)
    clock_at(DAY0 + dt.timedelta(days=20))
    young = _voucher(st, clerk, 2000)

    # the last day of the old voucher: nothing is due
    clock_at(DAY0 + dt.timedelta(days=30))
    assert credit.expire_due_once_a_day(clerk) == 0
    assert credit.expire_due_once_a_day(clerk2) is None  # the same day again: not run
    assert Voucher.get(Voucher.code == old).status == "active"

    # the day after: the first sign-in expires it; later sign-ins that day do nothing
    clock_at(DAY0 + dt.timedelta(days=31, hours=-2))
    assert credit.expire_due_once_a_day(clerk2) == 1
    assert credit.expire_due_once_a_day(clerk) is None
    stored = Voucher.get(Voucher.code == old)
    assert stored.status == "expired"  # stored, not only worked out when read
    view = credit.voucher_view(old)
    assert view.balance == 0 and _kinds(old) == ["issue", "redeem", "expire"]
    assert view.entries[-1].amount == -3500 and view.entries[-1].staff_code == clerk2.code
    assert Voucher.get(Voucher.code == spent).status == "active" and credit.voucher_view(spent).status == "spent"
    assert _kinds(spent) == ["issue", "redeem"]  # nothing left to expire: no entry, status stays
    assert credit.voucher_view(young).status == "active"
    events = AuditEvent.select().where(AuditEvent.action == "voucher.expired")
    assert [e.details for e in events] and events.count() == 1

    # twenty days later the young one goes the same way, exactly once
    clock_at(DAY0 + dt.timedelta(days=51))
    assert credit.expire_due_once_a_day(clerk) == 1
    assert credit.expire_due_once_a_day(clerk) is None
    assert credit.voucher_view(young).status == "expired" and _kinds(young) == ["issue", "expire"]
    assert VoucherEntry.select().where(VoucherEntry.kind == "expire").count() == 2
    assert audit.verify_chain().ok


def test_expiry_that_never_happens_still_marks_the_day(store, clock_at):
    st, _admin = store
    clerk = add_team(st)[0]
    clock_at(DAY0)
    code = _voucher(st, clerk, 5000)
    clock_at(DAY0 + dt.timedelta(days=400))
    assert credit.expire_due_once_a_day(clerk) == 0  # voucher_expiry_days 0: vouchers never expire
    assert credit.expire_due_once_a_day(clerk) is None
    assert credit.voucher_view(code).status == "active"


def test_someone_who_may_not_handle_store_credit_leaves_it_for_the_next_sign_in(store, clock_at):
    st, admin = store
    clerk = add_team(st)[0]
    with database.atomic():
        head_office = create_staff("800", "Harriet Head-Office", "head_office", "946271", None)
    clock_at(DAY0)
    settings.update(admin, {"voucher_expiry_days": 30})
    code = _voucher(st, clerk, 5000)
    clock_at(DAY0 + dt.timedelta(days=40))
    assert credit.expire_due_once_a_day(head_office) is None
    assert Voucher.get(Voucher.code == code).status == "active"
    assert credit.expire_due_once_a_day(clerk) == 1
    assert Voucher.get(Voucher.code == code).status == "expired"


def test_a_voucher_expired_meanwhile_is_not_expired_twice(store, clock_at):
    st, admin = store
    clerk = add_team(st)[0]
    clock_at(DAY0)
    settings.update(admin, {"voucher_expiry_days": 30})
    code = _voucher(st, clerk, 5000)
    clock_at(DAY0 + dt.timedelta(days=40))
    assert credit.expire_due(clerk) == 1  # e.g. another desk, by hand
    assert credit.expire_due_once_a_day(clerk) == 0
    assert _kinds(code) == ["issue", "expire"]
