"""Two sessions pressing 叫号 at one window at the same moment get one called ticket, not two.

The race is made certain rather than likely: `current_ticket` (the "is someone already being
served here?" check inside the transaction) is slowed down, so without a lock on the window
both sessions pass it before either has called anyone. Run with two threads (SQLite file and
PostgreSQL) and with two processes (PostgreSQL, the case of several server processes).
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from support import postgres_url_of, run_threads

from kiosk import queue
from kiosk.db import connection, db, init_database
from kiosk.demo import load_demo
from kiosk.errors import QueueError
from kiosk.models import Service, Ticket, Window

ROUNDS = 3


def _slow_current_ticket(original):
    def slow(window, *args, **kwargs):
        found = original(window, *args, **kwargs)
        time.sleep(0.15)
        return found

    return slow


def _call_once(window_id: int) -> str:
    window = Window.get_by_id(window_id)
    try:
        ticket = queue.call_next(window)
    except QueueError:
        return "refused"
    return "called" if ticket else "none"


def _prepare(hall) -> Window:
    window = Window.select().where(Window.hall == hall).order_by(Window.number).first()
    service = Service.get_by_id(queue.window_services(window)[0][0])
    for _ in range(3):
        queue.issue_ticket(hall, service)
    return window


def _called_at(window: Window) -> int:
    return Ticket.select().where((Ticket.window == window) & (Ticket.status == "called")).count()


def _race_threads(window: Window) -> list[str]:
    results: list[str] = []
    start = threading.Barrier(2)

    def worker():
        with connection():
            start.wait()
            results.append(_call_once(window.id))

    run_threads(worker, 2, timeout=60)
    return results


def _check_threads(hall, monkeypatch) -> None:
    monkeypatch.setattr(queue, "current_ticket", _slow_current_ticket(queue.current_ticket))
    window = _prepare(hall)
    for _ in range(ROUNDS):
        results = _race_threads(window)
        assert sorted(results) == ["called", "refused"], results
        assert _called_at(window) == 1
        queue.complete(queue.current_ticket(window), window)
        queue.issue_ticket(hall, Service.get_by_id(queue.window_services(window)[0][0]))


def test_two_threads_call_one_window_on_sqlite(demo, monkeypatch):
    db.close()  # the workers open their own connections
    with connection():
        _check_threads(demo.hall, monkeypatch)


@pytest.mark.postgres
def test_two_threads_call_one_window_on_postgresql(pg_database, monkeypatch):
    demo = load_demo(always_open=True, password_for=lambda _u: "race-pass-123")
    _check_threads(demo.hall, monkeypatch)


def _process_worker(url: str, window_id: int, start, results) -> None:
    init_database(url)
    queue.current_ticket = _slow_current_ticket(queue.current_ticket)
    with connection():
        start.wait(timeout=30)
        results.put(_call_once(window_id))


@pytest.mark.postgres
def test_two_processes_call_one_window_on_postgresql(pg_database):
    demo = load_demo(always_open=True, password_for=lambda _u: "race-pass-123")
    window = _prepare(demo.hall)
    url = postgres_url_of(pg_database)
    db.close()
    context = multiprocessing.get_context("spawn")
    for _ in range(2):
        start, results = context.Barrier(2), context.Queue()
        workers = [
            context.Process(target=_process_worker, args=(url, window.id, start, results))
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
            assert worker.exitcode == 0
        outcomes = sorted(results.get(timeout=5) for _ in workers)
        with connection():
            assert _called_at(window) == 1, outcomes
            assert outcomes == ["called", "refused"]
            queue.complete(queue.current_ticket(window), window)


def _second_called_ticket_is_refused(hall) -> None:
    from peewee import IntegrityError

    window = _prepare(hall)
    first = queue.call_next(window)
    assert first is not None
    other = Ticket.select().where(Ticket.status == "waiting").first()
    with pytest.raises(IntegrityError), db.atomic():
        Ticket.update(status="called", window=window).where(Ticket.id == other.id).execute()
    assert _called_at(window) == 1


def test_the_database_refuses_a_second_called_ticket_on_sqlite(demo):
    _second_called_ticket_is_refused(demo.hall)


@pytest.mark.postgres
def test_the_database_refuses_a_second_called_ticket_on_postgresql(pg_database):
    demo = load_demo(always_open=True, password_for=lambda _u: "race-pass-123")
    _second_called_ticket_is_refused(demo.hall)


def test_migration_adds_the_index_to_an_older_database_unless_it_holds_duplicates(demo, caplog):
    from kiosk.migrations import _migration_8_one_called_per_window
    from kiosk.models import ONE_CALLED_PER_WINDOW

    def has_index() -> bool:
        return ONE_CALLED_PER_WINDOW in {index.name for index in db.get_indexes("ticket")}

    db.execute_sql(f"DROP INDEX {ONE_CALLED_PER_WINDOW}")  # as before migration 4
    window = _prepare(demo.hall)
    waiting = list(Ticket.select().where(Ticket.status == "waiting").limit(2))
    for ticket in waiting:  # the state the PostgreSQL race left behind
        Ticket.update(status="called", window=window).where(Ticket.id == ticket.id).execute()
    _migration_8_one_called_per_window(db)
    assert not has_index() and "more than one called ticket" in caplog.text
    Ticket.update(status="completed").where(Ticket.id == waiting[0].id).execute()
    _migration_8_one_called_per_window(db)
    assert has_index()
