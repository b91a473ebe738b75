"""Upgrades: a database built by every released schema (and every earlier build of release 1,
which recorded version 1 with fewer tables) migrates to the latest schema and then equals a
freshly created one — tables, columns, indexes, primary and foreign keys with their delete
rules — on SQLite and on PostgreSQL. The migrated schema also equals what today's models
would create, so a model change without its migration fails here. A database newer than the
code is refused.
"""

from __future__ import annotations

import importlib
import os
import secrets

import pytest

from kiosk import models, schema_v1
from kiosk.db import db, init_database, is_postgres
from kiosk.migrations import MIGRATIONS, SchemaTooNew, latest_version, migrate_database

# Every models.py that ever wrote "schema version 1" (tests/unit/released_schemas/ holds the
# earlier builds verbatim; kiosk/schema_v1.py is the release itself).
RELEASED_BUILDS = ["build_3cfca5d", "build_69424fd", "build_fc15545", "release_1"]


def build_models(build: str) -> list:
    if build == "release_1":
        return schema_v1.RELEASE_1_MODELS
    module = importlib.import_module(f"released_schemas.{build}")
    return module.ALL_MODELS


def foreign_keys(table: str) -> set[tuple]:
    if is_postgres():
        rows = db.execute_sql(
            """
            SELECT kcu.column_name, ccu.table_name, ccu.column_name, rc.delete_rule
            FROM information_schema.table_constraints tc
            JOIN information_schema.key_column_usage kcu
              ON tc.constraint_name = kcu.constraint_name AND tc.table_name = kcu.table_name
            JOIN information_schema.constraint_column_usage ccu
              ON tc.constraint_name = ccu.constraint_name
            JOIN information_schema.referential_constraints rc
              ON tc.constraint_name = rc.constraint_name
            WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = %s
            """,
            (table,),
        ).fetchall()
        return {tuple(row) for row in rows}
    rows = db.execute_sql(f'PRAGMA foreign_key_list("{table}")').fetchall()
    # (id, seq, table, from, to, on_update, on_delete, match)
    return {(row[3], row[2], row[4], row[6].upper()) for row in rows}


def snapshot() -> dict:
    """Everything about the schema that the code relies on, in a comparable form."""
    schema = {}
    for table in sorted(db.get_tables()):
        if table == "schema_version":
            continue
        columns = {
            column.name: (column.data_type.lower(), column.null, column.primary_key)
            for column in db.get_columns(table)
        }
        indexes = {
            (index.name, tuple(index.columns), index.unique) for index in db.get_indexes(table)
        }
        schema[table] = {
            "columns": columns,
            "indexes": indexes,
            "primary_key": tuple(db.get_primary_keys(table)),
            "foreign_keys": foreign_keys(table),
        }
    return schema


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request, tmp_path):
    """A function that gives a new, empty, connected database of the parametrised kind."""
    created: list[str] = []
    admin = None
    if request.param == "postgres":
        import psycopg2

        base = os.environ.get("TEST_DATABASE_URL")
        if not base:
            if os.environ.get("CI"):
                pytest.fail("TEST_DATABASE_URL is not set")
            pytest.skip("no PostgreSQL configured (set TEST_DATABASE_URL)")
        admin = psycopg2.connect(base)
        admin.autocommit = True

    def make():
        if db.obj is not None and not db.is_closed():
            db.close()
        if admin is None:
            url = str(tmp_path / f"db{len(created)}.sqlite3")
        else:
            name = "hall_upgrade_" + secrets.token_hex(4)
            admin.cursor().execute(f'CREATE DATABASE "{name}"')
            url = os.environ["TEST_DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
        created.append(url)
        init_database(url)
        db.connect(reuse_if_open=True)
        return db

    yield make
    if db.obj is not None and not db.is_closed():
        db.close()
    if admin is not None:
        for url in created:
            admin.cursor().execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.close()


def fresh_snapshot(make) -> dict:
    make()
    migrate_database()
    return snapshot()


@pytest.mark.parametrize("build", RELEASED_BUILDS)
def test_every_released_schema_upgrades_to_the_fresh_schema(empty_database, build):
    fresh = fresh_snapshot(empty_database)
    database = empty_database()
    old_models = build_models(build)
    database.create_tables(old_models)
    # What the old code wrote: "version 1" (its migration 1 was create_tables of its models).
    models.SchemaVersion.create(version=1, name="initial schema")
    hall = old_models[1].create(code="old", name="旧大厅", always_open=True)
    assert hall.id

    applied = migrate_database()

    assert applied == [version for version, _, _ in MIGRATIONS if version > 1]
    upgraded = snapshot()
    assert sorted(upgraded) == sorted(fresh)
    for table in fresh:
        assert upgraded[table] == fresh[table], table
    # Data survives and the new columns have their defaults.
    row = models.Hall.get(models.Hall.code == "old")
    assert row.name == "旧大厅"
    assert row.kiosk_idle_seconds == 60
    assert row.print_hold_expiry_minutes == 10
    assert row.break_starts_at == ""
    assert row.always_open is False  # stored by release 1's --always-open, cleared
    assert migrate_database() == []


def test_migrated_schema_equals_the_models(empty_database):
    """A change of kiosk/models.py without its own migration fails here."""
    fresh = fresh_snapshot(empty_database)
    database = empty_database()
    database.create_tables(models.ALL_MODELS)
    from_models = snapshot()
    assert sorted(from_models) == sorted(fresh)
    for table in fresh:
        assert from_models[table]["columns"] == fresh[table]["columns"], table
        assert from_models[table]["indexes"] == fresh[table]["indexes"], table
        assert from_models[table]["foreign_keys"] == fresh[table]["foreign_keys"], table


def test_a_database_newer_than_the_code_is_refused(empty_database):
    empty_database()
    migrate_database()
    models.SchemaVersion.create(version=latest_version() + 1, name="from the future")
    with pytest.raises(SchemaTooNew) as refused:
        migrate_database()
    assert f"schema version {latest_version() + 1}" in str(refused.value)
    assert "新" in str(refused.value)
