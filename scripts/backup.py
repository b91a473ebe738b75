#!/usr/bin/env python3
"""Back up the hall database while the server runs, or restore a backup.

    python3 scripts/backup.py [--db PATH_OR_URL] [--dir backups] [--keep 14]
    python3 scripts/backup.py --restore backups/hall-….sqlite3 [--target FILE] [--force]

SQLite: a consistent copy through SQLite's online backup API, checked with integrity_check.
PostgreSQL: pg_dump -Fc; restore with `pg_restore --clean -d URL FILE` (printed for you).
Exit 0 on success, 2 with a message when something is wrong (nothing is changed then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.backup import (  # noqa: E402
    BackupError,
    backup_postgres,
    backup_sqlite,
    restore_sqlite,
)
from kiosk.config import add_database_option, database_url  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_option(parser)
    parser.add_argument("--dir", default=str(ROOT / "backups"), help="where backups go")
    parser.add_argument("--keep", type=int, default=14, help="how many backups to keep")
    parser.add_argument("--restore", metavar="FILE", help="restore this backup")
    parser.add_argument("--target", help="database file to restore into (default: --db)")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    args = parser.parse_args(argv)

    url = database_url(ROOT / "instance", args.db)
    try:
        if args.restore:
            if args.restore.endswith(".pgdump"):
                print(f"PostgreSQL: pg_restore --clean --if-exists -d '{url}' {args.restore}")
                return 0
            target = restore_sqlite(Path(args.restore), Path(args.target or url), force=args.force)
            print(f"restored {args.restore} → {target}")
            return 0
        if url.startswith(("postgres://", "postgresql://")):
            path = backup_postgres(url, Path(args.dir), args.keep)
        else:
            path = backup_sqlite(Path(url), Path(args.dir), args.keep)
        print(path)
        return 0
    except BackupError as error:
        print(f"backup: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
