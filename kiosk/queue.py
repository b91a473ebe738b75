"""The queue engine: issuing tickets, calling, recalling, skipping, transferring, completing.

Pure Python over peewee (no Flask). Every rule of the queue lives here:
- numbering: service prefix + zero-padded number, per hall, service and local day;
- who is called next: priority class, then the window's service order, then arrival, with a
  fairness rule (after `Hall.priority_streak_limit` priority calls in a row at a window, a
  waiting normal ticket goes first);
- every state change is guarded by a conditional UPDATE on (status, version), so two windows
  never get the same ticket and an action on a ticket that changed meanwhile changes nothing;
- every state change writes a `QueueEvent`; wait and handling times derive from them.
Read-then-write work runs in `write_transaction()` (BEGIN IMMEDIATE on SQLite).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass

from peewee import JOIN, Case, fn

from . import clock
from .calendar import is_working_day, next_working_day
from .db import db, is_postgres, write_transaction
from .errors import N_, QueueError
from .models import DailyCounter, Hall, QueueEvent, Service, Staff, Ticket, Window, WindowService
from .tickets import close_past_days
from .words import TicketStatus


@dataclass(frozen=True)
class HallHours:
    open_now: bool
    reason: str  # "" when open; else "closed_day" / "before_open" / "lunch_break" / "after_close"
    next_open: dt.datetime | None  # local time of the next opening when closed


def hall_hours(hall: Hall, now: dt.datetime | None = None) -> HallHours:
    """Whether the hall takes tickets now, and when it opens again if not."""
    now = now or clock.utcnow()
    if hall.always_open:
        return HallHours(True, "", None)
    local = clock.to_local(now, hall.timezone).replace(tzinfo=None)
    opens, closes = clock.parse_hhmm(hall.opens_at), clock.parse_hhmm(hall.closes_at)
    today = local.date()
    open_day = hall.weekend_service or is_working_day(hall, today)
    if hall.break_starts_at and hall.break_ends_at and open_day:
        break_starts = clock.parse_hhmm(hall.break_starts_at)
        break_ends = clock.parse_hhmm(hall.break_ends_at)
        if break_starts <= local.time() < break_ends:
            return HallHours(False, "lunch_break", dt.datetime.combine(today, break_ends))
    if open_day and opens <= local.time() < closes:
        return HallHours(True, "", None)
    if open_day and local.time() < opens:
        return HallHours(False, "before_open", dt.datetime.combine(today, opens))
    next_day = today + dt.timedelta(days=1)
    if not hall.weekend_service:
        next_day = next_working_day(hall, today)
    return HallHours(
        False, "after_close" if open_day else "closed_day", dt.datetime.combine(next_day, opens)
    )


def _new_public_code() -> str:
    return secrets.token_urlsafe(12)


def _event(
    ticket: Ticket | None, kind: str, *, hall: Hall | int, now: dt.datetime, **fields
) -> None:
    QueueEvent.create(hall=hall, ticket=ticket, kind=kind, at=now, **fields)


class DoubleTake(QueueError):
    """The same kiosk issued `ticket` moments ago and its resident has not pressed 完成: a
    hurried second touch (or a second request already in flight) shows that ticket instead."""

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(N_("刚刚已取号，请查看号票"))
        self.ticket = ticket


def _lock_kiosk(hall: Hall, kiosk: str) -> None:
    """Serialize one kiosk's takes until the transaction ends: SQLite's write transaction already
    does; on PostgreSQL an advisory lock per (hall, kiosk), so two requests in flight cannot
    both find no recent ticket and both issue one."""
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(7302, hashtext(%s))", (f"{hall.id}:{kiosk}",))


def _recent_take(
    hall: Hall, kiosk: str, since: dt.datetime, finished: Collection[str]
) -> Ticket | None:
    """This kiosk's latest ticket when issued after `since` and not finished (完成) since."""
    latest = (
        Ticket.select()
        .where((Ticket.hall == hall) & (Ticket.kiosk == kiosk) & (Ticket.issued_at > since))
        .order_by(Ticket.issued_at.desc(), Ticket.id.desc())
        .first()
    )
    if latest is None or latest.public_code in finished:
        return None
    return latest


def issue_ticket(
    hall: Hall,
    service: Service,
    *,
    priority: str = "",
    kiosk: str = "",
    now: dt.datetime | None = None,
    enforce_hours: bool = True,
    double_take_seconds: float = 0.0,
    finished: Collection[str] = (),
) -> Ticket:
    """Issue the next ticket of `service` today. Raises QueueError and changes nothing if the
    service is paused, the hall is closed, the daily cap is reached or the kiosk is too fast.

    With a `kiosk` and `double_take_seconds`, raises DoubleTake (carrying the first ticket) when
    that kiosk issued a ticket less than that many seconds ago whose public code is not among
    `finished` (the tickets its resident closed with 完成). The check and the issue run under
    one lock per kiosk, so of two requests in flight only the first issues a ticket."""
    now = now or clock.utcnow()
    if priority not in Ticket.PRIORITIES:
        raise QueueError(N_("未知的优先类别"))
    if service.hall_id != hall.id:
        raise QueueError(N_("该业务不属于本大厅"))
    if not service.active or service.retired_at is not None:
        raise QueueError(N_("“%(service)s”暂停取号，请咨询工作人员"), service=service.name)
    if enforce_hours:
        hours = hall_hours(hall, now)
        if not hours.open_now:
            raise QueueError(
                N_("大厅已停止取号，下次开放时间：%(when)s"),
                when=hours.next_open.strftime("%Y-%m-%d %H:%M") if hours.next_open else "",
            )
    today = clock.local_date(now, hall.timezone)
    with write_transaction():
        if kiosk:
            _lock_kiosk(hall, kiosk)
        if kiosk and double_take_seconds > 0:
            since = now - dt.timedelta(seconds=double_take_seconds)
            first = _recent_take(hall, kiosk, since, finished)
            if first is not None:
                raise DoubleTake(first)
        if kiosk and hall.kiosk_tickets_per_minute > 0:
            recent = (
                Ticket.select()
                .where(
                    (Ticket.hall == hall)
                    & (Ticket.kiosk == kiosk)
                    & (Ticket.issued_at > now - dt.timedelta(minutes=1))
                )
                .count()
            )
            if recent >= hall.kiosk_tickets_per_minute:
                raise QueueError(N_("取号过于频繁，请稍候一分钟再试"))
        # One UPSERT … RETURNING: creates the day's counter or bumps it. On PostgreSQL it locks
        # the counter row; on SQLite the IMMEDIATE transaction already holds the write lock.
        cursor = (
            DailyCounter.insert(hall=hall, service=service, local_date=today, last_number=1)
            .on_conflict(
                conflict_target=[DailyCounter.hall, DailyCounter.service, DailyCounter.local_date],
                update={DailyCounter.last_number: DailyCounter.last_number + 1},
            )
            .returning(DailyCounter.last_number)
            .execute()
        )
        number = next(iter(cursor)).last_number
        if service.daily_cap and number > service.daily_cap:
            raise QueueError(
                N_("“%(service)s”今日号码已发完（每日 %(cap)s 个），请明天再来"),
                service=service.name,
                cap=service.daily_cap,
            )
        ticket = Ticket.create(
            hall=hall,
            service=service,
            issued_service=service,
            local_date=today,
            sequence=number,
            display_number=f"{service.prefix}{number:03d}",
            public_code=_new_public_code(),
            priority=priority,
            status=TicketStatus.WAITING,
            issued_at=now,
            queue_at=now,
            kiosk=kiosk,
        )
        _event(ticket, "issued", hall=hall, now=now, to_service=service, detail=priority)
    return ticket


def window_services(window: Window) -> list[tuple[int, int]]:
    """(service id, position) pairs the window serves, in order."""
    rows = (
        WindowService.select(WindowService.service, WindowService.position)
        .join(Service)
        .where((WindowService.window == window) & (Service.active == True))  # noqa: E712
        .order_by(WindowService.position)
    )
    return [(row.service_id, row.position) for row in rows]


def current_ticket(window: Window, today: dt.date | None = None) -> Ticket | None:
    """The ticket being served at `window` today (a past day's is closed by the day change)."""
    if today is None:
        hall = Hall.get_by_id(window.hall_id)
        today = clock.local_date(clock.utcnow(), hall.timezone)
    return (
        Ticket.select(Ticket, Service)  # the service comes along: pages show its name
        .join(Service, on=(Ticket.service == Service.id))
        .where(
            (Ticket.window == window)
            & (Ticket.status == TicketStatus.CALLED)
            & (Ticket.local_date == today)
        )
        .order_by(Ticket.called_at.desc())
        .first()
    )


CANDIDATE_FIELDS = (
    Ticket.id,
    Ticket.hall,
    Ticket.service,
    Ticket.local_date,
    Ticket.display_number,
    Ticket.priority,
    Ticket.status,
    Ticket.queue_at,
    Ticket.target_window,
    Ticket.version,
    Service.id,
    Service.prefix,
    Service.name,
    Service.name_en,
)


def _candidates(
    window: Window,
    today: dt.date,
    priority_class: bool | None,
    limit: int = 5,
    services: list[tuple[int, int]] | None = None,
):
    """The waiting tickets `window` would call next, in order. `services`: its (service id,
    position) pairs when the caller has them already."""
    if services is None:
        services = window_services(window)
    service_ids = [sid for sid, _ in services]
    position = (
        Case(
            Ticket.service,
            [(sid, pos) for sid, pos in services],
            0,
        )
        if services
        else 0
    )
    is_priority = Case(None, [(Ticket.priority != "", 0)], 1)
    eligible = ((Ticket.service.in_(service_ids)) & (Ticket.target_window.is_null())) | (
        Ticket.target_window == window
    )
    query = (
        # Only what calling and the console's "next" list use: a narrow select is built and read
        # several times faster than the whole ticket row (this runs on every call and refresh).
        Ticket.select(*CANDIDATE_FIELDS)
        .join(Service, on=(Ticket.service == Service.id))
        .where(
            (Ticket.hall == window.hall_id)
            & (Ticket.local_date == today)
            & (Ticket.status == TicketStatus.WAITING)
            & eligible
        )
    )
    if priority_class is True:
        query = query.where(Ticket.priority != "")
    elif priority_class is False:
        query = query.where(Ticket.priority == "")
    return list(query.order_by(is_priority, position, Ticket.queue_at, Ticket.id).limit(limit))


def upcoming(
    window: Window,
    limit: int = 5,
    *,
    now: dt.datetime | None = None,
    hall: Hall | None = None,
    today: dt.date | None = None,
    services: list[tuple[int, int]] | None = None,
) -> list[Ticket]:
    """The next tickets this window would call, in order (fairness rule aside)."""
    if today is None:
        hall = hall or Hall.get_by_id(window.hall_id)
        today = clock.local_date(now or clock.utcnow(), hall.timezone)
    return _candidates(window, today, None, limit=limit, services=services)


def _close_stale_call(window: Window, hall: Hall, today: dt.date, now: dt.datetime) -> None:
    """A ticket left 'called' here on a past day (the day change has not run yet) is closed
    first: it is not served any more, and only one called ticket per window may exist."""
    stale = Ticket.select(Ticket.id).where(
        (Ticket.window == window)
        & (Ticket.status == TicketStatus.CALLED)
        & (Ticket.local_date < today)
    )
    if stale.exists():
        close_past_days(hall, now=now)


def _calling(window: Window, staff: Staff | None, now: dt.datetime) -> dict:
    """The changes that call a waiting ticket to `window` (call_next and call_ticket)."""
    return {
        "status": TicketStatus.CALLED,
        "window": window,
        "target_window": None,
        "called_at": now,
        # The wait of the reports ends at the first call: never moved by a later one.
        "first_called_at": fn.COALESCE(Ticket.first_called_at, now),
        "staff": staff,
        # 首问负责: the first staff member to serve the resident stays on record.
        "first_staff": fn.COALESCE(Ticket.first_staff, staff.id if staff else None),
    }


def _count_streak(window: Window, ticket: Ticket) -> None:
    """The window's run of priority calls, for the fairness rule."""
    streak = window.priority_streak + 1 if ticket.priority else 0
    Window.update(priority_streak=streak).where(Window.id == window.id).execute()


def _free_window(window_id: int, today: dt.date) -> Window:
    """Inside the write transaction: the window row, locked (FOR UPDATE on PostgreSQL), refused
    when it is paused or still serving someone."""
    window = _lock_window(window_id)
    if window.paused:
        raise QueueError(N_("%(window)s号窗口已暂停服务，请先恢复"), window=window.number)
    serving = current_ticket(window, today)
    if serving is not None:
        raise QueueError(N_("请先办结或过号当前号码 %(number)s"), number=serving.display_number)
    return window


def _lock_window(window_id: int) -> Window:
    """Read the window row inside the current transaction, locked FOR UPDATE on PostgreSQL."""
    query = Window.select().where(Window.id == window_id)
    if is_postgres():
        query = query.for_update()
    return query.get()


def call_next(
    window: Window, staff: Staff | None = None, *, now: dt.datetime | None = None
) -> Ticket | None:
    """Call the next ticket to `window`; None when nobody is waiting for it."""
    now = now or clock.utcnow()
    hall = Hall.get_by_id(window.hall_id)
    today = clock.local_date(now, hall.timezone)
    # Cheap look without the write lock first: an idle console polling "call next" must not
    # queue behind (and slow down) the kiosks issuing tickets.
    if (
        not window.paused
        and not _candidates(window, today, None, limit=1)
        and current_ticket(window, today) is None
    ):
        return None
    _close_stale_call(window, hall, today, now)
    with write_transaction():
        # Fresh paused flag and streak inside the lock. On PostgreSQL the window row itself is
        # the lock: two consoles (or two sessions) calling at one window queue here, so the
        # second sees the first one's called ticket and refuses (SQLite: BEGIN IMMEDIATE).
        window = _free_window(window.id, today)
        services = window_services(window)
        candidates = _candidates(window, today, None, services=services)
        if not candidates:
            return None
        if (
            candidates[0].priority
            and hall.priority_streak_limit > 0
            and window.priority_streak >= hall.priority_streak_limit
        ):
            normal = _candidates(window, today, False, services=services)
            if normal:
                candidates = normal + candidates
        for candidate in candidates:
            changed = (
                Ticket.update(version=Ticket.version + 1, **_calling(window, staff, now))
                .where(
                    (Ticket.id == candidate.id)
                    & (Ticket.status == TicketStatus.WAITING)
                    & (Ticket.version == candidate.version)
                )
                .execute()
            )
            if changed:
                _count_streak(window, candidate)
                _event(candidate, "called", hall=hall, now=now, window=window, staff=staff)
                return Ticket.get_by_id(candidate.id)
    return None


def call_ticket(
    window: Window, ticket: Ticket, staff: Staff | None = None, *, now: dt.datetime | None = None
) -> Ticket:
    """Call one particular waiting ticket to `window` (the resident is standing at the desk, or
    was re-activated). Only a ticket of this window's services, or transferred to it."""
    now = now or clock.utcnow()
    hall = Hall.get_by_id(window.hall_id)
    today = clock.local_date(now, hall.timezone)
    _close_stale_call(window, hall, today, now)
    with write_transaction():
        window = _free_window(window.id, today)
        ticket = Ticket.get_by_id(ticket.id)
        if (
            ticket.hall_id != hall.id
            or ticket.local_date != today
            or ticket.status != TicketStatus.WAITING
        ):
            raise QueueError(N_("号码 %(number)s 不在等候中"), number=ticket.display_number)
        served = {service_id for service_id, _position in window_services(window)}
        if ticket.target_window_id not in (None, window.id) or (
            ticket.target_window_id is None and ticket.service_id not in served
        ):
            raise QueueError(
                N_("号码 %(number)s 不属于本窗口办理的业务，请先转移"),
                number=ticket.display_number,
            )
        ticket = _guarded_update(ticket, TicketStatus.WAITING, **_calling(window, staff, now))
        _count_streak(window, ticket)
        _event(ticket, "called", hall=hall, now=now, window=window, staff=staff, detail="chosen")
    return ticket


def missed_tickets(
    window: Window,
    *,
    now: dt.datetime | None = None,
    hall: Hall | None = None,
    today: dt.date | None = None,
    services: list[tuple[int, int]] | None = None,
) -> list[Ticket]:
    """Today's skipped tickets this window could take back (its services, or skipped here),
    newest first: the console's 过号 list."""
    if hall is None or hall.id != window.hall_id:
        hall = Hall.get_by_id(window.hall_id)
    if today is None:
        today = clock.local_date(now or clock.utcnow(), hall.timezone)
    if services is None:
        services = window_services(window)
    served = [service_id for service_id, _position in services]
    return list(
        Ticket.select(*CANDIDATE_FIELDS, Ticket.skipped_at, Ticket.window)
        .join(Service, on=(Ticket.service == Service.id))
        .where(
            (Ticket.hall == hall)
            & (Ticket.local_date == today)
            & (Ticket.status == TicketStatus.SKIPPED)
            & (Ticket.service.in_(served or [0]) | (Ticket.window == window))
        )
        .order_by(Ticket.skipped_at.desc())
        .limit(20)
    )


def reactivation_minutes_left(
    ticket: Ticket, *, now: dt.datetime | None = None, hall: Hall | None = None
) -> int | None:
    """Whole minutes left to re-queue a skipped ticket; None when it can no longer be."""
    if ticket.status != TicketStatus.SKIPPED or ticket.skipped_at is None:
        return None
    hall = (
        hall if hall is not None and hall.id == ticket.hall_id else Hall.get_by_id(ticket.hall_id)
    )
    left = (
        hall.skip_reactivation_minutes * 60
        - ((now or clock.utcnow()) - ticket.skipped_at).total_seconds()
    )
    return int(left // 60) if left > 0 else None


def _guarded_update(ticket: Ticket, expected_status: str, **changes) -> Ticket:
    changed = (
        Ticket.update(version=Ticket.version + 1, **changes)
        .where(
            (Ticket.id == ticket.id)
            & (Ticket.status == expected_status)
            & (Ticket.version == ticket.version)
        )
        .execute()
    )
    if not changed:
        raise QueueError(
            N_("号码 %(number)s 的状态已被他人更改，请刷新后再试"), number=ticket.display_number
        )
    return Ticket.get_by_id(ticket.id)


def _require_at_window(ticket: Ticket, window: Window) -> None:
    if ticket.status != TicketStatus.CALLED or ticket.window_id != window.id:
        raise QueueError(
            N_("号码 %(number)s 当前不在 %(window)s 号窗口办理"),
            number=ticket.display_number,
            window=window.number,
        )


def recall(ticket: Ticket, window: Window, staff: Staff | None = None, *, now=None) -> Ticket:
    now = now or clock.utcnow()
    with write_transaction():
        _require_at_window(ticket, window)
        ticket = _guarded_update(ticket, TicketStatus.CALLED, recall_count=Ticket.recall_count + 1)
        _event(ticket, "recalled", hall=ticket.hall_id, now=now, window=window, staff=staff)
    return ticket


def skip(ticket: Ticket, window: Window, staff: Staff | None = None, *, now=None) -> Ticket:
    """No-show (过号): the resident may re-activate within the hall's time limit."""
    now = now or clock.utcnow()
    with write_transaction():
        _require_at_window(ticket, window)
        ticket = _guarded_update(
            ticket, TicketStatus.CALLED, status=TicketStatus.SKIPPED, skipped_at=now
        )
        _event(ticket, "skipped", hall=ticket.hall_id, now=now, window=window, staff=staff)
    return ticket


def reactivate(ticket: Ticket, staff: Staff | None = None, *, now=None) -> Ticket:
    """Put a skipped ticket back in the queue, behind the next few waiting tickets."""
    now = now or clock.utcnow()
    hall = ticket.hall
    if ticket.status != TicketStatus.SKIPPED:
        raise QueueError(N_("号码 %(number)s 不是过号状态"), number=ticket.display_number)
    limit = dt.timedelta(minutes=hall.skip_reactivation_minutes)
    if ticket.skipped_at is None or now - ticket.skipped_at > limit:
        raise QueueError(
            N_("号码 %(number)s 已过号超过 %(minutes)s 分钟，请重新取号"),
            number=ticket.display_number,
            minutes=hall.skip_reactivation_minutes,
        )
    with write_transaction():
        ahead = list(
            Ticket.select(Ticket.queue_at)
            .where(
                (Ticket.hall == hall)
                & (Ticket.local_date == ticket.local_date)
                & (Ticket.service == ticket.service)
                & (Ticket.status == TicketStatus.WAITING)
                & ((Ticket.priority != "") if ticket.priority else (Ticket.priority == ""))
            )
            .order_by(Ticket.queue_at, Ticket.id)
            .limit(max(hall.skip_requeue_behind, 1))
        )
        if len(ahead) >= hall.skip_requeue_behind > 0:
            queue_at = ahead[-1].queue_at + dt.timedelta(microseconds=1)
        else:
            queue_at = now
        ticket = _guarded_update(
            ticket,
            TicketStatus.SKIPPED,
            status=TicketStatus.WAITING,
            queue_at=queue_at,
            window=None,
            called_at=None,
        )
        _event(ticket, "reactivated", hall=hall, now=now, staff=staff)
    return ticket


def transfer(
    ticket: Ticket,
    window: Window,
    staff: Staff | None = None,
    *,
    to_service: Service | None = None,
    to_window: Window | None = None,
    now=None,
) -> Ticket:
    """Hand the resident to another service and/or window, keeping the original arrival time."""
    now = now or clock.utcnow()
    if to_service is None and to_window is None:
        raise QueueError(N_("请选择要转移到的业务或窗口"))
    if to_window is not None and to_window.id == window.id and to_service is None:
        raise QueueError(N_("不能转移到本窗口"))
    if to_service is not None and to_service.hall_id != ticket.hall_id:
        raise QueueError(N_("该业务不属于本大厅"))
    if to_window is not None and to_window.hall_id != ticket.hall_id:
        raise QueueError(N_("该窗口不属于本大厅"))
    if (to_service is not None and to_service.retired_at is not None) or (
        to_window is not None and to_window.retired_at is not None
    ):
        raise QueueError(N_("该业务或窗口已停用"))
    with write_transaction():
        _require_at_window(ticket, window)
        from_service = ticket.service_id
        changes = dict(
            status=TicketStatus.WAITING, window=None, called_at=None, target_window=to_window
        )
        if to_service is not None:
            changes["service"] = to_service
        ticket = _guarded_update(ticket, TicketStatus.CALLED, **changes)
        _event(
            ticket,
            "transferred",
            hall=ticket.hall_id,
            now=now,
            window=window,
            staff=staff,
            from_service=from_service,
            to_service=to_service or from_service,
            to_window=to_window,
            from_staff=staff,
        )
    return ticket


def complete(
    ticket: Ticket, window: Window, staff: Staff | None = None, *, outcome: str = "done", now=None
) -> Ticket:
    """办结. `outcome="registered"` when the matter is handed over as a case."""
    now = now or clock.utcnow()
    if outcome not in ("done", "registered"):
        raise QueueError(N_("未知的办理结果"))
    with write_transaction():
        _require_at_window(ticket, window)
        ticket = _guarded_update(
            ticket,
            TicketStatus.CALLED,
            status=TicketStatus.COMPLETED,
            completed_at=now,
            outcome=outcome,
        )
        _event(
            ticket,
            "completed",
            hall=ticket.hall_id,
            now=now,
            window=window,
            staff=staff,
            detail=outcome,
        )
    return ticket


def pause_window(window: Window, staff: Staff | None = None, *, now=None) -> Window:
    return _set_paused(window, True, staff, now)


def resume_window(window: Window, staff: Staff | None = None, *, now=None) -> Window:
    return _set_paused(window, False, staff, now)


def _set_paused(window: Window, paused: bool, staff: Staff | None, now) -> Window:
    now = now or clock.utcnow()
    with write_transaction():
        changed = (
            Window.update(paused=paused)
            .where((Window.id == window.id) & (Window.paused == (not paused)))
            .execute()
        )
        if not changed:
            message = N_("窗口已处于暂停状态") if paused else N_("窗口已在服务中")
            raise QueueError(message)
        _event(
            None,
            "paused" if paused else "resumed",
            hall=window.hall_id,
            now=now,
            window=window,
            staff=staff,
        )
    return Window.get_by_id(window.id)


# --- Derived figures -------------------------------------------------------------------------


def waiting_counts(hall: Hall, today: dt.date) -> dict[int, int]:
    rows = (
        Ticket.select(Ticket.service, fn.COUNT(Ticket.id).alias("waiting"))
        .where(
            (Ticket.hall == hall)
            & (Ticket.local_date == today)
            & (Ticket.status == TicketStatus.WAITING)
        )
        .group_by(Ticket.service)
    )
    return {row.service_id: row.waiting for row in rows}


def wait_and_handling_times(ticket: Ticket) -> tuple[float | None, float | None]:
    """(wait seconds until first call, handling seconds from last call to completion)."""
    events = list(
        QueueEvent.select(QueueEvent.kind, QueueEvent.at)
        .where(QueueEvent.ticket == ticket)
        .order_by(QueueEvent.at, QueueEvent.id)
    )
    issued = next((e.at for e in events if e.kind == "issued"), None)
    first_call = next((e.at for e in events if e.kind == "called"), None)
    last_call = next((e.at for e in reversed(events) if e.kind == "called"), None)
    done = next((e.at for e in reversed(events) if e.kind == "completed"), None)
    wait = (first_call - issued).total_seconds() if issued and first_call else None
    handling = (done - last_call).total_seconds() if done and last_call else None
    return wait, handling


def recent_calls(hall: Hall, limit: int = 8, today: dt.date | None = None) -> list[QueueEvent]:
    """Today's latest call and recall events, newest first, with ticket and window joined."""
    today = today or clock.local_date(clock.utcnow(), hall.timezone)
    return list(
        QueueEvent.select(QueueEvent, Ticket, Window)
        .join(Ticket, on=(QueueEvent.ticket == Ticket.id))
        .switch(QueueEvent)
        .join(Window, JOIN.LEFT_OUTER, on=(QueueEvent.window == Window.id))
        .where(
            (QueueEvent.hall == hall)
            # Bounded to today's events (index hall, at): a quiet morning does not walk a year.
            & (
                QueueEvent.at
                >= clock.from_local(dt.datetime.combine(today, dt.time()), hall.timezone)
            )
            & QueueEvent.kind.in_(("called", "recalled"))
            & (Ticket.local_date == today)
        )
        .order_by(QueueEvent.id.desc())
        .limit(limit)
    )
