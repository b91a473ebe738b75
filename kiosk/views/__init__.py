"""Blueprints, one per audience; `register_blueprints` is called by the app factory.

Eight blueprints are made here; the other modules add routes to one of them when imported, so
the blueprint's guard (`require_roles`, `read_only_for`) covers them too:

| blueprint (prefix)   | guard                       | modules                                    |
|----------------------|-----------------------------|--------------------------------------------|
| kiosk (/)            | public                      | kiosk, kiosk_cases, kiosk_ratings,         |
|                      |                             | disclosure                                 |
| public (/t, /c)      | public (a resident's phone) | public, public_cases                       |
| display (/display)   | public, read-only           | display                                    |
| staff (/staff)       | staff, admin                | staff, staff_cases                         |
|                      |                             | (forms: staff_case_forms)                  |
| admin (/admin)       | admin; supervisor reads     | admin, admin_audit, admin_cases,           |
|                      |                             | admin_lineup, admin_meetings,              |
|                      |                             | admin_notices, admin_reports,              |
|                      |                             | admin_settings, admin_slides, supervision, |
|                      |                             | disclosure (the finance import)            |
| auth (/login)        | public                      | auth                                       |
| setup (/admin/setup) | hall PC or run.py's token   | setup                                      |
| overview (/overview) | overseer                    | overview                                   |

A test (tests/unit/test_layers.py) keeps this table true.
"""

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

    for module in (kiosk, public, display, staff, admin, auth, setup, overview):
        app.register_blueprint(module.bp)
