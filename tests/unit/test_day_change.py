"""Crossing the hall's local midnight, and a printer fault that outlasts the resident.

- Tickets of a day that has ended are closed (with an event), never called again, and the new
  day numbers from 001 with nothing of yesterday on the board or at the windows.
- A ticket slip held by a printer fault longer than the hall allows is marked expired and not
  printed later for whoever stands at the kiosk then.
"""

from __future__ import annotations

import datetime as dt

from kiosk import board, maintenance, queue
from kiosk.models import Hall, Printer, PrintJob, QueueEvent, Service, Staff, Ticket, Window
from kiosk.printing import print_ticket
from kiosk.queue_outlook import outlook
from kiosk.spool import process_next
from kiosk.tickets import close_past_days

# 2026-12-31 22:00 in Shanghai (a 24-hour hall): the year ends in two hours.
EVENING = dt.datetime(2026, 12, 31, 14, 0)
AFTER_MIDNIGHT = dt.datetime(2026, 12, 31, 16, 5)  # 2027-01-01 00:05 local


def test_midnight_closes_yesterday_and_the_new_day_starts_empty(hall):
    service = Service.get(Service.prefix == "E")
    window = Window.get(Window.number == 5)
    clerk = Staff.get(Staff.username == "zhao")
    Window.update(on_duty=clerk, on_duty_since=EVENING).where(Window.id == window.id).execute()
    tickets = [
        queue.issue_ticket(hall, service, now=EVENING + dt.timedelta(minutes=i)) for i in range(4)
    ]
    first = queue.call_next(window, clerk, now=EVENING + dt.timedelta(minutes=10))
    queue.skip(first, window, clerk, now=EVENING + dt.timedelta(minutes=11))  # 过号
    called = queue.call_next(window, clerk, now=EVENING + dt.timedelta(minutes=12))
    assert (first.id, called.id) == (tickets[0].id, tickets[1].id)
    assert len(queue.recent_calls(hall, today=dt.date(2026, 12, 31))) == 2

    # After midnight, before the housekeeping ran: nothing of yesterday counts.
    new_day = dt.date(2027, 1, 1)
    assert queue.recent_calls(hall, today=new_day) == []
    assert queue.current_ticket(window, new_day) is None
    assert queue.call_next(window, clerk, now=AFTER_MIDNIGHT) is None  # yesterday's are not called

    closed = close_past_days(hall, now=AFTER_MIDNIGHT)
    assert closed == 4  # one skipped, one called, two waiting
    assert {t.status for t in Ticket.select()} == {"closed"}
    events = QueueEvent.select().where(QueueEvent.kind == "closed")
    assert events.count() == 4
    assert close_past_days(hall, now=AFTER_MIDNIGHT) == 0  # once

    first_of_year = queue.issue_ticket(hall, service, now=AFTER_MIDNIGHT)
    assert first_of_year.display_number == "E001" and first_of_year.local_date == new_day
    assert outlook(first_of_year, now=AFTER_MIDNIGHT).ahead == 0


def test_the_running_server_closes_past_days_by_itself(hall):
    service = Service.get(Service.prefix == "A")
    yesterday = queue.issue_ticket(hall, service, now=dt.datetime(2026, 11, 23, 2, 0))
    assert maintenance.run_once() == 1
    assert Ticket.get_by_id(yesterday.id).status == "closed"
    assert maintenance.run_once() == 0


def test_board_rows_show_only_today(hall):
    service = Service.get(Service.prefix == "A")
    window = Window.get(Window.number == 1)
    ticket = queue.issue_ticket(hall, service, now=dt.datetime(2026, 11, 23, 2, 0))
    queue.call_next(window, now=dt.datetime(2026, 11, 23, 2, 1))
    assert Ticket.get_by_id(ticket.id).status == "called"
    state = board.board_state(Hall.get_by_id(hall.id))  # today is later than 2026-11-23
    assert state["calls"] == []
    assert all(row["number"] == "" for row in state["windows"])


def test_a_slip_held_too_long_expires_instead_of_printing_later(hall):
    printer = Printer.get(Printer.role == "kiosk")
    Printer.update(connection='{"kind": "file", "path": "slips.bin"}').execute()
    service = Service.get(Service.prefix == "A")
    issued = dt.datetime(2026, 11, 24, 2, 0)
    ticket = queue.issue_ticket(hall, service, now=issued)
    job = print_ticket(ticket, "http://hall/t/x")
    PrintJob.update(created_at=issued, next_attempt_at=issued).where(
        PrintJob.id == job.id
    ).execute()
    fresh = queue.issue_ticket(hall, service, now=issued + dt.timedelta(minutes=9))
    fresh_job = print_ticket(fresh, "http://hall/t/y")
    later = issued + dt.timedelta(minutes=9)
    PrintJob.update(created_at=later, next_attempt_at=later).where(
        PrintJob.id == fresh_job.id
    ).execute()
    # The fault cleared 10 min 30 s after the first slip: it is expired, the second prints.
    outcome = process_next(printer.id, now=issued + dt.timedelta(minutes=10, seconds=30))
    assert outcome == "expired"
    assert PrintJob.get_by_id(job.id).status == "expired"
    assert process_next(printer.id, now=issued + dt.timedelta(minutes=10, seconds=31)) == "printed"
    assert PrintJob.get_by_id(fresh_job.id).status == "printed"


def test_daily_housekeeping_runs_once_a_local_day(hall):
    printer = Printer.get(Printer.role == "kiosk")
    now = dt.datetime(2026, 11, 24, 2, 0)
    old = PrintJob.create(
        hall=hall, printer=printer, document="{}", status="printed",
        created_at=now - dt.timedelta(days=31),
    )  # fmt: skip
    stuck = PrintJob.create(
        hall=hall, printer=printer, document="{}", status="pending",
        created_at=now - dt.timedelta(days=31),
    )  # fmt: skip
    recent = PrintJob.create(
        hall=hall, printer=printer, document="{}", status="printed",
        created_at=now - dt.timedelta(days=2),
    )  # fmt: skip
    done: dict = {}
    maintenance.run_once(done_days=done, now=now)
    assert PrintJob.get_or_none(PrintJob.id == old.id) is None
    assert PrintJob.get_or_none(PrintJob.id == stuck.id) is not None  # never printed: kept
    assert PrintJob.get_or_none(PrintJob.id == recent.id) is not None
    assert done == {hall.id: dt.date(2026, 11, 24)}
    # Later the same day: no second run; after midnight: the next day's run.
    again = PrintJob.create(
        hall=hall, printer=printer, document="{}", status="printed",
        created_at=now - dt.timedelta(days=40),
    )  # fmt: skip
    maintenance.run_once(done_days=done, now=now + dt.timedelta(hours=5))
    assert PrintJob.get_or_none(PrintJob.id == again.id) is not None
    maintenance.run_once(done_days=done, now=now + dt.timedelta(days=1))
    assert PrintJob.get_or_none(PrintJob.id == again.id) is None
    assert done == {hall.id: dt.date(2026, 11, 25)}
