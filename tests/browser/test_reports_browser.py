"""Ratings, reports and the dashboard in headless Chromium, looked at again after the pages' own
timers ran: the window screen's rating pad (800×480 and 1280×720) survives its 1-second poll
and takes one touch; the monthly report prints on A4 (Playwright's page.pdf, checked with
poppler's pdftotext and turned into PNGs with pdftoppm to be looked at); the dashboard
(1920×1080 and 1366×768) refreshes itself and shows the wait alert. Screenshots and the PDF go
to tests/output/."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from browser_support import sign_in_page
from playwright.sync_api import expect
from report_data import build_day

from kiosk import clock, queue
from kiosk.db import db
from kiosk.models import Hall, Rating, Service, Staff, Ticket, Window

TIMERS = 6_000  # ms: longer than the window screen's 1 s and the dashboard's 5 s polls


def complete_one(window_number: int = 1) -> Ticket:
    db.connect(reuse_if_open=True)
    window = Window.get(Window.number == window_number)
    wang = Staff.get(Staff.username == "wang")
    Window.update(on_duty=wang, on_duty_since=clock.utcnow()).where(
        Window.id == window.id
    ).execute()
    ticket = queue.issue_ticket(Hall.get(), Service.get(Service.code == "social_assistance"))
    ticket = queue.call_ticket(window, ticket, wang)
    return queue.complete(ticket, window, wang)


@pytest.mark.parametrize("size", [(800, 480), (1280, 720)])
def test_rating_pad_on_the_window_screen(live_server, page_factory, screenshot_dir, size):
    width, height = size
    page = page_factory(width=width, height=height, touch=True)
    page.goto(live_server.url + "/display/window/1")
    expect(page.locator("#ws-number")).to_be_visible(timeout=10_000)
    ticket = complete_one()
    pad = page.locator("#rating-pad")
    expect(pad).to_be_visible(timeout=10_000)
    expect(page.locator("#pad-title")).to_contain_text(ticket.display_number)
    page.wait_for_timeout(TIMERS)  # the screen polled several times: the pad is still there
    expect(pad).to_be_visible()
    buttons = page.locator("#rating-pad button[name=grade]")
    expect(buttons).to_have_count(5)
    for index in range(5):  # every touch target inside the screen and large
        box = buttons.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["y"] >= 0 and box["y"] + box["height"] <= height
        assert box["width"] >= 120 and box["height"] >= 150
    shots = screenshot_dir / "display"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"rating-pad-{width}x{height}.png"))
    buttons.nth(1).tap()
    expect(page.locator("#pad-thanks")).to_be_visible(timeout=10_000)
    page.screenshot(path=str(shots / f"rating-thanks-{width}x{height}.png"))
    db.connect(reuse_if_open=True)
    assert [(r.ticket_id, r.grade, r.source) for r in Rating.select()] == [
        (ticket.id, "satisfied", "window_pad")
    ]
    # After the thanks the window screen is itself again.
    page.wait_for_timeout(TIMERS)
    expect(page.locator("#rating-pad")).to_have_count(0)
    expect(page.locator("#ws-number")).to_be_visible()


def test_the_monthly_report_prints_on_a4(live_server, page_factory, screenshot_dir, tmp_path):
    db.connect(reuse_if_open=True)
    build_day(Hall.get())
    page = page_factory(width=1366, height=900)
    sign_in_page(page, live_server.url, "admin")
    page.goto(live_server.url + "/admin/reports/period?kind=month&date=2026-11-24")
    expect(page.locator("#report-period")).to_have_text("2026-11")
    expect(page.locator("svg.chart")).to_have_count(4)
    shots = screenshot_dir / "reports"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "monthly-report.png"), full_page=True)
    pdf = shots / "monthly-report.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    assert "郢中街道社区党群服务中心" in pages[0] and "2026-11" in pages[0]
    assert "分类项目月报表" in pages[0]
    for number, content in enumerate(pages, 1):  # page numbers "N / M" on every page
        assert re.search(rf"\b{number}\s*/\s*{len(pages)}\s*$", content.strip()), content[-80:]
    assert "管理与监督" not in text  # the admin header is not printed
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(shots / "monthly-report-page")], check=True
    )
    for kind, url in (
        ("daily", "/admin/reports/daily?date=2026-11-24"),
        ("major", "/admin/reports/major?kind=month&date=2026-11"),
    ):
        page.goto(live_server.url + url)
        expect(page.locator(".report-head h1")).to_be_visible()
        page.screenshot(path=str(shots / f"{kind}-report.png"), full_page=True)
        page.pdf(path=str(shots / f"{kind}-report.pdf"), format="A4", print_background=True)


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_the_dashboard_refreshes_and_alerts(live_server, page_factory, screenshot_dir, size):
    width, height = size
    db.connect(reuse_if_open=True)
    complete_one()
    hall = Hall.get()
    waiting = queue.issue_ticket(hall, Service.get(Service.code == "labour_security"))
    Ticket.update(issued_at=clock.utcnow() - dt.timedelta(minutes=42)).where(
        Ticket.id == waiting.id
    ).execute()
    queue.issue_ticket(hall, Service.get(Service.code == "family_planning"))
    page = page_factory(width=width, height=height)
    sign_in_page(page, live_server.url, "supervisor")
    page.goto(live_server.url + "/admin/dashboard")
    expect(page.locator("#dash-waiting")).to_have_text("2")
    expect(page.locator(".dash-alert").first).to_contain_text("劳动保障")
    first = page.locator("#dash-updated").inner_text()
    page.wait_for_timeout(TIMERS)
    expect(page.locator("#dash-updated")).not_to_have_text(first, timeout=10_000)
    queue.issue_ticket(hall, Service.get(Service.code == "family_planning"))
    expect(page.locator("#dash-waiting")).to_have_text("3", timeout=10_000)
    expect(page.locator("#dash-served")).to_have_text("1")
    shots = screenshot_dir / "reports"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"dashboard-{width}x{height}.png"))
    # Everything fits the width (no horizontal scrolling on the hall head's screen).
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_rating_at_the_kiosk_with_the_keypad(live_server, page_factory, screenshot_dir, size):
    from kiosk.tickets import check_code

    width, height = size
    ticket = complete_one()
    page = page_factory(width=width, height=height, touch=True)
    page.goto(live_server.url + "/rate")
    for key in ticket.display_number + check_code(ticket):  # the number, then the check code
        page.locator(f'.rate-keypad [data-key="{key}"]').tap()
    expect(page.locator("#rate-number")).to_have_value(ticket.display_number)
    expect(page.locator("#rate-code")).to_have_value(check_code(ticket))
    page.select_option('select[name="attitude"]', "5")
    shots = screenshot_dir / "kiosk"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"rate-ticket-{width}x{height}.png"))
    page.locator('.rate-grades button[value="satisfied"]').tap()
    expect(page.locator("#rate-thanks")).to_be_visible(timeout=10_000)
    db.connect(reuse_if_open=True)
    assert [(r.ticket_id, r.level, r.attitude, r.source) for r in Rating.select()] == [
        (ticket.id, 4, 5, "kiosk")
    ]
