#!/usr/bin/env python3
"""A year of a busy hall, and every screen timed on it beside day one.

    python3 scripts/bench.py --year            (or: python3 scripts/year.py [days] [per day])

Building: one working day of a busy hall is played with the project's own functions (tickets
issued over the day at the kiosk with their slips, six staffed windows calling, recalling now
and then, skipping, transferring and completing, an audit entry for every call, one case in
ten); that day is then copied, shifted day by day, to fill the year (SQL INSERT … SELECT, ids
kept apart), and the audit chain is re-hashed so it verifies. Seeded and reproducible; at the
defaults (the working days of 365 calendar days, 1,900 tickets each) about 500,000 tickets
with their events and print jobs, in a few minutes.

Measuring: the real server (scripts/run.py) serves the demo database, then the same hall
built for its first 70 days (its reports of last month and the month before read full
periods, as a year in), then the year database; each page and action is requested 20 times
and p50/p99 printed side by side with the ratios (the year against day one, and against 70
days: what age alone costs), and the server's RSS after. Nothing is asserted: the numbers are
for the README.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _venv import ROOT, ensure_venv


def play_one_day(day: dt.date, per_day: int) -> None:
    """A busy working day at the demo hall, with the queue's own functions."""
    from kiosk import audit, clock, queue, ratings
    from kiosk.models import Case, Hall, PrintJob, Service, Staff, Window
    from kiosk.printing import print_ticket

    hall = Hall.get()
    services = list(Service.select().order_by(Service.id))
    windows = list(Window.select().order_by(Window.number))
    clerks = {w.id: Staff.get(Staff.username == u) for w, u in zip(windows, CLERKS, strict=True)}
    opens = clock.from_local(dt.datetime.combine(day, dt.time(8, 30)), hall.timezone)
    rng = random.Random(day.toordinal())
    step = dt.timedelta(seconds=8 * 3600 / per_day)
    now = opens
    for number in range(per_day):
        now = opens + step * number
        ticket = queue.issue_ticket(
            hall,
            services[rng.randrange(len(services))],
            priority="elderly" if rng.random() < 0.08 else "",
            kiosk=f"kiosk-{number % 2}",
            now=now,
        )
        print_ticket(ticket, "http://192.168.1.10:8000/t/" + ticket.public_code)
        if number % 4 == 3:  # the windows keep pace, each taking a resident in turn
            for window in windows:
                clerk = clerks[window.id]
                current = queue.current_ticket(window, day)
                if current is not None:
                    roll = rng.random()
                    if roll < 0.03:
                        queue.skip(current, window, clerk, now=now)
                    elif roll < 0.05:
                        other = windows[1] if window.id == windows[0].id else windows[0]
                        queue.transfer(current, window, clerk, to_window=other, now=now)
                    else:
                        queue.complete(current, window, clerk, now=now)
                        if rng.random() < RATED_SHARE:  # the window's rating pad
                            grade = rng.choices(GRADE_CODES, GRADE_WEIGHTS)[0]
                            ratings.rate_ticket(hall, current, grade, source="window_pad", now=now)
                        if roll > 0.9:
                            Case.create(
                                hall=hall,
                                number=f"SL{day:%Y%m%d}-{number:04d}-{window.number}",
                                tracking_code=f"Y{day:%Y%m%d}{number:05d}{window.number}",
                                ticket=current,
                                service=current.service,
                                subject="未办结事项",
                                accepted_by=clerk,
                                agent=clerk,
                                time_limit_days=5,
                                deadline=day + dt.timedelta(days=7),
                                status="completed" if roll > 0.92 else "in_progress",
                            )
                called = queue.call_next(window, clerk, now=now)
                if called is not None:
                    audit.record(hall, clerk, "call", "ticket", called.display_number, now=now)
    for window in windows:  # closing time: the last residents are served
        current = queue.current_ticket(window, day)
        if current is not None:
            queue.complete(current, window, clerks[window.id], now=now)
    PrintJob.update(status="printed", printed_at=now).execute()


CLERKS = ["wang", "li", "zhang", "chen", "zhao", "sun"]
# Half the residents rate at the window's pad, mostly 非常满意; one in a hundred 不满意 or worse,
# which opens a follow-up (回访).
RATED_SHARE = 0.5
GRADE_CODES = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
               "very_dissatisfied")  # fmt: skip
GRADE_WEIGHTS = (70, 22, 6, 1.5, 0.5)


def copy_day(database, base_day: dt.date, days: int, today: dt.date) -> None:
    """Copy the played day to each of `days` days before `today` (weekends skipped)."""
    from peewee import fn

    from kiosk.models import (
        AuditEntry,
        Case,
        PrintJob,
        QueueEvent,
        Rating,
        RatingFollowUp,
        Ticket,
    )

    # What changes in a copy, per table: ids move by the copy's offset (links too), days and
    # times by the shift, unique codes get the copy's number. Other columns are copied as they are.
    changes = {
        Ticket: {"public_code": "code", "local_date": "day",
                 **dict.fromkeys(("issued_at", "queue_at", "called_at", "first_called_at",
                                  "completed_at", "skipped_at"), "time")},
        QueueEvent: {"ticket_id": Ticket, "at": "time"},
        PrintJob: {"source_id": Ticket,
                   **dict.fromkeys(("created_at", "next_attempt_at", "printed_at"), "time")},
        AuditEntry: {"at": "time"},
        Rating: {"ticket_id": Ticket, "local_date": "day", "created_at": "time"},
        RatingFollowUp: {"rating_id": Rating, "opened_at": "time", "done_at": "time",
                         **dict.fromkeys(("local_date", "deadline", "done_on"), "day")},
        Case: {"ticket_id": Ticket, "number": "code", "tracking_code": "code",
               "deadline": "day", "accepted_at": "time", "completed_at": "time"},
    }  # fmt: skip
    # The played day's rows have ids 1..max; copy k gets ids + k * stride.
    stride = {model: (model.select(fn.MAX(model.id)).scalar() or 0) + 1 for model in changes}
    targets = [
        today - dt.timedelta(days=back)
        for back in range(1, days + 1)
        if (today - dt.timedelta(days=back)).weekday() < 5
        and today - dt.timedelta(days=back) != base_day
    ]
    for index, target in enumerate(sorted(targets), start=1):
        shift = f"'{(target - base_day).days:+d} days'"
        kinds = {
            "day": "date({column}, " + shift + ")",
            "time": "datetime({column}, " + shift + ")",  # NULL stays NULL
            "code": "{column} || '-" + f"{index:03d}" + "'",
        }
        for model, changed in changes.items():
            if stride[model] == 1:
                continue  # nothing of this table was played
            columns = [field.column_name for field in model._meta.sorted_fields]
            select = []
            for column in columns:
                change = "id" if column == "id" else changed.get(column)
                if change is None:
                    select.append(column)
                elif change == "id":
                    select.append(f"id + {stride[model] * index}")
                elif isinstance(change, str):
                    select.append(kinds[change].format(column=column))
                else:  # a link to a copied row of another table
                    select.append(f"{column} + {stride[change] * index}")
            table = model._meta.table_name
            database.execute_sql(
                f'INSERT INTO "{table}" ({", ".join(columns)}) SELECT {", ".join(select)} '
                f'FROM "{table}" WHERE id < {stride[model]}'
            )


def close_old_cases(database, today: dt.date) -> None:
    """A hall a year in has finished most of its cases: those accepted over two weeks ago are
    completed 0–8 days after acceptance (some past their deadline), one in twenty left open
    (overdue), instead of the played day's 80 % open copied to every day."""
    cutoff = f"{today - dt.timedelta(days=14)} 00:00:00"
    database.execute_sql(
        """UPDATE "case" SET status = 'completed',
           completed_at = datetime(accepted_at, '+' || (id % 9) || ' days')
           WHERE status <> 'completed' AND accepted_at < ? AND id % 20 <> 0""",
        (cutoff,),
    )


def close_old_follow_ups(database, today: dt.date) -> None:
    """The hall head has called back most residents who rated poorly: follow-ups opened over
    two weeks ago are done 1–6 days later (some after the 5-working-day deadline), one in ten
    still open."""
    cutoff = (today - dt.timedelta(days=14)).isoformat()
    database.execute_sql(
        """UPDATE rating_follow_up SET status = 'done', outcome = '已电话回访，群众表示理解',
           done_at = datetime(opened_at, '+' || (1 + id % 6) || ' days'),
           done_on = date(local_date, '+' || (1 + id % 6) || ' days')
           WHERE status = 'open' AND local_date < ? AND id % 10 <> 0""",
        (cutoff,),
    )


def rechain_audit() -> int:
    """Re-hash the audit chain in id order (the copies changed times), head included."""
    from kiosk.audit import GENESIS, entry_digest
    from kiosk.db import db
    from kiosk.models import AuditEntry, AuditHead, Hall

    previous, count = GENESIS, 0
    hall = Hall.get()
    rows = []
    for entry in AuditEntry.select().order_by(AuditEntry.id).iterator():
        entry.prev_hash = previous
        entry.entry_hash = entry_digest(entry)
        previous = entry.entry_hash
        rows.append((entry.prev_hash, entry.entry_hash, entry.id))
        count += 1
    mark = db.param
    with db.atomic():
        db.cursor().executemany(
            f"UPDATE audit_entry SET prev_hash = {mark}, entry_hash = {mark} WHERE id = {mark}",
            rows,
        )
    # A hall that has been running has a recent verified point (every admin page view moves it).
    AuditHead.update(
        entries=count,
        last_hash=previous,
        verified_id=rows[-1][2] if rows else 0,
        verified_hash=previous if rows else "",
        verified_entries=count,
    ).where(AuditHead.hall == hall).execute()
    return count


# The same hall after its first two months: the reports of last month and the month before
# read full periods there too, so the year's column against it shows what age alone costs.
MONTHS_DAYS = 70


def build_year(path: Path, days: int, per_day: int) -> dict:
    from bench import prepare_database

    from kiosk import clock
    from kiosk.db import db
    from kiosk.models import Case, Printer, Rating, Ticket

    prepare_database(path)
    started = time.perf_counter()
    with db.connection_context():
        Printer.update(enabled=True, connection='{"kind": "file", "path": "year.bin"}').execute()
        today = clock.local_date(clock.utcnow())
        base_day = today - dt.timedelta(days=1)
        while base_day.weekday() >= 5:
            base_day -= dt.timedelta(days=1)
        with db.atomic():
            play_one_day(base_day, per_day)
        played = time.perf_counter() - started
        copy_day(db, base_day, days, today)
        close_old_cases(db, today)
        close_old_follow_ups(db, today)
        entries = rechain_audit()
        Printer.update(enabled=False).execute()
        db.execute_sql("ANALYZE")
        tickets = Ticket.select().count()
        rated = Rating.select().count()
        cases = Case.select().count()
    size = path.stat().st_size / 1e6
    return {"tickets": tickets, "audit": entries, "ratings": rated, "cases": cases,
            "played_s": played,
            "built_s": time.perf_counter() - started, "size_mb": size}  # fmt: skip


def measure(db_path: Path, passwords: dict[str, str]) -> dict[str, tuple[float, float]]:
    from _serve import stop_server
    from bench import Client, free_port, percentile, rss_mb, start_server

    port = free_port()
    server, _cold = start_server(db_path, port, 16)
    results: dict[str, tuple[float, float]] = {}
    try:
        admin = Client(port)
        admin.conn.timeout = 120
        admin.login("admin", passwords["admin"])
        console = Client(port)
        console.login("wang", passwords["wang"])
        token = console.csrf("/login")
        console.request("POST", "/staff/windows/1/duty", {"csrf_token": token})
        kiosk = Client(port)
        take = kiosk.csrf("/take/1")
        status, headers, _ = kiosk.request(
            "POST", "/tickets", {"csrf_token": take, "service_id": "1"}
        )
        code = headers.get("Location", "/x").rsplit("/", 1)[1]
        kiosk.request("GET", f"/tickets/{code}/done")
        htmx = {"HX-Request": "true"}
        # The reports of full periods a year in: yesterday, last week, last month.
        today = dt.date.today()
        day = (today - dt.timedelta(days=1)).isoformat()
        week = (today - dt.timedelta(days=7)).isoformat()
        month = (today.replace(day=1) - dt.timedelta(days=1)).isoformat()
        monthly = f"/admin/reports/period?kind=month&date={month}"
        listed = ["/admin", "/admin/audit", "/admin/cases", "/admin/printers",
                  "/admin/follow-ups", "/admin/supervision",
                  f"/admin/supervision/overdue?month={month[:7]}"]  # fmt: skip
        pages = [(f"GET {path}", admin, path, None) for path in listed] + [
            ("ticket page", kiosk, f"/tickets/{code}", None),
            ("its print state", kiosk, f"/tickets/{code}/print", htmx),
            ("phone page", kiosk, f"/t/{code}", None),
            ("board", kiosk, "/display", None),
            ("board fragment", kiosk, "/display/board", htmx),
            ("staff console", console, "/staff/console", None),
            ("console poll", console, "/staff/console/panel", htmx),
            ("my cases (我的受理件)", console, "/staff/cases", None),
            ("daily report", admin, f"/admin/reports/daily?date={day}", None),
            ("weekly report", admin, f"/admin/reports/period?kind=week&date={week}", None),
            ("monthly report", admin, monthly, None),
            ("major-matters report", admin, f"/admin/reports/major?date={month}", None),
            ("monthly report, Excel", admin, monthly + "&format=xlsx", None),
            ("dashboard", admin, "/admin/dashboard", None),
            ("dashboard refresh", admin, "/admin/dashboard/live", htmx),
        ]
        for label, client, path, headers in pages:
            times = []
            for _ in range(20):
                began = time.perf_counter()
                try:
                    status, _h, _b = client.request("GET", path, headers=headers)
                except TimeoutError:
                    label += " (over 120 s)"
                    times.append(time.perf_counter() - began)
                    client.conn.close()
                    break
                times.append(time.perf_counter() - began)
                if status >= 400:
                    label += f" (HTTP {status})"
                    break
            results[label] = (percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000)
            print(f"  {label}: p50 {results[label][0]:.0f} ms", file=sys.stderr, flush=True)
        times = []
        for _ in range(20):
            began = time.perf_counter()
            _s, _h, body = console.request(
                "POST", "/staff/console/call", {"csrf_token": token}, htmx
            )
            times.append(time.perf_counter() - began)
            found = re.search(rb'name="ticket_id" value="(\d+)"><input type="hidden" '
                              rb'name="version" value="(\d+)"', body)  # fmt: skip
            if found:
                console.request(
                    "POST", "/staff/console/complete",
                    {"csrf_token": token, "ticket_id": found.group(1).decode(),
                     "version": found.group(2).decode()}, htmx,
                )  # fmt: skip
        results["call-next (console)"] = (
            percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000
        )  # fmt: skip
        times = []
        for _ in range(20):
            began = time.perf_counter()
            _s, headers, _b = kiosk.request(
                "POST", "/tickets", {"csrf_token": take, "service_id": "2"}
            )
            times.append(time.perf_counter() - began)
            kiosk.request("GET", headers.get("Location", "/x") + "/done")
        results["take a ticket (kiosk)"] = (
            percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000
        )  # fmt: skip
        results["server RSS after (MB)"] = (rss_mb(server.pid) or 0, 0)
    finally:
        stop_server(server)
    return results


def store_report_days(path: Path) -> tuple[int, float]:
    """What the running server's maintenance does each night (closes the day's open tickets,
    stores its report figures), for every past day at once; returns (days, seconds)."""
    from kiosk import day_figures
    from kiosk.db import connection, init_database
    from kiosk.migrations import migrate_database
    from kiosk.models import Hall
    from kiosk.tickets import close_past_days

    init_database(str(path))
    migrate_database()
    began, days = time.perf_counter(), 0
    with connection():
        for hall in Hall.select():
            close_past_days(hall)
            while stored := day_figures.summarise_finished_days(hall):
                days += len(stored)
    return days, time.perf_counter() - began


def year(days: int = 365, per_day: int = 1900) -> int:
    ensure_venv("requirements-test.txt")
    sys.path.insert(0, str(ROOT))
    from bench import prepare_database

    from kiosk.db import init_database

    with tempfile.TemporaryDirectory(prefix="hall-year-") as tmp:
        demo = Path(tmp) / "demo.sqlite3"
        passwords = prepare_database(demo)
        import os

        kept = os.environ.get("HALL_YEAR_DB")  # reuse the databases built before
        built_dbs = {}
        for label, length in (("year", days), ("months", MONTHS_DAYS)):
            path = Path(tmp) / f"{label}.sqlite3"
            if kept:
                path = Path(kept) if label == "year" else Path(f"{kept}-{length}days")
            if kept and path.exists():
                built = {"tickets": 0, "audit": 0, "ratings": 0, "cases": 0, "played_s": 0,
                         "built_s": 0, "size_mb": path.stat().st_size / 1e6}  # fmt: skip
            else:
                built = build_year(path, length, per_day)
            print(
                f"{length} days' database: {built['tickets']:,} tickets, "
                f"{built['audit']:,} audit entries, {built['ratings']:,} ratings, "
                f"{built['cases']:,} cases, {built['size_mb']:,.0f} MB; one day played in "
                f"{built['played_s']:.0f} s, built in {built['built_s']:.0f} s"
            )
            stored, seconds = store_report_days(path)
            print(f"report figures of {stored} past days stored in {seconds:.1f} s")
            built_dbs[label] = path
        store_report_days(demo)
        init_database(str(demo))
        day_one = measure(demo, passwords)
        bench_passwords = {u: f"bench-{u}-pass" for u in passwords}
        init_database(str(built_dbs["months"]))
        months_in = measure(built_dbs["months"], bench_passwords)
        init_database(str(built_dbs["year"]))
        a_year = measure(built_dbs["year"], bench_passwords)
    from bench import cpu_reference

    print(f"CPU reference {cpu_reference():.0f} ms (10M additions; lower is a faster machine)")
    print(f"| page / action | day one p50 / p99 | {MONTHS_DAYS} days in p50 / p99 | "
          "a year in p50 / p99 | year / day one (p50) | "
          f"year / {MONTHS_DAYS} days (p50) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    nan = (float("nan"), float("nan"))
    for label, (p50, p99) in day_one.items():
        m50, m99 = months_in.get(label, nan)
        y50, y99 = a_year.get(label, nan)
        if label.startswith("server RSS"):
            print(f"| {label} | {p50:.0f} | {m50:.0f} | {y50:.0f} | | |")
            continue
        print(f"| {label} | {p50:.0f} / {p99:.0f} ms | {m50:.0f} / {m99:.0f} ms | "
              f"{y50:.0f} / {y99:.0f} ms | {y50 / p50 if p50 else float('nan'):.1f}× | "
              f"{y50 / m50 if m50 else float('nan'):.1f}× |")  # fmt: skip
    return 0


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    raise SystemExit(year(*arguments))
