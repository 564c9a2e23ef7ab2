"""open_database(url): SQLite (default) or PostgreSQL, pragmas, version checks, migrations."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import peewee
from playhouse.migrations import MigrationError, Runner

from desk.errors import DatabaseProblem
from desk.models.base import database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
MIN_SQLITE = (3, 51, 3)
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": 2,  # FULL
    "foreign_keys": 1,
    "busy_timeout": 10_000,
}


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    override = os.environ.get("DESK_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("Desk", "Desk"))


def default_url() -> str:
    return "sqlite:///" + str(default_data_dir() / "desk.sqlite3")


def _sqlite_path(url: str) -> str:
    # sqlite:///relative/path or sqlite:////absolute/path, or a plain file path
    return url[len("sqlite:///") :] if url.startswith("sqlite:///") else url


def describe_url(url: str) -> str:
    """The URL as the status bar shows it: no password."""
    if url.startswith(("postgres://", "postgresql://")):
        p = urlparse(url)
        host = p.hostname or "localhost"
        return f"PostgreSQL {p.username + '@' if p.username else ''}{host}:{p.port or 5432}/{p.path.lstrip('/')}"
    return "SQLite " + _sqlite_path(url)


def is_postgres(db: peewee.Database | None = None) -> bool:
    db = db if db is not None else database.obj
    return isinstance(db, peewee.PostgresqlDatabase)


def sqlite_version() -> tuple[int, ...]:
    import cysqlite

    return tuple(cysqlite.sqlite_version_info)


def _open_sqlite(url: str) -> peewee.Database:
    from playhouse.cysqlite_ext import CySqliteDatabase

    version = sqlite_version()
    if version < MIN_SQLITE:
        raise DatabaseProblem(
            "The bundled SQLite is {} but Desk needs {} or newer (older versions can corrupt a "
            "database written by two connections). Reinstall Desk's dependencies.".format(
                ".".join(map(str, version)), ".".join(map(str, MIN_SQLITE))
            )
        )
    path = Path(_sqlite_path(url)).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseProblem(
            f"Cannot create the data folder {path.parent}: {exc.strerror}. "
            "Choose another folder with --db or fix its permissions."
        ) from None
    if path.exists() and not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise DatabaseProblem(
            f"The database {path} or its folder is read-only. Desk must write to it: "
            "fix its permissions or choose another file with --db."
        )
    db = CySqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=10)
    return db


def _open_postgres(url: str) -> peewee.Database:
    from playhouse.db_url import parse

    params = parse(url)
    name = params.pop("database")
    return peewee.PostgresqlDatabase(name, prefer_psycopg3=True, **params)


@dataclass
class Opened:
    db: peewee.Database
    url: str
    applied: list[str]


def open_database(url: str | None = None, migrate: bool = True) -> Opened:
    """Open the database at ``url``, bind the models to it and bring its schema up to date.

    Raises DatabaseProblem with a message that says what is wrong and what to do.
    """
    url = url or default_url()
    if url.startswith(("postgres://", "postgresql://")):
        db = _open_postgres(url)
    elif url.startswith("sqlite:") or "://" not in url:
        db = _open_sqlite(url)
    else:
        raise DatabaseProblem(f"Unknown database URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST:PORT/NAME.")
    try:
        db.connect(reuse_if_open=True)
        if not is_postgres(db):
            # journal_mode must actually have switched to WAL.
            mode = db.execute_sql("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                raise DatabaseProblem(f"SQLite would not switch {url} to WAL journaling (got {mode}).")
    except peewee.DatabaseError as exc:  # OperationalError, or "file is not a database"
        _close_quietly(db)
        raise DatabaseProblem(f"Cannot open the database {describe_url(url)}: {first_line(exc)}. " + _advice(url)) from None
    except DatabaseProblem:
        _close_quietly(db)
        raise
    database.initialize(db)
    applied: list[str] = []
    if migrate:
        try:
            applied = migrate_database(db)
            from desk.services.audit import ensure_chain

            ensure_chain()
        except DatabaseProblem:
            _close_quietly(db)
            raise
    return Opened(db=db, url=url, applied=applied)


def _close_quietly(db: peewee.Database) -> None:
    try:
        if not db.is_closed():
            db.close()
    except Exception:  # noqa: BLE001 - already reporting the real problem
        pass


def _advice(url: str) -> str:
    if url.startswith(("postgres://", "postgresql://")):
        return "Check that the server is running and that the URL's host, port, user and database are right."
    return "Check that the file is a Desk database and that its folder can be written."


def first_line(exc: BaseException) -> str:
    """The driver's first line, without a closing full stop (the message adds its own)."""
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def migration_runner(db: peewee.Database) -> Runner:
    return Runner(db, directory=str(MIGRATIONS_DIR))


def schema_version(db: peewee.Database) -> str:
    applied = [m.name for m in migration_runner(db).status() if m.applied]
    return applied[-1] if applied else "(empty)"


def check_not_newer(runner: Runner) -> None:
    unknown = [m.name for m in runner.status() if m.applied and m.path is None]
    if unknown:
        known = [m.name for m in runner.migrations()]
        raise DatabaseProblem(
            "This database was written by a newer version of Desk (it has schema {}; this version "
            "knows up to {}). Install the newer version of Desk to open it; nothing was changed.".format(
                ", ".join(sorted(unknown)), known[-1] if known else "none"
            )
        )


_MIGRATION_LOCK = 0x5EA_F000  # PostgreSQL advisory lock: one desk migrates a shared database at a time


def migrate_database(db: peewee.Database) -> list[str]:
    runner = migration_runner(db)
    locked = False
    try:
        if is_postgres(db):
            # Desks started at the same moment on a new shared database: the second waits
            # for the first to finish, then finds nothing left to do.
            db.execute_sql("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
            locked = True
        check_not_newer(runner)
        return runner.up()
    except DatabaseProblem:
        raise
    except (peewee.DatabaseError, MigrationError) as exc:
        raise DatabaseProblem(f"Cannot bring the database schema up to date: {first_line(exc)}. {describe_write_error(exc)}") from None
    finally:
        if locked:
            try:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
            except peewee.DatabaseError:
                pass  # the session ends with the connection; so does the lock


def describe_write_error(exc: BaseException) -> str:
    """A sentence that says what to do about a database write that failed."""
    text = str(exc).lower()
    if "full" in text or "no space" in text:
        return "The disk is full: free some space and try again; nothing was saved."
    if "readonly" in text or "read-only" in text or "read only" in text:
        return "The database is read-only: fix the file's permissions; nothing was saved."
    if "locked" in text or "busy" in text:
        return "Another desk is writing to the database: try again in a moment; nothing was saved."
    return "Nothing was saved."


def close_database() -> None:
    db = database.obj
    if db is not None and not db.is_closed():
        db.close()


def close_thread_connection() -> None:
    """Close the calling thread's connection (peewee keeps one per thread): workers call this
    when they finish, so a background import or export leaves no connection behind."""
    try:
        if database.obj is not None and not database.is_closed():
            database.close()
    except Exception:  # noqa: BLE001 - closing is best effort at the end of a worker
        pass


BULK_CACHE_KIB = 64 * 1024


@contextmanager
def bulk_write_cache(kib: int = BULK_CACHE_KIB):
    """SQLite's page cache raised to ``kib`` KiB for a large write transaction (an import),
    then set back. With the default 2 MB the pages of the growing tables and indexes spill
    to the WAL before the commit and are written again when touched once more. Durability is
    unchanged (journal and synchronous stay as they are). Nothing to do on PostgreSQL."""
    if is_postgres():
        yield
        return
    before = database.execute_sql("PRAGMA cache_size").fetchone()[0]
    database.execute_sql(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(before)}")
