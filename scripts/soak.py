#!/usr/bin/env python3
"""A soak run: the real server (scripts/run.py, with its print spool and housekeeping thread)
under simulated hall traffic for a long time, printing what matters for a server that runs for
months: RSS, open file descriptors and threads at the start, the end and their maximum, and the
errors counted. The hall's local midnight falls a third of the way in (the server's clock is
shifted with HALL_CLOCK_OFFSET_SECONDS), so the day change happens while it runs.

    python3 scripts/bench.py --soak 30m      (or: python3 scripts/soak.py 30m)

Traffic: 4 kiosks take a ticket every 1.5 s (and press 完成); 6 staff consoles call, hold the
resident 1 s, complete; 2 hall boards poll every 0.5 s and fetch the board on a change; 10 phones
poll a recent ticket every 3 s. Tickets print on the emupos emulator when it is installed
(scripts/test.py installs it), else on a file printer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _venv import ROOT, ensure_venv

CONSOLES = {"wang": 1, "li": 2, "zhang": 3, "chen": 4, "zhao": 5, "sun": 6}
TICKET_RE = re.compile(
    r'name="ticket_id" value="(\d+)"><input type="hidden" name="version" value="(\d+)"'
)


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text.strip())
    if not match:
        raise SystemExit(f"duration like 30m, 90s or 1h, not {text!r}")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def process_figures(pid: int) -> dict[str, float]:
    """RSS (MB), open file descriptors and threads of a process, from /proc (Linux)."""
    figures = {"rss_mb": float("nan"), "fds": float("nan"), "threads": float("nan")}
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        figures["rss_mb"] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
        figures["threads"] = int(re.search(r"Threads:\s+(\d+)", status).group(1))
        figures["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, AttributeError):
        pass
    return figures


def seconds_to_local_midnight(zone: str = "Asia/Shanghai") -> float:
    from zoneinfo import ZoneInfo

    now = dt.datetime.now(ZoneInfo(zone))
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (tomorrow - now).total_seconds()


class Traffic:
    def __init__(self, port: int, passwords: dict[str, str], stop: threading.Event):
        from bench import Client

        self.Client = Client
        self.port = port
        self.passwords = passwords
        self.stop = stop
        self.counts: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.codes: list[str] = []
        self.lock = threading.Lock()

    def count(self, kind: str, status: int) -> None:
        with self.lock:
            self.counts[kind] += 1
            if status >= 500:
                self.errors[f"{kind} HTTP {status}"] += 1

    def failed(self, kind: str, error: Exception) -> None:
        with self.lock:
            self.errors[f"{kind} {type(error).__name__}"] += 1

    def loop(self, kind: str, pause: float, step) -> None:
        client = None
        while not self.stop.is_set():
            try:
                client = client or self.Client(self.port)
                step(client)
            except Exception as error:  # noqa: BLE001 - counted, then a fresh connection
                self.failed(kind, error)
                client = None
            self.stop.wait(pause * random.uniform(0.8, 1.2))

    def kiosk(self, client) -> None:
        token = client.csrf("/take/1")
        status, headers, _ = client.request(
            "POST", "/tickets", {"csrf_token": token, "service_id": str(random.randint(1, 6))}
        )
        self.count("kiosk take", status)
        location = headers.get("Location", "")
        if status == 303 and location:
            code = location.rsplit("/", 1)[1]
            with self.lock:
                self.codes = (self.codes + [code])[-50:]
            status, _, _ = client.request("GET", f"/tickets/{code}")
            self.count("kiosk ticket page", status)
            client.request("GET", f"/tickets/{code}/done")

    def console(self, username: str, window: int):
        state: dict = {}

        def step(client) -> None:
            if state.get("client") is not client:
                client.login(username, self.passwords[username])
                state["token"] = client.csrf("/login")
                client.request(
                    "POST", f"/staff/windows/{window}/duty", {"csrf_token": state["token"]}
                )
                state["client"] = client
            headers = {"HX-Request": "true"}
            token = state["token"]
            status, _, body = client.request(
                "POST", "/staff/console/call", {"csrf_token": token}, headers
            )
            self.count("console call", status)
            found = TICKET_RE.search(body.decode("utf-8", "replace"))
            if found:
                self.stop.wait(1.0)
                status, _, _ = client.request(
                    "POST",
                    "/staff/console/complete",
                    {"csrf_token": token, "ticket_id": found.group(1), "version": found.group(2)},
                    headers,
                )
                self.count("console complete", status)
            status, _, _ = client.request("GET", "/staff/console/panel", headers=headers)
            self.count("console poll", status)

        return step

    def board(self, client) -> None:
        version = getattr(client, "board_version", "-1")
        status, _, body = client.request("GET", f"/display/changes?since={version}")
        self.count("board poll", status)
        if status == 200:
            client.board_version = json.loads(body)["version"]
            status, _, _ = client.request("GET", "/display/board", headers={"HX-Request": "true"})
            self.count("board fetch", status)

    def phone(self, client) -> None:
        with self.lock:
            code = random.choice(self.codes) if self.codes else None
        if code:
            status, _, _ = client.request("GET", f"/t/{code}", headers={"HX-Request": "true"})
            self.count("phone poll", status)


def soak(duration: float) -> int:
    ensure_venv("requirements-test.txt")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from _serve import stop_server
    from bench import free_port, prepare_database

    random.seed(2026)
    with tempfile.TemporaryDirectory(prefix="hall-soak-") as tmp:
        db_path = Path(tmp) / "soak.sqlite3"
        passwords = prepare_database(db_path)
        printer_note = print_to_emulator(db_path, Path(tmp))
        port = free_port()
        offset = seconds_to_local_midnight() - duration / 3
        env = dict(os.environ, HALL_CLOCK_OFFSET_SECONDS=str(offset))
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "run.py"), "--host", "127.0.0.1",
             "--port", str(port), "--db", str(db_path)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            from bench import Client

            deadline = time.time() + 60
            while time.time() < deadline:
                try:
                    if Client(port).request("GET", "/")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            start = process_figures(server.pid)
            peak = dict(start)
            stop = threading.Event()
            traffic = Traffic(port, passwords, stop)
            plan = [("kiosk", 1.5, traffic.kiosk)] * 4
            plan += [("console", 0.2, traffic.console(u, w)) for u, w in CONSOLES.items()]
            plan += [("board", 0.5, traffic.board)] * 2 + [("phone", 3.0, traffic.phone)] * 10
            threads = [threading.Thread(target=traffic.loop, args=p, daemon=True) for p in plan]
            began = time.time()
            for thread in threads:
                thread.start()
            samples = []
            while time.time() - began < duration:
                time.sleep(min(10.0, max(0.1, duration - (time.time() - began))))
                figures = process_figures(server.pid)
                samples.append(figures)
                for key, value in figures.items():
                    peak[key] = max(peak[key], value)
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
            end = process_figures(server.pid)
            days, closed = day_change(db_path)
        finally:
            stop_server(server)
            stop_emulator()
    print(f"soak run: {duration / 60:.1f} min, local midnight at {duration / 3 / 60:.1f} min; "
          f"{printer_note}")  # fmt: skip
    print(f"{'':24}{'start':>10}{'end':>10}{'max':>10}")
    for key, label in (("rss_mb", "RSS (MB)"), ("fds", "open files"), ("threads", "threads")):
        print(f"{label:24}{start[key]:>10.0f}{end[key]:>10.0f}{peak[key]:>10.0f}")
    print("requests:", ", ".join(f"{k} {v}" for k, v in sorted(traffic.counts.items())))
    print("errors:", sum(traffic.errors.values()), dict(traffic.errors) or "")
    print(f"local days seen by tickets: {days}; tickets closed by the day change: {closed}")
    return 1 if traffic.errors else 0


_EMULATOR: list = []


def print_to_emulator(db_path: Path, workdir: Path) -> str:
    """Point the hall's kiosk printer at emupos when it is installed."""
    from kiosk.db import db, init_database
    from kiosk.models import Printer

    try:
        from emupos_fixture import Emupos

        emulator = Emupos(workdir / "emupos").start()
    except Exception as error:  # noqa: BLE001 - the soak still runs, printing to a file
        connection, note = {"kind": "file", "path": "soak-slips.bin"}, f"no emupos ({error})"
    else:
        _EMULATOR.append(emulator)
        connection, note = emulator.connection(), "slips print on emupos"
    init_database(str(db_path))
    with db.connection_context():
        Printer.update(enabled=True, connection=json.dumps(connection), mode="text").execute()
    return note


def stop_emulator() -> None:
    for emulator in _EMULATOR:
        emulator.stop()


def day_change(db_path: Path) -> tuple[int, int]:
    from kiosk.db import db, init_database
    from kiosk.models import QueueEvent, Ticket

    init_database(str(db_path))
    with db.connection_context():
        days = Ticket.select(Ticket.local_date).distinct().count()
        closed = QueueEvent.select().where(QueueEvent.kind == "closed").count()
    return days, closed


if __name__ == "__main__":
    raise SystemExit(soak(parse_duration(sys.argv[1] if len(sys.argv) > 1 else "30m")))
