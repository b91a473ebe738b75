"""The queue engine's rules, called directly (no Flask)."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import queue
from kiosk.demo import load_demo
from kiosk.errors import QueueError
from kiosk.models import Hall, QueueEvent, Service, Staff, Ticket, Window
from kiosk.queue_outlook import outlook

# 2026-11-24 is a Tuesday; 10:00 in Shanghai is 02:00 UTC.
MORNING = dt.datetime(2026, 11, 24, 2, 0)


def at(minutes: float) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=minutes)


@pytest.fixture
def services(hall):
    return {s.code: s for s in Service.select().where(Service.hall == hall)}


@pytest.fixture
def windows(hall):
    return {w.number: w for w in Window.select().where(Window.hall == hall)}


@pytest.fixture
def clerk(hall):
    return Staff.get(Staff.username == "wang")


def on_duty(window, staff):
    """Staff the window (挂牌上岗): only staffed windows count in the residents' figures."""
    Window.update(on_duty=staff, on_duty_since=MORNING).where(Window.id == window.id).execute()


def ahead(ticket, minute=0):
    return outlook(Ticket.get_by_id(ticket.id), now=at(minute)).ahead


def issue(hall, service, minute, **kwargs):
    return queue.issue_ticket(hall, service, now=at(minute), **kwargs)


def test_numbers_are_prefix_and_padded_sequence_per_service(hall, services):
    a1 = issue(hall, services["social_assistance"], 0)
    a2 = issue(hall, services["social_assistance"], 1)
    b1 = issue(hall, services["family_planning"], 2)
    assert [a1.display_number, a2.display_number, b1.display_number] == ["A001", "A002", "B001"]
    assert a1.local_date == dt.date(2026, 11, 24)


def test_numbering_resets_at_local_midnight_not_utc(hall, services):
    service = services["household_registration"]
    before = queue.issue_ticket(hall, service, now=dt.datetime(2026, 11, 24, 15, 59, 59))
    after = queue.issue_ticket(hall, service, now=dt.datetime(2026, 11, 24, 16, 0, 0))
    assert before.display_number == "E001" and before.local_date == dt.date(2026, 11, 24)
    assert after.display_number == "E001" and after.local_date == dt.date(2026, 11, 25)


def test_public_codes_are_unique_and_unguessable(hall, services):
    codes = {issue(hall, services["party_liaison"], i / 10).public_code for i in range(50)}
    assert len(codes) == 50
    assert all(len(code) >= 16 for code in codes)


def test_call_next_orders_by_priority_then_service_order_then_arrival(
    hall, services, windows, clerk
):
    window = windows[1]  # serves social_assistance (A) first, then labour_security (D)
    d_early = issue(hall, services["labour_security"], 0)
    a_late = issue(hall, services["social_assistance"], 1)
    a_later = issue(hall, services["social_assistance"], 2)
    d_priority = issue(hall, services["labour_security"], 3, priority="elderly")
    order = []
    for _ in range(4):
        ticket = queue.call_next(window, clerk, now=at(10))
        order.append(ticket.id)
        queue.complete(ticket, window, clerk, now=at(11))
    assert order == [d_priority.id, a_late.id, a_later.id, d_early.id]
    assert queue.call_next(window, clerk, now=at(12)) is None


def test_fairness_rule_calls_a_normal_ticket_after_a_streak_of_priority(
    hall, services, windows, clerk
):
    Hall.update(priority_streak_limit=2).execute()
    window = windows[5]
    normal = issue(hall, services["household_registration"], 0)
    priority = [
        issue(hall, services["household_registration"], 1 + i, priority="elderly") for i in range(4)
    ]
    called = []
    for _ in range(5):
        ticket = queue.call_next(window, clerk, now=at(10))
        called.append(ticket.id)
        queue.complete(ticket, window, clerk, now=at(10))
    assert called == [priority[0].id, priority[1].id, normal.id, priority[2].id, priority[3].id]


def test_each_state_change_is_an_event_with_staff_and_window(hall, services, windows, clerk):
    window = windows[1]
    ticket = issue(hall, services["social_assistance"], 0)
    ticket = queue.call_next(window, clerk, now=at(4))
    ticket = queue.recall(ticket, window, clerk, now=at(5))
    ticket = queue.complete(ticket, window, clerk, now=at(9))
    kinds = [(e.kind, e.staff_id, e.window_id) for e in ticket.events.order_by(QueueEvent.id)]
    assert kinds == [
        ("issued", None, None),
        ("called", clerk.id, window.id),
        ("recalled", clerk.id, window.id),
        ("completed", clerk.id, window.id),
    ]
    assert ticket.recall_count == 1
    assert ticket.first_staff_id == clerk.id
    assert queue.wait_and_handling_times(ticket) == (240.0, 300.0)


def test_call_next_refuses_while_a_ticket_is_being_served(hall, services, windows, clerk):
    window = windows[1]
    issue(hall, services["social_assistance"], 0)
    issue(hall, services["social_assistance"], 1)
    first = queue.call_next(window, clerk, now=at(2))
    with pytest.raises(QueueError, match="A001"):
        queue.call_next(window, clerk, now=at(3))
    assert Ticket.select().where(Ticket.status == "called").count() == 1
    assert first.display_number == "A001"


def test_invalid_transitions_change_nothing(hall, services, windows, clerk):
    window = windows[1]
    waiting = issue(hall, services["social_assistance"], 0)
    for action in (queue.complete, queue.recall, queue.skip):
        with pytest.raises(QueueError):
            action(waiting, window, clerk, now=at(1))
    with pytest.raises(QueueError):
        queue.reactivate(waiting, now=at(1))
    fresh = Ticket.get_by_id(waiting.id)
    assert (fresh.status, fresh.version) == ("waiting", 1)
    assert QueueEvent.select().where(QueueEvent.ticket == waiting).count() == 1


def test_action_on_a_stale_ticket_is_refused(hall, services, windows, clerk):
    window = windows[1]
    issue(hall, services["social_assistance"], 0)
    ticket = queue.call_next(window, clerk, now=at(1))
    queue.recall(ticket, window, clerk, now=at(2))  # someone else acted meanwhile
    with pytest.raises(QueueError, match="已被他人更改"):
        queue.complete(ticket, window, clerk, now=at(3))  # old version in hand
    assert Ticket.get_by_id(ticket.id).status == "called"


def test_action_at_another_window_is_refused(hall, services, windows, clerk):
    issue(hall, services["social_assistance"], 0)
    ticket = queue.call_next(windows[1], clerk, now=at(1))
    with pytest.raises(QueueError, match="4 号窗口"):
        queue.complete(ticket, windows[4], clerk, now=at(2))


def test_skip_and_reactivate_requeues_behind_the_next_three(hall, services, windows, clerk):
    window = windows[3]
    service = services["land_construction"]
    on_duty(window, clerk)
    skipped = issue(hall, service, 0)
    others = [issue(hall, service, 1 + i) for i in range(5)]
    ticket = queue.call_next(window, clerk, now=at(10))
    assert ticket.id == skipped.id
    ticket = queue.skip(ticket, window, clerk, now=at(11))
    assert ticket.status == "skipped"
    ticket = queue.reactivate(ticket, now=at(20))
    assert ticket.status == "waiting"
    assert ahead(ticket, 20) == 3
    order = []
    for _ in range(6):
        called = queue.call_next(window, clerk, now=at(30))
        order.append(called.id)
        queue.complete(called, window, clerk, now=at(31))
    assert order == [others[0].id, others[1].id, others[2].id, skipped.id] + [
        o.id for o in others[3:]
    ]


def test_reactivation_after_the_time_limit_is_refused(hall, services, windows, clerk):
    window = windows[3]
    issue(hall, services["land_construction"], 0)
    ticket = queue.call_next(window, clerk, now=at(1))
    ticket = queue.skip(ticket, window, clerk, now=at(2))
    with pytest.raises(QueueError, match="30 分钟"):
        queue.reactivate(ticket, now=at(33))
    assert Ticket.get_by_id(ticket.id).status == "skipped"


def test_transfer_keeps_the_original_arrival(hall, services, windows, clerk):
    early = issue(hall, services["social_assistance"], 0)
    later_e = issue(hall, services["household_registration"], 5)
    ticket = queue.call_next(windows[1], clerk, now=at(6))
    assert ticket.id == early.id
    moved = queue.transfer(
        ticket, windows[1], clerk, to_service=services["household_registration"], now=at(7)
    )
    assert moved.status == "waiting" and moved.service_id == services["household_registration"].id
    assert moved.queue_at == early.queue_at and moved.display_number == "A001"
    event = moved.events.where(QueueEvent.kind == "transferred").get()
    assert event.from_service_id == services["social_assistance"].id
    next_at_5 = queue.call_next(windows[5], clerk, now=at(8))
    assert next_at_5.id == early.id and later_e.id != next_at_5.id


def test_transfer_to_a_window_only_that_window_calls_it(hall, services, windows, clerk):
    issue(hall, services["social_assistance"], 0)
    ticket = queue.call_next(windows[1], clerk, now=at(1))
    queue.transfer(ticket, windows[1], clerk, to_window=windows[4], now=at(2))
    assert queue.call_next(windows[1], clerk, now=at(3)) is None
    called = queue.call_next(windows[4], clerk, now=at(3))
    assert called.id == ticket.id and called.target_window_id is None


def test_paused_window_cannot_call(hall, services, windows, clerk):
    issue(hall, services["party_liaison"], 0)
    queue.pause_window(windows[6], clerk, now=at(1))
    with pytest.raises(QueueError, match="暂停"):
        queue.call_next(windows[6], clerk, now=at(2))
    with pytest.raises(QueueError):
        queue.pause_window(windows[6], clerk, now=at(2))
    queue.resume_window(windows[6], clerk, now=at(3))
    assert queue.call_next(windows[6], clerk, now=at(4)).display_number == "F001"


def test_people_ahead_and_estimated_wait(hall, services, windows, clerk):
    service = services["land_construction"]  # served by windows 3 and 6
    on_duty(windows[3], clerk)
    on_duty(windows[6], Staff.get(Staff.username == "admin"))
    first = issue(hall, service, 0)
    second = issue(hall, service, 1)
    priority = issue(hall, service, 2, priority="disabled")
    assert ahead(first) == 1  # the priority ticket goes first
    assert ahead(second) == 2
    assert ahead(priority) == 0
    # Two finished tickets of 6 and 10 minutes: mean 8 minutes.
    for minute, length in ((10, 6), (20, 10)):
        t = queue.call_next(windows[3], clerk, now=at(minute))
        queue.complete(t, windows[3], clerk, now=at(minute + length))
    remaining = Ticket.get_by_id(second.id)
    assert ahead(remaining, 30) == 0
    # Both staffed windows are free now: it is called at once.
    assert outlook(remaining, now=at(30)).wait_seconds == 0
    # Window 6 is paused: window 3 is free, still called at once.
    queue.pause_window(windows[6], now=at(31))
    assert outlook(remaining, now=at(31)).wait_seconds == 0
    # Window 3 busy with a ticket called 2 minutes ago (mean 8): 6 minutes left.
    other = issue(hall, service, 32)
    called = queue.call_next(windows[3], clerk, now=at(33))
    assert called.id == remaining.id
    assert outlook(Ticket.get_by_id(other.id), now=at(35)).wait_seconds == 6 * 60


def test_nobody_on_duty_means_no_figure(hall, services, windows, clerk):
    ticket = issue(hall, services["party_liaison"], 0)  # window 6 only; nobody on duty
    figures = outlook(ticket, now=at(1))
    assert figures.ahead is None and figures.wait_seconds is None and not figures.served
    on_duty(windows[6], clerk)
    assert outlook(ticket, now=at(1)).ahead == 0


def test_closed_hall_paused_service_cap_and_rate_limit(hall, services):
    Hall.update(always_open=False).execute()
    hall = Hall.get_by_id(hall.id)
    service = services["household_registration"]
    sunday = dt.datetime(2026, 11, 29, 2, 0)
    with pytest.raises(QueueError, match="2026-11-30 08:30"):
        queue.issue_ticket(hall, service, now=sunday)
    evening = dt.datetime(2026, 11, 24, 10, 0)  # 18:00 local
    with pytest.raises(QueueError, match="2026-11-25 08:30"):
        queue.issue_ticket(hall, service, now=evening)
    national_day = dt.datetime(2026, 10, 1, 2, 0)
    with pytest.raises(QueueError, match="2026-10-08 08:30"):
        queue.issue_ticket(hall, service, now=national_day)
    makeup_saturday = dt.datetime(2026, 10, 10, 2, 0)
    assert queue.issue_ticket(hall, service, now=makeup_saturday).display_number == "E001"

    Service.update(active=False).where(Service.id == service.id).execute()
    with pytest.raises(QueueError, match="暂停取号"):
        queue.issue_ticket(hall, Service.get_by_id(service.id), now=MORNING)

    capped = services["party_liaison"]
    Service.update(daily_cap=2).where(Service.id == capped.id).execute()
    capped = Service.get_by_id(capped.id)
    issue(hall, capped, 0)
    issue(hall, capped, 1)
    with pytest.raises(QueueError, match="已发完"):
        issue(hall, capped, 2)
    assert Ticket.select().where(Ticket.service == capped).count() == 2

    for i in range(6):
        issue(hall, services["family_planning"], 10 + i / 10, kiosk="kiosk-1")
    with pytest.raises(QueueError, match="频繁"):
        issue(hall, services["family_planning"], 10.7, kiosk="kiosk-1")
    assert issue(hall, services["family_planning"], 11.2, kiosk="kiosk-1").sequence == 7


def test_unknown_priority_and_foreign_service_are_refused(hall, services):
    with pytest.raises(QueueError):
        issue(hall, services["party_liaison"], 0, priority="vip")
    other = Hall.create(code="other", name="另一个大厅")
    with pytest.raises(QueueError):
        queue.issue_ticket(other, services["party_liaison"], now=MORNING)
    assert Ticket.select().count() == 0


def test_two_halls_in_one_database_number_and_call_independently(hall, services):
    other = load_demo(
        code="town",
        name="另一个镇便民服务中心",
        always_open=True,
        password_for=lambda _u: "other-hall-pass",
    )
    other_service = Service.get((Service.hall == other.hall) & (Service.prefix == "A"))
    mine = issue(hall, services["social_assistance"], 0)
    theirs = queue.issue_ticket(other.hall, other_service, now=at(0))
    assert mine.display_number == theirs.display_number == "A001"
    other_window = Window.get((Window.hall == other.hall) & (Window.number == 1))
    called = queue.call_next(other_window, now=at(1))
    assert called.id == theirs.id
    assert Ticket.get_by_id(mine.id).status == "waiting"
