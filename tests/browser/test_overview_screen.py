"""The central overview with three halls, in Chromium at the office's screen sizes: it refreshes
itself and still shows every hall after its timer ran."""

from __future__ import annotations

import pytest
from halls_support import three_halls
from playwright.sync_api import expect

# The halls' history is "minutes ago": keep it on today whatever hour the suite runs.
pytestmark = pytest.mark.usefixtures("morning_clock")


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920x1080", "1366x768"])
def test_overview_of_three_halls(live_server, page_factory, screenshot_dir, size):
    three_halls()
    page = page_factory(width=size[0], height=size[1])
    page.goto(live_server.url + "/login")
    page.fill("#username", "county")
    page.fill("#password", "county-pass-2026")
    page.click("button[type=submit]")
    rows = page.locator("#overview-halls tbody tr")
    expect(rows).to_have_count(3)
    page.screenshot(path=str(screenshot_dir / f"overview-{size[0]}x{size[1]}.png"), full_page=True)
    with page.expect_response(lambda r: "/overview" in r.url, timeout=15_000):
        pass  # its own 10-second refresh
    expect(rows).to_have_count(3)
    expect(page.locator('tr[data-hall="dz"] .served')).to_have_text("2")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size[0]
