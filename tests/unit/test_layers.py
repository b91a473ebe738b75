"""The shape the README promises: the domain layer and printers/ run without Flask (a script or
a test imports them and no web framework comes along)."""

from __future__ import annotations

import subprocess
import sys

DOMAIN = [
    "kiosk.queue",
    "kiosk.announcements",
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


def blueprint_map() -> dict[str, set[str]]:
    """The table in kiosk/views/__init__.py: blueprint name -> the modules that add its routes."""
    import re

    import kiosk.views

    table: dict[str, set[str]] = {}
    name = ""
    for line in kiosk.views.__doc__.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0].startswith("-") or cells[0] == "blueprint (prefix)":
            continue
        if cells[0]:
            name = cells[0].split()[0]
        table.setdefault(name, set()).update(re.findall(r"[a-z_]+", cells[2].split("(")[0]))
        table[name].update(re.findall(r"forms: ([a-z_]+)", cells[2]))
    return table


def test_the_blueprint_map_names_every_module_that_adds_routes(app):
    """The comment table of blueprints and modules stays true: every route's view function lives
    in a module listed under its blueprint, and every views module is listed."""
    import pkgutil

    import kiosk.views

    table = blueprint_map()
    found: dict[str, set[str]] = {}
    for endpoint, function in app.view_functions.items():
        if "." not in endpoint:
            continue  # Flask's own `static`
        module = function.__module__.rsplit(".", 1)[1]
        found.setdefault(endpoint.split(".")[0], set()).add(module)
    assert set(found) == set(table)
    for blueprint, modules in found.items():
        assert modules <= table[blueprint], (blueprint, modules - table[blueprint])
    listed = set().union(*table.values())
    every = {info.name for info in pkgutil.iter_modules(kiosk.views.__path__)}
    assert every == listed, every ^ listed


def test_one_list_of_printer_state_words():
    """printers/ (no kiosk import) and the hall's pages name the same states with the same
    words; what a resident is told about a fault is taken from that list, not typed again."""
    from kiosk.labels import PRINTER_STATES
    from kiosk.printing import PROBLEM_STATES
    from printers.config import STATE_LABELS

    assert PRINTER_STATES == STATE_LABELS
    assert all(PROBLEM_STATES[code] is PRINTER_STATES[code] for code in PROBLEM_STATES)


def test_one_phone_number_pattern():
    """Staff accounts and case registrations accept the same phone numbers (one pattern)."""
    import pathlib
    import re

    sources = pathlib.Path(__file__).resolve().parents[2] / "kiosk"
    copies = [
        path.name
        for path in sources.rglob("*.py")
        if re.search(r"1\[3-9\]", path.read_text(encoding="utf-8"))
    ]
    assert copies == ["limits.py"]
