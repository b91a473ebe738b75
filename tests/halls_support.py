"""Three halls on one database for the central overview tests (importable: tests/ is on the
path)."""

from __future__ import annotations

import datetime as dt

from kiosk import clock, queue
from kiosk.db import db
from kiosk.demo import load_demo
from kiosk.models import Case, Hall, Rating, Service, Staff, Window
from kiosk.passwords import hash_password


def three_halls():
    """The demo hall plus two more, with different traffic in each."""
    db.connect(reuse_if_open=True)
    demo = Hall.get(Hall.code == "demo")
    east = load_demo(
        code="dz", name="东州街道便民服务中心", password_for=lambda _u: "other-hall-pass-1"
    ).hall
    west = load_demo(
        code="xz", name="西州镇便民服务中心", password_for=lambda _u: "other-hall-pass-1"
    ).hall
    now = clock.utcnow()
    plan = {demo: 3, east: 5, west: 0}
    for hall, count in plan.items():
        service = Service.get((Service.hall == hall) & (Service.prefix == "A"))
        for minute in range(count):
            # Whatever the hour CI runs at: these tickets are history, not a kiosk tap.
            queue.issue_ticket(
                hall, service, now=now - dt.timedelta(minutes=40 - minute), enforce_hours=False
            )
    # East: window 1 staffed, two served; one overdue case; two ratings (10 and 4).
    window = Window.get((Window.hall == east) & (Window.number == 1))
    clerk = Staff.get((Staff.hall == east) & (Staff.username == "wang"))
    Window.update(on_duty=clerk, on_duty_since=now).where(Window.id == window.id).execute()
    for _ in range(2):
        queue.complete(queue.call_next(window, clerk), window, clerk)
    Case.create(
        hall=east,
        number="SL-1",
        tracking_code="T-east-1",
        deadline=clock.local_date(now, east.timezone) - dt.timedelta(days=3),
        status="accepted",
    )
    Case.create(hall=east, number="SL-2", tracking_code="T-east-2", status="completed")
    for score in (10, 4):
        Rating.create(
            hall=east, window=window, score=score, local_date=clock.local_date(now, east.timezone)
        )
    Staff.create(
        hall=demo,
        username="county",
        display_name="县便民服务中心",
        role="overseer",
        password_hash=hash_password("county-pass-2026"),
    )
    return demo, east, west
