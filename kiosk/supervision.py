"""Supervision (人民监督哨 / 纪检委员): what is due within one working day and what is overdue
(超期), by agent and by service, and the monthly overdue list (月检查) as rows and CSV. Reads
only; no Flask here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass

from . import calendar, cases, clock
from .errors import N_
from .models import CASE_IS_OPEN, Case, Hall, Service, Staff
from .words import CaseStatus

KIND_LABELS = {
    "case": N_("受理件"),
    "complaint": N_("投诉"),
    "petition": N_("信访"),
    "suggestion": N_("意见建议"),
}


@dataclass
class Row:
    case: Case
    agent: str
    service: str
    overdue: bool
    days_left: int


def _names(hall: Hall) -> tuple[dict[int, str], dict[int, str]]:
    staff = {s.id: s.display_name for s in Staff.select().where(Staff.hall == hall)}
    services = {s.id: s.name for s in Service.select().where(Service.hall == hall)}
    return staff, services


def board(hall: Hall, today: dt.date) -> dict:
    """Open matters due by the next working day, and those overdue, with counts by agent and
    by service."""
    horizon = calendar.next_working_day(hall, today)
    staff, services = _names(hall)
    rows = []
    query = (
        Case.select()
        .where(
            (Case.hall == hall)
            & CASE_IS_OPEN
            & Case.deadline.is_null(False)
            & (Case.deadline <= horizon)
        )
        .order_by(Case.deadline, Case.id)
    )
    found = list(query)
    # One read of the calendar for every case's days left (not one per case).
    between = calendar.working_days_counter(
        hall, min([today, *(case.deadline for case in found)]), max(today, horizon)
    )
    for case in found:
        rows.append(
            Row(
                case=case,
                agent=staff.get(case.agent_id, ""),
                service=services.get(case.service_id, "") or KIND_LABELS.get(case.kind, ""),
                overdue=case.deadline < today,
                days_left=between(today, case.deadline),
            )
        )
    return {
        "overdue": [r for r in rows if r.overdue],
        "due": [r for r in rows if not r.overdue],
        "by_agent": sorted(Counter(r.agent or "—" for r in rows).items()),
        "by_service": sorted(Counter(r.service or "—" for r in rows).items()),
        "horizon": horizon,
    }


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(month + "-01")
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def monthly_overdue(hall: Hall, month: str, today: dt.date) -> list[dict]:
    """月检查: matters whose deadline fell in `month` (YYYY-MM) and that were finished late or
    are still open past it; extensions are shown with their reasons."""
    first, last = month_bounds(month)
    staff, services = _names(hall)
    result = []
    query = (
        Case.select()
        .where(
            (Case.hall == hall)
            & Case.deadline.between(first, last)
            & Case.status.not_in((CaseStatus.WITHDRAWN,))
        )
        .order_by(Case.deadline, Case.id)
    )
    late_cases = []
    for case in query:
        finished = clock.local_date(case.completed_at, hall.timezone) if case.completed_at else None
        if finished is not None:
            late = finished > case.deadline
        else:
            late = cases.is_overdue(case, today)
        if late:
            late_cases.append((case, finished))
    # One read of the calendar for every case's days over (not one per case).
    ends = [finished or today for _case, finished in late_cases]
    between = calendar.working_days_counter(hall, first, max([last, today, *ends]))
    for (case, finished), end in zip(late_cases, ends, strict=True):
        result.append(
            {
                "case": case,
                "kind": KIND_LABELS.get(case.kind, case.kind),
                "agent": staff.get(case.agent_id, ""),
                "service": services.get(case.service_id, ""),
                "finished": finished,
                "days_over": between(case.deadline, end),
            }
        )
    return result


def monthly_extensions(hall: Hall, month: str) -> int:
    first, last = month_bounds(month)
    return (
        Case.select()
        .where((Case.hall == hall) & Case.deadline.between(first, last) & (Case.extended_days > 0))
        .count()
    )


CSV_HEADER = [
    "受理编号",
    "类别",
    "事项",
    "承办人",
    "承诺办结",
    "办结日期",
    "超期工作日",
    "状态",
    "延期天数",
    "延期原因",
]


def overdue_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in rows:
        case = row["case"]
        writer.writerow(
            [
                case.number,
                row["kind"],
                row["service"] or case.subject,
                row["agent"],
                case.deadline.isoformat(),
                row["finished"].isoformat() if row["finished"] else "",
                row["days_over"],
                case.status,
                case.extended_days,
                case.extension_reason.replace("\n", "；"),
            ]
        )
    return "\ufeff" + buffer.getvalue()  # BOM: Excel on Windows opens it as UTF-8
