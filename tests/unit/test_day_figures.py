"""The report figures of finished days (kiosk/day_figures.py): a report read from the stored
figures equals, to the last digit, the same report counted from the tickets — for a hall
whose windows share services, with transfers, no-shows, re-activations, ratings on both
scales and a day still open; with some days stored and others not; and the maintenance round
stores only days that are over and closed.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from report_data import D, at, build_day, service, staff, window

from kiosk import day_figures, maintenance, queue, ratings, reports
from kiosk.models import DayFigure, Hall, ReportDay, Ticket

# Mon 2026-11-23 … Fri 11-27 played at random, and Wed 11-18 of the week before.
DAYS = [dt.date(2026, 11, 18), *(dt.date(2026, 11, 23) + dt.timedelta(n) for n in range(5))]
DESKS = {1: "wang", 3: "zhang", 4: "chen"}  # window number: who sits there


def play_days(hall: Hall, seed: int) -> Hall:
    """Random days through the queue's own functions; waits and handling times in seconds
    (not whole minutes), so the 6-second steps and the means are exercised."""
    rng = random.Random(seed)
    services = [service(code) for code in ("social_assistance", "labour_security")]
    services.append(service("land_construction"))
    desks = {  # service id: the windows (of DESKS) that serve it
        s.id: [n for n in DESKS if s.id in {sid for sid, _ in queue.window_services(window(n))}]
        for s in services
    }
    services = [s for s in services if desks[s.id]]
    assert len(services) >= 2
    for day in DAYS:
        clock_s = 0

        def now(step: int, day=day) -> dt.datetime:
            nonlocal clock_s
            clock_s += step
            return at(1, 0, day) + dt.timedelta(seconds=clock_s)

        tickets = [
            queue.issue_ticket(hall, rng.choice(services), now=now(rng.randint(5, 90)))
            for _ in range(rng.randint(10, 18))
        ]
        for ticket in tickets:
            number = rng.choice(desks[ticket.service_id])
            desk, clerk = window(number), staff(DESKS[number])
            fate = rng.random()
            if fate < 0.1:
                continue  # still waiting at the end of the day
            ticket = queue.call_ticket(desk, ticket, clerk, now=now(rng.randint(30, 400)))
            if fate < 0.25:
                queue.skip(ticket, desk, clerk, now=now(rng.randint(20, 90)))
                continue
            if fate < 0.35:
                ticket = queue.skip(ticket, desk, clerk, now=now(rng.randint(20, 90)))
                ticket = queue.reactivate(ticket, clerk, now=now(rng.randint(10, 60)))
                ticket = queue.call_ticket(desk, ticket, clerk, now=now(rng.randint(10, 200)))
            elif fate < 0.45:
                to = rng.choice([s for s in services if s.id != ticket.service_id])
                ticket = queue.transfer(ticket, desk, clerk, to_service=to, now=now(30))
                number = rng.choice(desks[to.id])
                desk, clerk = window(number), staff(DESKS[number])
                ticket = queue.call_ticket(desk, ticket, clerk, now=now(rng.randint(20, 300)))
            ticket = queue.complete(ticket, desk, clerk, now=now(rng.randint(40, 900)))
            if rng.random() < 0.6:
                grades = ("good", "fairly_good", "average", "poor")
                if hall.rating_scale == "national":
                    grades = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied")
                ratings.rate_ticket(hall, ticket, rng.choice(grades), source="kiosk", now=now(5))
        if day == DAYS[2]:  # the hall switches scales midweek
            Hall.update(rating_scale="ten_point").where(Hall.id == hall.id).execute()
            hall = Hall.get_by_id(hall.id)
    return hall


def everything(hall: Hall) -> dict:
    """Every report and chart series over the played days, in a comparable form."""
    found = {}
    for day in DAYS:
        found[f"daily {day}"] = sections(reports.daily_report(hall, day))
    for kind in ("week", "month"):
        period = reports.period_of(kind, DAYS[-1])
        found[kind] = sections(reports.period_report(hall, period))
        found[f"major {kind}"] = sections(reports.major_report(hall, period, today=DAYS[-1]))
        found[f"waits by hour {kind}"] = reports.waits_by_hour(hall, period)
        found[f"tickets per day {kind}"] = reports.tickets_per_day(hall, period)
        found[f"satisfaction {kind}"] = reports.satisfaction_by_day(hall, period)
    return found


def sections(report) -> list:
    return [(section.key, section.rows) for section in report.sections] + [
        {key: value for key, value in report.extra.items() if key != "previous"}
    ]


def after(day: dt.date) -> dt.datetime:
    """A moment well after the local day `day` ended (UTC noon of the next day)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(12))


@pytest.mark.parametrize("seed", [1, 2])
def test_stored_days_give_the_same_reports_as_the_tickets(hall, seed):
    hall = play_days(hall, seed)
    live = everything(hall)
    assert live["week"][0][1], "the played week has figures"
    maintenance.run_once(hall.id, now=after(DAYS[2]))  # closes the open tickets, stores 3 days
    stored = [day for (day,) in ReportDay.select(ReportDay.local_date).tuples()]
    assert [dt.date.fromisoformat(str(day)) for day in sorted(map(str, stored))] == [
        DAYS[0] + dt.timedelta(n) for n in range((DAYS[2] - DAYS[0]).days + 1)
    ]
    assert DayFigure.select().count() > 0
    assert everything(hall) == live  # some days stored, the others counted
    maintenance.run_once(hall.id, now=after(DAYS[-1]))
    assert ReportDay.select().count() == (DAYS[-1] - DAYS[0]).days + 1
    assert everything(hall) == live  # every day stored


def test_a_stored_week_reads_no_ticket(hall, monkeypatch):
    hall = play_days(hall, 3)
    week = reports.period_of("week", DAYS[-1])
    live = sections(reports.period_report(hall, week))
    maintenance.run_once(hall.id, now=after(week.last_day))

    def counted(*args, **kwargs):
        raise AssertionError("a stored day was counted from the tickets")

    monkeypatch.setattr(day_figures, "live_rows", counted)
    assert sections(reports.period_report(hall, week)) == live


def test_the_hand_computed_day_reads_the_same_when_stored(hall):
    """tests/unit/test_reports.py's day, whose figures are checked by hand there."""
    hall = build_day(hall)
    live = sections(reports.daily_report(hall, D))
    weekly = sections(reports.period_report(hall, reports.period_of("week", D)))
    maintenance.run_once(hall.id, now=after(D + dt.timedelta(days=3)))
    assert ReportDay.get_or_none(ReportDay.local_date == D)
    assert sections(reports.daily_report(hall, D)) == live
    assert sections(reports.period_report(hall, reports.period_of("week", D))) == weekly
    by_service = {row["name"]: row for row in sections(reports.daily_report(hall, D))[0][1]}
    assert by_service["社会救助"]["issued"] == 2  # T1, T2 (T3 ended in 劳动保障)
    assert by_service["社会救助"]["no_shows"] == 1


def test_only_days_that_are_over_and_closed_are_stored(hall):
    hall = build_day(hall)  # T5 is still waiting on D
    # D ended at 16:00 UTC; within the grace period nothing of D is stored.
    moment = dt.datetime.combine(D, dt.time(16, 5))
    assert day_figures.summarise_finished_days(hall, now=moment) == [
        dt.date(2026, 11, 17) + dt.timedelta(n) for n in range(7)
    ]
    # After it, D holds an open ticket: stored only once the day's tickets are closed.
    later = dt.datetime.combine(D, dt.time(17))
    assert day_figures.summarise_finished_days(hall, now=later) == []
    assert Ticket.select().where(Ticket.status == "waiting").count() == 1
    maintenance.run_once(hall.id, now=later)
    assert ReportDay.get_or_none(ReportDay.local_date == D)
    # A day is stored once: the next round starts after the last stored day.
    assert day_figures.summarise_finished_days(hall, now=later) == []


def test_a_backlog_is_stored_a_month_a_round(hall):
    hall = build_day(hall)
    moment = after(dt.date(2027, 3, 1))
    maintenance.run_once(hall.id, now=moment)
    first = ReportDay.select().count()
    assert first == day_figures.DAYS_PER_ROUND
    maintenance.run_once(hall.id, now=moment)
    assert ReportDay.select().count() == 2 * day_figures.DAYS_PER_ROUND
