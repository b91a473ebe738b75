"""Every admin form, every text field, poisoned (issue 18): a NUL byte, an over-long text, a
number beyond its column. On SQLite and on PostgreSQL: no answer is a 500, a refused post
changes nothing, and an accepted one (the field was not used) did not store the value.

The forms are found by walking the admin pages, so a new form is covered without editing this
test. Also the public entry points named in the issue (/login, /rate, /t/…, /tickets/…).
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from support import hall_app, postgres_url_of, staff_password

from kiosk.db import connection, db
from kiosk.demo import load_demo
from kiosk.models import ALL_MODELS, Meeting, Notice

LONG_INPUT = "长" * 300
LONG_TEXTAREA = "长" * 60_000
NUMBERS = ("12345678901234.56", "32768", "99999999999")
TEXT_INPUT_TYPES = (None, "text", "password", "number", "search", "tel", "email", "url")


def token_of(client) -> str:
    html = client.get("/login").data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in_admin(app):
    client = app.test_client()
    client.post(
        "/login",
        data={
            "csrf_token": token_of(client),
            "username": "admin",
            "password": staff_password("admin"),
        },
    )
    return client, token_of(client)


def snapshot() -> dict:
    with connection():
        return {model.__name__: sorted(map(repr, model.select().tuples())) for model in ALL_MODELS}


def stored_since(before: dict, value: str) -> bool:
    """Whether a row written since `before` holds (the first 100 characters of) `value`."""
    needle = value[:100]
    for table, rows in snapshot().items():
        old = set(before[table])
        if any(needle in row for row in rows if row not in old):
            return True
    return False


def admin_forms(app, client) -> list[tuple[str, dict, list[tuple[str, str]]]]:
    """(action, default values, [(field, tag)]) of every POST form on the admin pages."""
    with connection():
        ids = {
            "meeting_id": str(Meeting.select().first().id),
            "notice_id": str(Notice.select().first().id),
        }
    pages = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.endpoint.startswith("admin"):
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{argument}>", ids.get(argument, "1"), url)
        pages.add(url)
    forms, seen = [], set()
    for url in sorted(pages):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        for form in BeautifulSoup(response.data, "html.parser").select("form"):
            action = form.get("action") or url
            if (form.get("method") or "get").lower() != "post" or action in seen:
                continue
            defaults, fields = {}, []
            for element in form.select("input, textarea, select"):
                name, kind = element.get("name"), element.get("type")
                if not name or kind == "file":
                    continue
                if element.name == "textarea":
                    defaults[name] = element.get_text()
                    fields.append((name, "textarea"))
                elif element.name == "select":
                    chosen = element.select_one("option[selected]") or element.select_one("option")
                    defaults[name] = chosen.get("value") if chosen else ""
                elif kind in ("checkbox", "radio"):
                    if element.has_attr("checked"):
                        defaults[name] = element.get("value", "on")
                else:
                    defaults[name] = element.get("value", "")
                    if kind in TEXT_INPUT_TYPES and name != "csrf_token":
                        fields.append((name, "input"))
            if fields:
                seen.add(action)
                forms.append((action, defaults, fields))
    return forms


def walk(app) -> list[str]:
    client, token = signed_in_admin(app)
    # Something for the meeting and notice pages to show (and their forms to post to).
    client.post(
        "/admin/meetings",
        data={"csrf_token": token, "title": "居民议事会", "held_on": "2026-11-20"},
    )
    client.post(
        "/admin/notices",
        data={
            "csrf_token": token,
            "title": "停水通知",
            "category": "service",
            "valid_from": "2026-11-01",
            "valid_until": "2026-12-31",
            "body": "<p>停水</p>",
        },
    )
    forms = admin_forms(app, client)
    actions = {action for action, _, _ in forms}
    assert {"/admin/hall", "/admin/staff", "/admin/printers", "/admin/meetings"} <= actions
    assert any(a.startswith("/admin/services/") for a in actions), actions
    assert any(a.endswith("/attendance") for a in actions), actions
    problems: list[str] = []
    posts = 0
    for action, defaults, fields in forms:
        for name, tag in fields:
            long_value = LONG_TEXTAREA if tag == "textarea" else LONG_INPUT
            if name == "csv":
                long_value = "2026-10-01,休," + "长" * 300
            values = ["第一\x00第二", long_value, *NUMBERS]
            for value in values:
                before = snapshot()
                data = {**defaults, "csrf_token": token, name: value}
                response = client.post(action, data=data)
                posts += 1
                label = f"{action} {name}={value[:20]!r}"
                if response.status_code >= 500:
                    problems.append(f"{label}: {response.status_code}")
                    continue
                if "\x00" in value and response.status_code != 400:
                    problems.append(f"{label}: NUL answered {response.status_code}")
                if response.status_code in (301, 302, 303):
                    if len(value) > 100 and stored_since(before, value):
                        problems.append(f"{label}: over-long value stored")
                elif snapshot() != before:
                    problems.append(f"{label}: refused ({response.status_code}) but changed data")
    assert posts > 150
    return problems


def public_problems(app) -> list[str]:
    client = app.test_client()
    problems = []
    token = token_of(client)
    requests = [
        ("post", "/login", {"username": "admin\x00", "password": "x"}),
        ("post", "/login", {"username": "a" * 5000, "password": "p" * 5000}),
        ("get", "/t/abc%00def", None),
        ("get", "/tickets/abc%00def", None),
        ("get", "/tickets/99999999999999999999", None),
        ("post", "/rate", {"window_id": "1", "grade": "good", "suggestion": "意见\x00"}),
        ("post", "/rate", {"window_id": "99999999999999", "grade": "good"}),
        ("post", "/rate", {"number": "A001\x00", "code": "9" * 5000, "grade": "good"}),
        ("post", "/rate", {"number": "A" * 5000, "code": "0000", "grade": "x" * 5000}),
        ("post", "/display/window/1/rate", {"ticket_id": "99999999999999999", "grade": "x"}),
        ("post", "/t/abc/rate", {"grade": "good"}),
    ]
    for method, url, data in requests:
        if method == "post":
            response = client.post(url, data={**data, "csrf_token": token})
        else:
            response = client.get(url)
        if response.status_code >= 500:
            problems.append(f"{method} {url}: {response.status_code}")
    return problems


def test_poisoned_admin_forms_on_sqlite(app):
    problems = walk(app)
    assert not problems, "\n".join(problems)


def test_public_entry_points_on_sqlite(app):
    problems = public_problems(app)
    assert not problems, "\n".join(problems)


@pytest.fixture
def pg_app(pg_database, tmp_path):
    url = postgres_url_of(pg_database)
    db.close()
    application = hall_app(url, tmp_path)
    with connection():
        load_demo(password_for=staff_password, always_open=True)
    yield application
    db.close_all() if hasattr(db.obj, "close_all") else None


@pytest.mark.postgres
def test_poisoned_admin_forms_on_postgresql(pg_app):
    problems = walk(pg_app)
    assert not problems, "\n".join(problems)


@pytest.mark.postgres
def test_public_entry_points_on_postgresql(pg_app):
    problems = public_problems(pg_app)
    assert not problems, "\n".join(problems)
