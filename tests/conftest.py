"""Shared fixtures: a fresh file database per test (never :memory:, which hides WAL and locking
behaviour), the demo hall with known passwords, the Flask app and its test client.

PostgreSQL: tests marked `postgres` run against a fresh database created on the server named by
TEST_DATABASE_URL (scripts/test.py installs and starts one); they fail, not skip, when CI=true
and no server is configured.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

import pytest
from support import staff_password

import kiosk.demo
from kiosk.db import db, init_database
from kiosk.demo import load_demo
from kiosk.migrations import migrate_database

# scrypt is slow on purpose (~0.1 s a hash); hash each demo password once per test session.
kiosk.demo.hash_password = functools.lru_cache(maxsize=None)(kiosk.demo.hash_password)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hall.sqlite3"


@pytest.fixture
def database(db_path: Path):
    """A migrated, empty SQLite file database, connected for the test thread."""
    init_database(str(db_path))
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
def app(db_path: Path, tmp_path: Path):
    from kiosk import create_app

    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": str(db_path),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "AUDIO_CACHE_DIR": str(tmp_path / "audio"),
        }
    )
    db.connect(reuse_if_open=True)
    load_demo(password_for=staff_password, always_open=True)
    db.close()
    yield application
    if not db.is_closed():
        db.close()


@pytest.fixture
def client(app):
    return app.test_client()


def postgres_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database (dropped afterwards), migrated and connected."""
    import psycopg2

    base = postgres_admin_url()
    if not base:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set: scripts/test.py should start PostgreSQL")
        pytest.skip("no PostgreSQL configured (set TEST_DATABASE_URL or run scripts/test.py)")
    name = "hall_test_" + secrets.token_hex(4)
    admin = psycopg2.connect(base)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + "/" + name
    database = init_database(url)
    migrate_database()
    db.connect(reuse_if_open=True)
    yield database
    if not db.is_closed():
        db.close()
    admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()
