"""Issue 13 in headless Chromium: a clerk registers a case from a ticket, the receipt prints on
emupos (window 1's printer, text mode) with a QR code whose payload opens the case's page, the
resident looks it up on the kiosk keypad, the clerk completes it, the resident confirms, and the
supervision board no longer lists it; a case becomes overdue when the clock moves and shows on
the board and in the monthly list; a complaint filed at the kiosk is answered by the hall head
and read through its code. Every new page is screenshotted (kiosk 1080×1920 and 1920×1080,
phone 390×844, console 1366×768) and looked at again after the pages' own timers ran.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from browser_support import sign_in_page
from emupos_fixture import emupos, emupos_server  # noqa: F401 - fixtures
from playwright.sync_api import expect
from test_console_board import sign_in

from kiosk import calendar, cases, clock, queue
from kiosk.db import db
from kiosk.models import Case, Hall, Printer, RatingFollowUp, Service, Staff
from kiosk.spool import Spool

TIMERS = 6_000  # ms: longer than the console's 2 s poll and the kiosk's clock and idle ticks
KIOSK_SIZES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}


def shot(page, screenshot_dir, folder: str, name: str) -> None:
    (screenshot_dir / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot_dir / folder / f"{name}.png"), full_page=True)


@pytest.fixture
def hall_ready():
    """The demo hall, with next year's calendar known so that deadlines near a year end can be
    counted whatever day the suite runs."""
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    year = clock.local_date(clock.utcnow(), hall.timezone).year
    calendar.import_csv(hall, f"{year + 1}-12-31,休,test\n")
    return hall


@pytest.fixture
def window_printer(emupos, hall_ready):  # noqa: F811 - the fixture above
    """Window 1's receipt printer is emupos in text mode; the spool runs in the test server."""
    db.connect(reuse_if_open=True)
    Printer.create(
        hall=hall_ready,
        name="窗口1回执",
        role="window:1",
        connection=json.dumps(emupos.connection()),
        mode="text",
    )
    Printer.update(enabled=False).where(Printer.role == "kiosk").execute()
    spool = Spool(hall_ready.id, rescan_seconds=0.2, max_backoff=1.0).start()
    yield emupos
    spool.stop()


def kiosk_lookup(page, base: str, code: str) -> None:
    page.goto(base + "/")
    page.locator("#tile-cases").tap()
    expect(page.locator("#lookup-code")).to_be_visible()
    page.locator("#lookup-code").tap()
    for digit in code:
        page.locator(f'.keypad [data-key="{digit}"]').tap()
    expect(page.locator("#lookup-code")).to_have_value(code)
    page.locator("#lookup-submit").tap()


def test_case_from_ticket_to_confirmation(
    live_server, page_factory, screenshot_dir, window_printer, hall_ready
):
    base = live_server.url
    queue.issue_ticket(hall_ready, Service.get(Service.code == "social_assistance"))
    known = window_printer.receipt_ids()

    console = page_factory(width=1366, height=768)
    sign_in(console, base, "wang", 1)
    console.locator('button[data-action="call"]').click()
    expect(console.locator("#serving-number")).to_have_text("A001")
    console.locator("#case-form summary").click()
    console.fill("#case-resident_name", "张三")
    console.fill("#case-resident_phone", "13800001111")
    console.fill("#case-days", "1")
    console.locator('.material-group:not([hidden]) input[name="missing"]').first.check()
    shot(console, screenshot_dir, "console", "case-register-form-1366")
    console.locator("#case-register").click()
    expect(console.locator("#console-flash")).to_contain_text("已登记受理件")
    expect(console.locator("#console-flash")).to_contain_text("回执已在 1 号窗口打印")
    db.connect(reuse_if_open=True)
    case = Case.get()
    expect(console.locator("#my-open-cases")).to_contain_text(case.number)
    console.wait_for_timeout(TIMERS)  # the panel's 2 s refresh ran: the case is still listed
    expect(console.locator("#my-open-cases")).to_contain_text(case.number)
    expect(console.locator("#console-flash")).to_contain_text(case.lookup_code)
    shot(console, screenshot_dir, "console", "console-my-open-cases-1366")

    # The receipt: lookup code, agent and phone, deadline, missing materials, the QR payload.
    [receipt] = window_printer.wait_for_new(known, timeout=20)
    slip = window_printer.text(receipt["id"])
    # emupos shows the text through code page 437; the printer got GB18030 in Kanji mode.
    chinese = slip.encode("cp437", errors="replace").decode("gb18030", errors="replace")
    assert case.lookup_code in slip and "13872001101" in slip, slip
    assert case.deadline.isoformat() in slip
    assert "受理回执" in chinese and "王秀英" in chinese and "尚需补交材料" in chinese, chinese
    urls = re.findall(r"http://\S+/c/[\w-]+", slip)
    assert urls == [f"{base}/c/{case.tracking_code}"], slip

    # The resident's phone opens the QR's address.
    phone = page_factory(width=390, height=844, mobile=True, touch=True)
    phone.goto(urls[0])
    expect(phone.locator("#case-state")).to_have_text("已受理")
    expect(phone.locator("#case-agent")).to_contain_text("13872001101")
    expect(phone.locator("body")).not_to_contain_text("13800001111")
    shot(phone, screenshot_dir, "phone", "case-accepted-390")

    # The kiosk lookup on the large keypad, portrait and landscape.
    for layout, (width, height) in KIOSK_SIZES.items():
        kiosk = page_factory(width=width, height=height, touch=True)
        kiosk.goto(base + "/cases")
        shot(kiosk, screenshot_dir, "kiosk", f"case-lookup-{layout}")
        kiosk_lookup(kiosk, base, case.lookup_code)
        expect(kiosk.locator("#case-state")).to_have_text("已受理")
        kiosk.wait_for_timeout(TIMERS)
        expect(kiosk.locator("#case-state")).to_have_text("已受理")
        expect(kiosk.locator(".kiosk-case")).not_to_contain_text("张三")
        shot(kiosk, screenshot_dir, "kiosk", f"case-status-{layout}")

    # Due tomorrow: on the supervision board.
    supervisor = page_factory(width=1366, height=768)
    sign_in_page(supervisor, base, "supervisor")
    supervisor.goto(base + "/admin/supervision")
    expect(supervisor.locator(f'#due-table [data-case="{case.number}"]')).to_be_visible()
    shot(supervisor, screenshot_dir, "console", "supervision-board-1366")

    # The clerk completes it on the case page.
    console.goto(base + f"/staff/cases/{case.id}")
    shot(console, screenshot_dir, "console", "case-page-accepted-1366")
    console.fill("#complete-result", "低保申请已受理完毕，已电话通知")
    console.select_option("#complete-notified", "phone")
    console.locator("#complete-submit").click()
    expect(console.locator("#case-state")).to_have_text("已办结")
    shot(console, screenshot_dir, "console", "case-page-completed-1366")

    # The resident confirms at the kiosk.
    kiosk = page_factory(width=1080, height=1920, touch=True)
    kiosk_lookup(kiosk, base, case.lookup_code)
    expect(kiosk.locator("#case-state")).to_have_text("已办结")
    kiosk.locator("#case-confirm").tap()
    expect(kiosk.locator("#case-message")).to_contain_text("已确认办结")
    kiosk.wait_for_timeout(TIMERS)
    expect(kiosk.locator("#case-confirmed")).to_be_visible()
    shot(kiosk, screenshot_dir, "kiosk", "case-confirmed-portrait")
    kiosk.locator(".kiosk-home-button").tap()  # the buttons still work after the timers
    expect(kiosk.locator("#tile-cases")).to_be_visible()

    phone.reload()
    expect(phone.locator("#case-confirmed")).to_be_visible()
    shot(phone, screenshot_dir, "phone", "case-confirmed-390")
    supervisor.reload()
    expect(supervisor.locator(f'[data-case="{case.number}"]')).to_have_count(0)
    db.connect(reuse_if_open=True)
    assert Case.get().confirmed_via == "kiosk"


def test_case_becomes_overdue_when_the_clock_moves(
    live_server, page_factory, screenshot_dir, hall_ready, monkeypatch
):
    base = live_server.url
    console = page_factory(width=1366, height=768)
    sign_in(console, base, "li", 2)
    console.locator("#case-form summary").click()
    console.fill("#case-resident_name", "李四")
    console.fill("#case-resident_phone", "13800002222")
    console.fill("#case-days", "2")
    console.locator("#case-register").click()
    expect(console.locator("#console-flash")).to_contain_text("已登记受理件")
    db.connect(reuse_if_open=True)
    case = Case.get()
    real = clock.utcnow
    monkeypatch.setattr(clock, "utcnow", lambda: real() + dt.timedelta(days=12))
    supervisor = page_factory(width=1366, height=768)
    sign_in_page(supervisor, base, "supervisor")
    supervisor.goto(base + "/admin/supervision")
    row = supervisor.locator(f'#overdue-table [data-case="{case.number}"]')
    expect(row).to_be_visible()
    supervisor.wait_for_timeout(TIMERS)
    expect(row).to_contain_text("超期")
    shot(supervisor, screenshot_dir, "console", "supervision-overdue-1366")
    month = f"{case.deadline:%Y-%m}"
    supervisor.goto(base + f"/admin/supervision/overdue?month={month}")
    expect(supervisor.locator(f'#overdue-list [data-case="{case.number}"]')).to_be_visible()
    shot(supervisor, screenshot_dir, "console", "monthly-overdue-1366")
    supervisor.goto(base + f"/admin/cases/{case.id}")
    expect(supervisor.locator("body")).to_contain_text("李*")
    shot(supervisor, screenshot_dir, "console", "admin-case-detail-1366")
    console.goto(base + "/staff/console")
    expect(console.locator("#my-open-cases")).to_contain_text("已超期")
    console.wait_for_timeout(TIMERS)
    expect(console.locator("#my-open-cases")).to_contain_text("已超期")


@pytest.mark.parametrize("layout", list(KIOSK_SIZES))
def test_complaint_at_the_kiosk_answered_by_the_hall_head(
    live_server, page_factory, screenshot_dir, hall_ready, layout
):
    base = live_server.url
    width, height = KIOSK_SIZES[layout]
    kiosk = page_factory(width=width, height=height, touch=True)
    kiosk.goto(base + "/")
    kiosk.locator("#tile-complaint").tap()
    expect(kiosk.locator("#complaint-submit")).to_be_visible()
    kiosk.locator(".chip", has_text="等候时间太长").tap()
    kiosk.select_option("#complaint-about", "window:1")
    shot(kiosk, screenshot_dir, "kiosk", f"complaint-form-{layout}")
    kiosk.locator("#complaint-submit").tap()
    code = kiosk.locator("#complaint-code")
    expect(code).to_have_text(re.compile(r"^\d{8}$"))
    kiosk.wait_for_timeout(TIMERS)
    expect(code).to_be_visible()
    shot(kiosk, screenshot_dir, "kiosk", f"complaint-done-{layout}")
    lookup = code.inner_text()

    head = page_factory(width=1366, height=768)
    sign_in_page(head, base, "admin")
    db.connect(reuse_if_open=True)
    item = Case.get(Case.lookup_code == lookup)
    head.goto(base + f"/staff/cases/{item.id}")
    shot(head, screenshot_dir, "console", f"complaint-case-{layout}-1366")
    head.fill("#answer-text", "已安排午间轮班，缩短等候")
    head.locator("#form-answer button").click()
    expect(head.locator("#case-state")).to_have_text("已办结")

    kiosk_lookup(kiosk, base, lookup)
    expect(kiosk.locator("#case-state")).to_have_text("已答复")
    expect(kiosk.locator("#case-result")).to_have_text("已安排午间轮班，缩短等候")
    kiosk.wait_for_timeout(TIMERS)
    expect(kiosk.locator("#case-result")).to_be_visible()
    shot(kiosk, screenshot_dir, "kiosk", f"complaint-answered-{layout}")


def test_staff_forms_and_wrong_code(live_server, page_factory, screenshot_dir, hall_ready):
    base = live_server.url
    console = page_factory(width=1366, height=768)
    sign_in(console, base, "wang", 1)
    console.goto(base + "/staff/petitions/new")
    shot(console, screenshot_dir, "console", "petition-form-1366")
    console.fill("#p-name", "王五")
    console.fill("#p-phone", "13800003333")
    console.fill("#p-subject", "宅基地纠纷")
    console.locator("#petition-submit").click()
    expect(console.locator("#case-message")).to_contain_text("已登记信访件")
    shot(console, screenshot_dir, "console", "petition-case-1366")
    console.goto(base + "/staff/complaints/new")
    shot(console, screenshot_dir, "console", "complaint-form-1366")
    kiosk = page_factory(width=1080, height=1920, touch=True)
    kiosk_lookup(kiosk, base, "12345678")
    expect(kiosk.locator("#lookup-error")).to_contain_text("未找到该受理编号")
    kiosk.wait_for_timeout(TIMERS)
    expect(kiosk.locator("#lookup-error")).to_be_visible()
    shot(kiosk, screenshot_dir, "kiosk", "case-lookup-not-found-portrait")


def test_resident_rates_a_completed_case_on_the_phone(
    live_server, page_factory, screenshot_dir, hall_ready
):
    db.connect(reuse_if_open=True)
    wang = Staff.get(Staff.username == "wang")
    data = cases.validate_registration("张三", "13800001111", "低保申请", "5")
    service = Service.get(Service.code == "social_assistance")
    case = cases.register_case(None, wang, data, hall=hall_ready, service=service)
    cases.complete(case, wang, "低保申请已批准，已电话通知", "phone")
    phone = page_factory(width=390, height=844, mobile=True, touch=True)
    phone.goto(live_server.url + f"/c/{case.tracking_code}")
    form = phone.locator("#case-rate")
    expect(form).to_be_visible()
    expect(form.locator("button[name=grade]")).to_have_count(5)
    # The form fits the phone's width: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, screenshot_dir, "phone", "case-rate-390")
    form.locator("select[name=attitude]").select_option("2")
    form.locator("button[value=dissatisfied]").tap()
    expect(phone.locator("#case-message")).to_contain_text("感谢您的评价")
    expect(phone.locator("#case-rated")).to_be_visible()
    expect(phone.locator("#case-rate")).to_have_count(0)
    shot(phone, screenshot_dir, "phone", "case-rated-390")
    assert RatingFollowUp.select().count() == 1
