"""Working-day deadlines over the hall's editable calendar, and the schema migrations."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import calendar
from kiosk.db import db, is_postgres
from kiosk.errors import LineProblems
from kiosk.migrations import MIGRATIONS, current_version, migrate_database
from kiosk.models import CalendarDay, SchemaVersion


def test_deadline_skips_national_day_and_counts_the_makeup_saturday(hall):
    # Accepted Wednesday 30 Sept 2026; 1-7 Oct are holidays; Sat 10 Oct is a make-up workday.
    assert calendar.working_days_after(hall, dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    assert calendar.working_days_after(hall, dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_plain_weeks_and_zero_days(hall):
    friday = dt.date(2026, 11, 27)
    assert calendar.working_days_after(hall, friday, 1) == dt.date(2026, 11, 30)
    assert calendar.working_days_after(hall, friday, 5) == dt.date(2026, 12, 4)
    assert calendar.working_days_after(hall, friday, 0) == friday
    assert calendar.working_days_between(hall, friday, dt.date(2026, 12, 4)) == 5
    assert calendar.working_days_between(hall, dt.date(2026, 12, 4), friday) == -5


def test_counting_working_days_agrees_with_walking_them_day_by_day(hall):
    """The arithmetic count (weekdays, then the calendar's holidays and make-up days) against
    a walk over every day with is_working_day, on spans across 2026's holidays, both ways,
    and through the counter a console uses for several cases."""
    import random

    def walked(start: dt.date, end: dt.date) -> int:
        low, high = min(start, end), max(start, end)
        days = sum(
            calendar.is_working_day(hall, low + dt.timedelta(days=n))
            for n in range(1, (high - low).days + 1)
        )
        return days if end >= start else -days

    rng = random.Random(2026)
    first, last = dt.date(2025, 12, 20), dt.date(2027, 1, 10)
    counter = calendar.working_days_counter(hall, first, last)
    spans = [
        (dt.date(2026, 9, 30), dt.date(2026, 10, 10)),
        (dt.date(2026, 2, 13), dt.date(2026, 3, 2)),
    ]
    for _ in range(60):
        start = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        spans.append((start, start + dt.timedelta(days=rng.randrange(-40, 41))))
    for start, end in spans:
        end = min(max(end, first), last)
        expected = walked(start, end)
        assert calendar.working_days_between(hall, start, end) == expected, (start, end)
        assert counter(start, end) == expected, (start, end)
    # National Day week: 30 Sept → 10 Oct holds Oct 8, 9 and the make-up Saturday 10 Oct.
    assert calendar.working_days_between(hall, dt.date(2026, 9, 30), dt.date(2026, 10, 10)) == 3
    with pytest.raises(ValueError):
        counter(first, last + dt.timedelta(days=1))


def test_spring_festival_2026(hall):
    # 15-23 Feb off, Sat 14 and Sat 28 Feb are working days.
    assert calendar.is_working_day(hall, dt.date(2026, 2, 14))
    assert not calendar.is_working_day(hall, dt.date(2026, 2, 16))
    assert calendar.working_days_after(hall, dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 24)


def test_import_is_all_or_nothing_with_line_numbers(hall):
    before = CalendarDay.select().count()
    bad = "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,坏日期\n"
    with pytest.raises(LineProblems) as error:
        calendar.import_csv(hall, bad)
    assert [(line, params) for line, _message, params in error.value.problems] == [
        (3, {"value": "2027-13-01"})
    ]
    with pytest.raises(LineProblems) as error:
        calendar.import_csv(hall, "2027-01-01,假期\n")
    assert error.value.problems[0][0] == 1
    assert CalendarDay.select().count() == before
    assert calendar.import_csv(hall, "\ufeff2027-01-01,休,元旦\n2027-01-04,班\n") == 2
    assert not calendar.is_working_day(hall, dt.date(2027, 1, 1))


def test_migrations_are_recorded_and_idempotent(database):
    assert current_version() == MIGRATIONS[-1][0]
    assert migrate_database() == []
    assert [row.version for row in SchemaVersion.select()] == [m[0] for m in MIGRATIONS]
    tables = set(db.get_tables())
    assert {"ticket", "queue_event", "case", "print_job", "audit_entry", "rating"} <= tables
    if is_postgres():
        return  # the pragmas below are SQLite's
    pragmas = {
        name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "foreign_keys", "synchronous")
    }
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2}
