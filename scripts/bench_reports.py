#!/usr/bin/env python3
"""Time every report on a year of synthetic data (default 500,000 tickets, three queue events
each, a rating for 30 % of the served ones) in a fresh SQLite file, or in an empty PostgreSQL
database given by --db. Speed is measured here, never asserted by a test.

    .venv/bin/python scripts/bench_reports.py [--tickets 500000] [--db PATH_OR_URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk import reports  # noqa: E402
from kiosk.db import db, init_database  # noqa: E402
from kiosk.demo import load_demo  # noqa: E402
from kiosk.migrations import migrate_database  # noqa: E402
from kiosk.models import Hall, Service, Staff, Window  # noqa: E402

TICKET_COLUMNS = (
    "hall_id, service_id, issued_service_id, local_date, sequence, display_number, public_code, "
    "priority, status, issued_at, queue_at, window_id, called_at, completed_at, recall_count, "
    "first_staff_id, staff_id, outcome, kiosk, version"
)


def load_year(tickets: int) -> None:
    hall = load_demo(always_open=True).hall
    services = [s.id for s in Service.select()]
    windows = [w.id for w in Window.select()]
    staff = [s.id for s in Staff.select()]
    rnd = random.Random(1)
    per_day = tickets // 365 + 1
    start = dt.date(2025, 12, 1)
    mark = db.param
    ticket_sql = (
        f"INSERT INTO ticket ({TICKET_COLUMNS}) VALUES ({', '.join([mark] * 20)}) RETURNING id"
    )
    event_sql = (
        "INSERT INTO queue_event (hall_id, ticket_id, window_id, staff_id, kind, at, detail) "
        f"VALUES ({', '.join([mark] * 6)}, '')"
    )
    rating_sql = (
        "INSERT INTO rating (hall_id, ticket_id, window_id, staff_id, score, created_at, "
        "local_date, scale, grade, level, comment, source) "
        f"VALUES ({', '.join([mark] * 10)}, '', '')"
    )
    number = 0
    for offset in range(365):
        day = start + dt.timedelta(days=offset)
        events, ratings = [], []
        with db.atomic():
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
                row = (
                    hall.id, service, service, str(day), sequence[service], f"X{number}",
                    f"bench{number}", "", "completed" if served else "skipped", issued, issued,
                    window, called, done if served else None, 0, member, member, "done", "", 1,
                )  # fmt: skip
                ticket_id = db.execute_sql(ticket_sql, row).fetchone()[0]
                events += [
                    (hall.id, ticket_id, None, None, "issued", issued),
                    (hall.id, ticket_id, window, member, "called", called),
                    (
                        hall.id,
                        ticket_id,
                        window,
                        member,
                        "completed" if served else "skipped",
                        done,
                    ),
                ]
                if served and rnd.random() < 0.3:
                    level = rnd.choice([5, 5, 4, 4, 3, 2])
                    score = {5: 10, 4: 8, 3: 6, 2: 4}[level]
                    ratings.append(
                        (
                            hall.id,
                            ticket_id,
                            window,
                            member,
                            score,
                            done,
                            day,
                            "national",
                            "x",
                            level,
                        )
                    )
            db.cursor().executemany(event_sql, events)
            db.cursor().executemany(rating_sql, ratings)
    db.execute_sql("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500_000)
    parser.add_argument("--db", help="SQLite path or an EMPTY postgresql:// database")
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
        ("live dashboard", lambda: reports.live_state(hall)),
    ]
    for name, run in cases:
        started = time.perf_counter()
        run()
        print(f"{name:34} {time.perf_counter() - started:6.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
