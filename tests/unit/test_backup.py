"""Backups taken while tickets are being issued restore to a sound database holding every
ticket acknowledged before the backup began."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from kiosk import queue
from kiosk.backup import integrity_ok
from kiosk.db import connection
from kiosk.models import Hall, Service

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "backup.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_during_issuing_restores_every_acknowledged_ticket(hall, db_path, tmp_path):
    acknowledged: list[tuple[int, float]] = []
    stop = threading.Event()
    lock = threading.Lock()
    hall_id = hall.id

    def issuer(service_code: str) -> None:
        with connection():
            local_hall = Hall.get_by_id(hall_id)
            service = Service.get(Service.code == service_code)
            while not stop.is_set():
                ticket = queue.issue_ticket(local_hall, service)
                with lock:
                    acknowledged.append((ticket.id, time.monotonic()))

    threads = [
        threading.Thread(target=issuer, args=(code,))
        for code in ("social_assistance", "household_registration", "party_liaison")
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    began = time.monotonic()
    result = run("--db", db_path, "--dir", tmp_path / "backups")
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert result.returncode == 0, result.stderr
    backup = Path(result.stdout.strip())
    before = {ticket_id for ticket_id, at in acknowledged if at < began}
    assert len(before) > 20  # the load was real
    restored = tmp_path / "restored.sqlite3"
    assert run("--restore", backup, "--target", restored).returncode == 0
    assert integrity_ok(restored)
    copy = sqlite3.connect(restored)
    ids = {row[0] for row in copy.execute("SELECT id FROM ticket")}
    sequences = copy.execute(
        "SELECT issued_service_id, COUNT(*), MAX(sequence) FROM ticket GROUP BY 1"
    ).fetchall()
    copy.close()
    assert before <= ids
    assert all(count == highest for _service, count, highest in sequences)  # no gaps


def test_keeps_the_last_n_and_refuses_to_overwrite(hall, db_path, tmp_path):
    folder = tmp_path / "backups"
    for _ in range(4):
        assert run("--db", db_path, "--dir", folder, "--keep", "2").returncode == 0
    backups = sorted(folder.glob("hall-*.sqlite3"))
    assert len(backups) == 2
    target = tmp_path / "live.sqlite3"
    target.write_bytes(b"the running database")
    refused = run("--restore", backups[-1], "--target", target)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert target.read_bytes() == b"the running database"
    assert run("--restore", backups[-1], "--target", target, "--force").returncode == 0
    assert integrity_ok(target)


def test_bad_files_change_nothing(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = run("--db", junk, "--dir", tmp_path / "backups")
    assert result.returncode == 2 and "not a SQLite database" in result.stderr
    assert not list((tmp_path / "backups").glob("*.sqlite3"))
    result = run("--restore", junk, "--target", tmp_path / "x.sqlite3")
    assert result.returncode == 2 and not (tmp_path / "x.sqlite3").exists()
    assert run("--db", tmp_path / "missing.sqlite3").returncode == 2
