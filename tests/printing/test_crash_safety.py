"""Crash safety stays proven: the real server (scripts/run.py) under a ticket load from six
kiosks is killed with SIGKILL mid-load; after a restart every ticket whose response reached a
kiosk exists exactly once, no number is given twice, and numbering continues."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from test_spool_app import csrf_from, free_port, start_server, stop_server

from kiosk.db import db, init_database
from kiosk.demo import load_demo
from kiosk.migrations import migrate_database
from kiosk.models import Hall, Printer, Ticket

KIOSKS = 6


def kiosk_loop(base: str, stop: threading.Event, seen: list[str], lock: threading.Lock):
    session = requests.Session()
    try:
        token = csrf_from(session, base + "/take/1")
    except (requests.RequestException, AssertionError) as error:
        with lock:
            seen.append(f"error: {error}")
        return
    service = 1
    while not stop.is_set():
        service = service % 6 + 1
        try:
            response = session.post(
                base + "/tickets",
                data={"csrf_token": token, "service_id": str(service)},
                allow_redirects=False,
                timeout=5,
            )
        except requests.RequestException:
            return  # the server died under us: this kiosk saw no answer
        if response.status_code == 303:
            code = response.headers["Location"].rsplit("/", 1)[1]
            with lock:
                seen.append(code)
            try:
                session.get(base + f"/tickets/{code}/done", allow_redirects=False, timeout=5)
            except requests.RequestException:
                return


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_sigkill_under_load_loses_no_answered_ticket(tmp_path: Path):
    db_path = tmp_path / "hall.sqlite3"
    init_database(str(db_path))
    migrate_database()
    with db.connection_context():
        load_demo(always_open=True, password_for=lambda _u: "crash-test-pass")
        Hall.update(kiosk_tickets_per_minute=0).execute()  # six kiosks at full speed
        Printer.update(enabled=False).execute()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db_path, port)
    seen: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    kiosks = [
        threading.Thread(target=kiosk_loop, args=(base, stop, seen, lock)) for _ in range(KIOSKS)
    ]
    try:
        for kiosk in kiosks:
            kiosk.start()
        deadline = time.time() + 30
        while len(seen) < 60 and time.time() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # mid-load, no clean shutdown
        server.wait(timeout=10)
        stop.set()
        for kiosk in kiosks:
            kiosk.join(timeout=10)
        problems = [code for code in seen if code.startswith("error: ")]
        assert problems == []
        answered = list(seen)
        assert len(answered) >= 60
        server = start_server(db_path, port)
        with db.connection_context():
            found = Ticket.select().where(Ticket.public_code.in_(answered)).count()
            assert found == len(answered) == len(set(answered))
            numbers = [
                (t.issued_service_id, t.local_date, t.sequence)
                for t in Ticket.select(Ticket.issued_service, Ticket.local_date, Ticket.sequence)
            ]
            assert len(numbers) == len(set(numbers))  # no number given twice
            before = Ticket.select().count()
        # Numbering continues after the restart.
        session = requests.Session()
        token = csrf_from(session, base + "/take/1")
        response = session.post(
            base + "/tickets",
            data={"csrf_token": token, "service_id": "1"},
            allow_redirects=False,
            timeout=5,
        )
        assert response.status_code == 303
        with db.connection_context():
            assert Ticket.select().count() == before + 1
            newest = Ticket.select().order_by(Ticket.id.desc()).get()
            previous = (
                Ticket.select()
                .where((Ticket.issued_service == newest.issued_service) & (Ticket.id != newest.id))
                .order_by(Ticket.sequence.desc())
                .first()
            )
            assert newest.sequence == (previous.sequence if previous else 0) + 1
    finally:
        stop.set()
        stop_server(server)
