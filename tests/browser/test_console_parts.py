"""The console answers an action with only what changed (out-of-band parts), so a clerk's whole
run — call, complete, call a ticket of another service, skip, re-queue — must leave every part
right, and the 未办结登记 form must follow the ticket being served even when it is opened before
the panel's own 2-second refresh has run. Looked at again after the refresh timers (≥ 5 s)."""

from __future__ import annotations

from playwright.sync_api import expect
from support import staff_password

from kiosk import queue
from kiosk.db import db
from kiosk.models import Hall, Service, Ticket, Window, WindowService


def test_a_clerks_run_keeps_every_part_right(live_server, page_factory, screenshot_dir):
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    first = Service.get(Service.code == "social_assistance")
    second = Service.get(Service.code == "family_planning")
    window = Window.get(Window.number == 1)
    # A shared window: window 1 serves both services (first, then second).
    if (
        not WindowService.select()
        .where((WindowService.window == window) & (WindowService.service == second))
        .exists()
    ):
        WindowService.create(window=window, service=second, position=9)
    a1 = queue.issue_ticket(hall, first)
    b1 = queue.issue_ticket(hall, second)
    db.close()

    page = page_factory(width=1366, height=768)
    page.goto(live_server.url + "/login")
    page.fill("#username", "wang")
    page.fill("#password", staff_password("wang"))
    page.click("button[type=submit]")
    page.click('button.window-choice[data-window="1"]')
    expect(page.locator(".console")).to_be_visible()

    page.click('button[data-action="call"]')
    expect(page.locator("#serving-number")).to_have_text(a1.display_number)
    expect(page.locator("#console-message")).to_contain_text(a1.display_number)
    expect(page.locator("#upcoming")).to_contain_text(b1.display_number)
    expect(page.locator("#upcoming")).not_to_contain_text(a1.display_number)

    page.click('button[data-action="complete"]')
    expect(page.locator(".serving-none")).to_be_visible()
    expect(page.locator("#console-message")).to_contain_text("已办结")
    expect(page.locator("#case-summary-label")).to_have_text("登记受理件（无号码）")

    # 叫此号 on the second service's ticket, then open the registration form at once: it offers
    # that ticket's service and carries its id, although only parts were swapped.
    page.click(f'button[data-action="call_ticket"][data-number="{b1.display_number}"]')
    expect(page.locator("#serving-number")).to_have_text(b1.display_number)
    page.keyboard.press("d")
    expect(page.locator("#case-summary-label")).to_have_text("未办结：登记")
    expect(page.locator("#case-service")).to_have_value(str(second.id))
    expect(page.locator("#case-ticket input[name=ticket_id]")).to_have_value(str(b1.id))
    page.locator("#case-form summary").click()  # closed again: the refresh may run

    page.click('button[data-action="skip"]')
    expect(page.locator("#missed")).to_contain_text(b1.display_number)
    expect(page.locator(".serving-none")).to_be_visible()

    # After the panel's own timers (2 s refresh, several rounds) everything still says so and
    # still works: re-queue the missed ticket and call it again.
    page.wait_for_timeout(5500)
    expect(page.locator("#missed")).to_contain_text(b1.display_number)
    expect(page.locator(".serving-none")).to_be_visible()
    page.click(f'button[data-action="reactivate"][data-number="{b1.display_number}"]')
    expect(page.locator("#upcoming")).to_contain_text(b1.display_number)
    page.click('button[data-action="call"]')
    expect(page.locator("#serving-number")).to_have_text(b1.display_number)
    page.wait_for_timeout(5500)
    expect(page.locator("#serving-number")).to_have_text(b1.display_number)
    page.click('button[data-action="complete"]')
    expect(page.locator(".serving-none")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "console-after-run.png"))

    db.connect(reuse_if_open=True)
    assert Ticket.get_by_id(a1.id).status == "completed"
    assert Ticket.get_by_id(b1.id).status == "completed"
