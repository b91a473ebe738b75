"""The shape the README promises: the domain layer and printers/ run without Flask (a script or
a test imports them and no web framework comes along)."""

from __future__ import annotations

import subprocess
import sys

DOMAIN = [
    "kiosk.queue",
    "kiosk.queue_outlook",
    "kiosk.tickets",
    "kiosk.calendar",
    "kiosk.cases",
    "kiosk.ratings",
    "kiosk.finance",
    "kiosk.audit",
    "kiosk.spool",
    "kiosk.maintenance",
    "kiosk.overview",
    "kiosk.printing",
    "printers",
]


def test_domain_modules_import_without_flask():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in DOMAIN)
        + "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'flask_babel', 'htmx_flask', 'werkzeug', 'jinja2'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", result.stdout
