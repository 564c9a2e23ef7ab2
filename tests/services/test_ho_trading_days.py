"""A registered store's trading calendar at head office: the weekdays it does not trade and its
closed dates. Coverage shows those days closed, not missing; a gap in the numbering is still
missing whatever the day."""

from __future__ import annotations

import datetime as dt

import pytest

from desk.errors import InvalidInput, NotAllowed
from desk.models import AuditEvent, HoClosedDay
from desk.services import head_office as ho
from desk.services.export import export_bundle
from tests.services.test_head_office import register
from tests.services.test_ho_orders_cases import utc_local_time  # noqa: F401 - a fixture
from tests.services.test_returns import add_team

MON = dt.date(2026, 3, 2)
D = dt.timedelta(days=1)


def test_parse_weekdays_and_dates_name_the_bad_one():
    assert ho.parse_weekdays("sun") == (6,)
    assert ho.parse_weekdays("Saturday, sun") == (5, 6)
    assert ho.parse_weekdays("none") == () == ho.parse_weekdays("")
    with pytest.raises(InvalidInput, match="Closed weekdays: 'sunny' is not a weekday"):
        ho.parse_weekdays("sat,sunny")
    with pytest.raises(InvalidInput, match="every day of the week"):
        ho.parse_weekdays("mon tue wed thu fri sat sun")
    assert ho.parse_dates("2026-12-26, 2026-12-25\n2026-12-25") == (dt.date(2026, 12, 25), dt.date(2026, 12, 26))
    with pytest.raises(InvalidInput, match="Closed dates: '2026-13-01' is not a date"):
        ho.parse_dates("2026-12-25,2026-13-01")


def test_a_calendar_is_set_whole_with_its_audit_event_by_head_office_only(store):
    st, admin = store
    register(admin)
    assert ho.trading_calendar("tst01").closed_weekdays == ()  # trades every day until told
    cal = ho.set_trading_calendar(admin, "TST01", (6,), (dt.date(2026, 12, 25), dt.date(2026, 12, 26)))
    assert cal == ho.trading_calendar("TST01")
    assert cal.closed_weekdays == (6,) and cal.closed_dates == (dt.date(2026, 12, 25), dt.date(2026, 12, 26))
    assert cal.is_closed(dt.date(2026, 3, 8)) and cal.is_closed(dt.date(2026, 12, 25))
    assert not cal.is_closed(dt.date(2026, 3, 9))
    cal = ho.set_trading_calendar(admin, "TST01", (5, 6), (dt.date(2026, 12, 25),))  # replaces, not adds
    assert cal.closed_weekdays == (5, 6) and cal.closed_dates == (dt.date(2026, 12, 25),)
    assert HoClosedDay.select().count() == 1
    event = AuditEvent.select().where(AuditEvent.action == "ho.store_calendar").order_by(AuditEvent.id.desc()).get()
    assert "closed on sat, sun; closed dates 2026-12-25" in event.details
    with pytest.raises(InvalidInput, match="Store code: no store 'XX01'"):
        ho.set_trading_calendar(admin, "XX01", (), ())
    with pytest.raises(InvalidInput, match="every day"):
        ho.set_trading_calendar(admin, "TST01", range(7), ())
    clerk = add_team(st)[0]
    with pytest.raises(NotAllowed):
        ho.set_trading_calendar(clerk, "TST01", (), ())
    assert ho.trading_calendar("TST01").closed_weekdays == (5, 6)  # nothing half-written


def test_coverage_shows_closed_days_closed_and_a_gap_missing_whatever_the_day(sqlite_store, tmp_path, clock_at,
                                                                             utc_local_time):
    _, admin = sqlite_store
    clock_at(dt.datetime(2026, 3, 2, 9, 0))
    register(admin)
    # closed on Sundays and on Wednesday 4 March (a holiday); a day's bundle for each trading day
    ho.set_trading_calendar(admin, "TST01", ho.parse_weekdays("sun"), ho.parse_dates("2026-03-04,2026-03-11"))
    clock_at(dt.datetime(2026, 3, 10, 12, 0))
    paths = {day: export_bundle(admin, tmp_path, day=day).path
             for day in (MON, MON + D, MON + 3 * D, MON + 4 * D, MON + 5 * D, MON + 7 * D)}
    saturday = paths.pop(MON + 5 * D)  # bundle 5
    for path in paths.values():
        assert ho.import_bundle(admin, path).status == "imported"
    days = [MON + i * D for i in range(11)]

    def states():
        cov = ho.coverage(days[0], days[-1])
        return [cov.cell("TST01", d).status for d in days]

    # Saturday's bundle 5 is a gap: Saturday and Sunday (between bundles 4 and 6) are missing
    assert states() == ["arrived", "arrived", "closed", "arrived", "arrived", "missing", "missing", "arrived",
                        "none", "closed", "none"]
    ho.import_bundle(admin, saturday)
    cov = ho.coverage(days[0], days[-1])
    assert [cov.cell("TST01", d).status for d in days] == [
        "arrived", "arrived", "closed", "arrived", "arrived", "arrived", "closed", "arrived", "none", "closed", "none"]
    assert cov.cell("TST01", MON + 6 * D).note == "closed: not a trading day"
    # without the calendar, the Sunday and the holiday were missing
    ho.set_trading_calendar(admin, "TST01", (), ())
    assert [s for s in states()][:8] == ["arrived", "arrived", "missing", "arrived", "arrived", "arrived", "missing",
                                         "arrived"]
    # a bundle that covers a closed day shows it arrived: the store opened after all
    ho.set_trading_calendar(admin, "TST01", ho.parse_weekdays("mon"), ())
    assert states()[0] == "arrived" and states()[7] == "arrived"
