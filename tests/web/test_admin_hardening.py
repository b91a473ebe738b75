"""Smaller issue-18 items on the staff and admin pages: no caching of private pages, printer
errors in plain Chinese (raw text kept for IT), common passwords refused for admins."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from support import staff_password

from kiosk.db import connection
from kiosk.models import Printer, Staff


def token_of(client) -> str:
    html = client.get("/login").data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, username: str):
    client = app.test_client()
    client.post(
        "/login",
        data={
            "csrf_token": token_of(client),
            "username": username,
            "password": staff_password(username),
        },
    )
    return client, token_of(client)


def get_routes(app, prefix: str) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.rule.startswith(prefix):
            urls.append(re.sub(r"<(?:[a-z]+:)?\w+>", "1", rule.rule))
    assert urls
    return urls


def test_every_admin_and_staff_response_is_not_stored(app):
    admin, _ = signed_in(app, "admin")
    checked = 0
    for url in get_routes(app, "/admin") + get_routes(app, "/staff"):
        response = admin.get(url)
        assert response.headers.get("Cache-Control") == "no-store", (url, response.status_code)
        checked += 1
    staff, token = signed_in(app, "wang")
    for url in get_routes(app, "/staff"):
        assert staff.get(url).headers.get("Cache-Control") == "no-store", url
    response = staff.post("/staff/windows/1/duty", data={"csrf_token": token})
    assert response.headers.get("Cache-Control") == "no-store"
    assert app.test_client().get("/login").headers.get("Cache-Control") == "no-store"
    assert checked > 20
    # Public pages keep their own caching rules.
    assert app.test_client().get("/").headers.get("Cache-Control") != "no-store"


def test_printer_errors_read_in_chinese_with_the_raw_text_for_it(app):
    with connection():
        printer = Printer.get()
        raw = "cannot connect (network 192.168.1.50:9100): [Errno 111] Connection refused"
        Printer.update(state="offline", last_error=raw).where(Printer.id == printer.id).execute()
    admin, _ = signed_in(app, "admin")
    soup = BeautifulSoup(admin.get("/admin/printers").data, "html.parser")
    row = soup.select_one(f'tr[data-printer="{printer.name}"]')
    shown = row.select_one("span[title]")
    assert shown["title"] == raw
    assert "打印机拒绝连接" in shown.get_text() and "Errno" not in shown.get_text()
    assert raw in row.select_one("details").get_text()


def test_common_passwords_are_refused_for_admins(app):
    admin, token = signed_in(app, "admin")
    base = {
        "csrf_token": token,
        "username": "zhaoadmin",
        "display_name": "赵管理",
        "post": "信息员",
        "phone": "",
        "role": "admin",
        "active": "on",
    }
    for weak in ("12345678", "password123", "88888888888"):
        response = admin.post("/admin/staff", data={**base, "password": weak})
        error = BeautifulSoup(response.data, "html.parser").select_one("#error-password")
        assert error is not None and error.get_text(strip=True), (
            weak,
            response.status_code,
            BeautifulSoup(response.data, "html.parser").select(".form-error, [id^=error-]"),
        )
    response = admin.post("/admin/staff", data={**base, "password": "x7#kq9vz"})  # 8 < 10
    assert "10" in BeautifulSoup(response.data, "html.parser").select_one("#error-password").text
    with connection():
        assert Staff.select().where(Staff.username == "zhaoadmin").count() == 0
    response = admin.post("/admin/staff", data={**base, "password": "hall-x7#kq9vz"})
    assert response.status_code == 303
