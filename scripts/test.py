#!/usr/bin/env python3
"""Run the whole test suite on a fresh machine: installs the test requirements into .venv, the
Debian packages the tests need (chromium, CJK fonts, espeak-ng, sox, PostgreSQL) when missing,
the emupos printer emulator in its own Python 3.13 environment, starts a throwaway PostgreSQL
server on loopback, runs ruff (lint and format check) and pytest, then pytest again with
HALL_TEST_BACKEND=postgres (every test on the database/app fixtures on a fresh PostgreSQL
database), and stops what it started.

    python3 scripts/test.py [pytest arguments…]

pytest's "no tests collected" (exit 5) counts as a failure (in the first, SQLite pass).
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import free_port
from _venv import ROOT, ensure_venv

DEBIAN_PACKAGES = {
    # package: a file that proves it is installed
    "chromium": "/usr/bin/chromium",
    "fonts-noto-cjk": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "espeak-ng": "/usr/bin/espeak-ng",
    "sox": "/usr/bin/sox",
    "postgresql": "/usr/lib/postgresql",
    "poppler-utils": "/usr/bin/pdftoppm",  # the A4 report print check (pdftoppm, pdftotext)
    "systemd": "/usr/bin/systemd-analyze",  # verifies scripts/service.py's unit files
}


def install_debian_packages() -> None:
    if not sys.platform.startswith("linux") or not Path("/usr/bin/apt-get").exists():
        print(
            "Not a Debian system: install chromium, Noto CJK fonts, espeak-ng, sox, "
            "PostgreSQL and systemd yourself; the tests that need them will say so."
        )
        return
    missing = [name for name, proof in DEBIAN_PACKAGES.items() if not Path(proof).exists()]
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print("Installing Debian packages:", " ".join(missing), flush=True)
    subprocess.check_call([*sudo, "apt-get", "update", "-q"], env=env)
    subprocess.check_call(
        [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env
    )


def start_postgres() -> str | None:
    """Start a throwaway PostgreSQL cluster on loopback; return its admin URL."""
    if os.environ.get("TEST_DATABASE_URL"):
        return os.environ["TEST_DATABASE_URL"]
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        print("PostgreSQL is not installed: tests marked postgres will fail under CI.")
        return None
    bindir = Path(bins[-1])
    base = Path(tempfile.mkdtemp(prefix="hall-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.check_call(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        stdout=subprocess.DEVNULL,
    )
    subprocess.check_call(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(base / "log"),
            "-o",
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=120",
            "start",
        ],
        stdout=subprocess.DEVNULL,
    )

    def stop() -> None:
        subprocess.call(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(base, ignore_errors=True)

    atexit.register(stop)
    print(f"PostgreSQL {bindir.parent.name} started on 127.0.0.1:{port}", flush=True)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def main() -> int:
    ensure_venv("requirements-test.txt")
    started = time.perf_counter()
    install_debian_packages()
    from emupos_env import ensure_emupos

    os.environ["EMUPOS_BIN"] = str(ensure_emupos(ROOT))
    url = start_postgres()
    if url:
        os.environ["TEST_DATABASE_URL"] = url
    ruff = subprocess.call([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT)
    if ruff != 0:
        print("ruff found problems (see above).")
        return ruff
    formatted = subprocess.call([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT)
    if formatted != 0:
        print("ruff format found files to format (run: .venv/bin/ruff format .).")
        return formatted
    code = subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], cwd=ROOT)
    if code == 5:
        print("pytest collected no tests: that is a failure here.")
        code = 1
    if url and code == 0:
        # The same suite again on PostgreSQL: every test built on the database/app fixtures
        # gets a fresh PostgreSQL database (tests of the SQLite file itself ran above).
        print("Second pass: the suite on PostgreSQL (HALL_TEST_BACKEND=postgres)", flush=True)
        env = dict(os.environ, HALL_TEST_BACKEND="postgres")
        second = subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], cwd=ROOT, env=env)
        code = 0 if second == 5 else second  # 5: only SQLite-file tests were asked for
    print(f"scripts/test.py finished in {time.perf_counter() - started:.0f} s with exit {code}")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
