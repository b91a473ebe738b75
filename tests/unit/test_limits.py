"""Values a column cannot hold are refused before the database, the same way on SQLite and
PostgreSQL (issue 18: PostgreSQL answered 500 and saved nothing, SQLite stored them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kiosk import cases
from kiosk.errors import ValidationError
from kiosk.models import CalendarDay, Case, FinanceEntry, Hall, Meeting, Printer, Service

BAD_WRITES = [
    ("case subject over 255", lambda h: Case.create(hall=h, number="X1", tracking_code="t1",
                                                     subject="长" * 256)),
    ("NUL in a name", lambda h: CalendarDay.create(hall=h, day=dt.date(2026, 10, 1),
                                                    kind="holiday", name="国庆\x00")),
    ("calendar name over 255", lambda h: CalendarDay.insert(
        hall=h, day=dt.date(2026, 10, 2), kind="holiday", name="长" * 300).execute()),
    ("font path over 255", lambda h: Printer.create(hall=h, name="p", font_path="/f" * 200)),
    ("attendees beyond SMALLINT", lambda h: Meeting.create(
        hall=h, held_on=dt.date(2026, 11, 5), title="议事", attendees=32768)),
    ("amount beyond NUMERIC(14,2)", lambda h: FinanceEntry.create(
        hall=h, month="2026-11", day=dt.date(2026, 11, 5), item="x", direction="income",
        amount=Decimal("12345678901234.56"), voucher="v1")),
    ("update with a long text", lambda h: Service.update(fees="长" * 256).where(
        Service.hall == h).execute()),
    ("insert_many with NUL", lambda h: CalendarDay.insert_many(
        [{"hall": h, "day": dt.date(2026, 10, 3), "kind": "holiday", "name": "\x00"}]).execute()),
]  # fmt: skip


def counts():
    return [m.select().count() for m in (Case, CalendarDay, Printer, Meeting, FinanceEntry)]


def check_refused(hall: Hall) -> None:
    before = counts()
    fees = Service.select(Service.fees).tuples()[:]
    for label, write in BAD_WRITES:
        with pytest.raises(ValidationError):
            write(hall)
            pytest.fail(label)
    assert counts() == before
    assert Service.select(Service.fees).tuples()[:] == fees
    # Values at the limit still go in.
    Meeting.create(hall=hall, held_on=dt.date(2026, 11, 5), title="长" * 255, attendees=32767)
    FinanceEntry.create(
        hall=hall, month="2026-11", day=dt.date(2026, 11, 5), item="x", direction="income",
        amount=Decimal("999999999999.99"), voucher="v2",
    )  # fmt: skip


def test_writes_beyond_a_column_are_refused_on_sqlite(hall):
    check_refused(hall)


@pytest.mark.postgres
def test_writes_beyond_a_column_are_refused_on_postgresql(pg_database):
    from support import staff_password

    from kiosk.demo import load_demo

    check_refused(load_demo(password_for=staff_password, always_open=True).hall)


def test_case_registration_refuses_a_long_subject_and_control_characters():
    with pytest.raises(ValidationError, match="200"):
        cases.validate_registration("张三", "13800000000", "长" * 256, "5")
    with pytest.raises(ValidationError, match="控制字符"):
        cases.validate_registration("张\x01三", "13800000000", "低保", "5")
