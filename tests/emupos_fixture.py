"""The emupos printer emulator as a test fixture: started on free loopback ports in a temp
directory, with helpers for its control API (receipts, PNG image, text, faults).

`EMUPOS_BIN` is set by scripts/test.py (it installs emupos in .venv-emupos with Python 3.13).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def emupos_bin() -> str:
    configured = os.environ.get("EMUPOS_BIN")
    if configured and Path(configured).exists():
        return configured
    sys.path.insert(0, str(ROOT / "scripts"))
    from emupos_env import ensure_emupos

    return str(ensure_emupos(ROOT))


class Emupos:
    DEVICE = "kiosk"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.api_port = free_port()
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.api_port}/api/v1"
        self.process: subprocess.Popen | None = None
        (workdir / "emupos.yaml").write_text(
            "schema: 1\n"
            f"api: {{ host: 127.0.0.1, port: {self.api_port} }}\n"
            "devices:\n"
            f"  - id: {self.DEVICE}\n"
            "    type: printer\n"
            "    profile: xprinter-xp80t\n"
            "    connections:\n"
            f"      - tcp: {{ port: {self.port} }}\n"
            "    job_idle_timeout_ms: 300\n",
            encoding="utf-8",
        )

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> Emupos:
        log = open(self.workdir / "emupos.log", "ab")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [emupos_bin(), "run"], cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                self.get("/health")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        raise RuntimeError("emupos did not start: see " + str(self.workdir / "emupos.log"))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "_log", None):
            self._log.close()

    # -- control API -------------------------------------------------------------------------
    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(self.api + path, method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read()

    def get(self, path: str):
        return json.loads(self._request("GET", path))

    def receipts(self) -> list[dict]:
        return self.get(f"/devices/{self.DEVICE}/receipts")

    def image(self, receipt_id: str) -> bytes:
        return self._request("GET", f"/devices/{self.DEVICE}/receipts/{receipt_id}/image")

    def text(self, receipt_id: str) -> str:
        return self._request("GET", f"/devices/{self.DEVICE}/receipts/{receipt_id}/text").decode()

    def set_fault(self, fault: str) -> None:
        self._request("PUT", f"/devices/{self.DEVICE}/faults/{fault}")

    def clear_fault(self, fault: str) -> None:
        self._request("DELETE", f"/devices/{self.DEVICE}/faults/{fault}")

    def receipt_ids(self) -> set[str]:
        return {receipt["id"] for receipt in self.receipts()}

    def wait_for_new(self, known: set[str], count: int = 1, timeout: float = 15) -> list[dict]:
        """Receipts completed since `known` was taken (at least `count` of them)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            new = [r for r in self.receipts() if r["id"] not in known]
            if len(new) >= count:
                return sorted(new, key=lambda r: r["completed_at"])
            time.sleep(0.1)
        raise AssertionError(f"expected {count} new receipts in {timeout} s")

    def wait_for_receipts(self, count: int, timeout: float = 15) -> list[dict]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            receipts = self.receipts()
            if len(receipts) >= count:
                return receipts
            time.sleep(0.1)
        raise AssertionError(f"expected {count} receipts, emupos has {len(self.receipts())}")

    def connection(self) -> dict:
        return {"kind": "network", "host": "127.0.0.1", "port": self.port}
