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


def _partial_index_sql(name: str) -> str:
    if database.obj.__class__.__name__.lower().startswith("postgres"):
        return database.execute_sql("SELECT indexdef FROM pg_indexes WHERE indexname = %s", (name,)).fetchone()[0]
    return database.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()[0]


def test_the_status_and_voided_by_indexes_hold_voided_sales_only_and_the_migration_goes_down_and_up(db):
    """Migration 0017: an imported (completed, never voided) sale adds no entry to either index."""
    assert "voided" in _partial_index_sql("sale_status").split("WHERE", 1)[1]
    assert "NOT NULL" in _partial_index_sql("sale_voided_by_id").split("WHERE", 1)[1].upper()
    runner = migration_runner(db.db)
    reverted = runner.down("0017_sale_partial_indexes")
    assert reverted[-1] == "0017_sale_partial_indexes"
    assert "WHERE" not in _partial_index_sql("sale_status") and "WHERE" not in _partial_index_sql("sale_voided_by_id")
    assert runner.up() == list(reversed(reverted))
    assert "WHERE" in _partial_index_sql("sale_status") and "WHERE" in _partial_index_sql("sale_voided_by_id")


@pytest.mark.parametrize("sql, index", [
    # sales.ledger_figures: the voided sales are counted through the status index
    ('SELECT COUNT("id") FROM "sale" WHERE "status" = \'voided\'', "sale_status"),
    # the foreign key's ON DELETE RESTRICT check when a staff row is deleted
    ('SELECT 1 FROM "sale" WHERE "voided_by_id" = 1', "sale_voided_by_id"),
])
def test_the_partial_indexes_serve_the_queries_that_read_them(sqlite_db, sql, index):
    plan = " ".join(str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert "SEARCH" in plan and index in plan and "SCAN" not in plan, plan


def test_the_ledger_figures_count_voided_sales_through_the_partial_index_with_the_value_bound(sqlite_db):
    """peewee binds 'voided' as a parameter: SQLite still matches it to the index's WHERE."""
    from peewee import fn

    from desk.models import Sale

    sql, params = Sale.select(fn.COUNT(Sale.id)).where(Sale.status == "voided").sql()
    plan = " ".join(str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "sale_status" in plan and "SCAN" not in plan, plan
