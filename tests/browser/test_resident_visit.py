"""A resident's whole visit in headless Chromium, looked at again after the pages' own timers
ran (print-state poll, clock, console and board polls): the ticket stays on screen, every
button still works, the printed slip (emupos) carries the same number, a hurried double touch
takes one ticket, a missed resident gets back in the queue, and the next local day starts empty.

The hall is the demo's, where windows share services; only the windows named in each test are
staffed.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from emupos_fixture import emupos, emupos_server  # noqa: F401 - fixtures
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from test_console_board import sign_in

from kiosk import clock, maintenance, queue
from kiosk.db import db
from kiosk.models import Hall, Printer, Service, Staff, Ticket, Window
from kiosk.spool import Spool
from kiosk.tickets import check_code

RESOLUTIONS = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
TIMERS = 6_000  # ms: longer than every timer of the pages (1 s print poll, 2 s console poll)


def staff_window(number: int, username: str) -> None:
    db.connect(reuse_if_open=True)
    Window.update(
        on_duty=Staff.get(Staff.username == username), on_duty_since=clock.utcnow()
    ).where(Window.number == number).execute()


@pytest.fixture
def kiosk_printer(emupos):  # noqa: F811 - the fixture above
    """The kiosk printer is emupos in text mode (its dump shows the number and the QR), with the
    print spool running in the test's server."""
    db.connect(reuse_if_open=True)
    Printer.update(connection=json.dumps(emupos.connection()), mode="text").where(
        Printer.role == "kiosk"
    ).execute()
    spool = Spool(Hall.get().id, rescan_seconds=0.2, max_backoff=1.0).start()
    yield emupos
    spool.stop()


@pytest.mark.parametrize("layout", list(RESOLUTIONS))
def test_the_ticket_stays_and_the_slip_matches(
    live_server, page_factory, screenshot_dir, kiosk_printer, layout
):
    width, height = RESOLUTIONS[layout]
    staff_window(5, "zhao")  # E (户籍) is served at window 5 only today
    known = kiosk_printer.receipt_ids()
    page = page_factory(width=width, height=height, touch=True)
    page.goto(live_server.url + "/")
    page.locator(".tile-take").tap()
    page.locator('.service-tile[data-service="household_registration"]').tap()
    page.locator(".confirm-take").tap()
    number = page.locator("#ticket-number")
    expect(number).to_have_text("E001")

    # After the page's own timers: still the ticket, the print state in its own box.
    page.wait_for_timeout(TIMERS)
    expect(number).to_have_text("E001")
    expect(page.locator("#ticket-ahead")).to_have_text("0 人")
    expect(page.locator("#ticket-wait")).to_contain_text("分钟")
    expect(page.locator("#print-done")).to_be_visible()
    expect(page.locator(".ticket-qr svg")).to_be_visible()
    done = page.locator("#ticket-done")
    expect(done).to_be_visible()
    box = done.bounding_box()
    assert box["y"] + box["height"] <= height, f"完成 below the fold at {layout}: {box}"
    page.screenshot(path=str(screenshot_dir / "kiosk" / f"ticket-after-timers-{layout}.png"))

    [receipt] = kiosk_printer.wait_for_new(known, timeout=20)
    slip = kiosk_printer.text(receipt["id"])
    db.connect(reuse_if_open=True)
    ticket = Ticket.get(Ticket.display_number == "E001")
    assert "E001" in slip and ticket.public_code in slip and check_code(ticket) in slip

    # Every button still works: 首页 in landscape, 完成 in portrait.
    if layout == "landscape":
        page.locator(".kiosk-home-button").tap()
    else:
        done.tap()
    expect(page.locator(".tile-take")).to_be_visible()
    page.locator(".tile-take").tap()
    expect(page.locator(".service-grid")).to_be_visible()


def test_printer_out_of_paper_is_said_before_the_tap_and_the_number_stays(
    live_server, page_factory, screenshot_dir, kiosk_printer
):
    kiosk_printer.set_fault("paper-out")
    staff_window(1, "wang")
    db.connect(reuse_if_open=True)
    Printer.update(state="paper_out").where(Printer.role == "kiosk").execute()
    page = page_factory(width=1920, height=1080, touch=True)
    page.goto(live_server.url + "/take/1")
    expect(page.locator("#printer-problem")).to_contain_text("打印机缺纸")
    page.screenshot(path=str(screenshot_dir / "kiosk" / "confirm-paper-out.png"))
    page.locator(".confirm-take").tap()
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.wait_for_timeout(TIMERS)
    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#print-problem")).to_contain_text("缺纸")
    page.screenshot(path=str(screenshot_dir / "kiosk" / "ticket-paper-out.png"))
    page.locator(".kiosk-home-button").tap()
    expect(page.locator(".tile-take")).to_be_visible()


def test_a_hurried_double_touch_takes_one_ticket(live_server, page_factory):
    page = page_factory(width=1080, height=1920, touch=True)
    page.goto(live_server.url + "/take/3")
    expect(page.locator(".confirm-take")).to_be_visible()
    # 确认取号, then a priority button 60 ms later.
    page.evaluate(
        """() => {
          document.querySelector('.confirm-take').click();
          setTimeout(() => document.querySelector('[data-priority="elderly"]').click(), 60);
        }"""
    )
    expect(page.locator("#ticket-number")).to_have_text("C001")
    page.wait_for_timeout(2_000)
    db.connect(reuse_if_open=True)
    assert Ticket.select().count() == 1
    expect(page.locator("#ticket-number")).to_have_text("C001")


def test_missed_resident_gets_back_in_the_queue(live_server, page_factory, screenshot_dir):
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    service = Service.get(Service.prefix == "A")
    first, second = (queue.issue_ticket(hall, service) for _ in range(2))
    console = page_factory(width=1366, height=768)
    sign_in(console, live_server.url, "wang", 1)
    console.locator('button[data-action="call"]').click()
    expect(console.locator("#serving-number")).to_have_text("A001")
    console.locator('button[data-action="skip"]').click()
    missed = console.locator('#missed li[data-number="A001"]')
    expect(missed).to_be_visible()

    # The resident comes back without a phone and re-queues at the kiosk with the slip.
    kiosk = page_factory(width=1080, height=1920, touch=True)
    kiosk.goto(live_server.url + "/")
    kiosk.locator(".tile-requeue").tap()
    for key in ["A", "0", "0", "1", *check_code(first)]:
        kiosk.locator(f'.keypad [data-key="{key}"]').first.tap()
    expect(kiosk.locator("#requeue-number")).to_have_value("A001")
    expect(kiosk.locator("#requeue-check")).to_have_value(check_code(first))
    kiosk.screenshot(path=str(screenshot_dir / "kiosk" / "requeue-portrait.png"))
    kiosk.locator(".requeue-submit").tap()
    expect(kiosk.locator("#ticket-message")).to_contain_text("已重新排队")
    expect(kiosk.locator("#ticket-number")).to_have_text("A001")
    kiosk.wait_for_timeout(TIMERS)
    expect(kiosk.locator("#ticket-number")).to_have_text("A001")

    # At the console the missed list empties by itself (poll); A002 then A001 are called.
    expect(missed).to_have_count(0, timeout=10_000)
    console.locator('button[data-action="call"]').click()
    expect(console.locator("#serving-number")).to_have_text("A002")
    expect(console.locator("#console-message")).to_contain_text("已叫号 A002")
    console.wait_for_timeout(TIMERS)  # the confirmation outlives the panel's refreshes
    expect(console.locator("#console-message")).to_contain_text("已叫号 A002")
    console.locator('button[data-action="complete"]').click()
    console.locator('button[data-action="call"]').click()
    expect(console.locator("#serving-number")).to_have_text("A001")
    assert Ticket.get_by_id(second.id).status == "completed"

    # Missed again; this time the clerk puts A001 back from the missed list.
    console.locator('button[data-action="skip"]').click()
    console.locator('#missed button[data-action="reactivate"]').click()
    expect(console.locator("#console-message")).to_contain_text("A001 已重新排队")
    console.screenshot(path=str(screenshot_dir / "console-missed.png"))
    console.locator('#upcoming button[data-number="A001"]').click()  # 叫此号
    expect(console.locator("#serving-number")).to_have_text("A001")


def test_the_next_local_day_starts_empty(live_server, page_factory, monkeypatch, screenshot_dir):
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    queue.issue_ticket(hall, Service.get(Service.prefix == "A"))
    queue.issue_ticket(hall, Service.get(Service.prefix == "A"))
    console = page_factory(width=1366, height=768)
    sign_in(console, live_server.url, "wang", 1)
    console.locator('button[data-action="call"]').click()
    expect(console.locator("#serving-number")).to_have_text("A001")
    board = page_factory(width=1366, height=768)
    board.goto(live_server.url + "/display")
    expect(board.locator(".latest-number")).to_have_text("A001")
    screen = page_factory(width=800, height=480)
    screen.goto(live_server.url + "/display/window/1")
    expect(screen.locator("#ws-number")).to_have_text("A001")

    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + dt.timedelta(days=1))
    # Without any housekeeping yet, every screen follows the day by itself.
    expect(board.locator(".board-empty")).to_be_visible(timeout=10_000)
    expect(screen.locator("#ws-number")).to_have_text("—", timeout=10_000)
    expect(console.locator(".serving-none")).to_be_visible(timeout=10_000)
    assert maintenance.run_once() == 2  # the called A001 and the waiting A002 are closed
    board.wait_for_timeout(TIMERS)
    expect(board.locator(".board-empty")).to_be_visible()
    expect(board.locator(".call-row")).to_have_count(0)
    board.screenshot(path=str(screenshot_dir / "display" / "board-next-morning.png"))
    # The new day numbers from 001 and calls it.
    queue.issue_ticket(hall, Service.get(Service.prefix == "A"))
    console.locator('button[data-action="call"]').click()
    expect(console.locator("#serving-number")).to_have_text("A001")
    expect(board.locator(".latest-number")).to_have_text("A001", timeout=10_000)
    assert Ticket.select().where(Ticket.status == "closed").count() == 2


def test_idle_return_gives_the_next_resident_the_hall_language(app, live_server, page_factory):
    app.config.update(KIOSK_IDLE_SECONDS=1, KIOSK_IDLE_COUNTDOWN=1)
    page = page_factory(width=1920, height=1080, touch=True)
    page.goto(live_server.url + "/take?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".service-grid")).to_contain_text("Household registration")
    # Nobody touches it: back home, in Chinese, and it stays so.
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN", timeout=10_000)
    expect(page.locator(".tile-take .tile-name")).to_have_text("取号")
    page.wait_for_timeout(3_000)
    expect(page.locator(".tile-take .tile-name")).to_have_text("取号")
    assert page.url.startswith(live_server.url + "/")
    # English chosen at home is also undone when the resident walks away.
    page.locator(".kiosk-lang").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN", timeout=10_000)


def test_a_network_cut_is_said_and_recovers_by_itself(live_server, page_factory):
    db.connect(reuse_if_open=True)
    ticket = queue.issue_ticket(Hall.get(), Service.get(Service.prefix == "A"))
    kiosk = page_factory(width=1920, height=1080, touch=True)
    phone = page_factory(width=390, height=844, touch=True, mobile=True)
    kiosk.goto(live_server.url + "/take")
    phone.goto(live_server.url + f"/t/{ticket.public_code}")
    banner, phone_banner = kiosk.locator("#net-banner"), phone.locator("#net-banner")
    expect(banner).to_be_hidden()

    def cut(route):
        route.abort("connectionrefused")

    kiosk.route(live_server.url + "/**", cut)
    phone.route(live_server.url + "/**", cut)
    kiosk.locator('.service-tile[data-service="social_assistance"]').tap()
    expect(banner).to_be_visible(timeout=3_000)
    expect(banner).to_have_text("网络连接中断，正在重试…")
    expect(phone_banner).to_be_visible(timeout=3_500)  # its next poll, at most 3 s away
    kiosk.unroute(live_server.url + "/**")
    phone.unroute(live_server.url + "/**")
    expect(banner).to_be_hidden(timeout=6_000)
    expect(phone_banner).to_be_hidden(timeout=6_000)
    kiosk.locator('.service-tile[data-service="social_assistance"]').tap()
    expect(kiosk.locator(".confirm-take")).to_be_visible()


def test_a_hung_server_is_said_within_seconds_and_the_request_still_completes(
    live_server, page_factory
):
    """No refusal, no answer at all (a hung server or network): the banner comes within 3 s of
    the tap, not at the 8 s request timeout; the request is not cancelled, so when the server
    answers again the resident's screen arrives and the banner goes by itself."""
    kiosk = page_factory(width=1920, height=1080, touch=True)
    kiosk.goto(live_server.url + "/take")
    banner = kiosk.locator("#net-banner")
    expect(banner).to_be_hidden()
    held, hung = [], [True]  # requests the "server" has not answered yet, and whether it hangs

    def server(route):
        if hung[0]:
            held.append(route)  # never fulfilled while hung
        else:
            route.continue_()

    kiosk.route(live_server.url + "/**", server)
    kiosk.locator('.service-tile[data-service="social_assistance"]').tap()
    expect(banner).to_be_visible(timeout=3_500)
    expect(banner).to_have_text("网络连接中断，正在重试…")
    assert kiosk.locator(".confirm-take").count() == 0  # nothing answered yet
    kiosk.wait_for_timeout(2_500)  # a ping goes out meanwhile and hangs too
    expect(banner).to_be_visible()  # still hung: the banner stays
    # The server answers again: the held requests (the tap and the pings) go through.
    hung[0] = False
    for route in held:
        try:
            route.continue_()
        except PlaywrightError:
            pass  # a ping the page gave up on (it waits 2 s for one)
    expect(kiosk.locator(".confirm-take")).to_be_visible(timeout=5_000)
    expect(banner).to_be_hidden(timeout=5_000)
    expect(kiosk.locator("#net-error")).to_be_hidden()
