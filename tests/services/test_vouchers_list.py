"""The Vouchers list a page at a time: status, source and text filtered in SQL (expiry included),
counts that agree with the pages, and a manager cancelling what is left. Both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.errors import AuthFailed, InvalidInput, NotAllowed
from desk.models import database
from desk.services import credit, settings
from desk.services.credit import VoucherQuery, count_vouchers, list_vouchers
from desk.services.exchanges import ReplacementLine, create_exchange
from desk.services.returns import DeskApproval
from tests.services.test_exchanges import req, shop  # noqa: F401  (shop is a fixture)
from tests.services.test_returns import MANAGER


def _goodwill(shop, amount, name="Ann Lee"):  # noqa: F811
    with database.atomic():
        return credit.issue_voucher(shop["store"], amount, shop["clerk"], customer_name=name, reference="goodwill").code


def codes(query, offset=0, limit=50):
    return [r.code for r in list_vouchers(query, offset, limit)]


def test_pages_and_counts(shop):  # noqa: F811
    made = [_goodwill(shop, 100 * (i + 1)) for i in range(5)]
    assert count_vouchers(VoucherQuery()) == 5
    assert codes(VoucherQuery(), 0, 2) + codes(VoucherQuery(), 2, 2) + codes(VoucherQuery(), 4, 2) == made[::-1]
    assert codes(VoucherQuery(), 5, 2) == []


def test_status_source_and_text_in_sql(shop, clock_at):  # noqa: F811
    start = dt.datetime(2026, 3, 1, 12, 0)
    clock_at(start)
    old = _goodwill(shop, 1000, "Old Owner")
    clock_at(start + dt.timedelta(days=20))
    spent = _goodwill(shop, 500)
    credit.redeem(shop["clerk"], spent, 500)
    active = _goodwill(shop, 800)
    ex = create_exchange(shop["clerk"], req(shop, out=[ReplacementLine(shop["sock"].id, 1)], refund_to="store_credit"))
    from_exchange = ex.voucher_codes[0]
    cancelled = _goodwill(shop, 300)
    credit.cancel_voucher(shop["mgr"], cancelled, "issued in error")
    settings.update(shop["mgr"], {"voucher_expiry_days": 10})  # `old` is now past its last day

    cases = {
        "active": [from_exchange, active],
        "spent": [spent],
        "expired": [old],
        "cancelled": [cancelled],
        "": [cancelled, from_exchange, active, spent, old],
    }
    for status, expected in cases.items():
        assert codes(VoucherQuery(status=status)) == expected, status
        assert count_vouchers(VoucherQuery(status=status)) == len(expected), status
    rows = {r.code: r for r in list_vouchers(VoucherQuery())}
    assert [rows[c].status for c in (old, spent, active, cancelled)] == ["expired", "spent", "active", "cancelled"]
    assert (rows[from_exchange].source, rows[from_exchange].source_number) == ("exchange", ex.number)
    assert (rows[active].source, rows[active].source_number) == ("goodwill", "")
    assert codes(VoucherQuery(source="exchange")) == [from_exchange]
    assert count_vouchers(VoucherQuery(source="goodwill")) == 4
    assert codes(VoucherQuery(text="old own")) == [old]
    assert codes(VoucherQuery(text=active[-6:].lower())) == [active]
    with pytest.raises(InvalidInput, match="Status"):
        list_vouchers(VoucherQuery(status="lost"))
    # expire_due writes the entry; the list agrees before and after
    assert credit.expire_due(shop["clerk"]) == 1
    assert codes(VoucherQuery(status="expired")) == [old]
    assert [e.kind for e in credit.voucher_view(old).entries] == ["issue", "expire"]


def test_cancel_is_a_managers_with_a_reason(shop):  # noqa: F811
    code = _goodwill(shop, 2000)
    credit.redeem(shop["clerk"], code, 500)
    with pytest.raises(NotAllowed):
        credit.cancel_voucher(shop["clerk"], code, "lost")
    with pytest.raises(InvalidInput, match="Reason"):
        credit.cancel_voucher(shop["mgr"], code, "  ")
    with pytest.raises(AuthFailed):
        credit.cancel_voucher(shop["clerk"], code, "lost", DeskApproval(MANAGER[0], "000000", ""))
    view = credit.cancel_voucher(shop["clerk"], code, "customer lost it", DeskApproval(MANAGER[0], MANAGER[1], ""))
    assert (view.status, view.balance) == ("cancelled", 0)
    last = view.entries[-1]
    assert (last.kind, last.amount, last.reference, last.staff_code, last.staff_name) == (
        "cancel", -1500, "customer lost it", MANAGER[0], shop["mgr"].name)
    with pytest.raises(NotAllowed, match="already cancelled"):
        credit.cancel_voucher(shop["mgr"], code, "again")
    spent = _goodwill(shop, 100)
    credit.redeem(shop["clerk"], spent, 100)
    with pytest.raises(NotAllowed, match="spent"):
        credit.cancel_voucher(shop["mgr"], spent, "lost")
