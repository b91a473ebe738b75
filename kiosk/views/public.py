"""Pages a resident opens on their own phone: the ticket status by its unguessable code.

The page polls its own fragment every few seconds (htmx); the phone beeps and vibrates when
three or fewer people are ahead and again when the number is called.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for

from .. import queue
from ..errors import QueueError
from ..htmx import render
from ..models import QueueEvent, Ticket
from ..web import current_hall, error_message

bp = Blueprint("public", __name__)
ALERT_AHEAD = 3


def _ticket(code: str) -> Ticket:
    ticket = Ticket.get_or_none((Ticket.public_code == code) & (Ticket.hall == current_hall()))
    if ticket is None:
        abort(404)
    return ticket


def _context(ticket: Ticket, error: str | None = None) -> dict:
    ahead = queue.people_ahead(ticket)
    called_at_window = ticket.window.number if ticket.status == "called" and ticket.window else None
    skipped_minutes_left = None
    if ticket.status == "skipped" and ticket.skipped_at:
        from .. import clock

        limit = ticket.hall.skip_reactivation_minutes * 60
        left = limit - (clock.utcnow() - ticket.skipped_at).total_seconds()
        skipped_minutes_left = max(0, int(left // 60)) if left > 0 else None
    last_event = (
        QueueEvent.select(QueueEvent.id)
        .where(QueueEvent.ticket == ticket)
        .order_by(QueueEvent.id.desc())
        .first()
    )
    return {
        "ticket": ticket,
        "ahead": ahead,
        "wait_minutes": max(1, round(queue.estimated_wait_seconds(ticket) / 60)),
        "called_at_window": called_at_window,
        "alert": (ticket.status == "waiting" and ahead <= ALERT_AHEAD) or bool(called_at_window),
        "alert_key": f"{ticket.status}-{ahead <= ALERT_AHEAD}-{last_event.id if last_event else 0}",
        "skipped_minutes_left": skipped_minutes_left,
        "error": error,
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
