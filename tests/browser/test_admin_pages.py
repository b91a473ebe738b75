"""The admin pages in Chromium: every page renders for an admin, screenshots for people to look
at, and a supervisor sees the same pages without any save button."""

from __future__ import annotations

from browser_support import sign_in_page

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


def test_admin_pages_render_and_are_captured(live_server, page_factory, screenshot_dir):
    shots = screenshot_dir / "admin"
    shots.mkdir(exist_ok=True)
    page = page_factory(width=1366, height=900)
    sign_in_page(page, live_server.url, "admin")
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
    sign_in_page(page, live_server.url, "supervisor")
    for _name, path in PAGES:
        if path.endswith("/edit"):
            continue
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("main button[type=submit]:not(.link-button)").count() == (
            1 if path.startswith("/admin/audit") else 0
        ), path  # the audit filter only
    assert "监督员，只读" in page.locator(".admin-user").inner_text()


def test_hall_settings_show_every_mistake_at_once_and_save_when_fixed(
    live_server, page_factory, screenshot_dir
):
    """An admin at the hall PC (1366×768) makes three mistakes: the page names all three at
    the top and under each field, a summary link takes them to the field, the page's own
    timers change nothing after 5 s, and fixing them saves."""
    from playwright.sync_api import expect

    from kiosk.models import Hall

    page = page_factory(width=1366, height=768)
    sign_in_page(page, live_server.url, "admin")
    page.goto(live_server.url + "/admin/hall")
    page.fill("#name", "")
    page.fill("#opens_at", "8点半")
    page.fill("#kiosk_idle_seconds", "5")
    page.locator("form.admin-form button[type=submit]").first.click()
    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("有 3 处需要修改")
    expect(summary.locator("li")).to_have_text(
        ["请填写大厅名称", "时间应写成 08:30 这样的格式", "请填写 15 到 600 之间的秒数"]
    )
    for field in ("name", "opens_at", "kiosk_idle_seconds"):
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#error-{field}")).to_be_visible()
    expect(page.locator("#kiosk_idle_seconds")).to_have_value("5")
    page.screenshot(path=str(screenshot_dir / "admin-hall-three-errors-1366.png"))
    summary.locator("a[href='#kiosk_idle_seconds']").click()
    expect(page.locator("#kiosk_idle_seconds")).to_be_in_viewport()
    page.wait_for_timeout(5500)  # the page's own timers (session, network banner) run
    expect(summary.locator("li")).to_have_count(3)
    assert Hall.get().opens_at == "08:30"  # nothing was saved

    page.fill("#name", "石牌镇便民服务中心")
    page.fill("#opens_at", "08:00")
    page.fill("#kiosk_idle_seconds", "90")
    page.locator("form.admin-form button[type=submit]").first.click()
    expect(page.locator(".flash-ok[role=status]")).to_contain_text("已保存")
    expect(page.locator(".error-summary")).to_have_count(0)
    hall = Hall.get()
    assert (hall.name, hall.opens_at, hall.kiosk_idle_seconds) == (
        "石牌镇便民服务中心",
        "08:00",
        90,
    )
