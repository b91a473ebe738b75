"""Walk every registered route: staff and admin routes refuse anonymous users and users of the
wrong role; every route that accepts POST refuses a request without a CSRF token and changes
nothing. New routes are covered automatically."""

from __future__ import annotations

import re

import pytest
from support import staff_password

from kiosk.models import AuditEntry, Case, PrintJob, Service, Staff, Ticket, Window

ARGUMENT_VALUES = {
    "action": "call",
    "code": "no-such-code",
    "day": "2026-10-01",
    "event_id": "1",
    "number": "1",
}


def url_for_rule(rule) -> str:
    url = rule.rule
    for argument in rule.arguments:
        value = ARGUMENT_VALUES.get(argument, "1")
        url = re.sub(rf"<(?:[a-z]+:)?{argument}>", value, url)
    return url


def routes(app, blueprints: tuple[str, ...] | None = None, method: str | None = None):
    found = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0] if "." in rule.endpoint else ""
        if blueprints is not None and blueprint not in blueprints:
            continue
        if method is not None and method not in rule.methods:
            continue
        found.append(rule)
    assert found, "no routes found: the walk itself is broken"
    return found


def signed_in(app, username: str):
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").data.decode()
    ).group(1)
    client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": staff_password(username)},
    )
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").data.decode()
    ).group(1)
    return client, token


def counts() -> tuple[int, ...]:
    return tuple(
        model.select().count()
        for model in (Ticket, AuditEntry, PrintJob, Case, Service, Staff, Window)
    )


def test_anonymous_users_are_sent_to_sign_in(app):
    client = app.test_client()
    for rule in routes(app, ("staff", "admin"), "GET"):
        response = client.get(url_for_rule(rule))
        assert response.status_code == 302, rule.rule
        assert "/login" in response.headers["Location"], rule.rule


def test_anonymous_posts_are_refused(app):
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").data.decode()
    ).group(1)
    before = counts()
    for rule in routes(app, ("staff", "admin"), "POST"):
        response = client.post(url_for_rule(rule), data={"csrf_token": token})
        assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule
    assert counts() == before


@pytest.mark.parametrize("username, blueprint", [("wang", "admin"), ("supervisor", "staff")])
def test_wrong_roles_are_refused(app, username, blueprint):
    client, token = signed_in(app, username)
    before = counts()
    for rule in routes(app, (blueprint,)):
        url = url_for_rule(rule)
        if "GET" in rule.methods:
            assert client.get(url).status_code == 403, rule.rule
        if "POST" in rule.methods:
            assert client.post(url, data={"csrf_token": token}).status_code == 403, rule.rule
    assert counts() == before


def test_supervisors_may_read_admin_pages_but_not_change_them(app):
    client, token = signed_in(app, "supervisor")
    before = counts()
    for rule in routes(app, ("admin",), "POST"):
        assert client.post(url_for_rule(rule), data={"csrf_token": token}).status_code == 403, (
            rule.rule
        )
    assert client.get("/admin/audit").status_code == 200
    assert counts() == before


def test_every_post_without_a_csrf_token_is_refused(app):
    client, _token = signed_in(app, "admin")
    before = counts()
    checked = 0
    for rule in routes(app, None, "POST"):
        response = client.post(url_for_rule(rule), data={"service_id": "1", "name": "x"})
        assert response.status_code == 400, rule.rule
        checked += 1
    assert checked >= 20
    assert counts() == before
