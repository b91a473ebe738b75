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
    "kiosk.notices",
    "kiosk.slides",
    "kiosk.figures",
    "kiosk.printer_admin",
    "kiosk.staffing",
    "kiosk.lineup",
    "kiosk.deliberation",
    "kiosk.clock",
    "kiosk.words",
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


# Peewee's query methods. Called on a model class (Ticket.select) they start a query; the first
# group is also refused on anything (no Flask or Python object a view holds has them, so a call
# there is a query chain: `.where(...)`, `meeting.items.order_by(...)`). Not in it: `join` and
# `replace` (str has them; a query's join follows a select, which is caught).
QUERY_METHODS = {
    "select",
    "get_or_none",
    "get_by_id",
    "get_or_create",
    "insert",
    "insert_many",
    "where",
    "order_by",
    "group_by",
    "paginate",
    "tuples",
    "dicts",
    "execute",
    "delete_instance",
}
MODEL_METHODS = QUERY_METHODS | {
    "get",
    "update",
    "delete",
    "create",
    "count",
    "exists",
    "save",
    "join",
    "replace",
}
# Views that may still hold a query, each with the reason. Keep it empty.
QUERY_ALLOWLIST: dict[str, str] = {}


def peewee_queries_in(path) -> list[str]:
    """Every peewee query a views module writes itself: a query method on a model class it
    imports from kiosk.models, a query method chained on anything, `fn.` and peewee imports."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    models: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[-1] == "models":
                models.update(alias.asname or alias.name for alias in node.names)
            if node.module.split(".")[0] == "peewee":
                found.append(f"line {node.lineno}: from peewee import …")
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "peewee":
                    found.append(f"line {node.lineno}: import peewee")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "fn":
                found.append(f"line {node.lineno}: fn.{node.attr}")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        on_model = isinstance(receiver, ast.Name) and receiver.id in models
        if method in QUERY_METHODS or (on_model and method in MODEL_METHODS):
            found.append(f"line {node.lineno}: .{method}(")
    return sorted(found, key=lambda text: int(text.split(":")[0].split()[1]))


def test_views_hold_no_peewee_queries():
    """README, Architecture: views parse input, call the domain and render; every query lives in
    the Flask-free domain modules (kiosk/*.py)."""
    from pathlib import Path

    import kiosk.views

    folder = Path(kiosk.views.__file__).parent
    found = {
        path.name: queries
        for path in sorted(folder.glob("*.py"))
        if (queries := peewee_queries_in(path)) and path.name not in QUERY_ALLOWLIST
    }
    assert found == {}, found


def test_the_query_check_finds_queries(tmp_path):
    """The check above is not blind: each way of writing a query in a view is caught."""
    view = tmp_path / "view.py"
    view.write_text(
        "from peewee import fn\n"
        "from ..models import Staff, Ticket as T\n"
        "a = Staff.select()\n"
        "b = T.get(T.id == 1)\n"
        "c = Staff.update(x=1)\n"
        "d = something.items.order_by(1)\n"
        "e = fn.COUNT(1)\n"
        "f = request.form.get('x')\n"
        "g = T.create(x=1)\n",
        encoding="utf-8",
    )
    found = peewee_queries_in(view)
    assert [line.split(":")[0] for line in found] == [
        "line 1",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
        "line 9",
    ], found
