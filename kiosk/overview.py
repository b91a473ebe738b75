"""The central overview (区/街道 监督): every hall on a shared database at a glance (no Flask).

A city or county office runs one PostgreSQL for all its halls; each hall server serves only its
own hall, and this read-only overview, for the `overseer` role, lists every hall's figures:
waiting now, the longest current wait, windows staffed, served today, overdue cases and the
month's satisfaction. Each figure is one grouped query over all halls (never a query per hall),
through the same indexed columns the halls' own pages use.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN, fn
from peewee import Case as Case_

from . import clock
from .models import Case, Hall, Rating, Staff, Ticket, Window
from .words import FINAL_CASE_STATUSES, TicketStatus


@dataclass
class HallSummary:
    hall: Hall
    waiting: int = 0
    longest_wait_minutes: int | None = None
    windows_staffed: int = 0
    windows: int = 0
    served_today: int = 0
    overdue_cases: int = 0
    ratings: int = 0
    score: float | None = None  # mean score out of 10 this month, 2 decimals


def summaries(*, now: dt.datetime | None = None) -> list[HallSummary]:
    now = now or clock.utcnow()
    halls = list(Hall.select().order_by(Hall.name))
    rows = {hall.id: HallSummary(hall) for hall in halls}
    by_zone: dict[str, list[int]] = defaultdict(list)
    for hall in halls:
        by_zone[hall.timezone].append(hall.id)
    for zone, ids in by_zone.items():
        today = clock.local_date(now, zone)
        month_start = clock.from_local(dt.datetime(today.year, today.month, 1), zone)
        for hall_id, status, count, oldest in (
            Ticket.select(Ticket.hall, Ticket.status, fn.COUNT(Ticket.id), fn.MIN(Ticket.queue_at))
            .where(
                Ticket.hall.in_(ids)
                & (Ticket.local_date == today)
                & Ticket.status.in_([TicketStatus.WAITING, TicketStatus.COMPLETED])
            )
            .group_by(Ticket.hall, Ticket.status)
            .tuples()
        ):
            if status == TicketStatus.COMPLETED:
                rows[hall_id].served_today = count
                continue
            rows[hall_id].waiting = count
            if oldest is not None:
                oldest = oldest if isinstance(oldest, dt.datetime) else _parse(oldest)
                rows[hall_id].longest_wait_minutes = max(
                    0, int((now - oldest).total_seconds() // 60)
                )
        for hall_id, overdue in (
            Case.select(Case.hall, fn.COUNT(Case.id))
            .where(
                Case.hall.in_(ids)
                & Case.status.not_in(FINAL_CASE_STATUSES)
                & (Case.deadline < today)
            )
            .group_by(Case.hall)
            .tuples()
        ):
            rows[hall_id].overdue_cases = overdue
        for hall_id, count, total in (
            Rating.select(Rating.hall, fn.COUNT(Rating.id), fn.SUM(Rating.score))
            .where(Rating.hall.in_(ids) & (Rating.created_at >= month_start))
            .group_by(Rating.hall)
            .tuples()
        ):
            rows[hall_id].ratings = count
            rows[hall_id].score = round(float(total) / count, 2) if count else None
    for hall_id, total, staffed in (
        Window.select(
            Window.hall,
            fn.COUNT(Window.id),
            fn.SUM(Case_(None, [(Staff.id.is_null(False), 1)], 0)),
        )
        .join(
            Staff,
            on=((Window.on_duty == Staff.id) & (Staff.active == True)),  # noqa: E712
            join_type=JOIN.LEFT_OUTER,
        )
        .where(Window.retired_at.is_null())
        .group_by(Window.hall)
        .tuples()
    ):
        if hall_id in rows:
            rows[hall_id].windows = total
            rows[hall_id].windows_staffed = int(staffed or 0)
    return [rows[hall.id] for hall in halls]


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value))
