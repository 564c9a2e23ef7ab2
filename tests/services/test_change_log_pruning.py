"""The change log does not grow for ever: an export deletes, in its own transaction, the rows
marked by bundles older than the last N bundles once they are also older than N days (both
Settings, "Head office export"). Rows no bundle has carried are never deleted, and nothing is lost."""

from __future__ import annotations

import datetime as dt
import json

from desk import clock
from desk.models import AuditEvent, ChangeLog
from desk.services import head_office as ho
from desk.services import settings
from desk.services.export import change_log_pruned_to, export_bundle, prune_change_log
from desk.services.returns import void_return
from tests.services.test_head_office import records, shop  # noqa: F401 - a fixture


def _marked(number):
    return ChangeLog.select().where(ChangeLog.bundle_no == number).count()


def _age(number, days):
    ChangeLog.update(at=clock.utcnow() - dt.timedelta(days=days)).where(ChangeLog.bundle_no == number).execute()


def _limits(admin, bundles, days):
    settings.update(admin, {settings.KEEP_BUNDLES_KEY: bundles, settings.KEEP_DAYS_KEY: days})


def test_an_export_prunes_as_settings_say_and_nothing_is_lost(shop, tmp_path):
    admin = shop["admin"]
    _limits(admin, 7, 14)  # the least a store may keep
    first = export_bundle(admin, tmp_path)
    n1 = _marked(1)
    assert n1 > 0 and first.pruned == 0
    card = shop["returns"][0]
    void_return(shop["team"][3], card.number, "keyed twice")
    export_bundle(admin, tmp_path)
    n2 = _marked(2)
    assert n2 > 0
    for _ in range(3, 9):
        result = export_bundle(admin, tmp_path)
        assert result.pruned == 0
    assert _marked(1) == n1  # bundle 1 is old enough in number (not one of the last 7), not in days

    _age(1, 15)
    _age(2, 13)
    ninth = export_bundle(admin, tmp_path)  # keeps bundles 3 to 9; 1 is 15 days old, 2 only 13
    assert ninth.pruned == n1 and _marked(1) == 0 and _marked(2) == n2
    event = AuditEvent.select().where(AuditEvent.action == "export.bundle").order_by(AuditEvent.id.desc()).get()
    assert json.loads(event.details)["change_log_pruned"] == n1

    # the next change still goes out, and head office gets every record once
    void_return(shop["team"][3], shop["returns"][1].number, "keyed twice")
    tenth = export_bundle(admin, tmp_path)
    assert tenth.counts["returns"] == 1 and tenth.pruned == 0
    for n in range(1, 11):
        path = next(tmp_path.glob(f"TST01-{n:06d}-*.zip"))
        assert ho.import_bundle(admin, path).status == "imported"
    assert sorted(r.status for r in records("returns")) == ["completed", "voided", "voided"]


def test_longer_limits_in_settings_keep_more(shop, tmp_path):
    admin = shop["admin"]
    _limits(admin, 7, 30)
    for _ in range(8):
        export_bundle(admin, tmp_path)
    n1 = _marked(1)
    _age(1, 20)
    assert export_bundle(admin, tmp_path).pruned == 0  # 20 days old: kept for 30
    _limits(admin, 7, 14)
    assert export_bundle(admin, tmp_path).pruned == n1  # the manager shortened it: the next export prunes


def test_a_day_bundle_for_a_pruned_day_says_what_it_holds(shop, tmp_path):
    admin = shop["admin"]
    _limits(admin, 7, 14)
    for _ in range(8):
        export_bundle(admin, tmp_path)
    today = clock.to_local(clock.utcnow()).date()
    assert export_bundle(admin, tmp_path, day=today).note == ""  # nothing pruned yet
    _age(1, 20)
    assert change_log_pruned_to() is None
    export_bundle(admin, tmp_path)
    pruned_to = change_log_pruned_to()
    assert pruned_to is not None and pruned_to < clock.utcnow() - dt.timedelta(days=19)

    old_day = clock.to_local(pruned_to).date()
    result = export_bundle(admin, tmp_path, day=old_day)
    assert result.note.startswith(f"Change records up to {clock.to_local(pruned_to):%Y-%m-%d %H:%M} have been pruned")
    assert f"what was created on {old_day.isoformat()}, not the earlier records changed that day" in result.note
    assert "the last 7 bundles and 14 days" in result.note
    assert result.message().endswith(result.note)
    fresh = export_bundle(admin, tmp_path, day=today)  # today's changes are all still there
    assert fresh.note == "" and fresh.message().endswith(".")
    assert fresh.counts["returns"] == 3  # the shop's returns were made today


def test_rows_no_bundle_carried_are_never_pruned(shop):
    old = clock.utcnow() - dt.timedelta(days=400)
    pending = ChangeLog.create(tbl="return", row_id=shop["returns"][0].id, at=old)
    carried = ChangeLog.create(tbl="return", row_id=shop["returns"][0].id, at=old, bundle_no=1)
    assert prune_change_log(latest=31, now=clock.utcnow()) == 1  # Settings' default: keep the last 30 bundles
    assert ChangeLog.get_or_none(ChangeLog.id == carried.id) is None
    assert ChangeLog.get_by_id(pending.id).bundle_no is None
    assert prune_change_log(latest=30, now=clock.utcnow()) == 0


def test_the_last_bundles_rows_are_kept_however_old(shop):
    row = ChangeLog.create(tbl="return", row_id=1, at=clock.utcnow() - dt.timedelta(days=400), bundle_no=1)
    assert prune_change_log(latest=2, now=clock.utcnow(), keep_bundles=2) == 0  # bundles 1 and 2 are the last two
    assert prune_change_log(latest=3, now=clock.utcnow(), keep_bundles=2) == 1
    assert ChangeLog.get_or_none(ChangeLog.id == row.id) is None


def test_without_limits_given_prune_reads_settings(shop):
    row = ChangeLog.create(tbl="return", row_id=1, at=clock.utcnow() - dt.timedelta(days=20), bundle_no=1)
    assert prune_change_log(latest=8, now=clock.utcnow()) == 0  # defaults: 30 bundles, 90 days
    _limits(shop["admin"], 7, 14)
    assert prune_change_log(latest=7, now=clock.utcnow()) == 0  # bundle 1 is one of the last 7
    assert prune_change_log(latest=8, now=clock.utcnow(), keep_days=21) == 0  # a limit given wins
    assert prune_change_log(latest=8, now=clock.utcnow()) == 1
    assert ChangeLog.get_or_none(ChangeLog.id == row.id) is None
    assert change_log_pruned_to() == row.at
