"""The ticket's first call (`Ticket.first_called_at`, issue 14): the end of the reports' wait,
set once by the call and kept through recall, transfer and re-activation, equal to the earliest
"called" queue event; migration 17 fills it from those events for the tickets of an older
database. On SQLite, and on PostgreSQL in scripts/test.py's second pass."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from report_data import D, at, build_day, service, staff, window

from kiosk import queue, reports
from kiosk.db import db
from kiosk.migrations import _migration_17_ticket_first_called_at
from kiosk.models import QueueEvent, Ticket, Window


def first_call_events() -> dict[int, dt.datetime]:
    """Each ticket's earliest "called" event: what the reports read before migration 17."""
    first: dict[int, dt.datetime] = {}
    for event in QueueEvent.select().where(QueueEvent.kind == "called").order_by(QueueEvent.at):
        first.setdefault(event.ticket_id, event.at)
    return first


def stored_first_calls() -> dict[int, dt.datetime | None]:
    return {t.id: t.first_called_at for t in Ticket.select(Ticket.id, Ticket.first_called_at)}


def test_first_call_is_set_once_and_survives_recall_transfer_and_reactivation(hall):
    sa, ls = service("social_assistance"), service("labour_security")
    w1, w4 = window(1), window(4)
    wang, chen = staff("wang"), staff("chen")
    Window.update(on_duty=wang, on_duty_since=at(0, 50)).where(Window.id == w1.id).execute()
    ticket = queue.issue_ticket(hall, sa, now=at(1, 0))
    assert ticket.first_called_at is None
    ticket = queue.call_next(w1, wang, now=at(1, 10))  # the call_next path
    assert ticket.first_called_at == at(1, 10) and ticket.called_at == at(1, 10)
    ticket = queue.recall(ticket, w1, wang, now=at(1, 12))
    ticket = queue.transfer(ticket, w1, wang, to_service=ls, now=at(1, 13))
    assert (ticket.called_at, Ticket.get_by_id(ticket.id).first_called_at) == (None, at(1, 10))
    ticket = queue.call_ticket(w4, ticket, chen, now=at(1, 20))  # the call_ticket path
    assert ticket.called_at == at(1, 20)
    ticket = queue.skip(ticket, w4, chen, now=at(1, 22))
    ticket = queue.reactivate(ticket, chen, now=at(1, 25))
    assert (ticket.called_at, Ticket.get_by_id(ticket.id).first_called_at) == (None, at(1, 10))
    ticket = queue.call_ticket(w4, ticket, chen, now=at(1, 30))
    ticket = queue.complete(ticket, w4, chen, now=at(1, 40))
    stored = Ticket.get_by_id(ticket.id)
    assert (stored.first_called_at, stored.called_at) == (at(1, 10), at(1, 30))
    # The same wait as the queue events give.
    wait, _handling = queue.wait_and_handling_times(stored)
    assert wait == (stored.first_called_at - stored.issued_at).total_seconds() == 600


def test_first_calls_of_the_report_day_equal_the_events(hall):
    build_day(hall)
    stored = stored_first_calls()
    events = first_call_events()
    assert {tid: moment for tid, moment in stored.items() if moment is not None} == events
    assert list(stored.values()).count(None) == 1  # T5, still waiting
    # T3 (transferred, called again at 01:30) and T4 (skipped, re-activated, called again at
    # 01:30) keep their first calls, 01:19 and 01:20.
    assert sorted(events.values()) == [
        at(1, 6, dt.date(2026, 11, 17)),
        at(1, 10),
        at(1, 16),
        at(1, 19),
        at(1, 20),
    ]


def test_migration_17_fills_the_first_call_from_the_queue_events(hall):
    build_day(hall)
    expected = stored_first_calls()
    # A database of before migration 17: the tickets have no first call.
    Ticket.update(first_called_at=None).execute()
    with db.atomic():
        _migration_17_ticket_first_called_at(db)
    assert stored_first_calls() == expected
    called = {tid: moment for tid, moment in expected.items() if moment is not None}
    assert called == first_call_events()
    # And the reports read it: the hand-computed waits of tests/unit/test_reports.py.
    total = reports.daily_report(hall, D).extra["total"]
    assert (total["wait_mean"], total["wait_p90"]) == (Decimal("12.0"), Decimal("14.0"))
    assert reports.waits_by_hour(hall, reports.period_of("week", D)) == [(9, Decimal("12.0"), 4)]
    # Run again (a retried migration): nothing changes.
    with db.atomic():
        _migration_17_ticket_first_called_at(db)
    assert stored_first_calls() == expected
