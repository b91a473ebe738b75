"""The reports' figures per local day, read from the tickets or from a finished day's summary.
No Flask here.

Every figure of the three reports and their charts is a sum over rows of one shape:

    (local day, measure, service id, window id, staff id, step, n, total)

- issued, served, no_show: tickets, completed ones, and ones skipped (过号) and never
  completed; keyed by the service the ticket ended in and its last window and staff member.
- transfer: transfers, keyed by the service transferred from and who transferred.
- wait, handling: keyed as issued; step = the 6-second step, n tickets, total seconds.
- wait_hour: step = the local hour the ticket was issued; n tickets, total wait seconds.
- rating: keyed by the rated ticket's or case's service and the window and staff rated;
  step = the level (1-5), n ratings, total the scores.
The other rows have step 0 and total 0.

The wait runs from the issue to the first call, the handling time from the last call to
completion; the step is the seconds rounded to 6 (the reports show minutes to one decimal, so
the 90th percentile counted over steps is exact to what is shown).

Today's rows, and any day not yet summarised, are read from the tickets (`live_rows`). Once a
day has ended (and `GRACE` after, so a rating given at 23:59:59 has landed) and its open tickets
are closed, the maintenance thread stores its rows in `day_figure` and marks the day in
`report_day` (`summarise_finished_days`): nothing changes a past day's tickets or ratings
after that, so a month's report reads a few thousand stored sums instead of 40,000 tickets.
`rows` gives both, each day from one place, in one order, so a report is the same to the last
digit whichever way its days were read (tests/unit/test_day_figures.py).
"""

from __future__ import annotations

import datetime as dt

from peewee import fn

from . import clock
from .db import db, is_postgres, write_transaction
from .models import DayFigure, Hall, Rating, ReportDay, Ticket
from .words import OPEN_TICKET_STATUSES

COUNTS = ("issued", "served", "no_show")
DURATIONS = ("wait", "handling")
MEASURES = (*COUNTS, "transfer", *DURATIONS, "wait_hour", "rating")
PERCENTILE_STEP = 6  # seconds: the reports show minutes to one decimal, i.e. 6-second steps
GRACE = dt.timedelta(minutes=15)  # a day is summarised this long after it ended
DAYS_PER_ROUND = 31  # days summarised per maintenance round (a year's backlog: 12 rounds)


def seconds_between(later: str, earlier: str) -> str:
    if is_postgres():
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def local_hour(column: str, offset_minutes: int) -> str:
    if is_postgres():
        return f"CAST(EXTRACT(HOUR FROM {column} + INTERVAL '{offset_minutes} minutes') AS INTEGER)"
    return f"CAST(strftime('%H', {column}, '{offset_minutes:+d} minutes') AS INTEGER)"


def offset_minutes(hall: Hall, day: dt.date) -> int:
    local = clock.to_local(dt.datetime.combine(day, dt.time(12)), hall.timezone)
    return int(local.utcoffset().total_seconds() // 60)


def sql_rows(sql: str, params: tuple) -> list[tuple]:
    return list(db.execute_sql(sql.replace("?", db.param), params).fetchall())


def _day(value) -> str:
    # SQLite returns dates as text, PostgreSQL as date objects: one form for both.
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _days_clause(alias: str, start: dt.date, end: dt.date, skip: list[str]) -> tuple[str, tuple]:
    """The WHERE part choosing the local days [start, end) but those in `skip`."""
    sql = f"{alias}.hall_id = ? AND {alias}.local_date >= ? AND {alias}.local_date < ?"
    params: tuple = (start.isoformat(), end.isoformat())
    if skip:
        sql += f" AND {alias}.local_date NOT IN ({', '.join('?' * len(skip))})"
        params += tuple(skip)
    return sql, params


def _ticket_rows(hall: Hall, where: str, params: tuple, offset: int) -> list[tuple]:
    """(day, service, window, staff, wait step, wait s, handling step, handling s, hour) of
    each ticket that was called or served, NULL where the ticket has none. Read from the ticket
    rows alone, by the index on (hall, local_date): the first call is kept on the ticket
    (`first_called_at`), the last is `called_at`. The step is rounded by the database (half
    away from zero; PostgreSQL on the exact numeric), the seconds come as a float."""
    wait = seconds_between("t.first_called_at", "t.issued_at")
    handling = seconds_between("t.completed_at", "t.called_at")
    served = "t.status = 'completed' AND t.called_at IS NOT NULL"
    as_float = "CAST({} AS DOUBLE PRECISION)" if is_postgres() else "{}"
    sql = f"""
        SELECT s.local_date, s.service_id, s.window_id, s.staff_id,
          CAST(ROUND(s.wait / {PERCENTILE_STEP}.0) AS INTEGER),
          {as_float.format("s.wait")},
          CAST(ROUND(s.handling / {PERCENTILE_STEP}.0) AS INTEGER),
          {as_float.format("s.handling")},
          s.hr
        FROM (
          SELECT t.local_date, t.service_id, t.window_id, t.staff_id,
            CASE WHEN t.first_called_at IS NOT NULL THEN {wait} END AS wait,
            CASE WHEN {served} THEN {handling} END AS handling,
            {local_hour("t.issued_at", offset)} AS hr
          FROM ticket t
          WHERE {where}
            AND (t.first_called_at IS NOT NULL OR ({served}))) s"""
    return sql_rows(sql, (hall.id, *params))


def live_rows(
    hall: Hall, start: dt.date, end: dt.date, measures=MEASURES, skip: list[str] = ()
) -> list[tuple]:
    """The rows of the local days [start, end) but `skip`, counted from the tickets, queue
    events and ratings (see the module's table)."""
    wanted = set(measures)
    skip = list(skip)
    found: list[tuple] = []
    where, params = _days_clause("t", start, end, skip)
    if wanted & set(COUNTS):
        sql = f"""
            SELECT t.local_date, t.service_id, t.window_id, t.staff_id, COUNT(*),
              SUM(CASE WHEN t.status = 'completed' THEN 1 ELSE 0 END),
              SUM(CASE WHEN t.status <> 'completed' AND EXISTS (
                    SELECT 1 FROM queue_event s WHERE s.ticket_id = t.id AND s.kind = 'skipped')
                  THEN 1 ELSE 0 END)
            FROM ticket t
            WHERE {where}
            GROUP BY t.local_date, t.service_id, t.window_id, t.staff_id"""
        for day, service, window, staff, *counts in sql_rows(sql, (hall.id, *params)):
            for measure, n in zip(COUNTS, counts, strict=True):
                if n and measure in wanted:
                    found.append((_day(day), measure, service, window, staff, 0, int(n), 0.0))
    if "transfer" in wanted:
        sql = f"""
            SELECT t.local_date, e.from_service_id, e.window_id, e.staff_id, COUNT(*)
            FROM queue_event e JOIN ticket t ON t.id = e.ticket_id
            WHERE {where} AND e.kind = 'transferred'
            GROUP BY t.local_date, e.from_service_id, e.window_id, e.staff_id"""
        for day, service, window, staff, n in sql_rows(sql, (hall.id, *params)):
            found.append((_day(day), "transfer", service, window, staff, 0, int(n), 0.0))
    if wanted & {*DURATIONS, "wait_hour"}:
        # Grouped here, one dictionary update a ticket: grouping a month by (day, service,
        # window, staff, step) in SQL cost more than reading it (SQLite sorted it in a
        # temporary B-tree, PostgreSQL hashed numeric keys).
        cells: dict[tuple, list] = {}
        for day, service, window, staff, w_step, w_secs, h_step, h_secs, hour in _ticket_rows(
            hall, where, params, offset_minutes(hall, start)
        ):
            day = _day(day)
            for measure, key, secs in (
                ("wait", (service, window, staff, w_step), w_secs),
                ("handling", (service, window, staff, h_step), h_secs),
                ("wait_hour", (None, None, None, hour), w_secs),
            ):
                if secs is None:
                    continue
                cell = cells.get((day, measure, *key))
                if cell is None:
                    cells[(day, measure, *key)] = [1, secs]
                else:
                    cell[0] += 1
                    cell[1] += secs
        found.extend(
            (*key, n, float(total)) for key, (n, total) in cells.items() if key[1] in wanted
        )
    if "rating" in wanted:
        where_r, params_r = _days_clause("r", start, end, skip)
        # The service per rating, by primary key: a join let PostgreSQL hash the whole ticket
        # table (0.3 s).
        sql = f"""
            SELECT r.local_date,
              COALESCE((SELECT t.service_id FROM ticket t WHERE t.id = r.ticket_id),
                       (SELECT c.service_id FROM "case" c WHERE c.id = r.case_id)) AS svc,
              r.window_id, r.staff_id, r.level, COUNT(*), SUM(r.score)
            FROM rating r
            WHERE {where_r}
            GROUP BY r.local_date, svc, r.window_id, r.staff_id, r.level"""
        for day, service, window, staff, level, n, total in sql_rows(sql, (hall.id, *params_r)):
            found.append(
                (_day(day), "rating", service, window, staff, level, int(n), float(total or 0))
            )
    return found


def _order(row: tuple) -> tuple:
    return (row[0], row[1], row[2] or 0, row[3] or 0, row[4] or 0, row[5] or 0)


def summarised_days(hall: Hall, start: dt.date, end: dt.date) -> list[str]:
    return [
        _day(day)
        for (day,) in ReportDay.select(ReportDay.local_date)
        .where(
            (ReportDay.hall == hall)
            & (ReportDay.local_date >= start)
            & (ReportDay.local_date < end)
        )
        .tuples()
    ]


def rows(hall: Hall, start: dt.date, end: dt.date, measures=MEASURES) -> list[tuple]:
    """The rows of the local days [start, end): stored for the summarised days, counted from
    the tickets for the others; sorted, so that sums come out the same either way. The days
    before the first one stored held nothing (the first day stored is the hall's first ticket
    or rating, and a ticket or rating is only ever written for today)."""
    stored = summarised_days(hall, start, end)
    found: list[tuple] = []
    if stored:
        # Plain rows: peewee's conversion of each value cost more than the query.
        marks = ", ".join("?" * len(measures))
        found.extend(
            (_day(day), *rest)
            for day, *rest in sql_rows(
                f"""SELECT local_date, measure, service_id, window_id, staff_id, step, n, total
                FROM day_figure WHERE hall_id = ? AND measure IN ({marks})
                  AND local_date >= ? AND local_date < ?""",
                (hall.id, *measures, start.isoformat(), end.isoformat()),
            )
        )
    first = ReportDay.select(fn.MIN(ReportDay.local_date)).where(ReportDay.hall == hall).scalar()
    if first is not None:
        start = max(start, dt.date.fromisoformat(_day(first)))
    if (
        start < end
        and len([day for day in stored if day >= start.isoformat()]) < (end - start).days
    ):
        found.extend(live_rows(hall, start, end, measures, skip=stored))
    found.sort(key=_order)
    return found


def summarise_day(hall: Hall, day: dt.date, *, now: dt.datetime | None = None) -> int:
    """Store the rows of a finished local day (replacing any stored before); returns how many."""
    with write_transaction():
        found = live_rows(hall, day, day + dt.timedelta(days=1))
        DayFigure.delete().where((DayFigure.hall == hall) & (DayFigure.local_date == day)).execute()
        ReportDay.delete().where((ReportDay.hall == hall) & (ReportDay.local_date == day)).execute()
        fields = [
            DayFigure.hall,
            DayFigure.local_date,
            DayFigure.measure,
            DayFigure.service_id,
            DayFigure.window_id,
            DayFigure.staff_id,
            DayFigure.step,
            DayFigure.n,
            DayFigure.total,
        ]
        values = [(hall.id, day, *row[1:]) for row in found]
        for index in range(0, len(values), 500):
            DayFigure.insert_many(values[index : index + 500], fields=fields).execute()
        ReportDay.create(hall=hall, local_date=day, summarised_at=now or clock.utcnow())
    return len(found)


def summarise_finished_days(
    hall: Hall, *, now: dt.datetime | None = None, limit: int = DAYS_PER_ROUND
) -> list[dt.date]:
    """Summarise the hall's next days that are over (by GRACE) and hold no open ticket, from
    the day after the last one summarised (or the hall's first ticket or rating); at most
    `limit` days a call. Returns the days summarised."""
    now = now or clock.utcnow()
    finished = clock.local_date(now - GRACE, hall.timezone)  # days before this are over
    last = ReportDay.select(fn.MAX(ReportDay.local_date)).where(ReportDay.hall == hall).scalar()
    if last is not None:
        day = dt.date.fromisoformat(_day(last)) + dt.timedelta(days=1)
    else:
        firsts = [
            model.select(fn.MIN(model.local_date)).where(model.hall == hall).scalar()
            for model in (Ticket, Rating)
        ]
        firsts = [dt.date.fromisoformat(_day(first)) for first in firsts if first is not None]
        if not firsts:
            return []
        day = min(firsts)
    done: list[dt.date] = []
    while day < finished and len(done) < limit:
        still_open = (
            Ticket.select(Ticket.id)
            .where(
                (Ticket.hall == hall)
                & (Ticket.local_date == day)
                & Ticket.status.in_(OPEN_TICKET_STATUSES)
            )
            .exists()
        )
        if still_open:  # closed by the next maintenance round; summarised then
            break
        summarise_day(hall, day, now=now)
        done.append(day)
        day += dt.timedelta(days=1)
    return done
