"""Blueprints, one module per audience; `register_blueprints` is called by the app factory."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import admin, admin_audit, admin_settings, auth, display, kiosk, public, staff  # noqa: F401

    # admin_settings and admin_audit add their routes to admin.bp on import.

    for module in (kiosk, public, display, staff, admin, auth):
        app.register_blueprint(module.bp)
