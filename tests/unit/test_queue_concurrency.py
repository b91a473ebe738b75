"""Issuing and calling under many threads at once, on a real file database (and PostgreSQL).

32 threads issue tickets while 6 windows call and complete them: every number of a service is
issued exactly once with no gap, and no ticket is called by two windows.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from support import run_threads

from kiosk import queue
from kiosk.db import connection
from kiosk.demo import load_demo
from kiosk.models import QueueEvent, Service, Ticket, Window

ISSUERS = 32
TICKETS_EACH = 6


def run_load(hall_id: int) -> dict:
    from kiosk.models import Hall

    hall = Hall.get_by_id(hall_id)
    services = list(Service.select().where(Service.hall == hall).order_by(Service.id))
    windows = list(Window.select().where(Window.hall == hall).order_by(Window.number))
    errors: list[BaseException] = []
    issued: list[int] = []
    called: list[tuple[int, int]] = []
    issuing_done = threading.Event()
    start = threading.Barrier(ISSUERS + len(windows))
    lock = threading.Lock()

    def issuer(index: int) -> None:
        try:
            with connection():
                start.wait()
                for round_ in range(TICKETS_EACH):
                    service = services[(index + round_) % len(services)]
                    ticket = queue.issue_ticket(hall, service)
                    with lock:
                        issued.append(ticket.id)
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised by the test
            errors.append(exc)

    def caller(window: Window) -> None:
        try:
            with connection():
                start.wait()
                while True:
                    ticket = queue.call_next(window)
                    if ticket is None:
                        if issuing_done.is_set() and queue.call_next(window) is None:
                            return
                        time.sleep(0.005)  # a console does not hammer "call next"
                        continue
                    with lock:
                        called.append((ticket.id, window.id))
                    queue.complete(ticket, window)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    issuers = [threading.Thread(target=issuer, args=(i,)) for i in range(ISSUERS)]
    callers = [threading.Thread(target=caller, args=(w,)) for w in windows]
    for thread in issuers + callers:
        thread.start()
    for thread in issuers:
        thread.join(timeout=120)
    issuing_done.set()
    for thread in callers:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    return {"issued": issued, "called": called}


def check_invariants(result: dict) -> None:
    issued, called = result["issued"], result["called"]
    assert len(issued) == ISSUERS * TICKETS_EACH
    assert len(set(issued)) == len(issued)
    per_ticket = Counter(ticket_id for ticket_id, _ in called)
    assert max(per_ticket.values()) == 1, "a ticket was called twice"
    assert set(per_ticket) == set(issued), "every issued ticket was called"
    for service in Service.select():
        sequences = sorted(t.sequence for t in Ticket.select().where(Ticket.service == service))
        assert sequences == list(range(1, len(sequences) + 1)), "duplicate or skipped number"
    calls = QueueEvent.select().where(QueueEvent.kind == "called").count()
    assert calls == len(issued)
    assert Ticket.select().where(Ticket.status != "completed").count() == 0


def test_32_issuers_and_6_windows_on_a_sqlite_file(database):
    demo = load_demo(always_open=True, password_for=lambda _u: "concurrency-pass")
    check_invariants(run_load(demo.hall.id))


@pytest.mark.postgres
def test_32_issuers_and_6_windows_on_postgresql(pg_database):
    demo = load_demo(always_open=True, password_for=lambda _u: "concurrency-pass")
    check_invariants(run_load(demo.hall.id))


def take_together(hall_id: int, kiosk: str, finished: tuple[str, ...] = ()) -> list:
    """Two threads take from the same kiosk at once: the issued tickets and DoubleTake errors."""
    from kiosk.models import Hall

    hall = Hall.get_by_id(hall_id)
    service = Service.select().where(Service.hall == hall).order_by(Service.id).first()
    start = threading.Barrier(2)
    outcomes: list = []
    lock = threading.Lock()

    def touch() -> None:
        with connection():
            start.wait()
            try:
                outcome = queue.issue_ticket(
                    hall, service, kiosk=kiosk, double_take_seconds=5, finished=finished
                )
            except queue.DoubleTake as double:
                outcome = double
            with lock:
                outcomes.append(outcome)

    run_threads(touch, 2, timeout=30)
    return outcomes


def check_double_take(hall_id: int) -> None:
    outcomes = take_together(hall_id, "kiosk-1")
    issued = [o for o in outcomes if isinstance(o, Ticket)]
    refused = [o for o in outcomes if isinstance(o, queue.DoubleTake)]
    assert len(issued) == 1 and len(refused) == 1, outcomes
    assert refused[0].ticket.id == issued[0].id
    assert Ticket.select().count() == 1
    # After 完成 on that ticket, two touches in flight again issue one new ticket only.
    outcomes = take_together(hall_id, "kiosk-1", finished=(issued[0].public_code,))
    assert sum(isinstance(o, Ticket) for o in outcomes) == 1, outcomes
    assert Ticket.select().count() == 2
    # Another kiosk is not held by this one.
    outcomes = take_together(hall_id, "kiosk-2")
    assert sum(isinstance(o, Ticket) for o in outcomes) == 1
    assert Ticket.select().count() == 3


def test_two_takes_in_flight_from_one_kiosk_on_a_sqlite_file(database):
    demo = load_demo(always_open=True, password_for=lambda _u: "concurrency-pass")
    check_double_take(demo.hall.id)


@pytest.mark.postgres
def test_two_takes_in_flight_from_one_kiosk_on_postgresql(pg_database):
    demo = load_demo(always_open=True, password_for=lambda _u: "concurrency-pass")
    check_double_take(demo.hall.id)
