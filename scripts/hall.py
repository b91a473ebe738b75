#!/usr/bin/env python3
"""Halls on a shared database (one PostgreSQL server for a county's halls): create a hall, list
them. Each hall is then served by its own server process: `python3 scripts/run.py --hall CODE`,
whose first-run page (管理) creates the hall's admin account, hours, services and windows.

    python3 scripts/hall.py create --code dz --name "东镇便民服务中心" [--db URL]
    python3 scripts/hall.py list [--db URL]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _venv import ROOT, ensure_venv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sys.path.insert(0, str(ROOT))
    from kiosk.config import add_database_option, database_url

    add_database_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an empty hall")
    create.add_argument("--code", required=True, help="short code: lower-case letters, digits")
    create.add_argument("--name", required=True, help="the hall's name, e.g. 东镇便民服务中心")
    create.add_argument("--public-url", default="", help="e.g. http://192.168.1.10:8000")
    commands.add_parser("list", help="list the halls of the database")
    args = parser.parse_args(argv)

    from kiosk.db import connection, init_database
    from kiosk.errors import ValidationError
    from kiosk.hall_setup import create_hall, needs_setup
    from kiosk.migrations import SchemaTooNew, migrate_database
    from kiosk.models import Hall

    url = database_url(ROOT / "instance", args.db)
    init_database(url)
    try:
        migrate_database()
    except SchemaTooNew as error:
        print(f"hall: {error}", file=sys.stderr)
        return 2
    with connection():
        if args.command == "list":
            for hall in Hall.select().order_by(Hall.code):
                state = "first run pending" if needs_setup(hall) else "set up"
                print(f"{hall.code:<16} {hall.name}  ({state})")
            return 0
        try:
            hall = create_hall(args.code, args.name, public_base_url=args.public_url)
        except ValidationError as error:
            print(f"hall: {error.translated(lambda text: text)}", file=sys.stderr)
            return 2
    print(f"Created hall {hall.code}: {hall.name}")
    print(f"Start its server:  python3 scripts/run.py --hall {hall.code} --db <the same database>")
    print("then open /admin/setup on it to create the admin account, services and windows.")
    return 0


if __name__ == "__main__":
    ensure_venv("requirements.txt")
    raise SystemExit(main())
