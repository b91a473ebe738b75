"""What a waiting resident is told: how many people will be called before them, and when.

The figures come from a simulation of the calling order as the engine applies it
(`queue.call_next`): only windows that are open now (not paused) and staffed (a signed-in,
active staff member on duty) call; each window takes its own service order, priority class
first, then arrival, with the fairness rule after `Hall.priority_streak_limit` priority calls in
a row; a ticket transferred to one window is called only there. Windows become free when their
current resident has been served for the service's recent mean handling time, and the free
window with the smallest number calls first (the order a hall of equal clerks sees).

"People ahead" of a ticket counts the tickets that windows able to call it will call before it;
tickets called at windows that cannot serve it do not delay it and are not counted. A ticket no
staffed window can call has no figure: the resident is told to ask the staff instead.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field

from peewee import fn

from . import clock
from .models import Hall, Service, Staff, Ticket, Window, WindowService
from .words import TicketStatus

DEFAULT_HANDLING_SECONDS = 300
MIN_HANDLING_SECONDS = 30.0
RECENT_HANDLING_SAMPLE = 20
RECENT_HANDLING_DAYS = 30


@dataclass(frozen=True)
class Outlook:
    """A waiting ticket's prospects; `ahead is None` when no staffed window can call it."""

    ahead: int | None
    wait_seconds: int | None

    @property
    def served(self) -> bool:
        return self.ahead is not None

    @property
    def wait_minutes(self) -> int | None:
        return None if self.wait_seconds is None else max(1, round(self.wait_seconds / 60))


NOT_WAITING = Outlook(0, 0)
NOBODY_SERVES = Outlook(None, None)


@dataclass
class _Waiting:
    id: int
    service: int
    priority: bool
    queue_at: dt.datetime
    target: int | None


@dataclass
class _Desk:
    """A staffed, open window in the simulation."""

    id: int
    number: int
    order: dict[int, int]  # service id -> position (1 first)
    streak: int
    free_at: float  # seconds from now
    queue: list[_Waiting] = field(default_factory=list)  # eligible tickets in calling order
    cursor: int = 0


def average_handling_seconds(service: Service | int, *, now: dt.datetime | None = None) -> float:
    """Mean handling time (call to completion) of the service's most recent tickets, from the
    last `RECENT_HANDLING_DAYS` days only, so the query stays small a year into a busy hall."""
    now = now or clock.utcnow()
    rows = list(
        Ticket.select(Ticket.called_at, Ticket.completed_at)
        .where(
            (Ticket.service == service)
            & (Ticket.status == TicketStatus.COMPLETED)
            & (Ticket.completed_at > now - dt.timedelta(days=RECENT_HANDLING_DAYS))
            & Ticket.called_at.is_null(False)
        )
        .order_by(Ticket.completed_at.desc())
        .limit(RECENT_HANDLING_SAMPLE)
    )
    if not rows:
        return float(DEFAULT_HANDLING_SECONDS)
    total = sum((row.completed_at - row.called_at).total_seconds() for row in rows)
    return max(total / len(rows), MIN_HANDLING_SECONDS)


def staffed_windows(hall: Hall | int) -> list[Window]:
    """Windows that call now: not paused nor retired, with an active staff member on duty."""
    return list(
        Window.select(Window)
        .join(Staff, on=(Window.on_duty == Staff.id))
        .where(
            (Window.hall == hall)
            & (Window.paused == False)  # noqa: E712
            & Window.retired_at.is_null()
            & (Staff.active == True)  # noqa: E712
        )
        .order_by(Window.number)
    )


def _sort_key(desk: _Desk, ticket: _Waiting):
    return (
        0 if ticket.priority else 1,
        desk.order.get(ticket.service, 0),
        ticket.queue_at,
        ticket.id,
    )


def _next_for(desk: _Desk, taken: set[int], streak_limit: int) -> _Waiting | None:
    """The engine's choice for this window among the tickets not yet called (see call_next)."""
    while desk.cursor < len(desk.queue) and desk.queue[desk.cursor].id in taken:
        desk.cursor += 1
    if desk.cursor >= len(desk.queue):
        return None
    first = desk.queue[desk.cursor]
    if first.priority and streak_limit > 0 and desk.streak >= streak_limit:
        normal = next(
            (t for t in desk.queue[desk.cursor :] if not t.priority and t.id not in taken), None
        )
        if normal is not None:
            return normal
    return first


def simulate(
    hall: Hall, today: dt.date | None = None, *, now: dt.datetime | None = None
) -> dict[int, Outlook]:
    """Outlook of every waiting ticket of the hall's day, by ticket id."""
    now = now or clock.utcnow()
    today = today or clock.local_date(now, hall.timezone)
    rows = Ticket.select(
        Ticket.id, Ticket.service, Ticket.priority, Ticket.queue_at, Ticket.target_window
    ).where(
        (Ticket.hall == hall)
        & (Ticket.local_date == today)
        & (Ticket.status == TicketStatus.WAITING)
    )
    windows = staffed_windows(hall)
    if not windows:  # nobody calls: no figures, and no need to read the queue row by row
        return {ticket_id: NOBODY_SERVES for (ticket_id,) in rows.select(Ticket.id).tuples()}
    waiting = [
        _Waiting(ticket_id, service_id, bool(priority), queue_at, target_id)
        for ticket_id, service_id, priority, queue_at, target_id in rows.tuples()
    ]
    if not waiting:
        return {}
    orders: dict[int, dict[int, int]] = {window.id: {} for window in windows}
    if windows:
        for link in (
            WindowService.select(
                WindowService.window, WindowService.service, WindowService.position
            )
            .join(Service)
            .where(
                WindowService.window.in_(list(orders)) & (Service.active == True)  # noqa: E712
            )
        ):
            orders[link.window_id][link.service_id] = link.position
    handling: dict[int, float] = {}

    def handling_of(service_id: int) -> float:
        if service_id not in handling:
            handling[service_id] = average_handling_seconds(service_id, now=now)
        return handling[service_id]

    busy = {
        row.window_id: row
        for row in Ticket.select(Ticket.window, Ticket.service, Ticket.called_at).where(
            (Ticket.hall == hall)
            & (Ticket.local_date == today)
            & (Ticket.status == TicketStatus.CALLED)
            & Ticket.window.in_(list(orders) or [0])
        )
    }
    desks: list[_Desk] = []
    for window in windows:
        free_at = 0.0
        serving = busy.get(window.id)
        if serving is not None and serving.called_at is not None:
            elapsed = (now - serving.called_at).total_seconds()
            free_at = max(0.0, handling_of(serving.service_id) - elapsed)
        desk = _Desk(window.id, window.number, orders[window.id], window.priority_streak, free_at)
        desk.queue = sorted(
            (
                t
                for t in waiting
                if t.target == window.id or (t.target is None and t.service in desk.order)
            ),
            key=lambda t, desk=desk: _sort_key(desk, t),
        )
        desks.append(desk)

    # A ticket's desks: the windows that may call it (the others do not delay it).
    desks_of: dict[int, list[int]] = {}
    for desk in desks:
        for ticket in desk.queue:
            desks_of.setdefault(ticket.id, []).append(desk.id)
    taken: set[int] = set()
    calls_at: dict[int, int] = {desk.id: 0 for desk in desks}  # calls so far, per window
    result: dict[int, Outlook] = {}
    heap = [(desk.free_at, desk.number, index) for index, desk in enumerate(desks) if desk.queue]
    heapq.heapify(heap)
    while heap:
        free_at, _number, index = heapq.heappop(heap)
        desk = desks[index]
        ticket = _next_for(desk, taken, hall.priority_streak_limit)
        if ticket is None:
            continue  # nothing more this window may call: it drops out
        taken.add(ticket.id)
        desk.streak = desk.streak + 1 if ticket.priority else 0
        ahead = sum(calls_at[desk_id] for desk_id in desks_of[ticket.id])
        result[ticket.id] = Outlook(ahead, int(round(free_at)))
        calls_at[desk.id] += 1
        heapq.heappush(heap, (free_at + handling_of(ticket.service), desk.number, index))
    for ticket in waiting:
        result.setdefault(ticket.id, NOBODY_SERVES)
    return result


def outlook(ticket: Ticket, *, now: dt.datetime | None = None) -> Outlook:
    """The figures for one ticket: 0/0 once it is no longer waiting."""
    if ticket.status != TicketStatus.WAITING:
        return NOT_WAITING
    hall = Hall.get_by_id(ticket.hall_id)
    return simulate(hall, ticket.local_date, now=now).get(ticket.id, NOBODY_SERVES)


def service_is_served(hall: Hall, service: Service | int) -> bool:
    """Whether a staffed, open window calls this service now (before a resident takes it)."""
    service_id = service if isinstance(service, int) else service.id
    windows = [window.id for window in staffed_windows(hall)]
    if not windows:
        return False
    return (
        WindowService.select(fn.COUNT(WindowService.id))
        .where((WindowService.window.in_(windows)) & (WindowService.service == service_id))
        .scalar()
        > 0
    )
