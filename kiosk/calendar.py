"""The working-day calendar: Mon-Fri, minus public holidays, plus make-up working days (调休).

Each hall keeps its own exceptions (`CalendarDay`) so it can edit them and import a year from a
CSV (`date,kind,name` with kind `holiday`/`workday`, or 休/班). Deadlines of promised matters
are counted in working days from here: the day of acceptance does not count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from . import audit
from .db import db, write_transaction
from .errors import N_, LineProblems, ValidationError, add_line_problem
from .limits import has_control_characters
from .models import CalendarDay, Hall

_KIND_WORDS = {
    "holiday": "holiday",
    "休": "holiday",
    "假": "holiday",
    "workday": "workday",
    "班": "workday",
}


def _exceptions(hall: Hall, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    rows = CalendarDay.select(CalendarDay.day, CalendarDay.kind).where(
        (CalendarDay.hall == hall) & (CalendarDay.day >= start) & (CalendarDay.day <= end)
    )
    return {row.day: row.kind for row in rows}


def _is_working(day: dt.date, exceptions: dict[dt.date, str]) -> bool:
    kind = exceptions.get(day)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return day.weekday() < 5


def is_working_day(hall: Hall, day: dt.date) -> bool:
    return _is_working(day, _exceptions(hall, day, day))


def working_days_after(hall: Hall, start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (the start day itself does not count)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    if days == 0:
        return start
    # Generous window: even Spring Festival (a 9-day break) cannot push past 3x + 30 days.
    exceptions = _exceptions(hall, start, start + dt.timedelta(days=days * 3 + 30))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if _is_working(day, exceptions):
            counted += 1
    return day


def working_days_between(hall: Hall, start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    low, high = min(start, end), max(start, end)
    return _count_working(start, end, _exceptions(hall, low, high))


def working_days_counter(
    hall: Hall, first: dt.date, last: dt.date
) -> Callable[[dt.date, dt.date], int]:
    """`working_days_between` for many spans within first..last, on one read of the calendar
    (a console lists several cases' days left)."""
    exceptions = _exceptions(hall, first, last)

    def between(start: dt.date, end: dt.date) -> int:
        if not (first <= start <= last and first <= end <= last):
            raise ValueError("span outside the calendar read")
        return _count_working(start, end, exceptions)

    return between


def _count_working(start: dt.date, end: dt.date, exceptions: dict[dt.date, str]) -> int:
    """Working days in (start, end] (negative when end < start): Monday to Friday counted by
    arithmetic, then each holiday or make-up day in the span applied (exceptions must cover
    the span). A year-old overdue case costs no more than today's."""
    if end < start:
        return -_count_working(end, start, exceptions)
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5  # any seven days in a row hold five weekdays
    for offset in range(full_weeks * 7 + 1, full_weeks * 7 + rest + 1):
        count += (start + dt.timedelta(days=offset)).weekday() < 5
    for day, kind in exceptions.items():
        if start < day <= end:
            weekday = day.weekday() < 5
            if kind == "holiday" and weekday:
                count -= 1
            elif kind == "workday" and not weekday:
                count += 1
    return count


UNKNOWN_YEAR = N_("请先导入下一年的节假日安排")


def last_known_day(hall: Hall) -> dt.date | None:
    """The last day the hall's calendar knows: 31 December of the latest year with imported
    holidays or make-up days (None when nothing was imported)."""
    latest = (
        CalendarDay.select(CalendarDay.day)
        .where(CalendarDay.hall == hall)
        .order_by(CalendarDay.day.desc())
        .first()
    )
    return dt.date(latest.day.year, 12, 31) if latest else None


def deadline_after(hall: Hall, start: dt.date, days: int) -> dt.date:
    """`working_days_after`, refused when the result lies beyond the calendar's known year: an
    unimported Spring Festival would otherwise give a wrong date with full confidence."""
    known = last_known_day(hall)
    if known is None or start > known:
        raise ValidationError(UNKNOWN_YEAR, field="days")
    deadline = working_days_after(hall, start, days)
    if deadline > known:
        raise ValidationError(UNKNOWN_YEAR, field="days")
    return deadline


def next_working_day(hall: Hall, day: dt.date) -> dt.date:
    return working_days_after(hall, day, 1)


MAX_CALENDAR_ROWS = 3700  # ten years of days
MAX_DAY_NAME = 60


def decode_csv(data: bytes) -> str:
    """A calendar file as text: UTF-8 (with or without BOM) or GB18030, which Excel in China
    saves as "CSV"."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(N_("无法识别文件的文字编码（应为 UTF-8 或 GB18030 的 CSV）"))


def parse_csv(text: str) -> list[tuple[dt.date, str, str]]:
    """Check a calendar CSV without touching the database (call it outside the write lock).
    Every bad line is named (LineProblems), not only the first."""
    rows: list[tuple[dt.date, str, str]] = []
    problems: list[tuple[int, str, dict]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line_number, record in enumerate(reader, start=1):
        if len(rows) + len(problems) >= MAX_CALENDAR_ROWS:
            raise ValidationError(N_("文件行数过多（最多 %(count)s 行）"), count=MAX_CALENDAR_ROWS)
        if not record or not "".join(record).strip() or record[0].strip().startswith("#"):
            continue
        if line_number == 1 and record[0].strip().lower() in ("date", "日期"):
            continue
        if len(record) < 2:
            add_line_problem(problems, line_number, N_("第 %(line)s 行：需要“日期,类型”两列"))
            continue
        try:
            day = dt.date.fromisoformat(record[0].strip())
        except ValueError:
            add_line_problem(
                problems,
                line_number,
                N_("第 %(line)s 行：日期“%(value)s”应为 2026-10-01 这样的格式"),
                value=record[0].strip(),
            )
            day = None
        kind = _KIND_WORDS.get(record[1].strip().lower())
        if kind is None:
            add_line_problem(
                problems,
                line_number,
                N_("第 %(line)s 行：类型“%(value)s”应为 holiday/休 或 workday/班"),
                value=record[1].strip(),
            )
        name = record[2].strip() if len(record) > 2 else ""
        if len(name) > MAX_DAY_NAME or has_control_characters(name):
            add_line_problem(
                problems,
                line_number,
                N_("第 %(line)s 行：名称过长（最多 %(count)s 字）或含有控制字符"),
                count=MAX_DAY_NAME,
            )
        if day is not None and kind is not None:
            rows.append((day, kind, name))
    if problems:
        raise LineProblems(problems)
    return rows


def import_csv(hall: Hall, text: str | list[tuple[dt.date, str, str]]) -> int:
    """Import calendar exceptions; all rows are checked first, then written at once."""
    rows = parse_csv(text) if isinstance(text, str) else text
    with db.atomic():
        for day, kind, name in rows:
            (
                CalendarDay.insert(hall=hall, day=day, kind=kind, name=name)
                .on_conflict(
                    conflict_target=[CalendarDay.hall, CalendarDay.day],
                    update={CalendarDay.kind: kind, CalendarDay.name: name},
                )
                .execute()
            )
    return len(rows)


def days_of_year(hall: Hall, year: int):
    """The hall's exceptions (holidays, make-up working days) of one year, in date order."""
    return (
        CalendarDay.select()
        .where(
            (CalendarDay.hall == hall)
            & (CalendarDay.day >= dt.date(year, 1, 1))
            & (CalendarDay.day <= dt.date(year, 12, 31))
        )
        .order_by(CalendarDay.day)
    )


def delete_day(hall: Hall, day: dt.date, actor=None) -> bool:
    """Forget one exception (the day is then a plain weekday or weekend); audited when there
    was one. Returns whether there was."""
    with write_transaction():
        deleted = (
            CalendarDay.delete()
            .where((CalendarDay.hall == hall) & (CalendarDay.day == day))
            .execute()
        )
        if deleted:
            audit.record(hall, actor, "calendar_delete", "calendar", day.isoformat())
    return bool(deleted)
