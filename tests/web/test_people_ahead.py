"""'People ahead' and the wait, in a small hall where windows share services and some services
have nobody on duty, checked against what the consoles then actually do.

The demo hall's windows: 1 serves A (社会救助) then D (劳动保障); 5 serves E (户籍) then B (计生).
Only windows 1 and 5 are staffed; C (土管城建) and F (党建) have no staffed window. After a mixed
set of tickets (two priority tickets, one ticket transferred to window 5 only), the figures the
kiosk and the phone show are read over HTTP; then the two windows call everything, taking
turns, and each ticket's true "ahead" (the calls before it at the windows that could call it) is
counted from that real order.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup

from kiosk import clock, queue
from kiosk.db import db
from kiosk.models import Hall, Service, Staff, Ticket, Window, WindowService
from kiosk.queue_outlook import outlook

# The halls' history is "minutes ago": keep it on today whatever hour the suite runs.
pytestmark = pytest.mark.usefixtures("morning_clock")


def text_of(response, selector: str) -> str:
    node = BeautifulSoup(response.data, "html.parser").select_one(selector)
    return node.get_text(" ", strip=True) if node else ""


def number_in(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def build_hall():
    db.connect(reuse_if_open=True)
    hall = Hall.get()
    services = {s.prefix: s for s in Service.select()}
    windows = {w.number: w for w in Window.select()}
    now = clock.utcnow()
    for number, username in ((1, "wang"), (5, "zhao")):
        Window.update(on_duty=Staff.get(Staff.username == username), on_duty_since=now).where(
            Window.id == windows[number].id
        ).execute()
    # Issued a second apart, in this order (a mix of every service, two priority tickets).
    plan = ["A", "D", "B", "E", "C", "D", "A", "F", "B", "E", "D", "A", "E", "C"]
    priority = {3: "elderly", 10: "disabled"}  # E001 and D003 are priority tickets
    start = now - dt.timedelta(minutes=20)
    tickets = []
    for index, prefix in enumerate(plan):
        tickets.append(
            queue.issue_ticket(
                hall,
                services[prefix],
                priority=priority.get(index, ""),
                now=start + dt.timedelta(seconds=index),
            )
        )
    # Window 1 calls its first ticket and hands it to window 5 only (a targeted transfer).
    first = queue.call_next(windows[1], now=start + dt.timedelta(minutes=1))
    queue.transfer(first, windows[1], to_window=windows[5], now=start + dt.timedelta(minutes=2))
    return hall, services, windows, tickets


def call_everything(windows) -> list[tuple[int, int]]:
    """Windows 1 and 5 take turns: complete the current ticket, call the next."""
    order = []
    active = [windows[1], windows[5]]
    while active:
        for window in list(active):
            current = queue.current_ticket(window)
            if current is not None:
                queue.complete(current, window)
            called = queue.call_next(window)
            if called is None:
                active.remove(window)
            else:
                order.append((called.id, window.id))
    return order


def eligible_windows(ticket: Ticket, windows) -> set[int]:
    if ticket.target_window_id:
        return {ticket.target_window_id}
    staffed = {windows[1].id, windows[5].id}
    serving = {
        link.window_id
        for link in WindowService.select().where(WindowService.service == ticket.service_id)
    }
    return serving & staffed


def test_ahead_matches_the_order_the_consoles_then_call(client):
    hall, services, windows, tickets = build_hall()
    waiting = [Ticket.get_by_id(t.id) for t in tickets]
    waiting = [t for t in waiting if t.status == "waiting"]
    shown = {}
    for ticket in waiting:
        kiosk = client.get(f"/tickets/{ticket.public_code}")
        phone = client.get(f"/t/{ticket.public_code}")
        figures = outlook(ticket)
        if figures.served:
            kiosk_ahead = number_in(text_of(kiosk, "#ticket-ahead"))
            phone_ahead = number_in(text_of(phone, "#phone-ahead"))
            assert kiosk_ahead == phone_ahead == figures.ahead, ticket.display_number
            shown[ticket.id] = kiosk_ahead
        else:
            assert "该业务暂无窗口办理" in text_of(kiosk, "#ticket-unserved")
            assert "该业务暂无窗口办理" in text_of(phone, "#phone-unserved")
            shown[ticket.id] = None

    order = call_everything(windows)
    position = {ticket_id: index for index, (ticket_id, _w) in enumerate(order)}
    for ticket in waiting:
        if ticket.id not in position:
            assert shown[ticket.id] is None, f"{ticket.display_number} was never called"
            continue
        mine = eligible_windows(ticket, windows)
        truly = sum(1 for _t, window_id in order[: position[ticket.id]] if window_id in mine)
        assert shown[ticket.id] == truly, (ticket.display_number, shown[ticket.id], truly)

    # The unstaffed services were never called and said so; the others all were.
    unserved = {t.display_number for t in waiting if shown[t.id] is None}
    assert unserved == {"C001", "C002", "F001"}
    assert len(order) == len(waiting) - 3
    # A figure that could fail: D002 waits behind all of window 1's A tickets and D001.
    d002 = next(t for t in waiting if t.display_number == "D002")
    assert shown[d002.id] >= 3


def test_the_wait_uses_staffed_windows_only(client):
    hall, services, windows, tickets = build_hall()
    e_tickets = [Ticket.get_by_id(t.id) for t in tickets if t.service_id == services["E"].id]
    last_e = max(e_tickets, key=lambda t: t.queue_at)
    before = outlook(last_e)
    # Staff a third window that also serves E (window 2: B then E): the wait can only shorten.
    Window.update(on_duty=Staff.get(Staff.username == "li"), on_duty_since=clock.utcnow()).where(
        Window.id == windows[2].id
    ).execute()
    after = outlook(Ticket.get_by_id(last_e.id))
    assert after.wait_seconds < before.wait_seconds
    # Pausing it again gives the old figure back.
    queue.pause_window(windows[2])
    assert outlook(Ticket.get_by_id(last_e.id)).wait_seconds == before.wait_seconds
