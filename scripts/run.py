#!/usr/bin/env python3
"""Run the hall server: creates .venv, installs requirements, creates the database (SQLite file
under instance/ by default, or DATABASE_URL / --db, e.g. postgresql://user:pw@host/db), loads the
demo hall into an empty database, prints the LAN addresses and serves with waitress.

    python3 scripts/run.py [--host 0.0.0.0] [--port 8000] [--db PATH_OR_URL] [--always-open]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _venv import ROOT, ensure_venv  # noqa: E402


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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on (default all)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--db",
        help="SQLite file path or postgresql:// URL "
        "(default: $DATABASE_URL or instance/hall.sqlite3)",
    )
    parser.add_argument("--hall", help="code of the hall this server serves (default: the first)")
    parser.add_argument(
        "--always-open",
        action="store_true",
        help="demo: take tickets at any hour (sets the hall's 24-hour flag)",
    )
    parser.add_argument("--threads", type=int, default=16, help="waitress worker threads")
    parser.add_argument("--no-spool", action="store_true", help="do not start the print spool")
    args = parser.parse_args()

    ensure_venv("requirements.txt")
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import waitress

    from kiosk import create_app
    from kiosk.db import db
    from kiosk.demo import announce_passwords, load_demo
    from kiosk.models import Hall
    from kiosk.privacy import purge_personal_data

    config: dict = {"START_PRINT_SPOOL": not args.no_spool, "START_MAINTENANCE": True}
    if args.db:
        config["DATABASE_URL"] = args.db
    if args.hall:
        config["HALL_CODE"] = args.hall
    app = create_app(config)
    with db.connection_context():
        if Hall.select().count() == 0:
            demo = load_demo(code=args.hall or "demo", always_open=args.always_open)
            print("Loaded the demo hall:", demo.hall.name)
            announce_passwords(demo.passwords, sys.stdout, Path(app.instance_path))
        elif args.always_open:
            Hall.update(always_open=True).execute()
        hall = Hall.get(Hall.code == args.hall) if args.hall else Hall.select().first()
        purged = purge_personal_data(hall)  # the retention period runs out while we sleep too
        if purged:
            print(f"Erased residents' personal data of {purged} old case(s).")
    print(f"Database: {app.config['DATABASE_URL']}")
    print(f"{hall.name} — the hall's pages on the LAN:")
    for address in lan_addresses() if args.host in ("0.0.0.0", "::") else [args.host]:
        base = f"http://{address}:{args.port}"
        print(f"    取号机 kiosk        {base}/")
        print(f"    大厅显示屏 display  {base}/display")
        print(f"    窗口屏 window       {base}/display/window/1")
        print(f"    工作人员 staff      {base}/staff")
        print(f"    管理 admin          {base}/admin")
    print(f"Ready in {time.perf_counter() - started:.2f} s. Ctrl+C stops.", flush=True)
    try:
        waitress.serve(
            app,
            host=args.host,
            port=args.port,
            threads=args.threads,
            ident="hall",
            channel_timeout=30,
        )
    except KeyboardInterrupt:
        pass
    finally:
        stop = app.extensions.get("hall_shutdown")
        if stop:
            stop()
        print("Stopped.")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
