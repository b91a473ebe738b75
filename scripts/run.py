#!/usr/bin/env python3
"""Run the hall server: creates .venv, installs requirements, creates or upgrades the database
(SQLite file under instance/ by default, or --db / HALL_DATABASE_URL / instance/config.py,
e.g. postgresql://user:pw@host/db), prints the LAN addresses and serves with waitress.

A new database starts empty: open 管理 (/admin) and the first-run page creates the hall, its
admin account, opening hours, services and windows. `--demo` loads the demo hall instead.

    python3 scripts/run.py --demo                 # try it: the demo hall, open at any hour
    python3 scripts/run.py                        # a real hall (first start: the first-run page)
    python3 scripts/run.py --hall dz --db postgresql://hall@db-host/halls
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _venv import ROOT, ensure_venv

sys.path.insert(0, str(ROOT))
from kiosk.config import add_database_option  # standard library only


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--host", help="address to listen on (default: HALL_HOST or 0.0.0.0, all addresses)"
    )
    parser.add_argument("--port", type=int, help="port (default: HALL_PORT or 8000)")
    add_database_option(parser)  # stdlib only: parsed before the venv exists
    parser.add_argument("--hall", help="code of the hall this server serves (default: the first)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="load the demo hall into an empty database and take tickets at any hour",
    )
    parser.add_argument(
        "--always-open",
        action="store_true",
        help="demo: take tickets at any hour (this run only; nothing is stored)",
    )
    parser.add_argument("--threads", type=int, help="waitress worker threads (default 16)")
    parser.add_argument("--no-spool", action="store_true", help="do not start the print spool")
    args = parser.parse_args()

    ensure_venv("requirements.txt")
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import waitress

    from kiosk import create_app
    from kiosk.config import ConfigError, lan_addresses
    from kiosk.db import db
    from kiosk.demo import announce_passwords, load_demo
    from kiosk.hall_setup import find_hall, needs_setup
    from kiosk.migrations import SchemaTooNew
    from kiosk.privacy import purge_personal_data

    config: dict = {"START_PRINT_SPOOL": not args.no_spool, "START_MAINTENANCE": True}
    if args.db:
        config["DATABASE_URL"] = args.db
    if args.hall:
        config["HALL_CODE"] = args.hall
    if args.always_open or args.demo:
        config["ALWAYS_OPEN"] = True  # in memory only: a real hall keeps its hours
    try:
        app = create_app(config)
    except (SchemaTooNew, ConfigError) as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return 2
    host = args.host or app.config.get("HOST") or "0.0.0.0"
    port = args.port or int(app.config.get("PORT") or 8000)
    threads = args.threads or int(app.config.get("THREADS") or 16)
    addresses = lan_addresses() if host in ("0.0.0.0", "::") else [host]
    app.config["LAN_BASE_URL"] = f"http://{addresses[0]}:{port}"
    code = app.config.get("HALL_CODE")
    with db.connection_context():
        hall = find_hall(code)
        if hall is None and args.demo:
            demo = load_demo(code=code or "demo")
            hall = demo.hall
            print("Loaded the demo hall:", hall.name)
            # Once, to the person at the terminal; a redirected stdout gets a 0600 file instead.
            announce_passwords(demo.passwords, sys.stdout, Path(app.instance_path))
        elif hall is not None:
            purged = purge_personal_data(hall)  # the retention period runs out while we sleep
            if purged:
                print(f"Erased residents' personal data of {purged} old case(s).")
        first_run = needs_setup(hall)
    print(f"Database: {app.config['DATABASE_URL']}")
    if first_run:
        label = f"hall '{code}'" if code else "this hall"
        print(f"New hall: {label} is not set up yet. Open the first-run page in a browser:")
        for address in addresses:
            print(
                f"    首次设置 first run  http://{address}:{port}/admin/setup"
                f"?token={app.config['SETUP_TOKEN']}"
            )
    print(f"{hall.name if hall else code or 'hall'} — the hall's pages on the LAN:")
    for address in addresses:
        base = f"http://{address}:{port}"
        print(f"    取号机 kiosk        {base}/")
        print(f"    大厅显示屏 display  {base}/display")
        print(f"    窗口屏 window       {base}/display/window/1")
        print(f"    工作人员 staff      {base}/staff")
        print(f"    管理 admin          {base}/admin")
    print(f"Ready in {time.perf_counter() - started:.2f} s. Ctrl+C stops.", flush=True)
    try:
        waitress.serve(
            app,
            host=host,
            port=port,
            threads=threads,
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
