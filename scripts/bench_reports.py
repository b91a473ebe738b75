#!/usr/bin/env python3
"""Time every report on a year of synthetic data (default 500,000 tickets, three queue events
each, a rating for 30 % of the served ones) in a fresh SQLite file, or in an empty PostgreSQL
database given by --db (a database already loaded by an earlier run is timed again as it is).
Each report runs --repeat times; the median is printed with the fastest and slowest run. Speed
is measured here, never asserted by a test. The reports are timed twice: counted from the
tickets, then with the past days' figures stored (kiosk/day_figures.py, as the server's
maintenance stores them), with the time that storing took.

    .venv/bin/python scripts/bench_reports.py [--tickets 500000] [--db PATH_OR_URL] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import day_figures, reports  # noqa: E402
from kiosk.db import db, init_database  # noqa: E402
from kiosk.demo import load_demo  # noqa: E402
from kiosk.migrations import migrate_database  # noqa: E402
from kiosk.models import DayFigure, Hall, ReportDay, Service, Staff, Window  # noqa: E402
from kiosk.tickets import close_past_days  # noqa: E402

TICKET_COLUMNS = (
    "hall_id, service_id, issued_service_id, local_date, sequence, display_number, public_code, "
    "priority, status, issued_at, queue_at, window_id, called_at, first_called_at, "
    "completed_at, recall_count, first_staff_id, staff_id, outcome, kiosk, version"
)


def _insert_many(sql_head: str, rows: list[tuple], *, returning: str = "") -> list[tuple]:
    """Multi-row INSERTs of at most 900 parameters each (the oldest SQLite limit is 999): a
    round trip per row made PostgreSQL loads take most of an hour on a busy machine."""
    if not rows:
        return []
    width = len(rows[0])
    group = "(" + ", ".join([db.param] * width) + ")"
    per_statement = max(900 // width, 1)
    returned: list[tuple] = []
    for first in range(0, len(rows), per_statement):
        chunk = rows[first : first + per_statement]
        sql = f"{sql_head} VALUES {', '.join([group] * len(chunk))} {returning}"
        params = [value for row in chunk for value in row]
        cursor = db.execute_sql(sql, params)
        if returning:
            returned += cursor.fetchall()
    return returned


def load_year(tickets: int) -> None:
    hall = load_demo(always_open=True).hall
    services = [s.id for s in Service.select()]
    windows = [w.id for w in Window.select()]
    staff = [s.id for s in Staff.select()]
    rnd = random.Random(1)
    per_day = tickets // 365 + 1
    start = dt.date(2025, 12, 1)
    ticket_sql = f"INSERT INTO ticket ({TICKET_COLUMNS})"
    event_sql = (
        "INSERT INTO queue_event (hall_id, ticket_id, window_id, staff_id, kind, at, detail)"
    )
    rating_sql = (
        "INSERT INTO rating (hall_id, ticket_id, window_id, staff_id, score, created_at, "
        "local_date, scale, grade, level, comment, source)"
    )
    number = 0
    for offset in range(365):
        day = start + dt.timedelta(days=offset)
        rows, events, ratings = [], [], []
        sequence: dict[int, int] = {}
        for _ in range(per_day):
            number += 1
            service = rnd.choice(services)
            sequence[service] = sequence.get(service, 0) + 1
            issued = dt.datetime.combine(day, dt.time(0, 30)) + dt.timedelta(
                seconds=rnd.randint(0, 8 * 3600)
            )
            called = issued + dt.timedelta(seconds=rnd.randint(0, 3600))
            done = called + dt.timedelta(seconds=rnd.randint(60, 1800))
            served = rnd.random() < 0.93
            window, member = rnd.choice(windows), rnd.choice(staff)
            # Dates and times as ISO text: the same on SQLite and PostgreSQL.
            issued, called, done = str(issued), str(called), str(done)
            code = f"bench{number}"
            rows.append((
                hall.id, service, service, str(day), sequence[service], f"X{number}", code, "",
                "completed" if served else "skipped", issued, issued, window, called,
                called, done if served else None, 0, member, member, "done", "", 1,
            ))  # fmt: skip
            events += [
                (hall.id, code, None, None, "issued", issued),
                (hall.id, code, window, member, "called", called),
                (hall.id, code, window, member, "completed" if served else "skipped", done),
            ]
            if served and rnd.random() < 0.3:
                level = rnd.choice([5, 5, 4, 4, 3, 2])
                score = {5: 10, 4: 8, 3: 6, 2: 4}[level]
                ratings.append(
                    (hall.id, code, window, member, score, done, str(day), "national", "x", level)
                )
        with db.atomic():
            ids = dict(
                (code, ticket_id)
                for ticket_id, code in _insert_many(
                    ticket_sql, rows, returning="RETURNING id, public_code"
                )
            )
            _insert_many(event_sql, [(*e[:1], ids[e[1]], *e[2:], "") for e in events])
            _insert_many(rating_sql, [(*r[:1], ids[r[1]], *r[2:], "", "") for r in ratings])
    db.execute_sql("ANALYZE")


def time_reports(cases, repeat: int, heading: str) -> None:
    print(f"{heading:34} {'median':>8} {'fastest':>8} {'slowest':>8}  ({repeat} runs)")
    for name, run in cases:
        times = []
        for _ in range(max(repeat, 1)):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"{name:34} {median:6.3f} s {min(times):6.3f} s {max(times):6.3f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--db", help="SQLite path or an EMPTY postgresql:// database")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each report (median)")
    args = parser.parse_args()
    url = args.db or str(Path(tempfile.mkdtemp()) / "year.sqlite3")
    init_database(url)
    migrate_database()
    db.connect(reuse_if_open=True)
    if not Hall.select().exists():
        started = time.perf_counter()
        load_year(args.tickets)
        print(f"loaded {args.tickets} tickets in {time.perf_counter() - started:.0f} s ({url})")
    hall = Hall.get()
    day = dt.date(2026, 6, 15)
    month = reports.period_of("month", day)
    cases = [
        ("daily report", lambda: reports.daily_report(hall, day)),
        ("weekly report", lambda: reports.period_report(hall, reports.period_of("week", day))),
        ("monthly report", lambda: reports.period_report(hall, month)),
        ("major-matters report", lambda: reports.major_report(hall, month, today=day)),
        ("chart: waits by hour (month)", lambda: reports.waits_by_hour(hall, month)),
        ("chart: tickets per day (month)", lambda: reports.tickets_per_day(hall, month)),
        ("chart: satisfaction trend", lambda: reports.satisfaction_by_day(hall, month)),
        ("chart: completion by month (12)", lambda: reports.completion_by_month(hall, day)),
        # The dashboard at 10:00 of a loaded day (today is outside the generated year).
        ("live dashboard", lambda: reports.live_state(hall, now=dt.datetime(2026, 6, 15, 2))),
    ]
    # First every figure counted from the tickets (no day stored), then from the days stored
    # as the server's maintenance stores them once each day has ended.
    DayFigure.delete().execute()
    ReportDay.delete().execute()
    time_reports(cases, args.repeat, "counted from the tickets")
    started = time.perf_counter()
    close_past_days(hall)
    stored = 0
    while found := day_figures.summarise_finished_days(hall):
        stored += len(found)
    print(f"stored the figures of {stored} days in {time.perf_counter() - started:.1f} s")
    time_reports(cases, args.repeat, "the past days stored")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
