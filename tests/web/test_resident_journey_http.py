"""The resident's journey over HTTP: one ticket per hurried touch, only offered priorities, limits
that a fresh cookie does not reset, re-queue after 过号 at the kiosk and at the console, the
printer's state told before the tap, htmx answers that never strand a page."""

from __future__ import annotations

import json
import re
import threading

from bs4 import BeautifulSoup
from support import staff_password

from kiosk import clock, queue
from kiosk.db import db
from kiosk.models import (
    Hall,
    Printer,
    PrintJob,
    Service,
    Staff,
    Ticket,
    Window,
    WindowService,
)
from kiosk.printing import ticket_document
from kiosk.tickets import check_code


def token(client, path: str = "/take/1") -> str:
    html = client.get(path).data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def take(client, service_id=1, priority: str = ""):
    return client.post(
        "/tickets",
        data={"csrf_token": token(client), "service_id": service_id, "priority": priority},
    )


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def text(response, selector: str) -> str:
    node = soup(response).select_one(selector)
    return node.get_text(" ", strip=True) if node else ""


def sign_in(client, username: str, window: int | None = None) -> str:
    client.post(
        "/login",
        data={
            "csrf_token": token(client, "/login"),
            "username": username,
            "password": staff_password(username),
        },
    )
    if window is not None:
        client.post(f"/staff/windows/{window}/duty", data={"csrf_token": token(client, "/staff")})
    return token(client, "/staff/console")


def test_a_second_touch_within_seconds_shows_the_first_ticket(client):
    first = take(client, 3)
    second = take(client, 3, "elderly")  # 60 ms later in real life: the same ticket
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert Ticket.select().count() == 1 and PrintJob.select().count() == 1
    client.get(first.headers["Location"] + "/done")  # 完成: the next resident may take one
    third = take(client, 3)
    assert third.headers["Location"] != first.headers["Location"]
    assert Ticket.select().count() == 2


def test_two_takes_in_flight_from_one_kiosk_issue_one_ticket(app, client):
    """A double touch whose two requests are both in flight: each carries the same cookie (the
    kiosk id, no record of a take yet), so only the database can tell the second one."""
    form = {"csrf_token": token(client, "/take/3"), "service_id": 3, "priority": ""}
    cookie = client.get_cookie("session").value
    twins = [app.test_client(), app.test_client()]
    for twin in twins:
        twin.set_cookie("session", cookie)
    start = threading.Barrier(len(twins))
    answers: list = [None, None]

    def touch(index: int) -> None:
        start.wait()
        answers[index] = twins[index].post("/tickets", data=form)

    threads = [threading.Thread(target=touch, args=(i,)) for i in range(len(twins))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    db.connect(reuse_if_open=True)
    assert [answer.status_code for answer in answers] == [303, 303]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]
    assert Ticket.select().count() == 1 and PrintJob.select().count() == 1
    # 完成 on that ticket: the next resident's touch at once takes a new one.
    twins[0].get(answers[0].headers["Location"] + "/done")
    assert (
        twins[0].post("/tickets", data=form).headers["Location"] != answers[0].headers["Location"]
    )
    assert Ticket.select().count() == 2


def test_only_offered_priorities_are_accepted(client):
    response = take(client, 1, "appointment")  # never offered on the kiosk
    assert text(response, ".kiosk-error") == "未知的优先类别"
    assert Ticket.select().count() == 0 and PrintJob.select().count() == 0


def test_fresh_cookies_from_one_address_are_still_limited(app):
    issued = 0
    for _ in range(8):
        client = app.test_client()  # a fresh cookie each time, the same address
        response = take(client, 5)
        if response.status_code == 303:
            issued += 1
        else:
            assert text(response, ".kiosk-error") == "取号过于频繁，请稍候一分钟再试"
    assert issued == 6 == Ticket.select().count()


def test_checklist_prints_are_capped_per_minute(client):
    outcomes = []
    for _ in range(5):
        response = client.post("/guide/1/print", data={"csrf_token": token(client, "/guide/1")})
        outcomes.append(re.search(r"printed=(\w+)", response.headers["Location"]).group(1))
    assert outcomes.count("busy") == 2
    assert PrintJob.select().where(PrintJob.source_kind == "checklist").count() == 3


def test_tickets_print_before_queued_checklists(client):
    from kiosk.spool import process_next

    for _ in range(2):
        client.post("/guide/1/print", data={"csrf_token": token(client, "/guide/1")})
    take(client, 1)
    printer = Printer.get(Printer.role == "kiosk")
    order = (
        PrintJob.select()
        .where((PrintJob.printer == printer) & (PrintJob.status == "pending"))
        .order_by(PrintJob.id)
    )
    assert [j.source_kind for j in order] == ["checklist", "checklist", "ticket"]
    Printer.update(connection='{"kind": "file", "path": "slips.bin"}').execute()
    process_next(printer.id)
    assert PrintJob.get(PrintJob.source_kind == "ticket").status == "printed"
    assert {j.status for j in PrintJob.select().where(PrintJob.source_kind == "checklist")} == {
        "pending"
    }


def skipped_ticket():
    """A001 called at window 1 and marked 过号 (a no-show)."""
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    service = Service.get(Service.prefix == "A")
    ticket = queue.issue_ticket(hall, service)
    queue.issue_ticket(hall, service)
    window = Window.get(Window.number == 1)
    called = queue.call_next(window)
    assert called.id == ticket.id
    return queue.skip(called, window)


def test_requeue_at_the_kiosk_with_number_and_check_code(client):
    ticket = skipped_ticket()
    form = {"csrf_token": token(client, "/requeue"), "number": "a1", "check": check_code(ticket)}
    response = client.post("/requeue", data=form)
    assert text(response, "#ticket-number") == "A001"
    assert "已重新排队" in text(response, "#ticket-message")
    assert Ticket.get_by_id(ticket.id).status == "waiting"


def test_requeue_refuses_a_wrong_code_and_stops_guessing(client):
    ticket = skipped_ticket()
    wrong = f"{(int(check_code(ticket)) + 1) % 10000:04d}"
    mistype(client, [("A001", wrong)] * 5)
    assert Ticket.get_by_id(ticket.id).status == "skipped"
    assert_held(client, "A001", ticket)


def requeue_at(client, number: str, check: str):
    return client.post(
        "/requeue",
        data={"csrf_token": token(client, "/requeue"), "number": number, "check": check},
    )


def mistype(client, attempts: list[tuple[str, str]]) -> None:
    """Each (number, check code) of `attempts` is refused as mistyped."""
    for number, check in attempts:
        response = requeue_at(client, number, check)
        assert text(response, "#requeue-error") == "号码或核验码不正确，请核对号票后重试"


def assert_held(client, number: str, ticket: Ticket) -> None:
    """Even the right check code of `ticket` is refused now (too many tries): it stays 过号."""
    response = requeue_at(client, number, check_code(ticket))
    assert "尝试次数过多" in text(response, "#requeue-error")
    assert Ticket.get_by_id(ticket.id).status == "skipped"


def from_address(client, address: str):
    """Another test client of the same app, as a device at `address`."""
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


def two_skipped_tickets() -> tuple[Ticket, Ticket]:
    """A001 and A002 both called at window 1 and marked 过号."""
    first = skipped_ticket()
    window = Window.get(Window.number == 1)
    second = queue.call_next(window)
    assert second.display_number == "A002"
    return first, queue.skip(second, window)


def test_one_residents_mistypes_do_not_block_anothers_requeue(client):
    first, second = two_skipped_tickets()
    wrong = f"{(int(check_code(first)) + 1) % 10000:04d}"
    # An elderly resident mistypes the check code of A001 again and again.
    mistype(client, [("A001", wrong)] * 5)
    # The next resident at the same kiosk (the same address) re-queues A002 at once.
    response = requeue_at(client, "A002", check_code(second))
    assert "已重新排队" in text(response, "#ticket-message")
    assert Ticket.get_by_id(second.id).status == "waiting"
    # A001 itself is held for ten minutes: its four digits are not guessed from this or any
    # other address.
    assert_held(from_address(client, "10.0.0.99"), "A001", first)


def test_a_device_scanning_ticket_numbers_is_stopped(client):
    ticket = skipped_ticket()
    # 30 wrong guesses, each at a different number.
    mistype(client, [(f"A{n:03d}", "0000") for n in range(2, 32)])
    assert_held(client, "A001", ticket)
    # Another kiosk's resident is not held by that device.
    requeue_at(from_address(client, "10.0.0.98"), "A001", check_code(ticket))
    assert Ticket.get_by_id(ticket.id).status == "waiting"


def test_the_slip_carries_the_wait_and_the_check_code(client):
    db.connect(reuse_if_open=True)
    Window.update(on_duty=Staff.get(Staff.username == "wang"), on_duty_since=clock.utcnow()).where(
        Window.number == 1
    ).execute()
    response = take(client, 1)
    ticket = Ticket.get()
    document = ticket_document(ticket, "http://hall/t/x").to_json()
    assert "预计等候" in document and check_code(ticket) in document
    page = client.get(response.headers["Location"])
    assert text(page, "#ticket-ahead") == "0 人" and "分钟" in text(page, "#ticket-wait")
    # Nobody on duty for C (土管城建): no figure, a plain word instead.
    client.get(response.headers["Location"] + "/done")
    page = client.get(take(client, 3).headers["Location"])
    assert text(page, "#ticket-unserved") == "该业务暂无窗口办理，请咨询工作人员"
    assert "该业务暂无窗口办理" in ticket_document(Ticket.get(Ticket.id == 2), "u").to_json()


def slip_windows(job: PrintJob) -> str:
    rows = [b for b in json.loads(job.document)["blocks"] if b["text"] == "办理窗口"]
    return rows[0]["value"] if rows else ""


def test_the_slip_names_the_windows_the_screen_names(client):
    """社会救助 is served by windows 1 and 4 (demo) and by a retired window 7 kept staffed."""
    db.connect(reuse_if_open=True)
    hall, wang = Hall.get(), Staff.get(Staff.username == "wang")
    service = Service.get(Service.code == "social_assistance")
    retired = Window.create(hall=hall, number=7, on_duty=wang, retired_at=clock.utcnow())
    WindowService.create(window=retired, service=service)
    # Nobody on duty at 1 or 4: both, never the retired window.
    confirm = text(client.get(f"/take/{service.id}"), ".confirm-facts")
    assert confirm.startswith("办理窗口：1、4号窗口 ·"), confirm
    take(client, service.id)
    assert slip_windows(PrintJob.select().order_by(PrintJob.id.desc()).first()) == "1号、4号窗口"
    client.get(f"/tickets/{Ticket.get().public_code}/done")
    # Window 1 staffed: the screen and the slip name window 1 only.
    Window.update(on_duty=wang, on_duty_since=clock.utcnow()).where(Window.number == 1).execute()
    confirm = text(client.get(f"/take/{service.id}"), ".confirm-facts")
    assert confirm.startswith("办理窗口：1号窗口 ·"), confirm
    page = client.get(take(client, service.id).headers["Location"])
    assert text(page, "#ticket-windows") == "1号窗口"
    assert slip_windows(PrintJob.select().order_by(PrintJob.id.desc()).first()) == "1号窗口"


def test_printer_fault_is_told_before_the_tap(client):
    Printer.update(state="paper_out").execute()
    assert "打印机缺纸" in text(client.get("/take"), "#printer-problem")
    assert "打印机缺纸" in text(client.get("/take/1"), "#printer-problem")
    Printer.update(state="ok").execute()
    assert text(client.get("/take/1"), "#printer-problem") == ""


def test_print_state_is_a_fragment_for_htmx_and_a_redirect_otherwise(client):
    location = take(client, 1).headers["Location"]
    plain = client.get(location + "/print")
    assert plain.status_code == 302 and plain.headers["Location"].endswith(location)
    fragment = client.get(location + "/print", headers={"HX-Request": "true"})
    node = soup(fragment).select_one("#print-state")
    assert node is not None and node.get("hx-target") == "this"


def test_english_windows_and_favicon(client):
    client.get("/?lang=en")
    assert "Window" in text(client.get("/take/1"), ".confirm-facts")
    assert "号窗口" not in text(client.get("/take/1"), ".confirm-facts")
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.data[:4] == b"\x00\x00\x01\x00"


def test_stale_csrf_in_htmx_reloads_the_page(client):
    client.get("/take/1")
    response = client.post(
        "/tickets",
        data={"csrf_token": "stale", "service_id": 1},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400 and response.headers["HX-Refresh"] == "true"
    assert Ticket.select().count() == 0


def test_signed_out_console_poll_goes_to_sign_in_whole(client):
    response = client.get("/staff/console/panel", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")
    assert response.data == b""


def test_console_missed_list_reactivate_and_call_by_number(client):
    ticket = skipped_ticket()
    csrf = sign_in(client, "wang", 1)
    panel = client.get("/staff/console/panel", headers={"HX-Request": "true"})
    missed = soup(panel).select_one('#missed li[data-number="A001"]')
    assert missed is not None and "重新排队" in missed.get_text()
    response = client.post(
        "/staff/console/reactivate",
        data={"csrf_token": csrf, "ticket_id": ticket.id},
        headers={"HX-Request": "true"},
    )
    flash = soup(response).select_one('#console-flash[hx-swap-oob="true"]')
    assert "A001 已重新排队" in flash.get_text()
    assert Ticket.get_by_id(ticket.id).status == "waiting"
    response = client.post(
        "/staff/console/call_ticket",
        data={"csrf_token": csrf, "number": "a001"},
        headers={"HX-Request": "true"},
    )
    assert text(response, "#serving-number") == "A001"
    assert Ticket.get_by_id(ticket.id).status == "called"
    # A number of a service this window does not serve is refused, nothing changes.
    other = queue.issue_ticket(Hall.get(), Service.get(Service.prefix == "C"))
    queue.complete(Ticket.get_by_id(ticket.id), Window.get(Window.number == 1))
    response = client.post(
        "/staff/console/call_ticket",
        data={"csrf_token": csrf, "number": other.display_number},
        headers={"HX-Request": "true"},
    )
    assert "不属于本窗口办理的业务" in text(response, "#console-error")
    assert Ticket.get_by_id(other.id).status == "waiting"


def test_a_window_taken_over_says_who_took_it(app):
    first, second = app.test_client(), app.test_client()
    sign_in(first, "wang", 1)
    sign_in(second, "chen", 1)  # chen may also work window 1
    response = first.get("/staff/console/panel", headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert "已由 陈静" in text(response, "#console-taken")


def test_deactivated_staff_is_not_shown_on_duty(client):
    sign_in(client, "wang", 1)
    assert "王秀英" in text(client.get("/display/window/1"), ".ws-staff")
    Staff.update(active=False).where(Staff.username == "wang").execute()
    assert "王秀英" not in text(client.get("/display/window/1"), ".ws-staff")


def test_one_device_cannot_stuff_the_ratings(app):
    from kiosk.models import Rating

    hall = Hall.get()
    window = Window.get(Window.number == 1)
    ticket = queue.issue_ticket(hall, Service.get(Service.code == "social_assistance"))
    queue.complete(queue.call_ticket(window, ticket), window)
    refused, repeated = 0, 0
    for _ in range(20):
        client = app.test_client()  # a fresh cookie each time, the same address
        response = client.post(
            "/rate",
            data={
                "csrf_token": token(client, "/rate"),
                "number": ticket.display_number,
                "code": check_code(ticket),
                "grade": "very_dissatisfied",
            },
        )
        if response.status_code == 303:
            continue
        if "评价过于频繁" in text(response, ".kiosk-error"):
            refused += 1
        else:
            assert "只能评价一次" in text(response, ".kiosk-error")
            repeated += 1
    assert Rating.select().count() == 1 and (repeated, refused) == (5, 14)
