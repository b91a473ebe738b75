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

from peewee import CharField, Database, Field, SmallIntegerField, TextField
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


GUIDE_TEXT_FIELDS = ("summary", "legal_basis", "conditions")


def _unescape_guide_texts(database: Database) -> None:
    """简介, 设定依据 and 办理条件 were stored through the HTML sanitizer, which escaped "&" and
    "<"; the templates escape again, so residents saw "&amp;". They are plain text now."""
    import html

    table = models.Service._meta.table_name
    columns = ", ".join(GUIDE_TEXT_FIELDS)
    rows = database.execute_sql(f"SELECT id, {columns} FROM {table}").fetchall()
    for row_id, *texts in rows:
        fixed = [html.unescape(text or "") for text in texts]
        if fixed != list(texts):
            mark = database.param  # "?" on SQLite, "%s" on PostgreSQL
            assignments = ", ".join(f"{name} = {mark}" for name in GUIDE_TEXT_FIELDS)
            database.execute_sql(
                f"UPDATE {table} SET {assignments} WHERE id = {mark}", (*fixed, row_id)
            )


def _one_called(database: Database) -> None:
    """The unique partial index "one called ticket per window". A database that already holds
    two called tickets at one window (the PostgreSQL race of issue 18) keeps running without
    it, with a warning: finishing those tickets and restarting does not retry, so the index is
    then created by hand with the statement below; the row lock in call_next still applies."""
    table = models.Ticket._meta.table_name
    duplicates = database.execute_sql(
        f"SELECT window_id FROM {table} WHERE status = 'called' AND window_id IS NOT NULL "
        "GROUP BY window_id HAVING COUNT(*) > 1"
    ).fetchall()
    statement = (
        f"CREATE UNIQUE INDEX IF NOT EXISTS {models.ONE_CALLED_PER_WINDOW} "
        f"ON {table} (window_id) WHERE status = 'called'"
    )
    if duplicates:
        log.warning(
            "windows %s have more than one called ticket; index not created: %s",
            [row[0] for row in duplicates],
            statement,
        )
        return
    database.execute_sql(statement)


def _print_hold_expiry(database: Database) -> None:
    add_column_if_missing("hall", "print_hold_expiry_minutes", SmallIntegerField(default=10))


def _case_workflow(database: Database) -> None:
    """Issue 13: case workflow columns, complaint answer deadlines, the kiosk lookup index."""
    for name, field in (
        ("lookup_code", CharField(max_length=12, default="")),
        ("level", CharField(max_length=16, default="")),
        ("window_number", SmallIntegerField(null=True)),
        ("materials_received", TextField(default="")),
        ("materials_missing", TextField(default="")),
        ("category", CharField(max_length=32, default="")),
        ("about", CharField(default="")),
        ("extended_days", SmallIntegerField(default=0)),
        ("extension_reason", TextField(default="")),
        ("notified_via", CharField(max_length=16, default="")),
        ("confirmed_via", CharField(max_length=16, default="")),
        ("form_token", CharField(max_length=64, default="")),
    ):
        add_column_if_missing("case", name, field)
    add_column_if_missing("hall", "complaint_general_days", SmallIntegerField(default=7))
    add_column_if_missing("hall", "complaint_major_days", SmallIntegerField(default=30))
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS case_hall_id_lookup_code ON "case" (hall_id, lookup_code)'
    )


MIGRATIONS: list[tuple[int, str, Callable[[Database], None]]] = [
    (
        1,
        "initial schema: halls, services, windows, staff, queue, cases, printing, audit",
        _initial_schema,
    ),
    (2, "case_counter: per-day case and suggestion numbers", _case_counter),
    (3, "service guide texts stored as plain text, not HTML-escaped", _unescape_guide_texts),
    (4, "ticket: at most one called ticket per window (unique partial index)", _one_called),
    (5, "hall.print_hold_expiry_minutes: held ticket slips expire", _print_hold_expiry),
    (6, "case workflow: agent, level, materials, lookup code, complaints", _case_workflow),
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
