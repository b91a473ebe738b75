"""Today's figures of a hall for the admin overview: per service, tickets issued, waiting,
being served, completed and skipped on the hall's local day. No Flask here."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from peewee import fn

from .models import Hall, Service, Ticket
from .words import TicketStatus


class ServiceFigures(TypedDict):
    service: Service
    issued: int
    waiting: int
    serving: int
    completed: int
    skipped: int


def today_figures(hall: Hall, today: dt.date) -> list[ServiceFigures]:
    """One row per service of the hall (retired ones too, in the kiosk's order) with the
    day's counts by ticket status; `issued` counts every ticket of the day."""
    rows = (
        Ticket.select(Ticket.service, Ticket.status, fn.COUNT(Ticket.id).alias("n"))
        .where((Ticket.hall == hall) & (Ticket.local_date == today))
        .group_by(Ticket.service, Ticket.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row.service_id, {})[row.status] = row.n
    figures: list[ServiceFigures] = []
    for service in Service.select().where(Service.hall == hall).order_by(Service.sort_order):
        by_status = counts.get(service.id, {})
        figures.append(
            {
                "service": service,
                "issued": sum(by_status.values()),
                "waiting": by_status.get(TicketStatus.WAITING, 0),
                "serving": by_status.get(TicketStatus.CALLED, 0),
                "completed": by_status.get(TicketStatus.COMPLETED, 0),
                "skipped": by_status.get(TicketStatus.SKIPPED, 0),
            }
        )
    return figures
