"""The audit trail is hash-chained: editing, deleting or cutting off entries is detected, and
the command-line check says where."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk import audit
from kiosk.db import db
from kiosk.models import AuditEntry, Staff

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def entries(hall):
    admin = Staff.get(Staff.username == "admin")
    return [
        audit.record(hall, admin, "service_save", "service", i, before={"n": i}, after={"n": i + 1})
        for i in range(5)
    ]


def run_verify(db_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit_verify.py"), "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_intact_chain_verifies(hall, entries, db_path):
    check = audit.verify_chain(hall)
    assert (check.ok, check.entries, check.head) == (True, 5, entries[-1].entry_hash)
    result = run_verify(db_path)
    assert result.returncode == 0 and "demo: OK, 5 entries" in result.stdout


def test_an_edited_entry_breaks_the_chain_there(hall, entries, db_path):
    mark = db.param  # "?" on SQLite, "%s" on PostgreSQL
    db.execute_sql(
        f"UPDATE audit_entry SET after = {mark} WHERE id = {mark}", ('{"n": 99}', entries[2].id)
    )
    check = audit.verify_chain(hall)
    assert (check.ok, check.broken_at, check.reason) == (
        False,
        entries[2].id,
        "entry content changed",
    )
    result = run_verify(db_path)
    assert result.returncode == 1 and f"BROKEN at entry {entries[2].id}" in result.stdout


def test_a_deleted_entry_breaks_the_chain_at_the_next(hall, entries):
    AuditEntry.delete().where(AuditEntry.id == entries[1].id).execute()
    check = audit.verify_chain(hall)
    assert (check.ok, check.broken_at) == (False, entries[2].id)
    assert check.reason == "previous entry missing or changed"


def test_cutting_off_the_last_entries_is_detected(hall, entries, db_path):
    AuditEntry.delete().where(AuditEntry.id >= entries[3].id).execute()
    check = audit.verify_chain(hall)
    assert (check.ok, check.broken_at, check.entries) == (False, 0, 3)
    assert "5 recorded, 3 found" in check.reason
    result = run_verify(db_path)
    assert result.returncode == 1 and "BROKEN at the end" in result.stdout


def test_the_cli_refuses_a_missing_database(tmp_path):
    result = run_verify(tmp_path / "nope.sqlite3")
    assert result.returncode == 2 and "no database" in result.stderr


def test_page_views_hash_only_new_entries_and_an_emptied_trail_is_reported(hall, monkeypatch):
    from kiosk.models import AuditHead

    for n in range(30):
        audit.record(hall, None, "test", "n", n)
    assert audit.verify_chain(hall).ok  # the full walk sets the verified point
    hashed = []
    original = audit.entry_digest
    monkeypatch.setattr(audit, "entry_digest", lambda e: hashed.append(e.id) or original(e))
    for n in range(3):
        audit.record(hall, None, "test", "more", n)
    hashed.clear()
    check = audit.verify_chain(hall, full=False)
    assert check.ok and check.entries == 33
    assert len(hashed) == 1 + 3  # the verified point, then the three new entries
    # Everything deleted, the stored head too: not "0 entries, OK".
    AuditEntry.delete().where(AuditEntry.hall == hall).execute()
    AuditHead.delete().where(AuditHead.hall == hall).execute()
    for full in (True, False):
        check = audit.verify_chain(hall, full=full)
        assert not check.ok and "emptied" in check.reason
