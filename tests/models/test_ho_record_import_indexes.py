"""Migration 0019: ho_record's indexes as the import writes them cheaply: the parent index holds
only the records that have a parent (a hash index on PostgreSQL, a btree on SQLite), the unique
key is (store, uuid, kind), and bundle_id has no index; every look-up still seeks an index, a
record's uuid is still unique per store and kind, and the migration goes down and up again."""

from __future__ import annotations

import peewee
import pytest

from desk import clock
from desk.models import HoBundle, HoRecord, HoStore, database
from desk.models.db import is_postgres, migration_runner

MIGRATION = "0019_ho_record_import_indexes"
# the children of one return, as ho_reports._by_child looks them up; the import's look-up
CHILDREN = ('SELECT "id" FROM "ho_record" WHERE "kind" = \'return_lines\' AND "parent" = \'x\' '
            'AND "parent" <> \'\'')
ONE = 'SELECT "id" FROM "ho_record" WHERE "store_id" = 1 AND "kind" = \'returns\' AND "uuid" = \'x\''


def _indexes() -> dict[str, tuple[str, ...]]:
    return {i.name: tuple(i.columns) for i in database.get_indexes("ho_record")}


def _plan(sql: str) -> str:
    if is_postgres():
        with database.atomic():
            database.execute_sql("SET LOCAL enable_seqscan = off")  # an empty table: make the planner show its index
            return " ".join(r[0] for r in database.execute_sql("EXPLAIN " + sql).fetchall())
    return " ".join(str(r[-1]) for r in database.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())


def test_the_lookups_use_the_new_indexes(db):
    names = _indexes()
    assert "horecord_parent" in names and "horecord_kind_parent" not in names
    assert names["horecord_store_id_uuid_kind"] == ("store_id", "uuid", "kind")
    assert "horecord_store_id_kind_uuid" not in names and "horecord_bundle_id" not in names
    assert "horecord_parent" in _plan(CHILDREN)
    assert "horecord_store_id_uuid_kind" in _plan(ONE)
    if is_postgres():
        kind, = database.execute_sql("SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
                                     "WHERE c.relname = 'horecord_parent'").fetchone()
        assert kind == "hash"


def test_a_uuid_is_still_one_record_per_store_and_kind(db):
    store = HoStore.create(code="S1", name="Store", key="k" * 64, registered_at=clock.utcnow())
    bundle = HoBundle.create(store=store, store_code="S1", number=1, status="imported", received_at=clock.utcnow())
    uid = "00000000-0000-4000-8000-000000000001"
    for kind in ("returns", "return_lines"):  # the same uuid under another kind is another record
        HoRecord.create(store=store, kind=kind, uuid=uid, version=1, sha256="0" * 64, bundle=bundle, data="{}")
    with pytest.raises(peewee.IntegrityError), database.atomic():
        HoRecord.create(store=store, kind="returns", uuid=uid, version=2, sha256="1" * 64, bundle=bundle, data="{}")


def test_the_migration_goes_down_and_up(db):
    runner = migration_runner(db.db)
    assert runner.down(MIGRATION) == [MIGRATION]
    names = _indexes()
    assert {"horecord_kind_parent", "horecord_store_id_kind_uuid", "horecord_bundle_id"} <= set(names)
    assert "horecord_parent" not in names and "horecord_store_id_uuid_kind" not in names
    assert runner.up() == [MIGRATION]
    assert "horecord_parent" in _indexes() and "horecord_bundle_id" not in _indexes()
