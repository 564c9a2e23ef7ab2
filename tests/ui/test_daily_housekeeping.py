"""The app shell expires store credit past its day at the first sign-in of a local day."""

from __future__ import annotations

import datetime as dt

from desk.models import AuditEvent, Voucher, database
from desk.services import credit, settings

DAY0 = dt.datetime(2026, 3, 2, 11, 0)


def test_signing_in_expires_vouchers_past_their_day_once_a_day(make_window, store_ctx, sqlite_store, clock_at):
    store, admin = sqlite_store
    clock_at(DAY0)
    settings.update(admin, {"voucher_expiry_days": 30})
    with database.atomic():
        code = credit.issue_voucher(store, 2500, admin, customer_name="Ann Lee", reference="goodwill").code
        later = credit.issue_voucher(store, 900, admin, reference="goodwill").code
    seen: list[str] = []
    store_ctx.events.changed.connect(seen.append)

    clock_at(DAY0 + dt.timedelta(days=40))
    window = make_window(store_ctx)  # the admin signed in at start
    assert Voucher.get(Voucher.code == code).status == "expired"
    assert Voucher.get(Voucher.code == later).status == "expired"
    assert credit.voucher_view(code).balance == 0
    assert window.statusBar().currentMessage() == "2 store-credit vouchers past their expiry day expired."
    assert "vouchers" in seen

    # signing in again the same day does not run it again
    with database.atomic():
        fresh = credit.issue_voucher(store, 700, admin, reference="goodwill").code
    Voucher.update(created_at=DAY0).where(Voucher.code == fresh).execute()
    store_ctx.set_staff(admin)
    assert Voucher.get(Voucher.code == fresh).status == "active"
    assert window.daily_housekeeping() is None
    # the next day's first sign-in does
    clock_at(DAY0 + dt.timedelta(days=41))
    store_ctx.set_staff(admin)
    assert Voucher.get(Voucher.code == fresh).status == "expired"
    assert window.statusBar().currentMessage() == "1 store-credit voucher past its expiry day expired."
    assert AuditEvent.select().where(AuditEvent.action == "voucher.expired").count() == 3
