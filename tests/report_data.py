"""The fixed data set of the report tests (see tests/unit/test_reports.py for the day)."""

from __future__ import annotations

import datetime as dt
import secrets

from kiosk import queue, ratings
from kiosk.models import Case, Hall, Service, Staff, Window

D = dt.date(2026, 11, 24)


def at(hour: int, minute: int, day: dt.date = D) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def service(code: str) -> Service:
    return Service.get(Service.code == code)


def window(number: int) -> Window:
    return Window.get(Window.number == number)


def staff(username: str) -> Staff:
    return Staff.get(Staff.username == username)


def make_case(hall, number, accepted, deadline, completed=None, **fields):
    return Case.create(
        hall=hall,
        number=number,
        tracking_code=secrets.token_urlsafe(12),
        service=service("social_assistance"),
        subject=f"事项{number}",
        accepted_at=accepted,
        deadline=deadline,
        status="completed" if completed else "accepted",
        completed_at=completed,
        **fields,
    )


def build_day(hall: Hall) -> Hall:
    """The fixed data set of the module docstring; returns the hall (now on the 10-point scale)."""
    sa, ls, lc = (
        service("social_assistance"),
        service("labour_security"),
        service("land_construction"),
    )
    w1, w3, w4 = window(1), window(3), window(4)
    wang, zhang, chen = staff("wang"), staff("zhang"), staff("chen")
    t1 = queue.issue_ticket(hall, sa, now=at(1, 0))
    t2 = queue.issue_ticket(hall, sa, now=at(1, 2))
    t3 = queue.issue_ticket(hall, sa, now=at(1, 5))
    t4 = queue.issue_ticket(hall, lc, now=at(1, 10))
    queue.issue_ticket(hall, ls, now=at(1, 12))
    t1 = queue.call_ticket(w1, t1, wang, now=at(1, 10))
    queue.complete(t1, w1, wang, now=at(1, 15))
    t2 = queue.call_ticket(w1, t2, wang, now=at(1, 16))
    queue.skip(t2, w1, wang, now=at(1, 18))
    t3 = queue.call_ticket(w1, t3, wang, now=at(1, 19))
    t3 = queue.transfer(t3, w1, wang, to_service=ls, now=at(1, 20))
    t3 = queue.call_ticket(w4, t3, chen, now=at(1, 30))
    queue.complete(t3, w4, chen, now=at(1, 40))
    t4 = queue.call_ticket(w3, t4, zhang, now=at(1, 20))
    t4 = queue.skip(t4, w3, zhang, now=at(1, 21))
    t4 = queue.reactivate(t4, zhang, now=at(1, 25))
    t4 = queue.call_ticket(w3, t4, zhang, now=at(1, 30))
    queue.complete(t4, w3, zhang, now=at(1, 50))
    # Ratings across a scale switch.
    ratings.rate_ticket(hall, t1, "satisfied", source="window_pad", now=at(1, 16))
    Hall.update(rating_scale="ten_point").where(Hall.id == hall.id).execute()
    hall = Hall.get_by_id(hall.id)
    ratings.rate_ticket(hall, t3, "poor", source="kiosk", now=at(2, 0))
    ratings.rate_ticket(hall, t4, "good", source="phone", now=at(2, 5))
    # Cases: completed late, completed on time, still open; a major complaint.
    make_case(hall, "SL1", at(2, 0), dt.date(2026, 11, 25), completed=at(3, 0, D + dt.timedelta(2)))
    make_case(hall, "SL2", at(3, 0), dt.date(2026, 11, 30), completed=at(3, 0, D + dt.timedelta(1)))
    make_case(hall, "SL3", at(4, 0), dt.date(2026, 11, 26))
    make_case(hall, "TS1", at(5, 0), dt.date(2026, 12, 1), kind="complaint", severity="major")
    # The previous week: one 社会救助 ticket served.
    previous = queue.issue_ticket(hall, sa, now=at(1, 0, dt.date(2026, 11, 17)))
    previous = queue.call_ticket(w1, previous, wang, now=at(1, 6, dt.date(2026, 11, 17)))
    queue.complete(previous, w1, wang, now=at(1, 10, dt.date(2026, 11, 17)))
    return hall
