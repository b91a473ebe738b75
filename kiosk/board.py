"""What the hall display board and window screens show, computed without Flask.

The board polls `latest_change(hall_id)` — the newest queue event id — several times a second.
That answer is cached in-process for CHANGE_CACHE_SECONDS so that a dozen screens polling at
once cost one indexed query per interval, not one each; the board fetches its full fragment
only when the id moved. Polling (not SSE or websockets) keeps no waitress thread pinned, works
through any proxy, and recovers by itself after a server restart: the next poll just succeeds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from peewee import JOIN, fn

from . import clock, queue
from .announcements import announcement_text, validate_template
from .models import Hall, QueueEvent, Service, Staff, Ticket, Window
from .words import TicketStatus

CHANGE_CACHE_SECONDS = 0.1
_cache: dict[int, tuple[float, int]] = {}
_cache_lock = threading.Lock()


def latest_change(hall_id: int) -> int:
    now = time.monotonic()
    cached = _cache.get(hall_id)
    if cached and now - cached[0] < CHANGE_CACHE_SECONDS:
        return cached[1]
    value = QueueEvent.select(fn.MAX(QueueEvent.id)).where(QueueEvent.hall == hall_id).scalar() or 0
    with _cache_lock:
        _cache[hall_id] = (now, value)
    return value


def board_version(hall_id: int, timezone: str) -> str:
    """What the board compares: the hall's local day and its newest event, so the board also
    refreshes itself at midnight (yesterday's calls leave the screen) with no new event."""
    today = clock.local_date(clock.utcnow(), timezone)
    return f"{today.isoformat()}.{latest_change(hall_id)}"


def forget_cache() -> None:
    _cache.clear()


@dataclass
class CallRow:
    event_id: int
    kind: str  # called / recalled
    number: str
    window_number: int
    window_name: str
    at: object
    text: str = ""  # the announcement as shown on the board
    spoken: str = ""  # the same sentence as the voice reads it ("A零一二")


def shown_text(template: str, number: str, window_number: int, window_name: str) -> str:
    """The announcement as text on the board: the number as printed, spaced like the voice."""
    return template.format(
        number=f" {number} ", window=f" {window_number} ", window_name=window_name
    ).strip()


def recent_call_rows(hall: Hall, limit: int = 8) -> list[CallRow]:
    rows = []
    for event in queue.recent_calls(hall, limit):
        window = event.window
        rows.append(
            CallRow(
                event_id=event.id,
                kind=event.kind,
                number=event.ticket.display_number,
                window_number=window.number if window else 0,
                window_name=window.name if window else "",
                at=event.at,
                text=shown_text(
                    hall.announcement_template,
                    event.ticket.display_number,
                    window.number if window else 0,
                    window.name if window else "",
                ),
                spoken=announcement_text(
                    hall.announcement_template,
                    event.ticket.display_number,
                    window.number if window else 0,
                    window.name if window else "",
                ),
            )
        )
    return rows


def window_rows(hall: Hall) -> list[dict]:
    windows = list(
        Window.select(Window, Staff)
        .join(Staff, JOIN.LEFT_OUTER, on=(Window.on_duty == Staff.id))
        .where((Window.hall == hall) & Window.retired_at.is_null())
        .order_by(Window.number)
    )
    today = clock.hall_today(hall)
    serving = {
        t.window_id: t
        for t in Ticket.select().where(
            (Ticket.hall == hall)
            & (Ticket.local_date == today)
            & (Ticket.status == TicketStatus.CALLED)
            & Ticket.window.is_null(False)
        )
    }
    rows = []
    for window in windows:
        ticket = serving.get(window.id)
        # A deactivated account is no longer 挂牌上岗, whatever the window row still says.
        staff = window.on_duty if window.on_duty_id and window.on_duty.active else None
        rows.append(
            {
                "window": window,
                "number": ticket.display_number if ticket else "",
                "staff": staff,
                "paused": window.paused,
            }
        )
    return rows


def waiting_rows(hall: Hall) -> list[tuple[Service, int]]:
    today = clock.hall_today(hall)
    counts = queue.waiting_counts(hall, today)
    services = Service.select().where(Service.hall == hall).order_by(Service.sort_order)
    return [(service, counts.get(service.id, 0)) for service in services]


def board_state(hall: Hall) -> dict:
    return {
        "version": board_version(hall.id, hall.timezone),
        "calls": recent_call_rows(hall, 8),
        "windows": window_rows(hall),
        "waiting": waiting_rows(hall),
    }


def announcement_for(hall: Hall, event_id: int) -> tuple[str, str] | None:
    """(display text, spoken text) of a call or recall event, or None."""
    event = (
        QueueEvent.select(QueueEvent, Ticket, Window)
        .join(Ticket, on=(QueueEvent.ticket == Ticket.id))
        .switch(QueueEvent)
        .join(Window, on=(QueueEvent.window == Window.id))
        .where(
            (QueueEvent.id == event_id)
            & (QueueEvent.hall == hall)
            & QueueEvent.kind.in_(("called", "recalled"))
        )
        .first()
    )
    if event is None:
        return None
    number, window = event.ticket.display_number, event.window
    template = validate_template(hall.announcement_template)
    shown = shown_text(template, number, window.number, window.name)
    spoken = announcement_text(template, number, window.number, window.name)
    return shown, spoken
