"""Migration 0016: ho_record drops the two indexes that others cover (fewer index inserts a
record at head office's import), and on PostgreSQL checks its references to ho_store and
ho_bundle once a statement instead of once a row, with the same guarantee as the foreign keys;
every report's look-up still seeks an index; the migration goes down and up again."""

from __future__ import annotations

import peewee
import pytest

from desk import clock
from desk.models import HoBundle, HoRecord, HoStore, database
from desk.models.db import is_postgres, migration_runner

DROPPED = {("store_id",), ("at",)}
KEPT = {("store_id", "kind", "uuid"), ("kind", "at"), ("kind", "parent"), ("bundle_id",)}


def indexes(conn) -> set[tuple[str, ...]]:
    return {tuple(i.columns) for i in conn.get_indexes("ho_record")}


def test_ho_record_keeps_what_its_queries_read_and_the_migration_goes_down_and_up(db):
    conn = db.db
    runner = migration_runner(conn)
    later = runner.down("0017_sale_partial_indexes")  # back to 0016's schema (0019 changes the indexes again)
    assert KEPT <= indexes(conn) and not DROPPED & indexes(conn)
    reverted = runner.down("0016_ho_record_import")
    assert reverted == ["0016_ho_record_import"]
    assert DROPPED | KEPT <= indexes(conn)
    assert runner.up() == list(reversed(later + reverted))
    assert not DROPPED & indexes(conn)


@pytest.mark.parametrize("sql", [
    # a report: one kind over a period; a line joined to its return; the import's look-up
    'SELECT "id" FROM "ho_record" WHERE "kind" = \'returns\' AND "at" >= \'2026-10-01\' AND "at" < \'2026-11-01\'',
    'SELECT "id" FROM "ho_record" WHERE "store_id" = 1 AND "kind" = \'returns\' AND "uuid" = \'x\'',
    'SELECT "id" FROM "ho_record" WHERE "store_id" = 1',
    'SELECT "id" FROM "ho_record" WHERE "kind" = \'return_lines\' AND "parent" = \'x\' AND "parent" <> \'\'',
])
def test_the_report_lookups_seek_an_index(sqlite_db, sql):
    plan = " ".join(str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert "SEARCH" in plan and "INDEX" in plan and "SCAN" not in plan, plan


def _record(store, bundle, uid="00000000-0000-4000-8000-000000000001"):
    return HoRecord.create(store=store, kind="returns", uuid=uid, version=1, sha256="0" * 64, bundle=bundle,
                           data="{}")


@pytest.mark.parametrize("down", [False, True])
def test_a_record_must_name_a_store_and_a_bundle_that_exist_and_they_cannot_go_while_it_does(db, down):
    """What the foreign keys guaranteed holds after 0016 (statement-level checks on PostgreSQL),
    and after it is undone (the foreign keys again)."""
    if down:
        migration_runner(db.db).down("0016_ho_record_import")
    store = HoStore.create(code="S1", name="Store", key="k" * 64, registered_at=clock.utcnow())
    bundle = HoBundle.create(store=store, store_code="S1", number=1, status="imported", received_at=clock.utcnow())
    spare = HoBundle.create(store=store, store_code="S1", number=2, status="imported", received_at=clock.utcnow())
    _record(store, bundle)
    for store_id, bundle_id in ((store.id + 100, bundle.id), (store.id, bundle.id + 100)):
        with pytest.raises(peewee.IntegrityError):
            with database.atomic():
                _record(store_id, bundle_id, "00000000-0000-4000-8000-000000000002")
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            HoRecord.update(bundle=bundle.id + 100).execute()
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            HoBundle.delete().where(HoBundle.id == bundle.id).execute()
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            HoStore.delete().where(HoStore.id == store.id).execute()
    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            HoBundle.update(id=bundle.id + 100).where(HoBundle.id == bundle.id).execute()
    HoBundle.delete().where(HoBundle.id == spare.id).execute()  # a bundle no record names may go
    HoRecord.update(version=2).execute()  # an update that keeps the references is fine
    assert HoRecord.select().count() == 1 and HoBundle.select().count() == 1


def test_on_postgresql_the_references_are_checked_by_statement_not_by_foreign_key(db):
    if not is_postgres():
        pytest.skip("SQLite keeps its foreign keys")
    names = {r[0] for r in database.execute_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'ho_record'::regclass AND contype = 'f'").fetchall()}
    assert names == set()
    triggers = {r[0] for r in database.execute_sql(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'ho_record'::regclass").fetchall()}
    assert triggers == {"desk_ho_record_refs_ins", "desk_ho_record_refs_upd"}
