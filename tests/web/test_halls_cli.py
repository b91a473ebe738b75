"""The real server from the command line: a bare `run.py` starts empty with the first-run page,
`--demo` loads the demo hall without storing `--always-open`, `scripts/hall.py create` adds a
hall to a database that holds another one and `run.py --hall CODE` serves it; two halls on one
PostgreSQL, both created with the command, each serve only their own tickets; a database newer
than the code refuses to start with a clear message."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from support import free_port, new_postgres_database, postgres_admin_url

ROOT = Path(__file__).resolve().parents[2]


def script(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / args[0]), *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


class Server:
    def __init__(self, *args: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "run.py"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-spool",
                *args,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(self.process.stdout.read())
            try:
                requests.get(self.base + "/display/changes", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        self.session = requests.Session()

    def stop(self) -> str:
        self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output

    def token(self, path: str) -> str:
        html = self.session.get(self.base + path, timeout=5).text
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def first_run(self, name: str, services: str) -> None:
        response = self.session.post(
            self.base + "/admin/setup",
            data={
                "csrf_token": self.token("/admin/setup"),
                "hall_name": name,
                "admin_username": "admin",
                "admin_name": "管理员",
                "password": "hall-pass-123",
                "password_again": "hall-pass-123",
                "opens_at": "08:30",
                "closes_at": "17:30",
                "break_starts_at": "",
                "break_ends_at": "",
                "public_base_url": self.base,
                "services": services,
                "windows": "1",
            },
            timeout=10,
            allow_redirects=False,
        )
        assert response.status_code == 303, response.text

    def take_ticket(self) -> tuple[str, str]:
        # The first service of this hall: read its id from the take page.
        html = self.session.get(self.base + "/take", timeout=5).text
        service_id = re.search(r'/take/(\d+)"', html).group(1)
        response = self.session.post(
            self.base + "/tickets",
            data={
                "csrf_token": self.token(f"/take/{service_id}"),
                "service_id": service_id,
                "priority": "",
            },
            timeout=10,
            allow_redirects=False,
        )
        assert response.status_code == 303, response.text
        code = response.headers["Location"].rsplit("/", 1)[1]
        page = self.session.get(self.base + response.headers["Location"], timeout=5).text
        number = re.search(r'id="ticket-number"[^>]*>([^<]+)<', page).group(1)
        return code, number


def test_bare_run_starts_empty_and_demo_loads_the_demo_hall(tmp_path):
    empty = Server("--db", str(tmp_path / "real.sqlite3"))
    try:
        first = requests.get(empty.base + "/admin/", timeout=5, allow_redirects=False)
        assert first.headers["Location"].endswith("/admin/setup")
        assert "首次设置" in requests.get(empty.base + "/admin/setup", timeout=5).text
    finally:
        output = empty.stop()
    assert "/admin/setup" in output and "demo hall" not in output

    demo = Server("--demo", "--db", str(tmp_path / "demo.sqlite3"))
    try:
        assert "社会救助" in requests.get(demo.base + "/take", timeout=5).text
    finally:
        output = demo.stop()
    assert "Loaded the demo hall" in output
    import sqlite3

    with sqlite3.connect(tmp_path / "demo.sqlite3") as connection:
        assert connection.execute("SELECT always_open FROM hall").fetchall() == [(0,)]


def test_hall_create_on_a_database_with_another_hall(tmp_path):
    db_file = str(tmp_path / "shared.sqlite3")
    demo = Server("--demo", "--db", db_file)
    demo.stop()
    made = script(
        "hall.py", "--db", db_file, "create", "--code", "dz", "--name", "东镇便民服务中心"
    )
    assert made.returncode == 0, made.stderr
    again = script("hall.py", "--db", db_file, "create", "--code", "dz", "--name", "东镇")
    assert again.returncode == 2 and "大厅代码 dz 已存在" in again.stderr
    # --always-open: the test takes tickets at whatever hour and weekday CI runs it.
    server = Server("--hall", "dz", "--db", db_file, "--always-open")
    try:
        assert (
            requests.get(server.base + "/admin/", timeout=5, allow_redirects=False)
            .headers["Location"]
            .endswith("/admin/setup")
        )
        server.first_run("东镇便民服务中心", "户籍管理")
        code, number = server.take_ticket()
        assert number == "A001"
    finally:
        output = server.stop()
    assert "Traceback" not in output


def test_a_database_newer_than_the_code_refuses_to_start(tmp_path):
    import sqlite3

    db_file = tmp_path / "future.sqlite3"
    server = Server("--db", str(db_file))
    server.stop()
    with sqlite3.connect(db_file) as connection:
        connection.execute(
            "INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'x', '2030-01-01')"
        )
    result = script("run.py", "--db", str(db_file), "--port", str(free_port()), "--no-spool")
    assert result.returncode == 2
    assert "schema version 999" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.postgres
def test_two_halls_on_one_postgresql_serve_only_their_own_tickets():
    with new_postgres_database(postgres_admin_url(), "hall_two_") as url:
        servers = []
        try:
            for code, hall_name in (("dz", "东镇便民服务中心"), ("xz", "西镇便民服务中心")):
                made = script("hall.py", "--db", url, "create", "--code", code, "--name", hall_name)
                assert made.returncode == 0, made.stderr
            east = Server("--hall", "dz", "--db", url, "--always-open")
            servers.append(east)
            west = Server("--hall", "xz", "--db", url, "--always-open")
            servers.append(west)
            east.first_run("东镇便民服务中心", "社会救助\n户籍管理")
            west.first_run("西镇便民服务中心", "劳动保障")
            east_code, east_number = east.take_ticket()
            west_code, west_number = west.take_ticket()
            # Each hall numbers its own tickets from 1 …
            assert (east_number, west_number) == ("A001", "A001")
            # … and shows only its own: the other hall's ticket page is not found.
            assert requests.get(f"{east.base}/t/{east_code}", timeout=5).status_code == 200
            assert requests.get(f"{east.base}/t/{west_code}", timeout=5).status_code == 404
            assert requests.get(f"{west.base}/t/{east_code}", timeout=5).status_code == 404
            assert "社会救助" not in requests.get(west.base + "/take", timeout=5).text
            assert "劳动保障" not in requests.get(east.base + "/take", timeout=5).text
            assert "西镇" not in requests.get(east.base + "/display", timeout=5).text
        finally:
            for server in servers:
                assert "Traceback" not in server.stop()
