"""Shared fixtures: a fresh file database per test (never :memory:, which hides WAL and locking
behaviour), the demo hall with known passwords, the Flask app and its test client.

PostgreSQL: tests marked `postgres` run against a fresh database created on the server named by
TEST_DATABASE_URL (scripts/test.py installs and starts one); they fail, not skip, when CI=true
and no server is configured. With HALL_TEST_BACKEND=postgres (scripts/test.py's second pass)
every test built on the `database` or `app` fixtures runs on a fresh PostgreSQL database
instead; tests that need the SQLite file itself (they ask for `db_path`) or that make their own
database are left to the SQLite pass.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from support import hall_app, new_postgres_database, postgres_admin_url, staff_password

import kiosk.demo
from kiosk import clock
from kiosk.db import db, init_database
from kiosk.demo import load_demo
from kiosk.migrations import migrate_database

# scrypt is slow on purpose (~0.1 s a hash); hash each demo password once per test session.
kiosk.demo.hash_password = functools.lru_cache(maxsize=None)(kiosk.demo.hash_password)


@pytest.fixture
def morning_clock(monkeypatch):
    """The hall's local clock reads 10:00 today (and runs on) for tests that build the queue's
    history "minutes ago": run just after local midnight, that history would fall on
    yesterday and the queue would rightly not call it. Shifts this process only."""
    local = clock.to_local(clock.utcnow())
    target = local.replace(hour=10, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(clock, "OFFSET", clock.OFFSET + (target - local))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hall.sqlite3"


BACKEND = os.environ.get("HALL_TEST_BACKEND", "sqlite")


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgres":
        return
    kept, dropped = [], []
    for item in items:
        names = getattr(item, "fixturenames", ())
        on_fixture = "database_url" in names and "db_path" not in names
        if on_fixture and not item.get_closest_marker("sqlite_only"):
            kept.append(item)
        else:
            dropped.append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept


@pytest.fixture
def database_url(request, tmp_path: Path):
    """Where the test's hall lives: a SQLite file, or a fresh PostgreSQL database."""
    if BACKEND != "postgres":
        yield str(request.getfixturevalue("db_path"))
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.fail("HALL_TEST_BACKEND=postgres needs TEST_DATABASE_URL (scripts/test.py)")
    with new_postgres_database(base, "hall_suite_") as url:
        try:
            yield url
        finally:
            if not db.is_closed():
                db.close()
            db_obj = db.obj
            if db_obj is not None and hasattr(db_obj, "close_all"):
                db_obj.close_all()


@pytest.fixture
def database(database_url: str):
    """A migrated, empty database (SQLite file or PostgreSQL), connected for the test thread."""
    init_database(database_url)
    migrate_database()
    db.connect(reuse_if_open=True)
    yield db
    if not db.is_closed():
        db.close()


@pytest.fixture
def demo(database):
    """The demo hall (always open, so tests do not depend on the time of day)."""
    return load_demo(password_for=staff_password, always_open=True)


@pytest.fixture
def hall(demo):
    return demo.hall


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    application = hall_app(database_url, tmp_path)
    db.connect(reuse_if_open=True)
    load_demo(password_for=staff_password, always_open=True)
    db.close()
    yield application
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def auth(client):
    """Sign staff in and out on the test's client: `token = auth.sign_in("wang", window=1)`."""
    from support import Auth

    return Auth(client)


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database (dropped afterwards), migrated and connected."""
    with new_postgres_database(postgres_admin_url(), "hall_test_") as url:
        database = init_database(url)
        migrate_database()
        db.connect(reuse_if_open=True)
        yield database
        if not db.is_closed():
            db.close()
