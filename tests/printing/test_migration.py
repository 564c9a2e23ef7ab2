"""Migration 0003: the printing tables match their models, and the migration goes down and up again."""

from __future__ import annotations

from desk.models import ArchivedDocument, GiftReceipt
from desk.models.db import migration_runner


def columns(db, table):
    return {c.name for c in db.get_columns(table)}


def test_printing_tables_match_their_models_and_migrate_down_and_up(db):
    conn = db.db
    for model in (GiftReceipt, ArchivedDocument):
        assert columns(conn, model._meta.table_name) == {f.column_name for f in model._meta.sorted_fields}
    indexes = {tuple(i.columns) for i in conn.get_indexes("archived_document")}
    assert ("kind", "number") in indexes and ("created_at",) in indexes and ("path",) in indexes
    assert ("code",) in {tuple(i.columns) for i in conn.get_indexes("gift_receipt") if i.unique}

    runner = migration_runner(conn)
    reverted = runner.down("0003_printing")
    assert reverted[-1] == "0003_printing"
    assert not {"gift_receipt", "archived_document"} & set(conn.get_tables())
    assert runner.up() == list(reversed(reverted))
    assert {"gift_receipt", "archived_document"} <= set(conn.get_tables())
