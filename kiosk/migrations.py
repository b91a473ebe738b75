"""Schema versions and the forward migrations run at start-up.

`schema_version` records each applied migration. A migration is a function taking the open
database; migrations run in order, each in its own transaction, and are never edited once
released: a later change of the models gets a new, numbered migration here (use
`playhouse.migrate` or plain SQL, and `add_column_if_missing` so a half-upgraded database can
be upgraded again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from peewee import Database, Field
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from . import models
from .db import connection, db, is_postgres

log = logging.getLogger(__name__)


def _initial_schema(database: Database) -> None:
    database.create_tables(models.ALL_MODELS, safe=True)


def add_column_if_missing(table: str, column: str, field: Field) -> None:
    """Helper for future migrations: idempotent ADD COLUMN on SQLite and PostgreSQL."""
    existing = {c.name for c in db.get_columns(table)}
    if column in existing:
        return
    migrator = PostgresqlMigrator(db) if is_postgres() else SqliteMigrator(db)
    migrate(migrator.add_column(table, column, field))


def _case_counter(database: Database) -> None:
    database.create_tables([models.CaseCounter], safe=True)


MIGRATIONS: list[tuple[int, str, Callable[[Database], None]]] = [
    (
        1,
        "initial schema: halls, services, windows, staff, queue, cases, printing, audit",
        _initial_schema,
    ),
    (2, "case_counter: per-day case and suggestion numbers", _case_counter),
]


def current_version() -> int:
    if not db.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    row = models.SchemaVersion.select().order_by(models.SchemaVersion.version.desc()).first()
    return row.version if row else 0


def migrate_database() -> list[int]:
    """Apply every pending migration; return the versions applied."""
    applied: list[int] = []
    with connection():
        if not db.table_exists(models.SchemaVersion._meta.table_name):
            db.create_tables([models.SchemaVersion], safe=True)
        done = current_version()
        for version, name, step in MIGRATIONS:
            if version <= done:
                continue
            with db.atomic():
                step(db)
                models.SchemaVersion.create(version=version, name=name)
            log.info("applied migration %s: %s", version, name)
            applied.append(version)
    return applied
