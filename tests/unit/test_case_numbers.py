"""Case (SL…) and suggestion (YJ…) numbers under concurrency: every registration gets its own
consecutive number of the day, none is lost to a duplicate key (issue 18: on PostgreSQL "count
existing rows + 1" gave two sessions the same number and one of them a 500)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from kiosk import clock, queue, ratings
from kiosk.cases import register_case
from kiosk.db import connection, db, write_transaction
from kiosk.demo import load_demo
from kiosk.models import Case, Service, Staff, Window

THREADS = 8
EACH = 3


def _run(workers) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def wrap(work):
        try:
            with connection():
                start.wait()
                work()
        except BaseException as exc:  # noqa: BLE001 - collected and checked by the test
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def _check_numbers(kind: str, prefix: str) -> None:
    today = clock.local_date(clock.utcnow(), "Asia/Shanghai")
    numbers = sorted(c.number for c in Case.select().where(Case.kind == kind))
    expected = [f"{prefix}{today:%Y%m%d}-{n:03d}" for n in range(1, THREADS * EACH + 1)]
    assert numbers == expected


def _concurrent_suggestions(hall) -> None:
    window = Window.select().where(Window.hall == hall).first()

    def work():
        for _ in range(EACH):
            ratings.rate(hall, window, "good", "希望增加周末服务")

    db.close()
    assert _run([work] * THREADS) == []
    with connection():
        _check_numbers("suggestion", "YJ")


def _concurrent_registrations(hall) -> None:
    window = Window.select().where(Window.hall == hall).order_by(Window.number).first()
    service = Service.get_by_id(queue.window_services(window)[0][0])
    staff = Staff.select().where(Staff.hall == hall).first()
    tickets = [queue.issue_ticket(hall, service) for _ in range(THREADS * EACH)]
    data = {"resident_name": "张三", "resident_phone": "13800000000", "subject": "低保", "days": 5}

    def work_for(batch):
        def work():
            for ticket in batch:
                with write_transaction():
                    register_case(ticket, staff, data)

        return work

    db.close()
    batches = [tickets[i::THREADS] for i in range(THREADS)]
    assert _run([work_for(batch) for batch in batches]) == []
    with connection():
        _check_numbers("case", "SL")


def test_concurrent_suggestions_on_sqlite(hall):
    _concurrent_suggestions(hall)


def test_concurrent_case_registrations_on_sqlite(hall):
    _concurrent_registrations(hall)


def test_numbering_continues_after_cases_numbered_before_the_counter(hall):
    window = Window.get(Window.number == 1)
    day = dt.datetime(2026, 11, 24, 2, 0)
    Case.create(hall=hall, kind="suggestion", number="YJ20261124-001", tracking_code="old-1")
    ratings.rate(hall, window, "good", "意见", now=day)
    assert Case.select().where(Case.number == "YJ20261124-002").count() == 1


@pytest.mark.postgres
def test_concurrent_suggestions_on_postgresql(pg_database):
    demo = load_demo(always_open=True, password_for=lambda _u: "numbers-pass-123")
    _concurrent_suggestions(demo.hall)


@pytest.mark.postgres
def test_concurrent_case_registrations_on_postgresql(pg_database):
    demo = load_demo(always_open=True, password_for=lambda _u: "numbers-pass-123")
    _concurrent_registrations(demo.hall)
