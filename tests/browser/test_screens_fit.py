"""Every public screen at the sizes halls use, photographed and checked: nothing overflows the
viewport, nothing is cut off by its box, no sideways scrolling anywhere.

- The hall board and the window screens (with a staff photo) show everything at every size,
  with no scrolling at all: they hang on a wall and nobody can scroll them.
- The kiosk's own screens (home, choose, confirm, ticket, re-queue, case lookup and progress,
  complaint form and receipt) fit without scrolling at the kiosk sizes (1080x1920, 1920x1080);
  every kiosk screen and the phone page have no sideways scrolling at every size (long guides
  scroll down, as a page does).
Screenshots: tests/output/screenshots/fit/<screen>-<w>x<h>.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PIL import Image
from playwright.sync_api import expect

from kiosk import cases, clock, complaints, queue
from kiosk.db import db
from kiosk.models import Case, Hall, Service, Staff, Ticket, Window

SIZES = [(800, 480), (1024, 600), (1280, 720), (1366, 768), (1920, 1080), (1080, 1920)]
KIOSK_SIZES = [(1920, 1080), (1080, 1920)]

# Elements that must be wholly on screen (inside the viewport and inside every clipping box).
FULLY_SHOWN = """(selectors) => {
  const vw = window.innerWidth, vh = window.innerHeight, cut = [];
  const clipped = (el, r) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflow === 'visible' && style.overflowY === 'visible') continue;
      if (box.classList.contains('notice-line')) return false;  // the marquee scrolls on purpose
      const b = box.getBoundingClientRect();
      if (r.bottom > b.bottom + 1 || r.right > b.right + 1) return true;
      if (r.top < b.top - 1 || r.left < b.left - 1) return true;
    }
    return false;
  };
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;  // not rendered (hidden)
      if (r.bottom > vh + 1 || r.right > vw + 1 || r.left < -1 || r.top < -1 || clipped(el, r))
        cut.push(selector + ' "' + (el.innerText || '').slice(0, 30) + '" ' +
                 [r.left, r.top, r.right, r.bottom].map(Math.round).join(','));
    }
  }
  return cut;
}"""
SCROLLS = "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"


def busy_hall(app) -> None:
    """Six windows staffed (one with a photo), calls on the board, people waiting."""
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    photos = app.config["UPLOAD_FOLDER"] + "/staff"
    import os

    os.makedirs(photos, exist_ok=True)
    Image.new("RGB", (320, 400), (90, 120, 160)).save(photos + "/wang.jpg", "JPEG")
    Staff.update(photo="wang.jpg").where(Staff.username == "wang").execute()
    staff = {1: "wang", 2: "li", 3: "zhang", 4: "chen", 5: "zhao", 6: "sun"}
    for number, username in staff.items():
        Window.update(
            on_duty=Staff.get(Staff.username == username), on_duty_since=clock.utcnow()
        ).where(Window.number == number).execute()
    for service in Service.select():
        for _ in range(4):
            queue.issue_ticket(hall, service)
    for window in Window.select().order_by(Window.number):
        called = queue.call_next(window)
        if window.number % 2 == 0 and called is not None:
            queue.complete(called, window)
            queue.call_next(window)
    queue.pause_window(Window.get(Window.number == 6))


def check(page, shots, name, selectors, *, no_scroll: bool, width: int, height: int) -> None:
    page.screenshot(path=str(shots / f"{name}-{width}x{height}.png"))
    scroll_width, scroll_height = page.evaluate(SCROLLS)
    assert scroll_width <= width, f"{name} scrolls sideways at {width}x{height}"
    if no_scroll:
        assert scroll_height <= height, f"{name} scrolls at {width}x{height}: {scroll_height}"
        cut = page.evaluate(FULLY_SHOWN, selectors)
        assert cut == [], f"{name} at {width}x{height} cuts off: {cut}"


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_board_and_window_screens_fit(app, live_server, page_factory, screenshot_dir, size):
    width, height = size
    busy_hall(app)
    shots = screenshot_dir / "fit"
    shots.mkdir(exist_ok=True)
    page = page_factory(width=width, height=height)
    page.goto(live_server.url + "/display")
    page.wait_for_selector(".latest-number")
    page.wait_for_timeout(1500)  # the board's first polls
    check(
        page,
        shots,
        "board",
        [
            ".latest-call",
            ".call-row",
            ".window-row",
            ".waiting-list li",
            ".board-header h1",
            ".board-clock",
            ".board-status span",
        ],
        no_scroll=True,
        width=width,
        height=height,
    )
    for number in (1, 6):  # with a photo; paused
        page.goto(live_server.url + f"/display/window/{number}")
        page.wait_for_selector("#ws-number")
        check(
            page,
            shots,
            f"window{number}",
            [".ws-window", ".ws-label", "#ws-number", ".ws-staff", ".ws-photo", ".ws-name"],
            no_scroll=True,
            width=width,
            height=height,
        )


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_kiosk_and_phone_screens_fit(app, live_server, page_factory, screenshot_dir, size):
    width, height = size
    busy_hall(app)
    db.connect(reuse_if_open=True)
    ticket = Ticket.select().where(Ticket.status == "waiting").order_by(Ticket.id.desc()).first()
    shots = screenshot_dir / "fit"
    shots.mkdir(exist_ok=True)
    page = page_factory(width=width, height=height, touch=True)
    kiosk_size = size in KIOSK_SIZES
    for name, path in [
        ("kiosk-home", "/"),
        ("kiosk-take", "/take"),
        ("kiosk-confirm", "/take/1"),
        ("kiosk-ticket", f"/tickets/{ticket.public_code}"),
        ("kiosk-requeue", "/requeue"),
        ("kiosk-guide", "/guide/1"),
        ("kiosk-cards", "/cards"),
        ("kiosk-notices", "/notices"),
        ("kiosk-rate", "/rate"),
    ]:
        page.goto(live_server.url + path)
        main_screen = name in (
            "kiosk-home",
            "kiosk-take",
            "kiosk-confirm",
            "kiosk-ticket",
            "kiosk-requeue",
        )
        check(
            page,
            shots,
            name,
            [
                ".kiosk-home-button",
                ".kiosk-lang",
                ".home-tile",
                ".service-tile",
                ".confirm-take",
                ".priority",
                "#ticket-number",
                "#ticket-done",
                ".ticket-qr svg",
                ".key",
                ".requeue-submit",
            ],
            no_scroll=kiosk_size and main_screen,
            width=width,
            height=height,
        )
    phone = page_factory(width=width, height=height, touch=True, mobile=True)
    phone.goto(live_server.url + f"/t/{ticket.public_code}")
    check(phone, shots, "phone", [], no_scroll=False, width=width, height=height)


def case_and_complaint() -> tuple[Case, Case]:
    """A case completed and awaiting the resident's confirmation, and a kiosk complaint."""
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    wang = Staff.get(Staff.username == "wang")
    registered = clock.from_local(dt.datetime(2026, 11, 25, 10, 0), hall.timezone)
    data = cases.validate_registration(
        "张三", "13800001111", "最低生活保障申请", "5", missing=["收入证明"]
    )
    case = cases.register_case(
        None,
        wang,
        data,
        hall=hall,
        service=Service.get(Service.code == "social_assistance"),
        now=registered,
    )
    cases.start(case, wang, "已联系", now=registered + dt.timedelta(hours=1))
    done = registered + dt.timedelta(days=2)
    case = cases.complete(Case.get_by_id(case.id), wang, "已批准，按月发放", "phone", now=done)
    complaint = complaints.file_complaint(
        hall, category="complaint", about="window:1", text="等候时间太长；中午没人"
    )
    return case, complaint


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_case_and_complaint_kiosk_screens_fit(live_server, page_factory, screenshot_dir, size):
    """办件查询 (keypad, then the case's progress) and 意见箱 (the form, then the receipt screen):
    at the kiosk sizes they fit without scrolling, and nothing scrolls sideways anywhere."""
    width, height = size
    case, complaint = case_and_complaint()
    shots = screenshot_dir / "fit"
    shots.mkdir(exist_ok=True)
    page = page_factory(width=width, height=height, touch=True)
    fit = size in KIOSK_SIZES
    shown = [".kiosk-home-button", ".kiosk-back", ".kiosk-lang"]

    def fits(name: str, selectors: list[str]) -> None:
        check(page, shots, name, shown + selectors, no_scroll=fit, width=width, height=height)

    page.goto(live_server.url + "/cases")
    fits("kiosk-case-lookup", [".key", "#lookup-code", "#lookup-submit"])
    page.fill("#lookup-code", case.lookup_code)
    page.click("#lookup-submit")
    expect(page.locator("#case-confirm")).to_be_visible(timeout=10_000)
    fits("kiosk-case-status", ["#case-state", "#case-confirm"])
    # Confirmed: the same screen then asks for the rating (one step at a time), and still fits.
    page.click("#case-confirm")
    expect(page.locator("#case-confirmed")).to_be_visible(timeout=10_000)
    expect(page.locator("#case-rate")).to_be_visible()
    fits("kiosk-case-rate", ["#case-state", "#case-rate textarea", "#case-rate .grade-level-1"])

    page.goto(live_server.url + "/complaint")
    fits(
        "kiosk-complaint",
        [
            ".chip",
            "#complaint-about",
            "#complaint-text",
            "#complaint-name",
            "#complaint-phone",
            "#complaint-submit",
        ],
    )
    page.goto(live_server.url + f"/complaint/done/{complaint.tracking_code}?printed=1")
    fits("kiosk-complaint-done", ["#complaint-code", ".complaint-qr svg"])


def test_phone_page_at_phone_size(live_server, page_factory, screenshot_dir):
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    ticket = queue.issue_ticket(hall, Service.get(Service.prefix == "A"))
    phone = page_factory(width=390, height=844, touch=True, mobile=True)
    phone.goto(live_server.url + f"/t/{ticket.public_code}")
    phone.screenshot(path=str(screenshot_dir / "fit" / "phone-390x844.png"))
    for link in phone.locator(".phone-lang a").all():
        box = link.bounding_box()
        assert box["width"] >= 48 and box["height"] >= 48, box  # a finger, not a stylus
    assert phone.evaluate(SCROLLS)[0] <= 390
