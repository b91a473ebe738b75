"""Install the emupos ESC/POS printer emulator (PyPI, needs Python 3.13) into its own virtual
environment, `<project>/.venv-emupos`, for the printing tests. Standard library only, works on
Linux, macOS and Windows; idempotent, and instant once installed (a stamp file records the
installed version).

    python3 scripts/emupos_env.py      # prints the path of the emupos executable

Python 3.13 is looked for as $EMUPOS_PYTHON, `python3.13` on PATH, ~/.pyenv/versions/3.13.0,
and on Windows the `py -3.13` launcher.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

EMUPOS_VERSION = "0.4.0"
VENV_NAME = ".venv-emupos"


class EmuposSetupError(RuntimeError):
    pass


def _is_python313(candidate: str) -> bool:
    try:
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 13))"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    # A pyenv shim for a version that is not selected exits non-zero: it is skipped.
    return probe.returncode == 0 and probe.stdout.strip() == "True"


def find_python313() -> str:
    candidates = [
        os.environ.get("EMUPOS_PYTHON"),
        shutil.which("python3.13"),
        str(Path.home() / ".pyenv" / "versions" / "3.13.0" / "bin" / "python3.13"),
    ]
    if os.name == "nt" and shutil.which("py"):
        try:
            found = subprocess.run(
                ["py", "-3.13", "-c", "import sys; print(sys.executable)"],
                capture_output=True,
                text=True,
                timeout=30,
            )
            candidates.append(found.stdout.strip() if found.returncode == 0 else None)
        except (OSError, subprocess.SubprocessError):
            pass
    for candidate in candidates:
        if candidate and Path(candidate).exists() and _is_python313(candidate):
            return candidate
    raise EmuposSetupError(
        "the emupos printer emulator needs Python 3.13, and none was found (looked for "
        "$EMUPOS_PYTHON, python3.13 on PATH, ~/.pyenv/versions/3.13.0/bin/python3.13"
        + (", py -3.13" if os.name == "nt" else "")
        + "). Install it (e.g. `pyenv install 3.13.0`, or python.org on Windows), then run "
        "the tests again."
    )


def _bin(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def emupos_executable(venv: Path) -> Path:
    return _bin(venv) / ("emupos.exe" if os.name == "nt" else "emupos")


def ensure_emupos(project_root: Path) -> Path:
    """Create `<project_root>/.venv-emupos` with Python 3.13 if missing, install
    emupos==EMUPOS_VERSION into it if not yet there, and return its `emupos` executable."""
    venv = Path(project_root) / VENV_NAME
    exe = emupos_executable(venv)
    stamp = venv / f".emupos-{EMUPOS_VERSION}"
    if exe.exists() and stamp.exists():
        return exe
    venv_python = _bin(venv) / ("python.exe" if os.name == "nt" else "python")
    if venv.exists() and not _is_python313(str(venv_python)):
        # Half-made, or made by another Python (the stamp is missing): start again.
        shutil.rmtree(venv)
    if not venv.exists():
        python = find_python313()
        print(f"Creating {venv} with {python} …", flush=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    print(f"Installing emupos=={EMUPOS_VERSION} into {venv} …", flush=True)
    subprocess.run(
        [
            str(venv_python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
            f"emupos=={EMUPOS_VERSION}",
        ],
        check=True,
    )
    if not exe.exists():
        raise EmuposSetupError(f"emupos was installed but {exe} is missing")
    for old in venv.glob(".emupos-*"):
        old.unlink()
    stamp.write_text(EMUPOS_VERSION, encoding="utf-8")
    return exe


if __name__ == "__main__":
    try:
        print(ensure_emupos(Path(__file__).resolve().parent.parent))
    except (EmuposSetupError, subprocess.CalledProcessError) as error:
        print(error, file=sys.stderr)
        sys.exit(1)
