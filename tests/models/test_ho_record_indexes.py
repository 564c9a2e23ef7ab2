"""Migration 0013: ho_record drops the two indexes that others cover (fewer index inserts a
record at head office's import); every report's look-up still seeks an index; the migration
goes down and up again."""

from __future__ import annotations

import pytest

from desk.models import database
from desk.models.db import migration_runner

DROPPED = {("store_id",), ("at",)}
KEPT = {("store_id", "kind", "uuid"), ("kind", "at"), ("kind", "parent"), ("bundle_id",)}


def indexes(conn) -> set[tuple[str, ...]]:
    return {tuple(i.columns) for i in conn.get_indexes("ho_record")}


def test_ho_record_keeps_what_its_queries_read_and_the_migration_goes_down_and_up(db):
    conn = db.db
    assert KEPT <= indexes(conn) and not DROPPED & indexes(conn)
    runner = migration_runner(conn)
    reverted = runner.down("0013_ho_record_indexes")
    assert reverted[-1] == "0013_ho_record_indexes"
    assert DROPPED | KEPT <= indexes(conn)
    assert runner.up() == list(reversed(reverted))
    assert not DROPPED & indexes(conn)


@pytest.mark.parametrize("sql", [
    # a report: one kind over a period; a line joined to its return; the import's look-up
    'SELECT "id" FROM "ho_record" WHERE "kind" = \'returns\' AND "at" >= \'2026-10-01\' AND "at" < \'2026-11-01\'',
    'SELECT "id" FROM "ho_record" WHERE "store_id" = 1 AND "kind" = \'returns\' AND "uuid" = \'x\'',
    'SELECT "id" FROM "ho_record" WHERE "store_id" = 1',
    'SELECT "id" FROM "ho_record" WHERE "kind" = \'return_lines\' AND "parent" = \'x\'',
])
def test_the_report_lookups_seek_an_index(sqlite_db, sql):
    plan = " ".join(str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert "SEARCH" in plan and "INDEX" in plan and "SCAN" not in plan, plan
