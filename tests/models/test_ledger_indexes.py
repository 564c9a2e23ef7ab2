"""Migration 0007: the sales ledger keeps the indexes its queries read and drops the four none
reads; the look-ups that matter still seek an index; the migration goes down and up again."""

from __future__ import annotations

import pytest

from desk.models import database
from desk.models.db import migration_runner

DROPPED = {("sale", ("store_id",)), ("sale_line", ("sale_id",)), ("sale", ("till_id",)), ("sale_line", ("product_id",))}
KEPT = {
    ("sale", ("store_id", "receipt_no")),  # receipt lookup, and every query on store_id
    ("sale", ("sold_at",)),  # date ranges, newest first
    ("sale", ("customer_id",)),  # a customer's sales
    ("sale", ("total",)),  # search by amount
    ("sale_line", ("sale_id", "line_no")),  # a sale's lines, and the foreign key
    ("tender", ("sale_id",)),  # a sale's tenders
    ("tender", ("card_last4",)),  # search by card
}


def ledger_indexes(conn) -> set[tuple[str, tuple[str, ...]]]:
    return {(table, tuple(i.columns)) for table in ("sale", "sale_line", "tender") for i in conn.get_indexes(table)}


def test_the_ledger_keeps_the_indexes_its_queries_read_and_the_migration_goes_down_and_up(db):
    conn = db.db
    assert KEPT <= ledger_indexes(conn)
    assert not DROPPED & ledger_indexes(conn)
    runner = migration_runner(conn)
    reverted = runner.down("0007_ledger_indexes")
    assert reverted[-1] == "0007_ledger_indexes"
    assert DROPPED | KEPT <= ledger_indexes(conn)
    assert runner.up() == list(reversed(reverted))
    assert not DROPPED & ledger_indexes(conn)


@pytest.mark.parametrize("sql", [
    'SELECT "id" FROM "sale" WHERE "store_id" = 1 AND "receipt_no" = \'B1\'',
    'SELECT "id" FROM "sale" WHERE "store_id" IN (1, 2)',
    'SELECT "id" FROM "sale_line" WHERE "sale_id" = 1 ORDER BY "line_no"',
    'SELECT "id" FROM "tender" WHERE "sale_id" = 1 ORDER BY "seq"',
])
def test_the_ledger_lookups_seek_an_index(sqlite_db, sql):
    plan = " ".join(str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert "SEARCH" in plan and "INDEX" in plan and "SCAN" not in plan, plan
