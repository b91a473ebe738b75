"""The print spool inside the real app, against emupos: a ticket taken at the kiosk while the
paper is out is held, the resident's page and the admin's printers page say 缺纸, and the slip
prints exactly once when paper is back; tickets pending when the server process is killed
print exactly once after it starts again. (The spool's own rules: tests/unit/test_spool.py,
tests/printing/test_spool_emupos.py.)"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from support import free_port, staff_password, stop_server, wait_until
from support import start_server as start_run_py

from kiosk.db import db, init_database
from kiosk.demo import load_demo
from kiosk.migrations import migrate_database
from kiosk.models import Printer, PrintJob, Service, Ticket
from kiosk.spool import Spool

ROOT = Path(__file__).resolve().parents[2]


def point_kiosk_printer_at(emupos) -> Printer:
    db.connect(reuse_if_open=True)
    Printer.update(connection=json.dumps(emupos.connection())).where(
        Printer.role == "kiosk"
    ).execute()
    return Printer.get(Printer.role == "kiosk")


def csrf(client, path: str) -> str:
    html = client.get(path).data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_paper_out_holds_the_ticket_then_prints_it_once(app, client, emupos):
    printer = point_kiosk_printer_at(emupos)
    emupos.set_fault("paper-out")
    spool = Spool(printer.hall_id, rescan_seconds=0.2, max_backoff=1.0).start()
    try:
        service = Service.get(Service.code == "household_registration")
        token = csrf(client, f"/take/{service.id}")
        response = client.post("/tickets", data={"csrf_token": token, "service_id": service.id})
        assert response.status_code == 303
        wait_until(lambda: Printer.get_by_id(printer.id).state == "paper_out")
        page = client.get(response.headers["Location"]).data.decode()
        assert "E001" in page and "缺纸" in page  # the resident still has a valid number
        admin = app.test_client()
        admin.post(
            "/login",
            data={
                "csrf_token": csrf(admin, "/login"),
                "username": "admin",
                "password": staff_password("admin"),
            },
        )
        assert "缺纸" in admin.get("/admin/printers").data.decode()
        known = emupos.receipt_ids()
        time.sleep(1.0)
        assert emupos.receipt_ids() == known  # nothing went out while the paper was out
        emupos.clear_fault("paper-out")
        [receipt] = emupos.wait_for_new(known)
        time.sleep(1.5)
        assert len(emupos.receipt_ids() - known) == 1  # exactly once
        job = PrintJob.get()
        assert job.status == "printed" and job.attempts >= 2
        assert Printer.get_by_id(printer.id).state == "ok"
        assert "E001" in emupos.text(receipt["id"]) or receipt["height_dots"] > 500
        assert (
            "请取走打印的号票"
            in client.get(
                response.headers["Location"] + "/print", headers={"HX-Request": "true"}
            ).data.decode()
        )
    finally:
        spool.stop()


def start_server(db_path: Path, port: int) -> subprocess.Popen:
    """The real server (run.py, spool on) on this database; stopped by stop_server."""
    return start_run_py(port, "--db", str(db_path))


def csrf_from(session, url: str, timeout: float = 30.0) -> str:
    """The page's CSRF token; a server still busy starting up (its housekeeping, a loaded CI
    machine) is asked again, and a page without one fails with what it said."""
    deadline = time.time() + timeout
    while True:
        response = session.get(url, timeout=10)
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        if found:
            return found.group(1)
        if time.time() > deadline:
            raise AssertionError(f"no CSRF token at {url}: HTTP {response.status_code} "
                                 f"{response.text[:500]!r}")  # fmt: skip
        time.sleep(0.5)


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
def test_jobs_pending_when_the_server_is_killed_print_once_after_restart(tmp_path, emupos):
    db_path = tmp_path / "hall.sqlite3"
    init_database(str(db_path))
    migrate_database()
    with db.connection_context():
        load_demo(
            always_open=True, password_for=lambda _u: "restart-pass", printer_port=emupos.port
        )
    port = free_port()
    emupos.set_fault("paper-out")
    known = emupos.receipt_ids()
    server = start_server(db_path, port)
    try:
        session = requests.Session()
        base = f"http://127.0.0.1:{port}"
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', session.get(base + "/take/1").text
        ).group(1)
        numbers = []
        for _ in range(3):
            response = session.post(
                base + "/tickets", data={"csrf_token": token, "service_id": "1"}
            )
            numbers.append(re.search(r'id="ticket-number">(\w+)<', response.text).group(1))
            session.get(response.url + "/done")  # 完成: the next resident takes a new one
        assert numbers == ["A001", "A002", "A003"]
        with db.connection_context():
            wait_until(lambda: Printer.get().state == "paper_out")
        server.send_signal(signal.SIGKILL)  # no clean shutdown
        server.wait(timeout=10)
        with db.connection_context():
            assert PrintJob.select().where(PrintJob.status == "pending").count() == 3
        emupos.clear_fault("paper-out")
        server = start_server(db_path, port)
        new = emupos.wait_for_new(known, count=3, timeout=30)
        time.sleep(2)
        assert len(emupos.receipt_ids() - known) == 3 == len(new)
        with db.connection_context():
            assert [j.status for j in PrintJob.select()] == ["printed"] * 3
            assert Ticket.select().count() == 3
    finally:
        stop_server(server)
