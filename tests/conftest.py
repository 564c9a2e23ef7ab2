"""Fixtures shared by every test: a fresh database per test, SQLite and (marked pg) PostgreSQL."""

from __future__ import annotations

import os
import tempfile
import uuid
from urllib.parse import urlparse, urlunparse

import pytest

# Keep tests away from the real user's folders and Qt settings.
_HOME = tempfile.mkdtemp(prefix="desk-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["DESK_DATA_DIR"] = os.path.join(_HOME, "desk-data")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desk.models.db import close_database, open_database  # noqa: E402

PG_URL = os.environ.get("DESK_TEST_PG_URL", "")
ADMIN_CODE, ADMIN_PIN = "900", "482913"


def _with_db_name(url: str, name: str) -> str:
    p = urlparse(url)
    return urlunparse(p._replace(path="/" + name))


@pytest.fixture(scope="session")
def pg_base_url():
    """A PostgreSQL database made for this test session, dropped at its end."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("DESK_TEST_PG_URL is not set: CI requires the PostgreSQL tests")
        pytest.skip("DESK_TEST_PG_URL is not set")
    import psycopg

    name = f"desk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _with_db_name(PG_URL, name)
    close_database()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture
def sqlite_url(tmp_path):
    return "sqlite:///" + str(tmp_path / "desk.sqlite3")


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path):
    """A URL to a fresh, empty database: SQLite, and PostgreSQL when marked pg."""
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path / "desk.sqlite3")
    url = request.getfixturevalue("pg_base_url")
    close_database()
    _reset_pg(url)
    return url


@pytest.fixture
def db(db_url):
    """An opened, migrated, empty database on both backends."""
    opened = open_database(db_url)
    yield opened
    close_database()


@pytest.fixture
def sqlite_db(sqlite_url):
    """An opened, migrated, empty SQLite database (for tests that need only one backend)."""
    opened = open_database(sqlite_url)
    yield opened
    close_database()


def make_store(**overrides):
    from desk.services.store import StoreDetails, init_store

    details = StoreDetails(name="Test Store", code="TST01", currency="GBP", locale="en_GB",
                           address="1 High Street", tax_number="GB999", prices_include_tax=True)
    for key, value in overrides.items():
        setattr(details, key, value)
    return init_store(details, ADMIN_CODE, ADMIN_PIN, "Ada Admin")


@pytest.fixture
def store(db):
    """A store with its first admin, on both backends. Returns (store, admin)."""
    return make_store()


@pytest.fixture
def sqlite_store(sqlite_db):
    return make_store()


@pytest.fixture
def demo(sqlite_db):
    """A small demo store on SQLite."""
    from desk.services.demo import build_demo

    return build_demo(seed=7, lines=400, customers=60)


@pytest.fixture
def clock_at(monkeypatch):
    """Freeze the services' clock: clock_at(datetime) sets it; returns the setter."""
    from desk import clock

    def set_to(when):
        monkeypatch.setattr(clock, "utcnow", lambda: when)

    return set_to
