"""Migration 0019: ho_record's parent index holds only the records that have a parent (a hash
index on PostgreSQL, a btree on SQLite); the report's look-up of a record's children uses it,
and the migration goes down and up again."""

from __future__ import annotations

from desk.models import database
from desk.models.db import is_postgres, migration_runner

MIGRATION = "0019_ho_record_parent_hash"
# the children of one return, as ho_reports._by_child looks them up
LOOKUP = ('SELECT "id" FROM "ho_record" WHERE "kind" = \'return_lines\' AND "parent" = \'x\' '
          'AND "parent" <> \'\'')


def _index_names() -> set[str]:
    return {i.name for i in database.get_indexes("ho_record")}


def _plan() -> str:
    if is_postgres():
        with database.atomic():
            database.execute_sql("SET LOCAL enable_seqscan = off")  # an empty table: make the planner show its index
            return " ".join(r[0] for r in database.execute_sql("EXPLAIN " + LOOKUP).fetchall())
    return " ".join(str(r[-1]) for r in database.execute_sql("EXPLAIN QUERY PLAN " + LOOKUP).fetchall())


def test_a_childs_lookup_uses_the_index_of_records_with_a_parent(db):
    assert "horecord_parent" in _index_names() and "horecord_kind_parent" not in _index_names()
    assert "horecord_parent" in _plan()
    if is_postgres():
        kind, = database.execute_sql("SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
                                     "WHERE c.relname = 'horecord_parent'").fetchone()
        assert kind == "hash"


def test_the_migration_goes_down_and_up(db):
    runner = migration_runner(db.db)
    assert runner.down(MIGRATION) == [MIGRATION]
    assert "horecord_kind_parent" in _index_names() and "horecord_parent" not in _index_names()
    assert runner.up() == [MIGRATION]
    assert "horecord_parent" in _index_names() and "horecord_kind_parent" not in _index_names()
