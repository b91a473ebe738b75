"""Install the emupos ESC/POS printer emulator (PyPI, needs Python 3.13) into its own virtual
environment, `.venv-emupos`, for the printing tests. Standard library only; idempotent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

EMUPOS_VERSION = "0.4.0"


def find_python313() -> str:
    candidates = [
        os.environ.get("EMUPOS_PYTHON"),
        str(Path.home() / ".pyenv" / "versions" / "3.13.0" / "bin" / "python3.13"),
        shutil.which("python3.13"),  # may be a pyenv shim that has no 3.13 selected: tried
        r"C:\Program Files\Python313\python.exe",
    ]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        probe = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.startswith("Python 3.13"):
            return candidate
    raise RuntimeError(
        "emupos needs Python 3.13: install it (e.g. pyenv install 3.13.0) or put python3.13 on "
        "PATH, then run the tests again"
    )


def emupos_executable(venv: Path) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / "emupos.exe"
    return venv / "bin" / "emupos"


def ensure_emupos(project_root: Path) -> Path:
    venv = project_root / ".venv-emupos"
    exe = emupos_executable(venv)
    stamp = venv / f".emupos-{EMUPOS_VERSION}"
    if exe.exists() and stamp.exists():
        return exe
    python = find_python313()
    if not venv.exists():
        print(f"Creating {venv} with {python} …", flush=True)
        subprocess.check_call([python, "-m", "venv", str(venv)])
    pip = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    print(f"Installing emupos=={EMUPOS_VERSION} …", flush=True)
    subprocess.check_call(
        [
            str(pip),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            f"emupos=={EMUPOS_VERSION}",
        ]
    )
    stamp.write_text(EMUPOS_VERSION)
    return exe


if __name__ == "__main__":
    print(ensure_emupos(Path(__file__).resolve().parent.parent))
    sys.exit(0)
