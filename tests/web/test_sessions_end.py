"""Sessions that end: a session cookie captured before sign-out, a password change, a role
change or a deactivation no longer works when replayed. Files that hold secrets or residents'
data are readable by the server's own user only."""

from __future__ import annotations

import os
import re
import stat
import sys

import pytest
from support import staff_password

from kiosk.models import Staff


def csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).data.decode()).group(1)


def signed_in(app, username: str):
    client = app.test_client()
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf(client, "/login"),
            "username": username,
            "password": staff_password(username),
        },
    )
    assert response.status_code == 303
    return client


def replay(app, cookie: str):
    """A new browser that presents a captured session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def works(client, path: str) -> bool:
    response = client.get(path)
    return response.status_code == 200


def test_a_cookie_captured_before_sign_out_is_refused_after_it(app):
    client = signed_in(app, "admin")
    captured = client.get_cookie("session").value
    assert works(replay(app, captured), "/admin")
    other_device = signed_in(app, "admin")
    client.post("/logout", data={"csrf_token": csrf(client, "/admin")})
    assert not works(replay(app, captured), "/admin")
    assert replay(app, captured).get("/admin").headers["Location"].startswith("/login")
    assert not works(other_device, "/admin")  # sign-out ends every session of the account
    assert works(signed_in(app, "admin"), "/admin")  # signing in again works


@pytest.mark.parametrize(
    "change",
    [
        {"password": "a-brand-new-Pass-2026"},
        {"role": "supervisor"},
        {"active": ""},
    ],
    ids=["password", "role", "deactivated"],
)
def test_account_changes_end_the_accounts_sessions(app, change):
    clerk = signed_in(app, "wang")
    captured = clerk.get_cookie("session").value
    assert works(clerk, "/staff")
    admin = signed_in(app, "admin")
    member = Staff.get(Staff.username == "wang")
    form = {
        "csrf_token": csrf(admin, f"/admin/staff/{member.id}"),
        "username": "wang",
        "display_name": member.display_name,
        "post": member.post,
        "phone": member.phone,
        "role": "staff",
        "active": "on",
        "password": "",
        "window_ids": ["1", "4"],
    }
    form.update(change)
    response = admin.post(f"/admin/staff/{member.id}", data=form)
    assert response.status_code == 303, response.data.decode()[:2000]
    assert not works(clerk, "/staff")
    assert not works(replay(app, captured), "/staff")
    assert works(admin, "/admin")  # the admin's own session is untouched


def test_an_unrelated_save_keeps_the_session(app):
    clerk = signed_in(app, "wang")
    admin = signed_in(app, "admin")
    member = Staff.get(Staff.username == "wang")
    response = admin.post(
        f"/admin/staff/{member.id}",
        data={
            "csrf_token": csrf(admin, f"/admin/staff/{member.id}"),
            "username": "wang",
            "display_name": "王秀英",
            "post": "社会救助专干（组长）",
            "phone": member.phone,
            "role": "staff",
            "active": "on",
            "password": "",
            "window_ids": ["1", "4"],
        },
    )
    assert response.status_code == 303
    assert works(clerk, "/staff")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_secret_key_database_and_backups_are_private(app, tmp_path, db_path):
    from kiosk.backup import backup_sqlite

    key = tmp_path / "instance" / "secret_key"
    from kiosk.config import secret_key

    secret_key(key)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(key.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    copy = backup_sqlite(db_path, tmp_path / "backups")
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(copy.parent).st_mode) == 0o700
    # An existing key file left readable by an older release is tightened at start.
    os.chmod(key, 0o644)
    secret_key(key)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
