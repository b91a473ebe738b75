"""The staff window console: signed-in staff (and admins) acting on the window they are on.

A staff member first takes duty at one of their windows (挂牌上岗: the window screen then shows
their post and name); every action posts the ticket id and version it was taken on, so an
action on a ticket that changed meanwhile is refused with a message and changes nothing. The
console panel refreshes itself every two seconds and after every action (htmx).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, session, url_for
from flask_babel import gettext

from .. import audit, cases, clock, hall_setup, lineup, queue, reports, staffing, tickets
from ..db import write_transaction
from ..errors import N_, DomainError, QueueError
from ..htmx import is_htmx, render
from ..limits import parse_id
from ..models import Hall, Staff, Ticket, Window
from ..web import (
    current_hall,
    current_staff,
    error_message,
    local_time,
    requested_page,
    require_roles,
)
from ..words import Role, TicketStatus
from .staff_case_forms import case_form_context, register_from_console

bp = Blueprint("staff", __name__, url_prefix="/staff")
require_roles(bp, (Role.STAFF, Role.ADMIN))

ACTIONS = (
    "call",
    "call_ticket",
    "reactivate",
    "recall",
    "skip",
    "complete",
    "transfer",
    "pause",
    "resume",
    "register",
)


def allowed_windows(staff: Staff) -> list[Window]:
    return staffing.allowed_windows(current_hall(), staff)


def duty_window() -> Window | None:
    """The window this browser's staff member is on duty at (and still holds)."""
    window_id = session.get("window_id")
    if not window_id:
        return None
    window = lineup.find_window(current_hall(), window_id)
    if window is None or window.on_duty_id != current_staff().id:
        session.pop("window_id", None)
        return None
    return window


@bp.get("")
@bp.get("/")
def home():
    if duty_window() is not None:
        return redirect(url_for("staff.console"))
    return render(
        "staff/choose.html", "staff/_choose.html", windows=allowed_windows(current_staff())
    )


@bp.post("/windows/<int:number>/duty")
def duty_start(number: int):
    staff = current_staff()
    window = next((w for w in allowed_windows(staff) if w.number == number), None)
    if window is None:
        abort(403, description=gettext("您没有该窗口的权限"))
    staffing.start_duty(window, staff)
    session["window_id"] = window.id
    return redirect(url_for("staff.console"), 303)


@bp.post("/duty/end")
def duty_end():
    window = duty_window()
    staff = current_staff()
    if window is not None:
        staffing.end_duty(window, staff)
    session.pop("window_id", None)
    return redirect(url_for("staff.home"), 303)


def _serving_context(window: Window, hall: Hall, ticket: Ticket | None) -> dict:
    """The ticket being served with its facts, and what the 转移 form offers (read only when a
    ticket is served: the queries are lazy)."""
    transfer_note = ""
    first_staff = None
    if ticket is not None:
        staff = current_staff()
        if ticket.first_staff_id:
            first_staff = (
                staff
                if staff is not None and staff.id == ticket.first_staff_id
                else staffing.staff_member(ticket.first_staff_id)
            )
        moved = tickets.transfer_source(ticket)
        if moved is not None:
            source, who = moved
            transfer_note = gettext(
                "由 %(window)s 号窗口 %(name)s 转来",
                window=source.number if source else "?",
                name=who.display_name if who else "",
            )
    all_services, other_windows = lineup.transfer_choices(hall, window)
    return {
        "window": window,
        "ticket": ticket,
        "first_staff": first_staff,
        "transfer_note": transfer_note,
        "all_services": all_services,
        "other_windows": other_windows,
    }


def _queue_side_context(window: Window, hall: Hall, today) -> dict:
    """What waits for this window: counts per service, the next five, and today's 过号."""
    counts = queue.waiting_counts(hall, today)
    links = lineup.window_service_links(window)
    # What the window calls (as queue.window_services reads it): its services open for tickets.
    served = [(link.service_id, link.position) for link in links if link.service.active]
    missed = [
        (missed_ticket, queue.reactivation_minutes_left(missed_ticket, hall=hall))
        for missed_ticket in queue.missed_tickets(window, hall=hall, today=today, services=served)
    ]
    return {
        "services": [(link.service, counts.get(link.service_id, 0)) for link in links],
        "upcoming": queue.upcoming(window, 5, hall=hall, today=today, services=served),
        "missed": missed,
    }


def _flash_context(message: str, error: str, form_errors: dict | None) -> dict:
    return {
        "flash_time": local_time(clock.utcnow(), "HH:mm:ss"),
        "message": message,
        "error": error,
        "form_errors": form_errors or {},
        "form": request.form if request.method == "POST" else {},
    }


def action_context(
    window: Window, message: str = "", error: str = "", form_errors: dict | None = None
) -> dict:
    """What a console action changes: the window's state, the ticket served, the queue side and
    the confirmation (staff/_action_parts.html swaps each part by its id)."""
    window = lineup.reload_window(window)
    hall = current_hall()
    today = clock.hall_today(hall)
    ticket = queue.current_ticket(window, today)
    return {
        **_serving_context(window, hall, ticket),
        **_queue_side_context(window, hall, today),
        **_flash_context(message, error, form_errors),
    }


def panel_context(
    window: Window, message: str = "", error: str = "", form_errors: dict | None = None
) -> dict:
    """The whole console panel: what an action changes, plus the 未办结登记 form, this staff
    member's open cases and the wait alerts."""
    context = action_context(window, message, error, form_errors)
    hall = current_hall()
    return {
        **context,
        **case_form_context(context["window"], context["ticket"]),
        # Issue 14: a service of this window whose longest wait passed the hall's threshold.
        "wait_alerts": reports.wait_alerts(
            hall, [service.id for service, _count in context["services"]]
        ),
    }


@bp.get("/cases")
def my_cases():
    """The cases this staff member owns or accepted, with the residents' details in full."""
    hall = current_hall()
    return render(
        "staff/cases.html",
        "staff/_cases.html",
        listing=cases.cases_of(hall, current_staff(), requested_page()),
        today=clock.hall_today(hall),
        status_labels=cases.STATUS_LABELS,
    )


@bp.get("/console")
def console():
    window = duty_window()
    if window is None:
        return redirect(url_for("staff.home"))
    message = session.pop("console_message", "")
    error = session.pop("console_error", "")
    return render(
        "staff/console.html", "staff/_panel.html", **panel_context(window, message, error)
    )


def takeover_note(window_id: int | None) -> str:
    """Why this browser lost its window: who took it over (or that duty ended elsewhere)."""
    window = lineup.find_window(current_hall(), window_id or 0)
    if window is None:
        return gettext("您已不在窗口值守，请重新选择窗口")
    holder = staffing.staff_member(window.on_duty_id)
    if holder is None:
        return gettext("%(window)s 号窗口已下岗，请重新选择窗口", window=window.number)
    return gettext(
        "%(window)s 号窗口已由 %(name)s 于 %(time)s 在另一处上岗接管",
        window=window.number,
        name=holder.display_name,
        time=local_time(window.on_duty_since),
    )


@bp.get("/console/panel")
def console_panel():
    window_id = session.get("window_id")
    window = duty_window()  # forgets the window when this browser no longer holds it
    if window is None and not is_htmx():
        return redirect(url_for("staff.home"))
    if window is None:
        # 286: htmx swaps this in and stops polling; the clerk sees who took the window.
        note = takeover_note(window_id)
        return render("staff/console.html", "staff/_taken.html", note=note), 286
    return render("staff/console.html", "staff/_panel.html", **panel_context(window))


def _ticket_from_form(window: Window) -> Ticket:
    ticket_id = parse_id(request.form.get("ticket_id"))
    version = parse_id(request.form.get("version"), low=0)
    if ticket_id is None or version is None:
        raise QueueError(N_("当前没有正在办理的号码"))
    ticket = tickets.in_hall(window.hall_id, ticket_id)
    if ticket is None:
        raise QueueError(N_("当前没有正在办理的号码"))
    if ticket.version != version:
        raise QueueError(
            N_("号码 %(number)s 的状态已被他人更改，请刷新后再试"), number=ticket.display_number
        )
    return ticket


def _waiting_from_form(window: Window, status: str = TicketStatus.WAITING) -> Ticket:
    """A ticket of today named by the form: by id (a button) or by its number (typed)."""
    hall = hall_setup.stored_hall(window.hall_id)
    today = clock.hall_today(hall)
    ticket_id = parse_id(request.form.get("ticket_id", ""))
    number = tickets.normalize_number(request.form.get("number", "")[:16])
    if ticket_id is not None:
        ticket = tickets.of_day(hall, today, ticket_id=ticket_id)
    elif number:
        ticket = tickets.of_day(hall, today, number=number)
    else:
        raise QueueError(N_("请输入要叫的号码，如 A005"))
    if ticket is None:
        raise QueueError(N_("今天没有这个号码"))
    if ticket.status != status:
        message = (
            N_("号码 %(number)s 不在等候中")
            if status == TicketStatus.WAITING
            else N_("号码 %(number)s 不是过号状态")
        )
        raise QueueError(message, number=ticket.display_number)
    return ticket


def _perform(action: str, window: Window, staff: Staff) -> str:
    """Run one console action; returns the message to show. Raises DomainError."""
    if action == "call":
        ticket = queue.call_next(window, staff)
        if ticket is None:
            return gettext("目前没有等候的号码")
        audit.record(window.hall_id, staff, "call", "ticket", ticket.display_number)
        return gettext("已叫号 %(number)s", number=ticket.display_number)
    if action == "call_ticket":
        ticket = _waiting_from_form(window)
        ticket = queue.call_ticket(window, ticket, staff)
        audit.record(window.hall_id, staff, "call", "ticket", ticket.display_number)
        return gettext("已叫号 %(number)s", number=ticket.display_number)
    if action == "reactivate":
        ticket = _waiting_from_form(window, status=TicketStatus.SKIPPED)
        ticket = queue.reactivate(ticket, staff)
        audit.record(window.hall_id, staff, "reactivate", "ticket", ticket.display_number)
        return gettext("%(number)s 已重新排队", number=ticket.display_number)
    if action == "pause":
        queue.pause_window(window, staff)
        audit.record(window.hall_id, staff, "pause", "window", window.number)
        return gettext("窗口已暂停服务")
    if action == "resume":
        queue.resume_window(window, staff)
        audit.record(window.hall_id, staff, "resume", "window", window.number)
        return gettext("窗口已恢复服务")
    if action == "register" and not request.form.get("ticket_id"):
        return register_from_console(None, window, staff)
    ticket = _ticket_from_form(window)
    number = ticket.display_number
    if action == "recall":
        queue.recall(ticket, window, staff)
        message = gettext("已重呼 %(number)s", number=number)
    elif action == "skip":
        queue.skip(ticket, window, staff)
        message = gettext("%(number)s 已过号", number=number)
    elif action == "complete":
        queue.complete(ticket, window, staff)
        message = gettext("%(number)s 已办结", number=number)
    elif action == "transfer":
        to_service = lineup.find_service(window.hall_id, parse_id(request.form.get("to_service")))
        to_window = lineup.find_window(window.hall_id, parse_id(request.form.get("to_window")))
        queue.transfer(ticket, window, staff, to_service=to_service, to_window=to_window)
        message = gettext("%(number)s 已转移", number=number)
    elif action == "register":
        return register_from_console(ticket, window, staff)
    else:
        abort(404)
    audit.record(window.hall_id, staff, action, "ticket", number)
    return message


@bp.post("/console/<action>")
def console_action(action: str):
    if action not in ACTIONS:
        abort(404)
    window = duty_window()
    staff = current_staff()
    if window is None:
        abort(403, description=gettext("您不在该窗口值守，请先选择窗口"))
    message = error = ""
    form_errors: dict = {}
    try:
        with write_transaction():
            message = _perform(action, window, staff)
    except DomainError as failure:
        error = error_message(failure)
        if getattr(failure, "field", ""):
            form_errors[failure.field] = error
    if is_htmx() and action == "register":
        # The whole panel (the form with its errors, the new case in my open cases), plus the
        # confirmation out of band into #console-flash, which the 2-second refresh of the panel
        # does not touch: it stays until the next action.
        return render(
            "staff/console.html",
            "staff/_action.html",
            **panel_context(window, message, error, form_errors),
        )
    if is_htmx():
        # Only what the action changed, each part out of band (the buttons post hx-swap="none").
        return render(
            "staff/console.html",
            "staff/_action_parts.html",
            **action_context(window, message, error, form_errors),
        )
    session["console_message" if not error else "console_error"] = message or error
    return redirect(url_for("staff.console"), 303)
