"""Helpers shared by test modules (importable as `support`; tests/ is on sys.path)."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from _serve import free_port, run_threads, start_server, stop_server, wait_until  # noqa: F401

PASSWORDS = {
    "admin": "admin-pass-123",
    "supervisor": "super-pass-123",
}


def staff_password(username: str) -> str:
    return PASSWORDS.get(username, f"{username}-pass-123")


def hall_app(database_url: str, tmp_path: Path, **config):
    """The hall's Flask app as the tests run it: testing mode, a fixed secret key, the instance
    folder and the audio cache under `tmp_path`; `config` adds or replaces keys."""
    from kiosk import create_app

    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "AUDIO_CACHE_DIR": str(tmp_path / "audio"),
    }
    return create_app(settings | config)


def postgres_admin_url() -> str:
    """TEST_DATABASE_URL, the PostgreSQL server the tests may create databases on. Without it
    the test is skipped, or fails under CI (where scripts/test.py should have started one)."""
    import pytest

    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set: scripts/test.py should start PostgreSQL")
        pytest.skip("no PostgreSQL configured (set TEST_DATABASE_URL or run scripts/test.py)")
    return base


@contextlib.contextmanager
def new_postgres_database(admin_url: str, prefix: str):
    """A new, empty database named `prefix` + random hex on the server of `admin_url`: yields
    its URL and drops it afterwards (even while connections to it remain)."""
    import psycopg2

    name = prefix + secrets.token_hex(4)
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def postgres_url_of(database) -> str:
    """The postgresql:// URL of a connected peewee PostgreSQL database (for another process)."""
    params = database.connect_params
    return "postgresql://{user}:{password}@{host}:{port}/{name}".format(
        user=params.get("user") or "",
        password=params.get("password") or "",
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        name=database.database,
    )


def accepted_case(number: str, clerk: str = "wang", **fields):
    """A case numbered `number` (its tracking code too), accepted by and first assigned to the
    staff member `clerk`, in the only hall unless `hall=` says otherwise; `fields` add to it."""
    from kiosk.models import Case, Hall, Staff

    staff = Staff.get(Staff.username == clerk)
    if "hall" not in fields:
        fields["hall"] = Hall.get()
    return Case.create(
        number=number, tracking_code=number, accepted_by=staff, first_responsible=staff, **fields
    )


def csrf_token_of(client, path: str = "/login") -> str:
    """The CSRF token a page of the Flask test client's session carries."""
    import re

    html = client.get(path).data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(
    client, username: str, window: int | None = None, *, password: str | None = None
) -> str:
    """Sign `username` in on the test client (and take duty at `window`); returns the new
    session's CSRF token. Asserts that it worked, so a broken sign-in fails where it happens."""
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token_of(client),
            "username": username,
            "password": password or staff_password(username),
        },
    )
    assert response.status_code == 303, response.data[:300]
    token = csrf_token_of(client)  # signing in starts a new session with a new token
    if window is not None:
        response = client.post(f"/staff/windows/{window}/duty", data={"csrf_token": token})
        assert response.status_code == 303, response.data[:300]
    return token


class Auth:
    """The `auth` fixture: `auth.sign_in("wang", window=1)` on the test's client."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, username: str, window: int | None = None, **options) -> str:
        return sign_in(self.client, username, window, **options)

    def sign_out(self) -> None:
        response = self.client.post("/logout", data={"csrf_token": csrf_token_of(self.client)})
        assert response.status_code in (302, 303), response.data[:300]


def error_of(response, field: str) -> str:
    """The message a form page shows under `field` ("" when none)."""
    from bs4 import BeautifulSoup

    node = BeautifulSoup(response.data, "html.parser").select_one(f"#error-{field}")
    return node.get_text(strip=True) if node else ""


def form_of(client, path: str) -> dict:
    """The values an admin form at `path` would submit as it stands (file inputs left out)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get(path).data, "html.parser")
    form = soup.select_one("form.admin-form")
    data: dict = {}
    for element in form.select("input, textarea, select"):
        name = element.get("name")
        if not name or element.get("type") == "file":
            continue
        if element.name == "textarea":
            data[name] = element.get_text()
        elif element.name == "select":
            chosen = element.select_one("option[selected]") or element.select_one("option")
            data[name] = chosen.get("value")
        elif element.get("type") == "checkbox":
            if not element.has_attr("checked"):
                continue
            if name == "window_ids":
                data.setdefault(name, []).append(element.get("value", "on"))
            else:
                data[name] = "on"
        else:
            data[name] = element.get("value", "")
    return data
