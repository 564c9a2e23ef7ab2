"""Store-credit vouchers: codes, the ledger balance, redeeming, cancelling."""

from __future__ import annotations

import pytest

from desk.errors import InvalidInput, NotAllowed, NotFound
from desk.models import AuditEvent, VoucherEntry, database
from desk.services import credit
from desk.services.returns import create_return
from desk.services.sales import TenderInput
from tests.services.test_returns import add_team, make_request, make_sale


@pytest.fixture
def voucher(store):
    clerk, _, _, manager = add_team(store[0])
    view = make_sale(store[0], "T1-1", [("Throw", 1, 7900, 0, "Home")], tenders=[TenderInput("cash", 7900)])
    r = create_return(clerk, make_request(view, {1: 1}, refund_to="store_credit"))
    return clerk, manager, r.voucher_codes[0]


def test_codes_are_unguessable_and_unique(sqlite_db):
    codes = [credit.new_code() for _ in range(300)]
    assert len(set(codes)) == 300 and all(credit.is_voucher_code(c) for c in codes)
    assert len(credit.CODE_ALPHABET) ** credit.CODE_LENGTH > 2 ** 58  # ~59 bits from secrets
    assert credit.is_voucher_code("v-23456789abcd") and not credit.is_voucher_code("V-0000")
    assert not credit.is_voucher_code("V-23456789ABC0")  # 0 is never used: it reads like O


def test_redeeming_lowers_the_balance_and_never_below_zero(voucher):
    clerk, _, code = voucher
    view = credit.redeem(clerk, code.lower(), 2900, "T2-0000001")
    assert (view.balance, view.status) == (5000, "active")
    with pytest.raises(InvalidInput, match="has only £50.00 left"):
        credit.redeem(clerk, code, 5001)
    with pytest.raises(InvalidInput, match="Amount"):
        credit.redeem(clerk, code, 0)
    view = credit.redeem(clerk, code, 5000)
    assert (view.balance, view.status) == (0, "spent")
    assert [e.kind for e in view.entries] == ["issue", "redeem", "redeem"]
    assert sum(e.amount for e in VoucherEntry.select()) == 0
    assert AuditEvent.select().where(AuditEvent.action == "voucher.redeemed").count() == 2


def test_unknown_and_cancelled_vouchers(voucher):
    clerk, _, code = voucher
    with pytest.raises(NotFound, match="V-23456789ABCD"):
        credit.redeem(clerk, "V-23456789ABCD", 100)
    from desk.models import Voucher

    with database.atomic():
        credit.cancel_unspent(Voucher.get(Voucher.code == code), clerk, "test")
    assert credit.voucher_view(code).status == "cancelled"
    with pytest.raises(NotAllowed, match="cancelled"):
        credit.redeem(clerk, code, 100)


def test_a_spent_voucher_cannot_be_cancelled(voucher):
    clerk, _, code = voucher
    credit.redeem(clerk, code, 1)
    from desk.models import Voucher

    with pytest.raises(NotAllowed, match="already spent"):
        with database.atomic():
            credit.cancel_unspent(Voucher.get(Voucher.code == code), clerk, "test")
    assert credit.voucher_view(code).balance == 7899
