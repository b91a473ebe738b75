"""Every query a request path sends uses an index that matches it: the statements of the hot
functions (issuing, calling, the residents' figures, the board, the print state, the day
change) are recorded on a seeded SQLite database and run through EXPLAIN QUERY PLAN; a full
scan of the ticket, queue-event, print-job or audit tables fails, and so does a temporary
B-tree sorting them, unless the index search already bounds the rows to one local day (the
calling order's CASE expressions cannot come from an index, but they sort one day's waiting
tickets, not a year's). This is what keeps a year of a busy hall as fast as day one (no timing
is asserted here)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kiosk import board, queue, queue_outlook, tickets
from kiosk.db import db, is_postgres
from kiosk.models import Hall, PrintJob, Service, Staff, Ticket, Window
from kiosk.printing import print_ticket

BIG_TABLES = ("ticket", "queue_event", "print_job", "audit_entry")
FULL_SCAN = re.compile(r"^SCAN (?:TABLE )?(" + "|".join(BIG_TABLES) + r")\b")
SORT = re.compile(r"USE TEMP B-TREE FOR (?:ORDER BY|RIGHT PART OF ORDER BY)")
NOW = dt.datetime(2026, 11, 24, 2, 0)  # 10:00 in Shanghai, a Tuesday


@pytest.fixture
def seeded(hall):
    """Three days of traffic: tickets of every service, calls, completions, print jobs."""
    windows = list(Window.select().order_by(Window.number))
    clerk = Staff.get(Staff.username == "wang")
    for window in windows:
        Window.update(on_duty=clerk, on_duty_since=NOW).where(Window.id == window.id).execute()
    services = list(Service.select())
    for day in (2, 1, 0):
        start = NOW - dt.timedelta(days=day)
        for minute in range(60):
            ticket = queue.issue_ticket(
                hall,
                services[minute % len(services)],
                kiosk=f"kiosk-{minute % 3}",
                now=start + dt.timedelta(minutes=minute),
            )
            print_ticket(ticket, "http://hall/t/x")
        for window in windows:
            for step in range(4):
                moment = start + dt.timedelta(minutes=70 + step * 3)
                called = queue.call_next(window, clerk, now=moment)
                if called is not None and step < 3:
                    queue.complete(called, window, clerk, now=moment + dt.timedelta(minutes=2))
    db.execute_sql("ANALYZE")  # plans as on a database that has been running (both databases)
    return Hall.get_by_id(hall.id)


def record(statements: list, function, *args, **kwargs):
    database = db.obj
    original = database.execute_sql

    def spy(sql, params=None, *rest, **more):
        if sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, params))
        return original(sql, params, *rest, **more)

    database.execute_sql = spy
    try:
        return function(*args, **kwargs)
    finally:
        database.execute_sql = original


def bad_plans(statements) -> list[str]:
    if is_postgres():
        return bad_postgres_plans(statements)
    problems = []
    for sql, params in statements:
        if not any(f'"{table}"' in sql for table in BIG_TABLES):
            continue
        rows = db.execute_sql("EXPLAIN QUERY PLAN " + sql, params or ()).fetchall()
        details = [row[-1] for row in rows]
        one_day = any(d.startswith("SEARCH") and "local_date=?" in d for d in details)
        for detail in details:
            if FULL_SCAN.search(detail) or (SORT.search(detail) and not one_day):
                problems.append(f"{detail}\n    in: {sql}")
    return problems


def bad_postgres_plans(statements) -> list[str]:
    """PostgreSQL reads a small table whole whatever its indexes; with sequential scans priced
    out, a plan that still scans one of the big tables has no index to use."""
    big = [
        (sql, params)
        for sql, params in statements
        if any(f'"{table}"' in sql for table in BIG_TABLES)
    ]
    return postgres_seq_scans(big, BIG_TABLES)


def postgres_seq_scans(statements, tables: tuple[str, ...]) -> list[str]:
    """The PostgreSQL plans that, sequential scans priced out, still scan one of `tables`."""
    scanning = re.compile(r'Seq Scan on "?(' + "|".join(tables) + r")\b")
    found = []
    db.execute_sql("SET enable_seqscan = off")
    try:
        for sql, params in statements:
            plan = "\n".join(line for (line,) in db.execute_sql("EXPLAIN " + sql, params or ()))
            if scanning.search(plan):
                found.append(f"{plan}\n    in: {sql}")
    finally:
        db.execute_sql("SET enable_seqscan = on")
    return found


def test_hot_paths_use_matching_indexes(seeded):
    hall = seeded
    window = Window.get(Window.number == 1)
    clerk = Staff.get(Staff.username == "wang")
    now = NOW + dt.timedelta(hours=3)
    waiting = (
        Ticket.select()
        .where((Ticket.status == "waiting") & (Ticket.local_date == now.date()))
        .first()
    )
    statements: list = []
    service = Service.get(Service.prefix == "A")
    record(statements, queue.issue_ticket, hall, service, kiosk="kiosk-1", now=now)
    record(statements, queue_outlook.outlook, waiting, now=now)
    record(statements, queue_outlook.average_handling_seconds, service, now=now)
    record(statements, board.board_state, hall)
    record(statements, queue.recent_calls, hall, 8, now.date())
    record(statements, queue.current_ticket, window, now.date())
    record(statements, queue.missed_tickets, window, now=now)
    record(statements, tickets.close_past_days, hall, now=now)
    current = queue.current_ticket(window, now.date())
    if current is not None:
        queue.complete(current, window, clerk, now=now)
    record(statements, queue.call_next, window, clerk, now=now)
    record(
        statements,
        lambda: (
            PrintJob.select()
            .where((PrintJob.source_kind == "ticket") & (PrintJob.source_id == waiting.id))
            .order_by(PrintJob.id.desc())
            .first()
        ),
    )
    from kiosk.printer_admin import printer_rows

    record(statements, printer_rows, hall)  # 管理 and 打印机: pending, 补打, expired per printer
    record(
        statements,
        lambda: list(
            PrintJob.select().where(PrintJob.hall == hall).order_by(PrintJob.id.desc()).limit(30)
        ),
    )
    assert len(statements) > 20
    problems = bad_plans(statements)
    assert problems == [], "\n".join(problems)


def test_printer_counts_and_case_months_read_only_their_rows(seeded):
    """A year in, the printers' counts (管理, 打印机) grouped every job of the hall through the
    printer index (0.2 s a page) and the 办结率 chart read every case twelve times (0.5 s): the
    counts now come from partial indexes holding only pending, 补打 and expired jobs, and the
    cases of a month through (hall, accepted_at) and (hall, completed_at)."""
    from kiosk import reports
    from kiosk.printer_admin import printer_rows

    statements: list = []
    record(statements, printer_rows, seeded)
    record(statements, reports.completion_by_month, seeded, NOW.date())
    record(statements, reports.major_report, seeded, reports.period_of("month", NOW.date()),
           today=NOW.date())  # fmt: skip
    counted = [(sql, params) for sql, params in statements if '"print_job"' in sql]
    cases = [(sql, params) for sql, params in statements if '"case"' in sql]
    assert len(counted) == 3 and len(cases) >= 3
    if is_postgres():
        assert postgres_seq_scans(counted + cases, ("print_job", "case")) == []
        return
    for sql, params in counted:
        details = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        assert any("_per_printer" in detail for detail in details), (details, sql)
    for sql, params in cases:
        details = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        assert not any(re.match(r'SCAN (TABLE )?"?c"?\b|SCAN "?case', d) for d in details), (
            details,
            sql,
        )


def test_stored_report_days_are_read_through_their_index(seeded):
    """A monthly report a year in reads the stored figures of its days (kiosk/day_figures.py)
    through (hall, measure, local_date), not the table's other days."""
    from kiosk import day_figures, reports

    stored = day_figures.summarise_finished_days(
        seeded, now=dt.datetime.combine(NOW.date(), dt.time(12))
    )
    assert len(stored) == 2  # the two days before NOW's
    statements: list = []
    record(statements, reports.period_report, seeded, reports.period_of("month", NOW.date()))
    read = [(sql, params) for sql, params in statements if "FROM day_figure" in sql]
    assert len(read) == 1  # this month (the month before holds no stored day)
    for sql, params in read:
        sql = sql.replace("?", db.param)
        if is_postgres():
            assert postgres_seq_scans([(sql, params)], ("day_figure",)) == []
        else:
            details = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
            assert any("day_figure_hall_id_measure_local_date" in d for d in details), details


def test_open_cases_and_closed_follow_ups_are_read_through_their_indexes(seeded):
    """Issue 17, a year in: the open cases are a few hundred of tens of thousands. ANALYZE sees
    two statuses spread evenly, and the planner read every case of the hall (the admin list's
    count, 我的受理件) or of the agent (the console) to find them; now they come from the
    partial index of open cases (written as the same literal condition), and the closed
    follow-ups newest first from (hall, status, done_at) without sorting them all."""
    from kiosk import cases, ratings, supervision
    from kiosk.models import Case, Rating, RatingFollowUp

    hall = seeded
    clerk = Staff.get(Staff.username == "wang")
    day = NOW.date()
    Case.insert_many(
        [
            {
                "hall": hall,
                "number": f"SL-{n}",
                "tracking_code": f"plan-{n}",
                "agent": clerk,
                "accepted_by": clerk,
                "deadline": day + dt.timedelta(days=n % 30 - 20),
                "status": "in_progress" if n % 50 == 0 else "completed",
            }  # fmt: skip
            for n in range(2000)
        ]
    ).execute()
    for n in range(200):
        rating = Rating.create(hall=hall, window=1, staff=clerk, score=2, level=1,
                               grade="very_dissatisfied", scale="national",
                               local_date=day)  # fmt: skip
        RatingFollowUp.create(hall=hall, rating=rating, local_date=day, deadline=day,
                              status="done", outcome="已回访", done_on=day,
                              done_at=NOW + dt.timedelta(minutes=n))  # fmt: skip
    db.execute_sql("ANALYZE")
    statements: list = []
    record(statements, cases.list_cases, hall, day)
    record(statements, cases.cases_of, hall, clerk)
    record(statements, cases.open_cases_of, clerk, 5)
    record(statements, supervision.board, hall, day)
    opened = [  # the finished part of 我的受理件 (NOT open) is read newest first, counted to 1,000
        (sql, params)
        for sql, params in statements
        if "'in_progress')" in sql and 'NOT ("t1"."status"' not in sql
    ]
    assert len(opened) >= 5  # the list, its count, mine (count, page), the console, supervision
    done: list = []
    record(done, ratings.done_follow_ups, hall)
    assert len(done) == 1
    if is_postgres():
        assert postgres_seq_scans(opened + done, ("case", "rating_follow_up")) == []
        return
    for sql, params in opened:
        details = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
        open_only = (
            "case_open_by_deadline",
            "case_hall_id_status_deadline (hall_id=? AND status=?)",
        )
        assert any(index in detail for detail in details for index in open_only), (details, sql)
        assert not any(re.match(r"SCAN (TABLE )?t1\b", detail) for detail in details), details
    details = [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + done[0][0], done[0][1])]
    assert any("status_done_at" in detail for detail in details), details
    assert not any(SORT.search(detail) for detail in details), details
