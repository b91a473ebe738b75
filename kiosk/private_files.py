"""Files only the server's own user may read: the secret key, the database and its backups
(no Flask here). On a hall PC other accounts exist (a shared Windows login, a technician's):
whoever reads the secret key can forge a staff session, and the database holds residents'
names, phones and ID numbers. POSIX modes are set explicitly (0600 files, 0700 folders);
on Windows the files live in the user's own profile folder, which other users cannot read.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> Path:
    """Create `folder` (and parents) readable by this user only; tighten an existing one."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if os.name == "posix":
        os.chmod(folder, FOLDER_MODE)
    return folder


def private_file(path: Path, *, create: bool = True) -> Path:
    """Make `path` readable by this user only: created empty with mode 0600 if missing (so it is
    never world-readable, not even for a moment), tightened to 0600 if it exists."""
    path = Path(path)
    if not path.exists():
        if not create:
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    if os.name == "posix":
        os.chmod(path, FILE_MODE)
    return path


def default_secret_key_file(instance: Path) -> Path:
    """instance/secret_key; on Windows, in the user's profile (%LOCALAPPDATA%\\HallServer)."""
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "HallServer" / "secret_key"
    return Path(instance) / "secret_key"
