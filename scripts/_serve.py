"""Shared by the tests and by scripts/bench.py, soak.py and test.py: a free loopback port, waiting
for a condition with a deadline (never asserting at an instant on a busy machine), and the real
hall server (scripts/run.py) started as a process and stopped the way Ctrl+C stops it, and a
few threads run at once.
Standard library only, so it works before the project's .venv exists.
"""

from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_threads(target, count: int, timeout: float | None = None) -> None:
    """Run `target()` in `count` threads at once and wait for them (each at most `timeout`
    seconds)."""
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)


def wait_until(condition, timeout: float = 15.0, step: float = 0.05, what: str = "condition"):
    """Call `condition` until it returns something true and return that; AssertionError naming
    `what` when `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not met within {timeout:g} s")
        time.sleep(step)


def answers(port: int, path: str = "/", status: int | None = 200) -> bool:
    """True when the server on `port` answers GET `path` (with `status`, unless None)."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", path)
            got = connection.getresponse().status
        finally:
            connection.close()
    except OSError:
        return False
    return status is None or got == status


def start_server(
    port: int,
    *run_args: str,
    ready_path: str = "/",
    timeout: float = 60.0,
    step: float = 0.05,
    python: str | None = None,
    **popen_options,
) -> subprocess.Popen:
    """scripts/run.py on 127.0.0.1:`port` with `run_args` (e.g. "--db", path, "--no-spool"),
    returned once GET `ready_path` answers 200; killed and reaped if it does not in time."""
    popen_options.setdefault("stdout", subprocess.DEVNULL)
    popen_options.setdefault("stderr", subprocess.DEVNULL)
    popen_options.setdefault("cwd", ROOT)
    process = subprocess.Popen(
        [
            python or sys.executable,
            str(ROOT / "scripts" / "run.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *run_args,
        ],
        **popen_options,
    )
    try:
        wait_until(
            lambda: process.poll() is not None or answers(port, ready_path),
            timeout,
            step,
            what=f"server on port {port} answering {ready_path}",
        )
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit {process.returncode})")
    except BaseException:
        stop_server(process)
        raise
    return process


def stop_server(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Ctrl+C (SIGINT; terminate on Windows), then kill if it does not stop in time; always
    reaped, so no stray process outlives a test or a benchmark."""
    if process.poll() is None:
        if sys.platform == "win32":
            process.terminate()
        else:
            process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
