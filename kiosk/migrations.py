"""Schema versions and the forward migrations run at start-up.

`schema_version` records each applied migration. A migration is a function taking the open
database; migrations run in order, each in its own transaction, and are never edited once
released. Migration 1 creates the schema of release 1 frozen in `kiosk/schema_v1.py` (not
today's models, which would make an old database look up to date while it lacks tables);
every later change of `kiosk/models.py` is its own numbered function below that changes the
schema explicitly (`playhouse.migrate`, written to be re-runnable). A database whose version
is newer than the last migration here was written by a newer release: `migrate_database`
refuses it with `SchemaTooNew` rather than run old code on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from peewee import (
    BooleanField,
    CharField,
    Database,
    DateField,
    DateTimeField,
    Field,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from . import models, schema_v1
from .db import connection, db, is_postgres

log = logging.getLogger(__name__)


class SchemaTooNew(RuntimeError):
    """The database was written by a newer release of the hall server than this one."""

    def __init__(self, found: int, known: int):
        self.found, self.known = found, known
        super().__init__(
            f"The database has schema version {found}, but this hall server only knows "
            f"versions up to {known}: it was upgraded by a newer release. Start that release "
            f"(or restore a backup made before the upgrade); this one will not touch it. "
            f"数据库版本（{found}）比本程序（{known}）新，请使用新版程序或恢复升级前的备份。"
        )


def _migration_1_release_schema(database: Database) -> None:
    database.create_tables(schema_v1.RELEASE_1_MODELS, safe=True)


def _migration_2_repair_release_1(database: Database) -> None:
    """Early builds of release 1 recorded version 1 with fewer tables: add what they lack."""
    missing = [
        model
        for model in (
            schema_v1.Meeting,
            schema_v1.AgendaItem,
            schema_v1.DisplaySlide,
            schema_v1.AuditHead,
        )
        if not database.table_exists(model._meta.table_name)
    ]
    database.create_tables(missing, safe=True)
    add_column_if_missing("printer", "spool_owner", CharField(default=""))
    add_column_if_missing("printer", "spool_heartbeat_at", DateTimeField(null=True))


def _migration_3_hall_settings(database: Database) -> None:
    """Hall settings staff change in 管理: lunch break, kiosk idle time, public address, hold
    expiry of print jobs."""
    add_column_if_missing("hall", "break_starts_at", CharField(max_length=5, default=""))
    add_column_if_missing("hall", "break_ends_at", CharField(max_length=5, default=""))
    add_column_if_missing("hall", "kiosk_idle_seconds", SmallIntegerField(default=60))
    add_column_if_missing("hall", "public_base_url", CharField(default=""))
    add_column_if_missing("hall", "print_hold_expiry_minutes", SmallIntegerField(default=10))


def _migration_4_retire_services_and_windows(database: Database) -> None:
    """Services and windows with history are retired, never deleted."""
    add_column_if_missing("service", "retired_at", DateTimeField(null=True))
    add_column_if_missing("window", "retired_at", DateTimeField(null=True))


def add_column_if_missing(table: str, column: str, field: Field) -> None:
    """Helper for future migrations: idempotent ADD COLUMN on SQLite and PostgreSQL."""
    existing = {c.name for c in db.get_columns(table)}
    if column in existing:
        return
    migrator = PostgresqlMigrator(db) if is_postgres() else SqliteMigrator(db)
    migrate(migrator.add_column(table, column, field))


def _migration_5_clear_stored_always_open(database: Database) -> None:
    """Release 1 stored `run.py --always-open` in the hall row and never cleared it (there was
    no other way to set it). The switch now lasts one run; a 24-hour hall sets it in 管理."""
    database.execute_sql(f"UPDATE hall SET always_open = {database.param}", (False,))


def _migration_6_case_counter(database: Database) -> None:
    database.create_tables([models.CaseCounter], safe=True)


GUIDE_TEXT_FIELDS = ("summary", "legal_basis", "conditions")


def _migration_7_unescape_guide_texts(database: Database) -> None:
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


def _migration_8_one_called_per_window(database: Database) -> None:
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


def _migration_9_staff_session_version(database: Database) -> None:
    add_column_if_missing("staff", "session_version", IntegerField(default=1))


HOT_PATH_INDEXES = [
    ("ticket", ("hall_id", "kiosk", "issued_at")),
    ("ticket", ("service_id", "status", "completed_at")),
    ("ticket", ("window_id", "status", "local_date")),
    ("ticket", ("hall_id", "status", "local_date")),
    ("queue_event", ("hall_id", "at")),
    ("print_job", ("source_kind", "source_id", "id")),
    ("print_job", ("hall_id", "status")),
]


def _migration_10_hot_path_indexes(database: Database) -> None:
    """Indexes matching the filters and orders of the request paths, so that a year of a busy
    hall's rows costs what a day's did (named as peewee names the models' indexes)."""
    for table, columns in HOT_PATH_INDEXES:
        name = "_".join((table, *columns))
        quoted = ", ".join(f'"{column}"' for column in columns)
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')


def _migration_11_audit_verified_point(database: Database) -> None:
    add_column_if_missing("audit_head", "verified_id", IntegerField(default=0))
    add_column_if_missing("audit_head", "verified_hash", CharField(max_length=64, default=""))
    add_column_if_missing("audit_head", "verified_entries", IntegerField(default=0))
    add_column_if_missing("hall", "audit_started", BooleanField(default=False))
    # Halls that already wrote entries have started their trail.
    database.execute_sql(
        "UPDATE hall SET audit_started = " + database.param
        + " WHERE id IN (SELECT hall_id FROM audit_head)",
        (True,),
    )  # fmt: skip


def _migration_12_case_workflow(database: Database) -> None:
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


def _migration_13_ratings_and_reports(database: Database) -> None:
    """Ratings on both scales tied to a ticket or case (one each), follow-ups of poor ratings,
    the hall's rating scale and wait alert, and the indexes the reports read by."""
    add_column_if_missing("hall", "rating_scale", CharField(max_length=16, default="national"))
    add_column_if_missing("hall", "wait_alert_minutes", SmallIntegerField(default=30))
    add_column_if_missing("rating", "scale", CharField(max_length=16, default="ten_point"))
    add_column_if_missing("rating", "grade", CharField(max_length=24, default=""))
    add_column_if_missing("rating", "level", SmallIntegerField(default=0))
    add_column_if_missing("rating", "efficiency", SmallIntegerField(null=True))
    add_column_if_missing("rating", "competence", SmallIntegerField(null=True))
    add_column_if_missing("rating", "attitude", SmallIntegerField(null=True))
    add_column_if_missing("rating", "source", CharField(max_length=16, default=""))
    # Ratings given before: the 10-point grades map onto the five levels (差 = 不满意).
    for score, level, grade in ((10, 5, "good"), (8, 4, "fairly_good"), (6, 3, "average")):
        database.execute_sql(
            f"UPDATE rating SET level = {database.param}, grade = {database.param} "
            f"WHERE level = 0 AND score >= {database.param}",
            (level, grade, score - 1),
        )
    database.execute_sql("UPDATE rating SET level = 2, grade = 'poor' WHERE level = 0")
    # The foreign-key indexes become unique: one rating per ticket and per case.
    statements = (
        "DROP INDEX IF EXISTS rating_ticket_id",
        "DROP INDEX IF EXISTS rating_case_id",
        "CREATE UNIQUE INDEX rating_ticket_id ON rating (ticket_id)",
        "CREATE UNIQUE INDEX rating_case_id ON rating (case_id)",
        "CREATE INDEX IF NOT EXISTS rating_hall_id_local_date ON rating (hall_id, local_date)",
        'CREATE INDEX IF NOT EXISTS case_hall_id_accepted_at ON "case" (hall_id, accepted_at)',
    )
    for statement in statements:
        database.execute_sql(statement)
    database.create_tables([models.RatingFollowUp], safe=True)


def _migration_15_reprint_count_index(database: Database) -> None:
    """The printers' 补打 count over 30 days sought through its rare error text instead of
    reading every slip printed in those days (38 ms a year in, on every 管理 and 打印机 page)."""
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "print_job_last_error_created_at" '
        'ON "print_job" ("last_error", "created_at")'
    )


def _migration_16_print_job_interrupted(database: Database) -> None:
    """补打 gets its own column: a send started and not confirmed finished (a crash, or the
    connection failing midway). In last_error it was overwritten by the next hold ("offline"),
    losing the mark on the slip and the count on the printers page. The count's index follows
    the column (migration 15's index on the error text goes)."""
    add_column_if_missing("print_job", "interrupted", BooleanField(default=False))
    database.execute_sql(
        f'UPDATE "print_job" SET "interrupted" = {database.param} WHERE "last_error" = '
        f"{database.param}",
        (True, "上次打印被中断，已重新打印"),
    )
    database.execute_sql('DROP INDEX IF EXISTS "print_job_last_error_created_at"')
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "print_job_interrupted_created_at" '
        'ON "print_job" ("interrupted", "created_at")'
    )


def _migration_17_ticket_first_called_at(database: Database) -> None:
    """Issue 14: the ticket's first call on the ticket itself, so the reports' wait (issue to
    first call) is read from the ticket instead of aggregating a year of queue events. Filled
    from the events: the earliest "called" of each ticket (a recall is "recalled", and a call
    after a transfer or a re-activation is a later "called"). And a partial index of the
    "transferred" events, which the reports count."""
    add_column_if_missing("ticket", "first_called_at", DateTimeField(null=True))
    database.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{models.TRANSFERRED_EVENTS}" '
        """ON "queue_event" ("ticket_id") WHERE "kind" = 'transferred'"""
    )
    if is_postgres():
        database.execute_sql(
            """
            UPDATE ticket SET first_called_at = fc.first_call
            FROM (SELECT ticket_id, MIN(at) AS first_call FROM queue_event
                  WHERE kind = 'called' AND ticket_id IS NOT NULL GROUP BY ticket_id) AS fc
            WHERE ticket.id = fc.ticket_id AND ticket.first_called_at IS NULL"""
        )
    else:  # a correlated subquery: UPDATE … FROM needs SQLite 3.33
        database.execute_sql(
            """
            UPDATE ticket SET first_called_at = (
                SELECT MIN(e.at) FROM queue_event e
                WHERE e.ticket_id = ticket.id AND e.kind = 'called')
            WHERE first_called_at IS NULL AND id IN (
                SELECT ticket_id FROM queue_event WHERE kind = 'called')"""
        )


def _migration_18_counts_a_year_in(database: Database) -> None:
    """Issue 17, a year in: the printers' pending, 补打 and expired counts (管理, 打印机) from
    partial indexes of those rare jobs instead of every job of the hall (0.18 s a page); the
    full (interrupted, created_at) index of migration 16 goes with them. And the cases
    completed in a period (the reports' 办结率 by month) through (hall, completed_at)."""
    true = "TRUE" if is_postgres() else "1"
    database.execute_sql('DROP INDEX IF EXISTS "print_job_interrupted_created_at"')
    for name, columns, where in (
        ("print_job_pending_per_printer", "hall_id, printer_id", "status = 'pending'"),
        (
            "print_job_interrupted_per_printer",
            "hall_id, printer_id, created_at",
            f"interrupted = {true}",
        ),
        ("print_job_expired_per_printer", "hall_id, printer_id, created_at", "status = 'expired'"),
    ):
        database.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "print_job" ({columns}) WHERE {where}'
        )
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "case_hall_id_completed_at" '
        'ON "case" ("hall_id", "completed_at")'
    )


def _migration_19_day_figures(database: Database) -> None:
    """Issue 17, a year in: the reports' figures of each finished day (report_day, day_figure),
    so a monthly report reads a month of per-day sums instead of 40,000 tickets. The tables as
    they are at this version, frozen here; the maintenance thread fills them for past days."""

    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class ReportDay(Base):
        hall = ForeignKeyField(schema_v1.Hall, on_delete="CASCADE")
        local_date = DateField()
        summarised_at = DateTimeField()

        class Meta:
            table_name = "report_day"
            indexes = ((("hall", "local_date"), True),)

    class DayFigure(Base):
        hall = ForeignKeyField(schema_v1.Hall, on_delete="CASCADE")
        local_date = DateField()
        measure = CharField(max_length=16)
        service_id = IntegerField(null=True)
        window_id = IntegerField(null=True)
        staff_id = IntegerField(null=True)
        step = IntegerField(default=0)
        n = IntegerField(default=0)
        total = FloatField(default=0)

        class Meta:
            table_name = "day_figure"
            indexes = ((("hall", "measure", "local_date"), False),)

    database.create_tables([ReportDay, DayFigure], safe=True)


def _migration_20_open_cases_and_closed_follow_ups(database: Database) -> None:
    """Issue 17, a year in: the open cases of the hall (the admin list, 我的受理件, the
    console's 我的在办) from a partial index holding only them, by deadline; and the closed
    follow-ups newest first through (hall, status, done_at) instead of sorting all of them."""
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "case_open_by_deadline" ON "case" ("hall_id", "deadline") '
        "WHERE status IN ('accepted', 'in_progress')"
    )
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "rating_follow_up_hall_id_status_done_at" '
        'ON "rating_follow_up" ("hall_id", "status", "done_at")'
    )


MIGRATIONS: list[tuple[int, str, Callable[[Database], None]]] = [
    (
        1,
        "initial schema: halls, services, windows, staff, queue, cases, printing, audit",
        _migration_1_release_schema,
    ),
    (2, "repair early release-1 databases", _migration_2_repair_release_1),
    (3, "hall settings: lunch break, idle seconds, public address", _migration_3_hall_settings),
    (4, "retired services and windows", _migration_4_retire_services_and_windows),
    (
        5,
        "clear the always-open flag stored by --always-open",
        _migration_5_clear_stored_always_open,
    ),
    (6, "case_counter: per-day case and suggestion numbers", _migration_6_case_counter),
    (
        7,
        "service guide texts stored as plain text, not HTML-escaped",
        _migration_7_unescape_guide_texts,
    ),
    (
        8,
        "ticket: at most one called ticket per window (unique partial index)",
        _migration_8_one_called_per_window,
    ),
    (
        9,
        "staff.session_version: sign-out and account changes end sessions",
        _migration_9_staff_session_version,
    ),
    (10, "indexes for the request paths", _migration_10_hot_path_indexes),
    (11, "audit: verified point and the hall's trail started", _migration_11_audit_verified_point),
    (
        12,
        "case workflow: agent, level, materials, lookup code, complaints",
        _migration_12_case_workflow,
    ),
    (
        13,
        "ratings on both scales, one per ticket or case, follow-ups, wait alert",
        _migration_13_ratings_and_reports,
    ),
    (15, "print_job: index for the 补打 count", _migration_15_reprint_count_index),
    (
        16,
        "print_job.interrupted: the 补打 mark in its own column",
        _migration_16_print_job_interrupted,
    ),
    (
        17,
        "ticket.first_called_at and the transferred events' index, for the reports",
        _migration_17_ticket_first_called_at,
    ),
    (
        18,
        "print_job: partial indexes for the printers' counts; case: (hall, completed_at)",
        _migration_18_counts_a_year_in,
    ),
    (
        19,
        "report_day and day_figure: the reports' figures of finished days",
        _migration_19_day_figures,
    ),
    (
        20,
        "case: partial index of the open ones; rating_follow_up: (hall, status, done_at)",
        _migration_20_open_cases_and_closed_follow_ups,
    ),
]


def latest_version() -> int:
    return max(version for version, _, _ in MIGRATIONS)


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
        if done > latest_version():
            raise SchemaTooNew(done, latest_version())
        for version, name, step in MIGRATIONS:
            if version <= done:
                continue
            with db.atomic():
                step(db)
                models.SchemaVersion.create(version=version, name=name)
            log.info("applied migration %s: %s", version, name)
            applied.append(version)
    return applied
