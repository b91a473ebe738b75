"""Blueprints, one module per audience; `register_blueprints` is called by the app factory."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (  # noqa: F401
        admin,
        admin_audit,
        admin_cases,
        admin_lineup,
        admin_meetings,
        admin_notices,
        admin_reports,
        admin_settings,
        admin_slides,
        auth,
        disclosure,
        display,
        kiosk,
        kiosk_ratings,
        public,
        setup,
        staff,
    )

    # admin_settings, admin_audit, admin_cases and disclosure add their routes to the
    # admin and kiosk blueprints on import.

    for module in (kiosk, public, display, staff, admin, auth, setup):
        app.register_blueprint(module.bp)
