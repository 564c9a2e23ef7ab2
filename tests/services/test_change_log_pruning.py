"""The change log does not grow for ever: an export deletes, in its own transaction, the rows
marked by bundles older than the last CHANGE_LOG_KEEP_BUNDLES once they are also older than
CHANGE_LOG_KEEP_DAYS. Rows no bundle has carried are never deleted, and nothing is lost."""

from __future__ import annotations

import datetime as dt
import json

from desk import clock
from desk.models import AuditEvent, ChangeLog
from desk.services import export as export_service
from desk.services import head_office as ho
from desk.services.export import export_bundle, prune_change_log
from desk.services.returns import void_return
from tests.services.test_head_office import records, shop  # noqa: F401 - a fixture


def _marked(number):
    return ChangeLog.select().where(ChangeLog.bundle_no == number).count()


def _age(number, days):
    ChangeLog.update(at=clock.utcnow() - dt.timedelta(days=days)).where(ChangeLog.bundle_no == number).execute()


def test_an_export_prunes_the_rows_of_old_bundles_and_nothing_is_lost(shop, tmp_path, monkeypatch):
    monkeypatch.setattr(export_service, "CHANGE_LOG_KEEP_BUNDLES", 2)
    admin = shop["admin"]
    first = export_bundle(admin, tmp_path)
    n1 = _marked(1)
    assert n1 > 0 and first.pruned == 0
    card = shop["returns"][0]
    void_return(shop["team"][3], card.number, "keyed twice")
    export_bundle(admin, tmp_path)
    n2 = _marked(2)
    assert n2 > 0
    third = export_bundle(admin, tmp_path)
    assert third.pruned == 0 and _marked(1) == n1  # bundle 1 is old enough in number, not in days

    _age(1, 91)
    _age(2, 89)
    fourth = export_bundle(admin, tmp_path)  # keeps bundles 3 and 4; 1 is 91 days old, 2 only 89
    assert fourth.pruned == n1 and _marked(1) == 0 and _marked(2) == n2
    event = AuditEvent.select().where(AuditEvent.action == "export.bundle").order_by(AuditEvent.id.desc()).get()
    assert json.loads(event.details)["change_log_pruned"] == n1

    # the next change still goes out, and head office gets every record once
    void_return(shop["team"][3], shop["returns"][1].number, "keyed twice")
    fifth = export_bundle(admin, tmp_path)
    assert fifth.counts["returns"] == 1
    for n in range(1, 6):
        path = next(tmp_path.glob(f"TST01-{n:06d}-*.zip"))
        assert ho.import_bundle(admin, path).status == "imported"
    assert sorted(r.status for r in records("returns")) == ["completed", "voided", "voided"]


def test_rows_no_bundle_carried_are_never_pruned(shop):
    old = clock.utcnow() - dt.timedelta(days=400)
    pending = ChangeLog.create(tbl="return", row_id=shop["returns"][0].id, at=old)
    carried = ChangeLog.create(tbl="return", row_id=shop["returns"][0].id, at=old, bundle_no=1)
    assert prune_change_log(latest=31, now=clock.utcnow()) == 1  # default: keep the last 30 bundles
    assert ChangeLog.get_or_none(ChangeLog.id == carried.id) is None
    assert ChangeLog.get_by_id(pending.id).bundle_no is None
    assert prune_change_log(latest=30, now=clock.utcnow()) == 0


def test_the_last_bundles_rows_are_kept_however_old(shop):
    row = ChangeLog.create(tbl="return", row_id=1, at=clock.utcnow() - dt.timedelta(days=400), bundle_no=1)
    assert prune_change_log(latest=2, now=clock.utcnow(), keep_bundles=2) == 0  # bundles 1 and 2 are the last two
    assert prune_change_log(latest=3, now=clock.utcnow(), keep_bundles=2) == 1
    assert ChangeLog.get_or_none(ChangeLog.id == row.id) is None
