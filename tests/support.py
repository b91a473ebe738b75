"""Helpers shared by test modules (importable as `support`; tests/ is on sys.path)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from _serve import free_port, start_server, stop_server, wait_until  # noqa: F401

PASSWORDS = {
    "admin": "admin-pass-123",
    "supervisor": "super-pass-123",
}


def staff_password(username: str) -> str:
    return PASSWORDS.get(username, f"{username}-pass-123")


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
