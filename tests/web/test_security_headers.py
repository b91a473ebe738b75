"""The security headers the README promises, on public and private pages: removing one fails."""

from __future__ import annotations

import pytest

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'self'"
)


@pytest.mark.parametrize("path", ["/", "/take/1", "/display", "/login", "/t/nope", "/admin"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client):
    client.get("/take/1")  # the kiosk page puts a CSRF token in the session
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
