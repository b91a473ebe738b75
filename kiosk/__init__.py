"""The hall server: `create_app()` builds the Flask app; importing the package does nothing else.

Blueprints, one per audience: `kiosk` (residents at the touch screen, public), `public` (a
resident's phone: ticket status), `display` (hall board and window screens, public, read-only),
`staff` (window console), `admin` (settings, accounts, audit), plus `auth` (sign in/out).
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Flask is imported by create_app only: the domain layer runs without it
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    from flask import Flask

    from . import web
    from .config import instance_config, lan_base_url, secret_key
    from .db import default_database_url, init_database
    from .migrations import migrate_database
    from .private_files import default_secret_key_file

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    config = dict(config or {})
    instance = Path(config.get("INSTANCE_PATH", app.instance_path))
    app.config.update(
        DATABASE_URL=default_database_url(instance),
        HALL_CODE=None,  # which hall this process serves; None = the first hall
        BABEL_DEFAULT_LOCALE="zh_CN",
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        LANGUAGES=("zh_CN", "en"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=60 * 60 * 12,
        KIOSK_IDLE_SECONDS=None,  # None: the hall setting (管理 → 大厅设置) decides
        BOARD_IDLE_SECONDS=120,  # no call for this long: the board shows the hall's slides
        AUDIO_CACHE_DIR=str(instance / "audio"),
        UPLOAD_FOLDER=str(instance / "uploads"),
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        PRINT_FILE_DIR=str(instance / "print-files"),  # the only folder file printers write in
        START_PRINT_SPOOL=False,
        START_MAINTENANCE=False,  # close past days' tickets etc. in a background thread
        MIGRATE=True,
        PUBLIC_BASE_URL="",  # fallback when the hall setting is empty (kiosk/hall_setup.py)
        LAN_BASE_URL="",  # set by scripts/run.py: the server's own LAN address
        ALWAYS_OPEN=False,  # run.py --always-open: demo only, never stored
        SECRET_KEY_FILE=str(default_secret_key_file(instance)),
        # The first-run page answers the hall PC itself, or whoever has this token (printed by
        # run.py): anyone else on the LAN could otherwise make themselves the hall's admin.
        SETUP_TOKEN=secrets.token_urlsafe(16),
    )
    if not config.get("TESTING"):
        app.config.update(instance_config(instance))
    app.config.update(config)
    # One gettext domain per area (messages, kiosk, staff, …), all in one directory: flask-babel
    # pairs the i-th directory with the i-th domain, so the directory is repeated.
    translations = ROOT / "kiosk" / "translations"
    found = sorted({po.stem for po in translations.glob("*/LC_MESSAGES/*.mo")}) or ["messages"]
    app.config.setdefault("BABEL_DOMAIN", ";".join(found))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([str(translations)] * len(found))
    if not app.config["LAN_BASE_URL"]:
        app.config["LAN_BASE_URL"] = lan_base_url(int(app.config.get("PORT") or 8000))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(Path(app.config["SECRET_KEY_FILE"]))

    from . import print_files

    print_files.configure(app.config["PRINT_FILE_DIR"])
    init_database(app.config["DATABASE_URL"])
    if app.config["MIGRATE"]:
        migrate_database()
    web.init_app(app)
    if app.config["START_PRINT_SPOOL"]:
        _start_spool(app)
    if app.config["START_MAINTENANCE"]:
        _start_maintenance(app)
    return app


def _hall_id(app: Flask) -> int | None:
    from .db import connection
    from .models import Hall

    if not app.config.get("HALL_CODE"):
        return None
    with connection():
        hall = Hall.get_or_none(Hall.code == app.config["HALL_CODE"])
        # A hall not created yet (first-run page): 0 touches no other hall's printers or
        # tickets; its own are picked up at the next start.
        return hall.id if hall else 0


def _on_shutdown(app: Flask, stop) -> None:
    """Chain `stop` into the one shutdown hook scripts/run.py calls."""
    previous = app.extensions.get("hall_shutdown")

    def shutdown() -> None:
        stop()
        if previous is not None:
            previous()

    app.extensions["hall_shutdown"] = shutdown


def _start_maintenance(app: Flask) -> None:
    from .maintenance import Maintenance

    maintenance = Maintenance(_hall_id(app)).start()
    app.extensions["maintenance"] = maintenance
    _on_shutdown(app, maintenance.stop)


def _start_spool(app: Flask) -> None:
    from .spool import Spool

    spool = Spool(_hall_id(app)).start()
    app.extensions["print_spool"] = spool
    _on_shutdown(app, spool.stop)
