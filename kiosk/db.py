"""The database connection: one peewee proxy, pointed at a database by the app factory or a
script. Connections open lazily, per thread, at the first query (autoconnect): static files
and the board's cached "anything new?" poll never open one. At the end of a request a
PostgreSQL connection goes back to its pool; a SQLite connection stays open with its worker
thread (`release_connection`), because opening one and setting its pragmas cost more than the
rest of a ticket (measured: 8 ms → see README benchmark).

SQLite (a file, WAL journal) is the default; PostgreSQL is used when the URL says so, so that
many halls can share one server. This module owns the connection settings and the one helper
every read-then-write unit of work uses, `write_transaction()`, which takes the write lock at
the start (BEGIN IMMEDIATE on SQLite). On PostgreSQL the counters and tickets are protected by
row locks taken inside the transaction (UPDATE ... RETURNING, conditional updates).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_database_url
from playhouse.pool import PooledPostgresqlDatabase

db = DatabaseProxy()

# synchronous=FULL: in WAL mode this fsyncs the log at every commit, so a ticket number that was
# shown to a resident survives a power cut of the hall PC (NORMAL only survives a process crash).
# Measured cost in scripts/bench.py; it stays well above the 300 tickets/s target.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 15000,
    "foreign_keys": 1,
    "synchronous": os.environ.get("HALL_SQLITE_SYNCHRONOUS", "full"),
    "cache_size": -16000,
}


def make_database(url: str) -> Database:
    """Build (not open) a database from a URL or a plain SQLite file path."""
    if url.startswith(("postgres://", "postgresql://")):
        # peewee's own URL parser: user, password (percent-escapes undone), host, port and any
        # ?options (sslmode=…) become psycopg2's connect arguments.
        params = parse_database_url(url, unquote_password=True, unquote_user=True)
        return PooledPostgresqlDatabase(
            max_connections=40, stale_timeout=300, autoconnect=True, **params
        )
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url
    if path != ":memory:":
        from .private_files import private_file

        # Residents' personal data: 0600 (SQLite gives its -wal and -shm files the same mode).
        private_file(Path(path))
    return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, autoconnect=True, timeout=15)


def init_database(url: str) -> Database:
    """Point the shared proxy at the database named by `url` and return it."""
    database = make_database(url)
    db.initialize(database)
    return database


def default_database_url(instance_path: str | Path) -> str:
    return (
        os.environ.get("HALL_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or str(Path(instance_path) / "hall.sqlite3")
    )


def release_connection() -> None:
    """End of a request: return a PostgreSQL connection to the pool; keep SQLite's open."""
    if is_postgres() and not db.is_closed():
        db.close()


def is_postgres() -> bool:
    return isinstance(db.obj, PostgresqlDatabase)


# Writers of this process queue on a lock before BEGIN IMMEDIATE: SQLite's busy handler waits
# by sleeping with growing back-off, which under load gives some requests waits of a second or
# more (measured p99 751 ms at 8 clients); a lock hands the database over in arrival order.
_sqlite_writer = threading.RLock()


@contextmanager
def write_transaction():
    """A transaction that holds the write lock from its first statement.

    SQLite's default DEFERRED transaction upgrades its lock at the first write and then fails
    with "database is locked" under concurrency; IMMEDIATE takes it at BEGIN (other processes
    still wait through busy_timeout). Nested calls become savepoints of the outer transaction.
    """
    if is_postgres():
        with db.atomic() as transaction:
            yield transaction
        return
    with _sqlite_writer, db.atomic("IMMEDIATE") as transaction:
        yield transaction


class connection:
    """Context manager for scripts and threads: open the connection if closed, close it after."""

    def __enter__(self):
        self._opened = db.connect(reuse_if_open=True)
        return db

    def __exit__(self, *exc):
        if self._opened and not db.is_closed():
            db.close()
        return False
