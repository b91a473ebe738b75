"""Backups while the server runs: SQLite's online backup API gives a consistent copy page by
page (writers keep working); PostgreSQL uses pg_dump's snapshot. The last N are kept. Restore
checks the copy's integrity first and never overwrites a database unless told to. No Flask."""

from __future__ import annotations

import datetime as dt
import glob
import shutil
import sqlite3
import subprocess
from pathlib import Path

from .private_files import private_file, private_folder


class BackupError(Exception):
    pass


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")


def integrity_ok(path: Path) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return False


def backup_sqlite(db_path: Path, folder: Path, keep: int = 14) -> Path:
    if not Path(db_path).is_file():
        raise BackupError(f"no database at {db_path}")
    private_folder(folder)
    target = private_file(folder / f"hall-{_stamp()}.sqlite3")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=1024)  # in steps, so writers are not held up for long
    except sqlite3.DatabaseError as error:
        copy.close()
        target.unlink(missing_ok=True)
        raise BackupError(f"{db_path} is not a SQLite database: {error}") from error
    finally:
        copy.close()
        source.close()
    if not integrity_ok(target):
        target.unlink(missing_ok=True)
        raise BackupError("the copy failed its integrity check")
    prune(folder, "hall-*.sqlite3", keep)
    return target


def pg_dump_path() -> str:
    found = shutil.which("pg_dump") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)), None
    )
    if not found:
        raise BackupError("pg_dump not found: install the PostgreSQL client")
    return found


def backup_postgres(url: str, folder: Path, keep: int = 14) -> Path:
    private_folder(folder)
    target = private_file(folder / f"hall-{_stamp()}.pgdump")
    result = subprocess.run(
        [pg_dump_path(), "-Fc", "-f", str(target), url], capture_output=True, text=True
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    prune(folder, "hall-*.pgdump", keep)
    return target


def prune(folder: Path, pattern: str, keep: int) -> list[Path]:
    backups = sorted(folder.glob(pattern))
    removed = backups[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
    return removed


def restore_sqlite(backup: Path, target: Path, *, force: bool = False) -> Path:
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    if not integrity_ok(backup):
        raise BackupError(f"{backup} is not a sound SQLite database")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: stop the server and add --force to replace it")
    for suffix in ("-wal", "-shm"):  # a stale log would be replayed onto the restored file
        Path(str(target) + suffix).unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = private_file(target.with_suffix(".restoring"))
    shutil.copyfile(backup, temporary)
    temporary.replace(target)
    return target
