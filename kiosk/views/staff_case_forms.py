"""The console's 未办结登记 form (from the current ticket or without one): what it offers and
what happens on submit. Used by the console panel in staff.py; the case page's routes live in
staff_cases.py."""

from __future__ import annotations

import secrets

from flask import request
from flask_babel import gettext

from .. import cases, clock, hall_setup, lineup, staffing
from ..limits import parse_id
from ..models import Staff, Ticket, Window
from ..printing import print_receipt
from ..web import current_hall, public_url

CONSOLE_CASES = 10


def case_form_context(window: Window, ticket: Ticket | None) -> dict:
    hall = current_hall()
    services = list(lineup.all_services(hall))
    materials = {
        service.id: [m.name for m in lineup.required_materials(service)] for service in services
    }
    staff = staffing.staff_member(window.on_duty_id)
    today = clock.hall_today(hall)
    # The console lists the nearest deadlines; the whole list is on 我的受理件.
    open_cases = cases.open_cases_of(staff, limit=CONSOLE_CASES) if staff else []
    return {
        "case_services": services,
        "case_materials": materials,
        "case_agents": staffing.hall_agents(hall),
        "case_levels": cases.LEVEL_LABELS,
        "case_form_token": secrets.token_urlsafe(16),
        "case_service_id": ticket.service_id if ticket else None,
        "my_open_cases": list(
            zip(open_cases, cases.days_left_of(hall, open_cases, today), strict=True)
        ),
    }


def receipt_note(job, fell_back: bool, window_number: int) -> str:
    if job is None:
        return gettext("未连接打印机，回执未打印，可在受理件页面补打")
    if fell_back:
        return gettext("%(window)s 号窗口未配置打印机，回执已在取号机打印", window=window_number)
    return gettext("回执已在 %(window)s 号窗口打印", window=window_number)


def register_from_console(ticket: Ticket | None, window: Window, staff: Staff) -> str:
    """Validate, register (completing the ticket as handed to a case), queue the receipt."""
    from .. import queue

    form = request.form
    data = cases.validate_registration(
        form.get("resident_name", ""),
        form.get("resident_phone", ""),
        form.get("subject", ""),
        form.get("days", ""),
        resident_id_number=form.get("resident_id_number", ""),
        level=form.get("level", ""),
        received=form.getlist("received"),
        missing=form.getlist("missing"),
        form_token=form.get("form_token", ""),
    )
    hall = hall_setup.stored_hall(window.hall_id)
    cases.refuse_double_submission(hall.id, data["form_token"])
    service = (
        lineup.find_service(hall, parse_id(form.get("service"))) if form.get("service") else None
    )
    agent = cases.active_agent(hall.id, form.get("agent", ""), staff)
    if ticket is not None:
        queue.complete(ticket, window, staff, outcome="registered")
    case = cases.register_case(
        ticket, staff, data, hall=hall, service=service, agent=agent, window_number=window.number
    )
    status = public_url("public.case_status", code=case.tracking_code)
    job, fell_back = print_receipt(case, status)
    return " ".join(
        [
            gettext(
                "已登记受理件 %(case)s，承诺 %(deadline)s 前办结",
                case=case.number,
                deadline=case.deadline.isoformat(),
            ),
            gettext("查询码 %(code)s。", code=case.lookup_code),
            receipt_note(job, fell_back, window.number),
        ]
    )
