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
        kiosk_cases,
        kiosk_ratings,
        overview,
        public,
        public_cases,
        setup,
        staff,
        staff_cases,
        supervision,
    )

    # admin_settings, admin_audit, admin_cases, supervision, disclosure, kiosk_cases,
    # public_cases and staff_cases add their routes to existing blueprints on import.

    for module in (kiosk, public, display, staff, admin, auth, setup, overview):
        app.register_blueprint(module.bp)
