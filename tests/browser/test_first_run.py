"""The first start of a real hall in Chromium, on an empty database: 管理 leads to the first-run
page, which creates the admin, the hall's hours and a first service and window; the admin then
adds a service and a window in 管理; a resident takes a ticket for the new service at the kiosk
and the admin calls it at the new window from the console. Screenshots of the first-run page
and the service and window management pages are taken too (docs/screenshots/ in the guides)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_support import SCREENSHOTS, LiveServer
from support import hall_app

from kiosk.db import db

# HALL_UPDATE_DOCS=1 refreshes the guides' pictures; otherwise they go with the other test
# screenshots, so a test run leaves the working tree clean.
ROOT = Path(__file__).resolve().parents[2]
DOCS = (
    ROOT / "docs" / "screenshots" if os.environ.get("HALL_UPDATE_DOCS") else SCREENSHOTS / "setup"
)


@pytest.fixture
def empty_live_server(db_path, tmp_path):
    # ALWAYS_OPEN as run.py --always-open: the test runs at any hour.
    app = hall_app(str(db_path), tmp_path, ALWAYS_OPEN=True)
    server = LiveServer(app)
    app.config["LAN_BASE_URL"] = server.url  # what run.py computes at start
    server.start()
    yield server
    server.stop()
    if not db.is_closed():
        db.close()


def test_first_start_creates_the_hall_and_serves_a_ticket(empty_live_server, page_factory):
    DOCS.mkdir(parents=True, exist_ok=True)
    base = empty_live_server.url
    admin = page_factory(width=1280, height=1000)
    admin.goto(base + "/admin/")
    assert admin.url.endswith("/admin/setup")
    assert admin.locator("h1").inner_text() == "首次设置"
    assert admin.locator("#public_base_url").input_value() == base
    admin.fill("#public_base_url", "http://192.168.1.10:8000")  # as on a hall LAN
    admin.fill("#hall_name", "石牌镇便民服务中心")
    admin.fill("#admin_name", "张主任")
    admin.fill("#password", "hall-pass-123")
    admin.fill("#password_again", "hall-pass-123")
    admin.fill("#services", "社会救助")
    admin.fill("#windows", "1")
    admin.screenshot(path=str(DOCS / "first-run.png"), full_page=True)

    # A mistake is named in Chinese next to its field, and nothing is created.
    admin.fill("#break_ends_at", "11:00")
    admin.click("button[type=submit]")
    assert "午休应在开门和关门之间" in admin.locator("[role=alert]").inner_text()
    admin.fill("#password", "hall-pass-123")
    admin.fill("#password_again", "hall-pass-123")
    admin.fill("#break_ends_at", "14:00")
    admin.click("button[type=submit]")
    admin.wait_for_url("**/admin/services**")
    assert "首次设置已完成" in admin.locator(".flash-ok").inner_text()

    # 管理 → 业务: add a service; 管理 → 窗口: add a window serving it.
    admin.fill("#service-new #name", "户籍管理")
    admin.click("#service-new button[type=submit]")
    admin.wait_for_url("**/admin/services/*")
    admin.goto(base + "/admin/services")
    rows = admin.locator("#services tbody tr")
    assert rows.count() == 2 and "户籍管理" in rows.nth(1).inner_text()
    admin.screenshot(path=str(DOCS / "admin-services.png"), full_page=True)
    admin.goto(base + "/admin/windows")
    admin.fill('#window-new input[name="number"]', "2")
    admin.fill('#window-new input[name="name"]', "户籍窗口")
    admin.fill('#window-new input[name="services"]', "B")
    admin.click("#window-new button[type=submit]")
    admin.wait_for_url("**/admin/windows?saved=1")
    assert admin.locator("#windows tbody tr").count() == 2
    admin.screenshot(path=str(DOCS / "admin-windows.png"), full_page=True)

    # A resident takes a ticket for the new service at the kiosk.
    kiosk = page_factory(width=1080, height=1920, touch=True)
    kiosk.goto(base + "/take")
    kiosk.locator(".service-tile", has_text="户籍管理").first.tap()
    kiosk.locator("button.confirm-take").tap()
    kiosk.wait_for_selector("#ticket-number")
    assert kiosk.locator("#ticket-number").inner_text() == "B001"
    kiosk.locator("#ticket-done").tap()  # 完成: the next resident's touch takes a new ticket
    kiosk.wait_for_selector(".tile-take")

    # The admin calls it at window 2.
    admin.goto(base + "/staff")
    admin.click('button.window-choice[data-window="2"]')
    admin.wait_for_selector(".console")
    admin.click('button[data-action="call"]')
    admin.wait_for_function(
        "() => document.querySelector('#serving-number')?.textContent.trim() === 'B001'"
    )
    board = page_factory(width=1920, height=1080)
    board.goto(base + "/display")
    board.wait_for_function(
        "() => document.querySelector('.latest-number')?.textContent === 'B001'", timeout=5000
    )

    # Retiring a service that still has someone waiting asks what to do with them.
    kiosk.goto(base + "/take")
    kiosk.locator(".service-tile", has_text="社会救助").first.tap()
    kiosk.locator("button.confirm-take").tap()
    kiosk.wait_for_selector("#ticket-number")
    admin.goto(base + "/admin/services")
    admin.locator("#services tbody tr").first.get_by_text("停用").click()
    admin.wait_for_selector("#retire-form")
    assert "还有 1 人在等候" in admin.locator("#retire-form legend").inner_text()
    admin.screenshot(path=str(DOCS / "admin-retire-service.png"), full_page=True)
    admin.click("#retire-form button[type=submit]")
    assert "请选择转到其他业务或让他们办完" in admin.locator("[role=alert]").inner_text()
    admin.check('input[name="waiting"][value="transfer"]')
    admin.select_option("#transfer_to", label="B 户籍管理")
    admin.click("#retire-form button[type=submit]")
    admin.wait_for_url("**/admin/services?saved=1")
    assert "社会救助" in admin.locator("#services-retired").inner_text()
