"""The resident kiosk in real headless Chromium: touch only, both kiosk resolutions."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from kiosk.db import db
from kiosk.models import PrintJob, Ticket

ROOT = Path(__file__).resolve().parents[2]
RESOLUTIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def decode_qr_codes(page) -> list[str]:
    image = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


def axe_violations(page, base_url: str) -> list[dict]:
    # Loaded from the hall server itself: the pages' CSP allows no inline script.
    page.add_script_tag(url=base_url + "/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("layout", list(RESOLUTIONS))
def test_resident_takes_a_ticket_by_touch(live_server, page_factory, screenshot_dir, layout):
    width, height = RESOLUTIONS[layout]
    page = page_factory(width=width, height=height, touch=True)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(live_server.url) or r.url.startswith("data:")
            else outside.append(r.url)
        ),
    )
    shots = screenshot_dir / "kiosk"
    shots.mkdir(exist_ok=True)

    page.goto(live_server.url + "/")
    assert page.locator(".kiosk-title h1").inner_text() == "郢中街道社区党群服务中心"
    # The home screen fits: nothing a resident needs is below the fold.
    assert page.evaluate("() => document.documentElement.scrollHeight") <= height
    page.screenshot(path=str(shots / f"home-{layout}.png"))
    page.locator(".tile-take").tap()
    page.wait_for_selector(".service-grid")
    page.screenshot(path=str(shots / f"take-{layout}.png"))
    page.locator('.service-tile[data-service="household_registration"]').tap()
    page.wait_for_selector(".confirm-take")
    page.screenshot(path=str(shots / f"confirm-{layout}.png"))
    page.locator(".confirm-take").tap()
    page.wait_for_selector("#ticket-number")
    number = page.locator("#ticket-number").inner_text()
    assert number == "E001"
    page.screenshot(path=str(shots / f"ticket-{layout}.png"))

    db.connect(reuse_if_open=True)
    ticket = Ticket.get(Ticket.display_number == "E001")
    assert PrintJob.select().where(PrintJob.source_id == ticket.id).count() == 1
    codes = decode_qr_codes(page)
    assert codes == [f"{live_server.url}/t/{ticket.public_code}"]
    assert outside == []


def test_priority_ticket_and_status_page_on_a_phone(live_server, page_factory, screenshot_dir):
    from kiosk import clock
    from kiosk.models import Staff, Window

    db.connect(reuse_if_open=True)  # window 1 (A, D) is staffed: the figures count it
    Window.update(on_duty=Staff.get(Staff.username == "wang"), on_duty_since=clock.utcnow()).where(
        Window.number == 1
    ).execute()
    kiosk = page_factory(width=1920, height=1080, touch=True)
    kiosk.goto(live_server.url + "/take")
    kiosk.locator('.service-tile[data-service="social_assistance"]').tap()
    kiosk.locator('button[data-priority="elderly"]').tap()
    kiosk.wait_for_selector("#ticket-number")
    status_url = decode_qr_codes(kiosk)[0]

    phone = page_factory(width=390, height=844, touch=True, mobile=True)
    phone.goto(status_url)
    assert phone.locator("#phone-number").inner_text() == "A001"
    assert "前面还有 0 人" in phone.locator(".phone-ahead").inner_text()
    phone.wait_for_function("() => (window.__phoneAlerts || []).length === 1")
    phone.screenshot(path=str(screenshot_dir / "kiosk" / "phone-status.png"))


def test_idle_timeout_returns_home_with_a_countdown(app, live_server, page_factory):
    app.config.update(KIOSK_IDLE_SECONDS=1, KIOSK_IDLE_COUNTDOWN=2)
    page = page_factory(width=1920, height=1080, touch=True)
    page.goto(live_server.url + "/guide")
    page.wait_for_selector("#idle-overlay:not([hidden])", timeout=5000)
    assert re.fullmatch(r"[12]", page.locator("#idle-count").inner_text())
    # Home, and in the hall's language for the next resident.
    page.wait_for_url(live_server.url + "/?lang=zh_CN", timeout=6000)
    assert page.locator(".tile-take").is_visible()


def test_english_switch(live_server, page_factory):
    page = page_factory(width=1920, height=1080, touch=True)
    page.goto(live_server.url + "/")
    page.locator(".kiosk-lang").tap()
    page.wait_for_selector("html[lang=en]")
    assert page.locator(".tile-take .tile-name").inner_text() == "Take a number"
    page.locator(".tile-take").tap()
    page.wait_for_selector(".service-grid")
    assert "Household registration" in page.locator(".service-grid").inner_text()


def test_service_cards_decode_to_contacts(live_server, page_factory, screenshot_dir):
    page = page_factory(width=1080, height=1920, touch=True)
    page.goto(live_server.url + "/cards")
    page.screenshot(path=str(screenshot_dir / "kiosk" / "cards-portrait.png"), full_page=True)
    codes = decode_qr_codes(page)
    assert (
        "MECARD:N:王秀英;TEL:13872001101;ORG:郢中街道社区党群服务中心;"
        "NOTE:社会救助专干 1号、4号窗口;;" in codes
    )
    assert any(code.startswith("MECARD:N:监督电话;TEL:0724-4229999;") for code in codes)
    assert len(codes) == 7  # six window staff + the supervision card


@pytest.mark.parametrize(
    "path",
    ["/", "/take", "/take/1", "/guide", "/guide/1", "/cards", "/notices", "/finance", "/rate"],
)
def test_kiosk_pages_have_no_serious_accessibility_violations(live_server, page_factory, path):
    page = page_factory(width=1920, height=1080, touch=True)
    page.goto(live_server.url + path)
    violations = axe_violations(page, live_server.url)
    assert violations == [], [(v["id"], v["help"], v["nodes"][0]["target"]) for v in violations]


def test_home_page_weight_and_no_external_requests(live_server, page_factory):
    page = page_factory(width=1920, height=1080, touch=True)
    sizes: dict[str, int] = {}

    def record(response):
        body = response.body() if response.status == 200 else b""
        sizes[response.url] = len(body)

    page.on("response", record)
    page.goto(live_server.url + "/", wait_until="networkidle")
    assert all(url.startswith(live_server.url) for url in sizes)
    assert sum(sizes.values()) < 150 * 1024, sizes


@pytest.mark.parametrize("layout", list(RESOLUTIONS))
def test_every_kiosk_screen_is_captured(live_server, page_factory, screenshot_dir, layout):
    """Screenshots of every kiosk screen at both resolutions, for people to look at; each screen
    must fit its width (no sideways scrolling on a touch screen)."""
    width, height = RESOLUTIONS[layout]
    page = page_factory(width=width, height=height, touch=True)
    shots = screenshot_dir / "kiosk"
    shots.mkdir(exist_ok=True)
    for name, path in [
        ("guide-list", "/guide"),
        ("guide", "/guide/1"),
        ("cards", "/cards"),
        ("notices", "/notices"),
        ("take-priority", "/take/5"),
        ("rate", "/rate"),
    ]:
        page.goto(live_server.url + path)
        page.screenshot(path=str(shots / f"{name}-{layout}.png"), full_page=True)
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {layout}"
        assert page.locator(".kiosk-home-button").is_visible()
