"""Shared by scripts/run.py and scripts/test.py: make sure we run inside the project's .venv
with the right requirements installed, re-executing the script there if needed. Works on
Windows (the hall PC) and Linux; uses only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _inside_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _requirements_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("-r "):
                digest.update((path.parent / line[3:].strip()).read_bytes())
    return digest.hexdigest()


def ensure_venv(requirements: str) -> None:
    """Create .venv and install `requirements` into it (once per content), then re-exec."""
    req = ROOT / requirements
    if not _inside_venv():
        if not venv_python().exists():
            print(f"Creating virtual environment in {VENV} …", flush=True)
            venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
        if os.name == "posix":
            # Become the venv's interpreter (same process): a stop signal from systemd or a
            # test reaches the server itself, never only a launcher that leaves it serving.
            os.execv(venv_python(), [str(venv_python()), *sys.argv])
        child = subprocess.Popen([str(venv_python()), *sys.argv], cwd=os.getcwd())
        while True:
            try:
                raise SystemExit(child.wait())
            except KeyboardInterrupt:
                # Ctrl+C reaches the whole console group: the child stops itself cleanly,
                # this launcher only waits for it.
                continue
    stamp = VENV / f".installed-{req.stem}"
    wanted = _requirements_digest([req])
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print(f"Installing {requirements} …", flush=True)
    subprocess.check_call(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
            str(req),
        ]
    )
    stamp.write_text(wanted)
