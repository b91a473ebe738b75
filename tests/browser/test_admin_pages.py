"""The admin pages in Chromium: every page renders for an admin, screenshots for people to look
at, and a supervisor sees the same pages without any save button."""

from __future__ import annotations

from support import staff_password

PAGES = [
    ("home", "/admin"),
    ("hall", "/admin/hall"),
    ("services", "/admin/services"),
    ("service", "/admin/services/1"),
    ("windows", "/admin/windows"),
    ("staff", "/admin/staff"),
    ("staff-edit", "/admin/staff/2"),
    ("calendar", "/admin/calendar?year=2026"),
    ("printers", "/admin/printers"),
    ("cases", "/admin/cases"),
    ("notices", "/admin/notices"),
    ("notice-new", "/admin/notices/new"),
    ("finance", "/admin/finance"),
    ("meetings", "/admin/meetings"),
    ("slides", "/admin/slides"),
    ("printer-edit", "/admin/printers/1/edit"),
    ("audit", "/admin/audit"),
]


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", staff_password(username))
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_admin_pages_render_and_are_captured(live_server, page_factory, screenshot_dir):
    shots = screenshot_dir / "admin"
    shots.mkdir(exist_ok=True)
    page = page_factory(width=1366, height=900)
    sign_in(page, live_server.url, "admin")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for name, path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert errors == []


def test_supervisor_sees_pages_without_save_buttons(live_server, page_factory):
    page = page_factory(width=1366, height=900)
    sign_in(page, live_server.url, "supervisor")
    for _name, path in PAGES:
        if path.endswith("/edit"):
            continue
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("main button[type=submit]:not(.link-button)").count() == (
            1 if path.startswith("/admin/audit") else 0
        ), path  # the audit filter only
    assert "监督员，只读" in page.locator(".admin-user").inner_text()
