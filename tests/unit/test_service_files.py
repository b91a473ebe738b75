"""scripts/service.py: the systemd units pass `systemd-analyze verify`, the server started by
the unit's exact ExecStart line answers HTTP, the Windows tasks are well-formed Task Scheduler
XML (boot trigger, restart loop, daily backup), and the kiosk/board browser autostart files
open the right page in kiosk mode."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from support import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "service.py"
TASK_NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}


def make_files(tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "files"
    subprocess.run(
        [sys.executable, str(SCRIPT), "files", "--output", str(out), *extra],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return out


def unit_value(text: str, key: str) -> str:
    for line in text.splitlines():
        if line.startswith(key + "="):
            return line.split("=", 1)[1]
    raise AssertionError(f"{key} missing")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_units_verify(tmp_path):
    out = make_files(tmp_path, "--hall", "dz", "--port", "8123")
    result = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            str(out / "hall.service"),
            str(out / "hall-backup.service"),
            str(out / "hall-backup.timer"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    unit = (out / "hall.service").read_text(encoding="utf-8")
    assert unit_value(unit, "Restart") == "always"
    assert unit_value(unit, "KillSignal") == "SIGINT"
    assert unit_value(unit, "WantedBy") == "multi-user.target"
    timer = (out / "hall-backup.timer").read_text(encoding="utf-8")
    assert unit_value(timer, "OnCalendar") == "*-*-* 21:00:00"
    assert unit_value(timer, "Persistent") == "true"
    backup = (out / "hall-backup.service").read_text(encoding="utf-8")
    assert unit_value(backup, "ExecStart").endswith("scripts/backup.py")


def test_the_units_exec_start_line_serves_the_hall(tmp_path):
    port = free_port()
    db_file = tmp_path / "hall.sqlite3"
    out = make_files(tmp_path, "--host", "127.0.0.1", "--port", str(port), "--db", str(db_file))
    unit = (out / "hall.service").read_text(encoding="utf-8")
    command = shlex.split(unit_value(unit, "ExecStart"))
    assert command[0] == str(ROOT / ".venv" / "bin" / "python")
    process = subprocess.Popen(
        command,
        cwd=unit_value(unit, "WorkingDirectory"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        answer = None
        while time.time() < deadline and answer is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/admin/setup", timeout=1)
            except requests.RequestException:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200
        assert "首次设置" in answer.text
    finally:
        process.send_signal(2)  # KillSignal=SIGINT, as systemd stops it
        assert process.wait(timeout=20) == 0


def test_windows_tasks_restart_the_server_and_back_up_daily(tmp_path):
    out = make_files(tmp_path, "--hall", "dz")
    server = ET.fromstring((out / "HallServer.xml").read_text(encoding="utf-16"))
    assert server.find(".//t:BootTrigger", TASK_NS) is not None
    assert server.find(".//t:ExecutionTimeLimit", TASK_NS).text == "PT0S"
    assert "hall-server.cmd" in server.find(".//t:Arguments", TASK_NS).text
    loop = (out / "hall-server.cmd").read_text(encoding="utf-8")
    assert ":loop" in loop and "goto loop" in loop and "run.py" in loop and "--hall dz" in loop
    backup = ET.fromstring((out / "HallBackup.xml").read_text(encoding="utf-16"))
    assert backup.find(".//t:DaysInterval", TASK_NS).text == "1"
    assert "backup.py" in backup.find(".//t:Arguments", TASK_NS).text


def test_browser_autostart_files(tmp_path):
    out = make_files(tmp_path, "--url", "http://192.168.1.10:8000/")
    kiosk = (out / "hall-kiosk.desktop").read_text(encoding="utf-8")
    assert kiosk.startswith("[Desktop Entry]")
    exec_line = shlex.split(unit_value(kiosk, "Exec"))
    assert exec_line[0] == "chromium" and "--kiosk" in exec_line
    assert exec_line[-1] == "http://192.168.1.10:8000/"
    board = shlex.split(unit_value((out / "hall-board.desktop").read_text("utf-8"), "Exec"))
    assert "--autoplay-policy=no-user-gesture-required" in board
    assert board[-1] == "http://192.168.1.10:8000/display"
    windows = (out / "hall-board.cmd").read_text(encoding="utf-8")
    assert "msedge.exe" in windows and "--kiosk http://192.168.1.10:8000/display" in windows
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(out / "hall-kiosk.desktop")], capture_output=True
        )
        assert check.returncode == 0, check.stdout

    # `browser` writes the autostart entry of the signed-in user.
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"))
    subprocess.run(
        [sys.executable, str(SCRIPT), "browser", "--url", "http://192.168.1.10:8000/"],
        check=True,
        env=env,
        capture_output=True,
        timeout=30,
    )
    assert (tmp_path / "config" / "autostart" / "hall-kiosk.desktop").exists()
