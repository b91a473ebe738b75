"""Pages a resident opens on their own phone: the ticket status by its unguessable code.

The page polls its own fragment every few seconds (htmx); the phone beeps and vibrates when
three or fewer people are ahead and again when the number is called.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from .. import clock, queue, queue_outlook, ratings, tickets
from ..errors import QueueError, ValidationError
from ..htmx import render
from ..models import Ticket
from ..web import current_hall, error_message
from ..words import TicketStatus

bp = Blueprint("public", __name__)
ALERT_AHEAD = 3


def _ticket(code: str) -> Ticket:
    ticket = tickets.by_public_code(current_hall(), code)
    if ticket is None:
        abort(404)
    return ticket


def _context(ticket: Ticket, error: str | None = None) -> dict:
    lapsed = ticket.status == TicketStatus.CLOSED or (
        ticket.status in tickets.OPEN_STATUSES and tickets.is_past_day(ticket)
    )
    outlook = queue_outlook.NOT_WAITING if lapsed else queue_outlook.outlook(ticket)
    ahead = outlook.ahead
    called_at_window = (
        ticket.window.number
        if ticket.status == TicketStatus.CALLED and ticket.window and not lapsed
        else None
    )
    skipped_minutes_left = None if lapsed else queue.reactivation_minutes_left(ticket)
    close = ticket.status == TicketStatus.WAITING and ahead is not None and ahead <= ALERT_AHEAD
    return {
        "ticket": ticket,
        "lapsed": lapsed,
        "outlook": outlook,
        "ahead": ahead,
        "wait_minutes": outlook.wait_minutes,
        "called_at_window": called_at_window,
        "alert": (close and not lapsed) or bool(called_at_window),
        "alert_key": f"{ticket.status}-{close}-{tickets.last_event_id(ticket)}",
        "skipped_minutes_left": skipped_minutes_left,
        "error": error,
        **_rating_context(ticket),
    }


def _rating_context(ticket: Ticket) -> dict:
    """A completed ticket of today may be rated once from the phone that holds its code."""
    if ticket.status != TicketStatus.COMPLETED:
        return {"can_rate": False, "rated": False}
    hall = current_hall()
    rated = ratings.is_rated(ticket)
    return {
        "can_rate": not rated and ticket.local_date == clock.hall_today(hall),
        "rated": rated,
        "rate_grades": ratings.grades_for(hall.rating_scale),
        "rate_indicators": ratings.INDICATORS if hall.rating_scale == "national" else {},
    }


@bp.get("/t/<code>")
def ticket_status(code: str):
    ticket = _ticket(code)
    return render("public/ticket.html", "public/_status.html", **_context(ticket))


@bp.post("/t/<code>/reactivate")
def ticket_reactivate(code: str):
    ticket = _ticket(code)
    try:
        queue.reactivate(ticket)
    except QueueError as error:
        return render(
            "public/ticket.html", "public/_status.html", **_context(ticket, error_message(error))
        )
    return redirect(url_for("public.ticket_status", code=code), 303)


@bp.post("/t/<code>/rate")
def ticket_rate(code: str):
    ticket = _ticket(code)
    form = request.form
    try:
        ratings.rate_ticket(
            current_hall(),
            ticket,
            form.get("grade", ""),
            form.get("suggestion", ""),
            indicators={name: form.get(name) for name in ratings.INDICATORS},
            source="phone",
        )
    except ValidationError as error:
        return render(
            "public/ticket.html", "public/_status.html", **_context(ticket, error_message(error))
        )
    return redirect(url_for("public.ticket_status", code=code), 303)
