#!/usr/bin/env python3
"""Check the hash chain of the audit trail of every hall (or one) and say where it breaks.

    python3 scripts/audit_verify.py [--db PATH_OR_URL] [--hall CODE]

Exit 0 when every chain verifies, 1 when one does not, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    from kiosk.config import add_database_option, database_url

    add_database_option(parser)
    parser.add_argument("--hall", help="code of one hall (default: all)")
    args = parser.parse_args(argv)

    from kiosk.audit import verify_chain
    from kiosk.db import connection, init_database
    from kiosk.models import Hall

    url = database_url(ROOT / "instance", args.db)
    if "://" not in url and not Path(url).is_file():
        print(f"no database at {url}", file=sys.stderr)
        return 2
    init_database(url)
    failed = False
    with connection():
        halls = Hall.select().order_by(Hall.id)
        if args.hall:
            halls = halls.where(Hall.code == args.hall)
            if not halls.exists():
                print(f"no hall with code {args.hall!r}", file=sys.stderr)
                return 2
        for hall in halls:
            check = verify_chain(hall)
            if check.ok:
                print(f"{hall.code}: OK, {check.entries} entries, head {check.head[:16]}")
            else:
                failed = True
                where = f"at entry {check.broken_at}" if check.broken_at else "at the end"
                print(f"{hall.code}: BROKEN {where}: {check.reason} ({check.entries} entries read)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
