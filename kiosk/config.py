"""What the hall's IT person sets, outside the database: `instance/config.py` (Python
assignments, e.g. `DATABASE_URL = "postgresql://hall:pw@db/hall"`) and `HALL_*` environment
variables, which win over the file. Settings staff change (idle seconds, public address,
opening hours, hold expiry of print jobs) are hall settings in 管理 and live in the database.

Order, last wins: built-in defaults < instance/config.py < environment < the command line (or
the dict given to `create_app`). Every key is documented in README.md (a test checks that
every key the code reads is).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

# environment variable -> config key
ENVIRONMENT = {
    "HALL_DATABASE_URL": "DATABASE_URL",
    "DATABASE_URL": "DATABASE_URL",  # kept from release 1; HALL_DATABASE_URL wins
    "HALL_SECRET_KEY_FILE": "SECRET_KEY_FILE",
    "HALL_HOST": "HOST",
    "HALL_PORT": "PORT",
    "HALL_THREADS": "THREADS",
    "HALL_CODE": "HALL_CODE",
    "HALL_PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
}
INTEGER_KEYS = frozenset({"PORT", "THREADS"})
FILE_KEYS = frozenset(
    {
        "DATABASE_URL",
        "SECRET_KEY_FILE",
        "SECRET_KEY",
        "HOST",
        "PORT",
        "THREADS",
        "HALL_CODE",
        "PUBLIC_BASE_URL",
        "UPLOAD_FOLDER",
        "AUDIO_CACHE_DIR",
        "BOARD_IDLE_SECONDS",
        "KIOSK_IDLE_SECONDS",
    }
)


class ConfigError(RuntimeError):
    pass


def read_instance_file(instance_path: Path) -> dict:
    """The upper-case assignments of instance/config.py (only known keys)."""
    path = Path(instance_path) / "config.py"
    if not path.exists():
        return {}
    namespace: dict = {"__file__": str(path)}
    try:
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    except Exception as error:  # a typo in the file must say where it is
        raise ConfigError(f"{path}: {error}") from error
    unknown = sorted(k for k in namespace if k.isupper() and k not in FILE_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return {k: v for k, v in namespace.items() if k in FILE_KEYS}


def read_environment(environ: dict | None = None) -> dict:
    environ = os.environ if environ is None else environ
    found: dict = {}
    # DATABASE_URL first so HALL_DATABASE_URL overrides it.
    for name in sorted(ENVIRONMENT, key=lambda n: n.startswith("HALL_")):
        value = environ.get(name)
        if not value:
            continue
        key = ENVIRONMENT[name]
        if key in INTEGER_KEYS:
            try:
                found[key] = int(value)
            except ValueError as error:
                raise ConfigError(f"{name}={value!r} is not a whole number") from error
        else:
            found[key] = value
    return found


def instance_config(instance_path: Path, environ: dict | None = None) -> dict:
    return {**read_instance_file(instance_path), **read_environment(environ)}


DATABASE_OPTION_HELP = (
    "SQLite file path or postgresql:// URL (default: HALL_DATABASE_URL, "
    "instance/config.py, or instance/hall.sqlite3)"
)


def add_database_option(parser) -> None:
    """The `--db` option every script shares (run, hall, backup, audit_verify)."""
    parser.add_argument("--db", help=DATABASE_OPTION_HELP)


def database_url(instance_path: Path, given: str | None = None) -> str:
    """The database a script works on: --db, else the environment or instance/config.py,
    else the SQLite file the server uses by default (the same order as the server)."""
    return (
        given
        or instance_config(instance_path).get("DATABASE_URL")
        or str(Path(instance_path) / "hall.sqlite3")
    )


def secret_key(key_file: Path) -> str:
    """A per-installation key kept in a file, so sessions survive a restart."""
    from .private_files import private_file, private_folder

    key_file = Path(key_file)
    private_folder(key_file.parent)
    if not key_file.exists() or not key_file.read_text(encoding="utf-8").strip():
        private_file(key_file)  # 0600 before the key is written into it
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
    private_file(key_file)
    return key_file.read_text(encoding="utf-8").strip()


def lan_addresses() -> list[str]:
    """IPv4 addresses of this PC on the hall LAN (no packet is sent)."""
    found: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(info[4][0])
    except OSError:
        pass
    if sys.platform.startswith("linux"):
        try:
            output = subprocess.run(
                ["ip", "-4", "-o", "addr"], capture_output=True, text=True, timeout=3
            ).stdout
            for line in output.splitlines():
                parts = line.split()
                if "inet" in parts:
                    found.add(parts[parts.index("inet") + 1].split("/")[0])
        except (OSError, subprocess.SubprocessError):
            pass
    lan = sorted(a for a in found if not a.startswith("127."))
    return lan or ["127.0.0.1"]


def lan_base_url(port: int) -> str:
    """The address the first-run page proposes and the QR codes fall back to."""
    return f"http://{lan_addresses()[0]}:{port}"
