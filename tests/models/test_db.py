"""Opening the database: migrations, schema drift, newer versions refused, clear problems, SQLite set-up."""

from __future__ import annotations

import os
import shutil
import threading

import peewee
import pytest
from playhouse.schema_diff import diff_models

from desk.errors import DatabaseProblem
from desk.models import ALL_MODELS, AuditHead, Store, database
from desk.models import db as dbmod
from desk.models.db import close_database, describe_url, describe_write_error, migration_runner, open_database, schema_version

KNOWN = [m.name for m in migration_runner(peewee.SqliteDatabase(":memory:")).migrations()]

EXTRA_MIGRATION = '''\
"""A test migration: one more column on store."""
from peewee import *


def up(migrator, db):
    migrator.migrate(migrator.add_column('store', 'test_motto', TextField(default='')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('store', 'test_motto'))
'''


def history(db):
    return {row[0] for row in db.execute_sql("SELECT name FROM schema_migration").fetchall()}


def test_a_new_database_is_created_at_0001_and_brought_up_to_date(db):
    assert KNOWN[0] == "0001_initial"
    assert db.applied == KNOWN
    assert history(db.db) == set(KNOWN)
    assert schema_version(db.db) == KNOWN[-1]
    assert AuditHead.get_by_id(1).seq == 0


def test_the_migrated_schema_matches_the_models(db):
    diff = diff_models(db.db, ALL_MODELS)
    assert not diff, str(diff)


def test_reopening_applies_nothing(db_url, db):
    close_database()
    again = open_database(db_url)
    assert again.applied == []
    assert history(again.db) == set(KNOWN)


def _migrations_with_extra(tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(dbmod.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "0099_test.py").write_text(EXTRA_MIGRATION)
    return folder


def test_upgrade_runs_a_new_migration_once(db_url, db, tmp_path, monkeypatch):
    from desk.services.store import StoreDetails, init_store

    init_store(StoreDetails(name="Shop", code="SH01"), "900", "482913")
    close_database()
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", _migrations_with_extra(tmp_path))
    opened = open_database(db_url)
    assert opened.applied == ["0099_test"]
    assert "test_motto" in {c.name for c in opened.db.get_columns("store")}
    assert "0099_test" in history(opened.db)
    assert schema_version(opened.db) == "0099_test"
    assert Store.get().code == "SH01"  # the data survived the upgrade
    close_database()
    assert open_database(db_url).applied == []


def test_a_database_from_a_newer_version_is_refused_and_left_as_it_was(db_url, db, tmp_path, monkeypatch):
    with database.atomic():
        db.db.execute_sql("INSERT INTO schema_migration (name, applied) VALUES ('0500_from_the_future', '2030-01-01 00:00:00')")
    close_database()
    # This version also has a migration the database lacks: it must not run it either.
    monkeypatch.setattr(dbmod, "MIGRATIONS_DIR", _migrations_with_extra(tmp_path))
    with pytest.raises(DatabaseProblem) as info:
        open_database(db_url)
    message = str(info.value)
    assert "newer version of Desk" in message and "0500_from_the_future" in message and "nothing was changed" in message
    monkeypatch.undo()
    raw = open_database(db_url, migrate=False).db
    try:
        assert history(raw) == set(KNOWN) | {"0500_from_the_future"}
        assert "test_motto" not in {c.name for c in raw.get_columns("store")}
    finally:
        close_database()


@pytest.mark.pg
def test_unreachable_postgresql_is_a_clear_problem():
    url = "postgresql://postgres@127.0.0.1:1/nope"
    with pytest.raises(DatabaseProblem) as info:
        open_database(url)
    message = str(info.value)
    assert "Cannot open the database PostgreSQL postgres@127.0.0.1:1/nope" in message
    assert "Check that the server is running" in message


def test_an_unknown_url_is_a_clear_problem():
    with pytest.raises(DatabaseProblem, match="Unknown database URL"):
        open_database("mysql://x@y/z")


def test_a_file_that_is_not_a_database_is_a_clear_problem(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"these are my notes, not a database " * 200)
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem, match="is a Desk database"):
        open_database("sqlite:///" + str(path))
    assert path.read_bytes() == before


def test_a_data_folder_that_cannot_be_made_is_a_clear_problem(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DatabaseProblem) as info:
        open_database("sqlite:///" + str(blocker / "data" / "desk.sqlite3"))
    assert "Cannot create the data folder" in str(info.value) and "--db" in str(info.value)


def test_a_read_only_data_folder_is_a_clear_problem(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("running as root: permissions do not stop root from writing (the case above covers a folder that cannot be written)")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(DatabaseProblem, match="read-only"):
            open_database("sqlite:///" + str(folder / "desk.sqlite3"))
        assert not (folder / "desk.sqlite3").exists()
    finally:
        folder.chmod(0o755)


def test_an_old_sqlite_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(dbmod, "sqlite_version", lambda: (3, 45, 1))
    with pytest.raises(DatabaseProblem, match=r"3\.45\.1 but Desk needs 3\.51\.3"):
        open_database("sqlite:///" + str(tmp_path / "desk.sqlite3"))
    assert not (tmp_path / "desk.sqlite3").exists()


def _pragmas(db):
    return {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}


def test_sqlite_pragmas_and_version(sqlite_db):
    db = sqlite_db.db
    expected = {"journal_mode": "wal", "synchronous": 2, "foreign_keys": 1, "busy_timeout": 10_000}
    assert _pragmas(db) == expected
    version = tuple(int(p) for p in db.execute_sql("SELECT sqlite_version()").fetchone()[0].split("."))
    assert version >= (3, 51, 3)
    assert dbmod.sqlite_version() == version
    # A second desk's connection (another thread: peewee connects per thread) gets the same set-up.
    seen = {}

    def other():
        db.connect(reuse_if_open=True)
        try:
            seen.update(_pragmas(db))
        finally:
            db.close()

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == expected


def test_sqlite_writes_take_the_write_lock_at_begin(sqlite_db):
    db = sqlite_db.db
    assert db._lock_type.upper() == "IMMEDIATE"
    # A write transaction holds the write lock from BEGIN: another connection cannot start one.
    import cysqlite

    path = db.database
    with db.atomic():
        db.execute_sql("SELECT 1")
        other = cysqlite.Connection(path, timeout=0)
        other.connect()
        try:
            with pytest.raises(Exception, match="locked|busy"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_foreign_keys_are_enforced(sqlite_db):
    from desk.models import Desk

    with pytest.raises(peewee.IntegrityError):
        with database.atomic():
            Desk.create(store=9999, code="01")


def test_describe_url_hides_the_password():
    assert describe_url("postgresql://desk:secret@db.example:5433/shop") == "PostgreSQL desk@db.example:5433/shop"
    assert describe_url("sqlite:////var/desk.sqlite3") == "SQLite /var/desk.sqlite3"


@pytest.mark.parametrize(
    "error, advice",
    [("database or disk is full", "disk is full"), ("attempt to write a readonly database", "read-only"),
     ("database is locked", "Another desk"), ("something else", "Nothing was saved")],
)
def test_write_errors_say_what_to_do(error, advice):
    assert advice in describe_write_error(Exception(error))


@pytest.mark.pg
def test_two_desks_migrating_a_new_postgresql_database_at_once(pg_base_url):
    """Two desks started at the same moment on a new shared database: both open it, each migration once."""
    from desk.models.db import _open_postgres, migrate_database
    from tests.conftest import _reset_pg

    close_database()
    _reset_pg(pg_base_url)
    db_url = pg_base_url

    results, errors = [], []
    barrier = threading.Barrier(2)

    def desk():
        pg = _open_postgres(db_url)
        try:
            pg.connect()
            barrier.wait()
            results.append(migrate_database(pg))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            pg.close()

    threads = [threading.Thread(target=desk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sorted(results, key=len) == [[], KNOWN]
    check = _open_postgres(db_url)
    try:
        assert sorted(r[0] for r in check.execute_sql("SELECT name FROM schema_migration").fetchall()) == KNOWN
    finally:
        check.close()
