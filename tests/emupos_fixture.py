"""The emupos ESC/POS printer emulator as a test fixture, for any test folder.

emupos (PyPI, Python 3.13, installed by scripts/emupos_env.py into .venv-emupos) is started in a
temporary working directory with its own emupos.yaml: the control API and every printer on free
loopback ports. Two printers: `kiosk` (80 mm, 576 dots, Xprinter XP-80T profile) and `narrow`
(58 mm, 384 dots, our own profile file). Receipts are written under the working directory.

A receipt is complete when the printer cuts (GS V), when the connection closes, or after
`job_idle_timeout_ms` without data; our documents end with a cut, so a receipt appears as soon as
the bytes are in. While a blocking fault is set (paper-out, cover-open, offline), emupos holds
print data and completes nothing; status requests (DLE EOT) are still answered.

Fixtures (use them from another folder's conftest.py with
`from emupos_fixture import emupos, emupos_server, fresh_emupos  # noqa: F401`, or once for the
whole suite with `pytest_plugins = ["emupos_fixture"]` in tests/conftest.py):
- `emupos_server` (session): one emulator for the whole run.
- `emupos`: that emulator with every fault cleared before and after the test.
- `fresh_emupos`: an emulator of the test's own, which the test may stop and start.

`EMUPOS_BIN` (set by scripts/test.py) names the executable; otherwise it is installed here.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support import free_port

ROOT = Path(__file__).resolve().parents[1]
FAULTS = ("paper-out", "cover-open", "offline", "paper-near-end")
NARROW_PROFILE = """\
type: printer
name: Generic 58 mm
dpi: 203
width_dots: 384
font_a: { width: 12, height: 24 }
font_b: { width: 9, height: 17 }
code_pages:
  0: PC437
default_code_page: 0
drawer_sensor_open_level: high
serial: { baud: 9600, data_bits: 8, parity: none, stop_bits: 1 }
"""


def emupos_bin() -> str:
    configured = os.environ.get("EMUPOS_BIN")
    if configured and Path(configured).exists():
        return configured
    sys.path.insert(0, str(ROOT / "scripts"))
    from emupos_env import ensure_emupos

    return str(ensure_emupos(ROOT))


class Emupos:
    """One emupos process and helpers for its control API (/api/v1)."""

    DEVICES = {"kiosk": 576, "narrow": 384}
    host = "127.0.0.1"

    def __init__(self, workdir: Path, *, job_idle_timeout_ms: int = 2000):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.job_idle_timeout_ms = job_idle_timeout_ms
        self.process: subprocess.Popen | None = None
        self._log = None
        self._choose_ports()
        atexit.register(self.stop)  # even if pytest dies before the fixture's teardown

    # -- configuration -------------------------------------------------------------------------
    def _choose_ports(self) -> None:
        self.api_port = free_port()
        self.ports = {device: free_port() for device in self.DEVICES}
        self.api = f"http://127.0.0.1:{self.api_port}/api/v1"
        (self.workdir / "narrow-58mm.yaml").write_text(NARROW_PROFILE, encoding="utf-8")
        devices = "".join(
            f"  - id: {device}\n"
            "    type: printer\n"
            f"    profile: {'xprinter-xp80t' if device == 'kiosk' else './narrow-58mm.yaml'}\n"
            f"    connections: [{{ tcp: {{ host: 127.0.0.1, port: {port} }} }}]\n"
            f"    job_idle_timeout_ms: {self.job_idle_timeout_ms}\n"
            f"    receipts_dir: ./receipts/{device}\n"
            for device, port in self.ports.items()
        )
        (self.workdir / "emupos.yaml").write_text(
            f"schema: 1\napi: {{ host: 127.0.0.1, port: {self.api_port} }}\ndevices:\n{devices}",
            encoding="utf-8",
        )

    @property
    def port(self) -> int:
        """The ESC/POS port of the 80 mm `kiosk` printer."""
        return self.ports["kiosk"]

    def connection(self, device: str = "kiosk") -> dict:
        """A printers.PrinterConfig connection for one of the emulated printers."""
        return {"kind": "network", "host": "127.0.0.1", "port": self.ports[device]}

    # -- life cycle ----------------------------------------------------------------------------
    def start(self, timeout: float = 30) -> Emupos:
        """Start (or start again, on the same ports) and wait until the API and every printer
        port answer. A port taken meanwhile by someone else gets new ports once."""
        for attempt in range(2):
            self._log = open(self.workdir / "emupos.log", "ab")  # closed in stop(
            self.process = subprocess.Popen(
                [emupos_bin(), "run", "--config", str(self.workdir / "emupos.yaml")],
                cwd=self.workdir,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            if self._wait_ready(timeout):
                return self
            self.stop()
            if attempt == 0:
                self._choose_ports()
        raise RuntimeError(f"emupos did not start: see {self.workdir / 'emupos.log'}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                self.get("/health")
                for port in self.ports.values():
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- control API ---------------------------------------------------------------------------
    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(self.api + path, method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def get(self, path: str):
        return json.loads(self._request("GET", path))

    def receipts(self, device: str = "kiosk") -> list[dict]:
        """Completed receipts, newest first: id, completed_at, width_dots, height_dots,
        boundary (cut / connection-closed / idle-timeout)."""
        return self.get(f"/devices/{device}/receipts")

    def receipt_ids(self, device: str = "kiosk") -> set[str]:
        return {receipt["id"] for receipt in self.receipts(device)}

    def image(self, receipt_id: str, device: str = "kiosk") -> bytes:
        """The receipt as emupos printed it: a PNG, one pixel per dot."""
        return self._request("GET", f"/devices/{device}/receipts/{receipt_id}/image")

    def picture(self, receipt_id: str, device: str = "kiosk"):
        from PIL import Image

        return Image.open(io.BytesIO(self.image(receipt_id, device))).convert("L")

    def text(self, receipt_id: str, device: str = "kiosk") -> str:
        """The text dump: text in the printer's code page (emupos ignores Kanji mode) and
        `[qr payload]` for native QR codes."""
        return self._request("GET", f"/devices/{device}/receipts/{receipt_id}/text").decode()

    def set_fault(self, fault: str, device: str = "kiosk") -> None:
        """paper-out, cover-open, offline (these hold print data) or paper-near-end."""
        self._request("PUT", f"/devices/{device}/faults/{fault}")

    def clear_fault(self, fault: str, device: str = "kiosk") -> None:
        self._request("DELETE", f"/devices/{device}/faults/{fault}")

    def clear_faults(self) -> None:
        for device in self.DEVICES:
            for fault in FAULTS:
                self.clear_fault(fault, device)

    def wait_for_receipts(
        self,
        count: int = 1,
        *,
        known: set[str] | None = None,
        device: str = "kiosk",
        timeout: float = 15,
    ) -> list[dict]:
        """Wait until at least `count` receipts not in `known` are complete; return them,
        oldest first. Fails the test after `timeout` seconds."""
        known = known or set()
        deadline = time.monotonic() + timeout
        while True:
            new = [r for r in self.receipts(device) if r["id"] not in known]
            if len(new) >= count:
                return sorted(new, key=lambda receipt: (receipt["completed_at"], receipt["id"]))
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} new receipts on {device} within {timeout} s, got {len(new)}"
                )
            time.sleep(0.05)

    def wait_for_new(self, known: set[str], count: int = 1, timeout: float = 15) -> list[dict]:
        """Receipts of `kiosk` completed since `known` was taken (at least `count`)."""
        return self.wait_for_receipts(count, known=known, timeout=timeout)

    def log_text(self) -> str:
        return (self.workdir / "emupos.log").read_text(encoding="utf-8", errors="replace")

    def unknown_commands(self) -> list[str]:
        """Lines of emupos's event log for bytes it did not understand."""
        return [line for line in self.log_text().splitlines() if "command.unknown" in line]


@pytest.fixture(scope="session")
def emupos_server(tmp_path_factory):
    emulator = Emupos(tmp_path_factory.mktemp("emupos")).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emupos(emupos_server):
    """The session's emulator, faults cleared before and after the test."""
    if not emupos_server.running:
        emupos_server.start()
    emupos_server.clear_faults()
    yield emupos_server
    emupos_server.clear_faults()


@pytest.fixture
def fresh_emupos(tmp_path):
    """An emulator of the test's own: the test may stop and start it."""
    emulator = Emupos(tmp_path / "emupos").start()
    yield emulator
    emulator.stop()
