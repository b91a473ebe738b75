"""The case page for staff (受理件): details, history, and the steps — start, note, complete
(how the resident was told), return with a reason, transfer to another agent, extend the
deadline with a reason, the resident's confirmation at the window, reprint the receipt — and
the window's forms for petitions (信访) and complaints (意见/投诉). Routes join the staff
blueprint. Acting needs to be the case's agent, first-responsible or acceptor, or an admin;
everyone else in the staff blueprint may read.
"""

from __future__ import annotations

import secrets

from flask import abort, redirect, request, session, url_for
from flask_babel import gettext

from .. import audit, cases, clock, complaints, lineup, privacy, staffing
from ..db import write_transaction
from ..errors import N_, DomainError, ValidationError
from ..htmx import render
from ..models import Case, Staff
from ..printing import print_receipt
from ..web import current_hall, current_staff, error_message, hall_row_or_404, public_url
from ..words import Role
from .public_cases import PUBLIC_EVENTS
from .staff import bp, duty_window
from .staff_case_forms import receipt_note

STAFF_EVENTS = {**PUBLIC_EVENTS, "note": N_("记录进展")}
CASE_ACTIONS = (
    "start",
    "note",
    "complete",
    "return",
    "transfer",
    "extend",
    "confirm",
    "reprint",
    "answer",
    "severity",
)


def _case(case_id: int) -> Case:
    case = hall_row_or_404(Case, case_id)
    return case


def may_act(case: Case, staff: Staff) -> bool:
    if staff.role == Role.ADMIN:
        return True
    return staff.id in (case.agent_id, case.first_responsible_id, case.accepted_by_id)


def case_context(case: Case, message: str = "", error: str = "") -> dict:
    hall = current_hall()
    staff = current_staff()
    today = clock.hall_today(hall)
    names = staffing.staff_by_id(hall)
    agent = names.get(case.agent_id)
    return {
        "case": case,
        "resident": privacy.shown(case, staff),
        "service": cases.service_of(case),
        "staff_by_id": names,
        "agent": agent,
        "agent_left": agent is None or not agent.active,
        "days_left": cases.days_left(case, today) if case.status in Case.OPEN_STATUSES else None,
        "events": cases.history(case),
        "may_act": may_act(case, staff),
        "may_answer": complaints.may_answer(case, staff),
        "agents": staffing.hall_agents(hall),
        "notify_choices": cases.NOTIFY_CHOICES,
        "status_labels": cases.STATUS_LABELS,
        "event_labels": STAFF_EVENTS,
        "severities": complaints.SEVERITIES,
        "received": [m for m in case.materials_received.splitlines() if m],
        "missing": [m for m in case.materials_missing.splitlines() if m],
        "level_labels": cases.LEVEL_LABELS,
        "message": message or session.pop("case_message", ""),
        "error": error,
    }


@bp.get("/cases/<int:case_id>")
def case_show(case_id: int):
    case = _case(case_id)
    return render("staff/case.html", "staff/_case.html", **case_context(case))


def _perform(action: str, case: Case, staff: Staff) -> str:
    form = request.form
    if action == "start":
        cases.start(case, staff, form.get("note", ""))
        return gettext("已开始办理")
    if action == "note":
        cases.add_note(case, staff, form.get("note", ""))
        return gettext("已记录")
    if action == "complete":
        cases.complete(case, staff, form.get("result", ""), form.get("notified_via", ""))
        return gettext("已办结，等待群众确认")
    if action == "return":
        cases.return_case(case, staff, form.get("reason", ""))
        return gettext("已退回")
    if action == "transfer":
        case = cases.transfer(case, staff, form.get("agent", ""), form.get("note", ""))
        return gettext("已改派给 %(name)s", name=case.agent.display_name)
    if action == "extend":
        case = cases.extend(case, staff, form.get("days", ""), form.get("reason", ""))
        return gettext("期限已延至 %(date)s", date=case.deadline.isoformat())
    if action == "confirm":
        cases.confirm(case, "window", staff)
        return gettext("群众已在窗口确认办结")
    if action == "answer":
        complaints.answer(case, staff, form.get("answer", ""))
        return gettext("已答复")
    if action == "severity":
        case = complaints.set_severity(case, staff, form.get("severity", ""))
        return gettext("答复期限为 %(date)s", date=case.deadline.isoformat())
    if action == "reprint":
        status = public_url("public.case_status", code=case.tracking_code)
        job, fell_back = print_receipt(case, status)
        audit.record(case.hall_id, staff, "case_reprint", "case", case.number)
        return receipt_note(job, fell_back, case.window_number or 0)
    abort(404)


@bp.post("/cases/<int:case_id>/<action>")
def case_action(case_id: int, action: str):
    if action not in CASE_ACTIONS:
        abort(404)
    case = _case(case_id)
    staff = current_staff()
    may = complaints.may_answer(case, staff) if action in ("answer", "severity") else None
    if not (may if may is not None else may_act(case, staff)):
        abort(403, description=gettext("您不是该件的承办人或首问负责人"))
    try:
        with write_transaction():
            message = _perform(action, case, staff)
    except DomainError as failure:
        return render(
            "staff/case.html",
            "staff/_case.html",
            **case_context(cases.reload(case), error=error_message(failure)),
        )
    session["case_message"] = message
    return redirect(url_for("staff.case_show", case_id=case.id), 303)


# --- petitions and complaints taken at a window -----------------------------------------------


def _window_number() -> int | None:
    window = duty_window()
    return window.number if window else None


@bp.get("/petitions/new")
def petition_form():
    return render(
        "staff/petition.html",
        "staff/_petition.html",
        form={},
        error="",
        kinds=cases.PETITION_KINDS,
        form_token=secrets.token_urlsafe(16),
    )


@bp.post("/petitions/new")
def petition_create():
    form = request.form
    staff = current_staff()
    try:
        with write_transaction():
            case = cases.register_petition(
                current_hall(),
                staff,
                real_name=form.get("real_name") == "1",
                name=form.get("resident_name", ""),
                phone=form.get("resident_phone", ""),
                subject=form.get("subject", ""),
                description=form.get("description", ""),
                complexity=form.get("complexity", ""),
                form_token=form.get("form_token", ""),
                window_number=_window_number(),
            )
            status = public_url("public.case_status", code=case.tracking_code)
            job, fell_back = print_receipt(case, status)
    except ValidationError as failure:
        return render(
            "staff/petition.html",
            "staff/_petition.html",
            form=form,
            error=error_message(failure),
            kinds=cases.PETITION_KINDS,
            form_token=form.get("form_token", ""),
        )
    session["case_message"] = gettext(
        "已登记信访件 %(number)s，%(deadline)s 前反馈。", number=case.number,
        deadline=case.deadline.isoformat(),
    ) + receipt_note(job, fell_back, case.window_number or 0)  # fmt: skip
    return redirect(url_for("staff.case_show", case_id=case.id), 303)


def _complaint_page(form, error: str = ""):
    hall = current_hall()
    return render(
        "staff/complaint.html",
        "staff/_complaint.html",
        form=form,
        error=error,
        categories=complaints.CATEGORIES,
        severities=complaints.SEVERITIES,
        windows=lineup.all_windows(hall),
        people=staffing.hall_agents(hall),
        services=lineup.all_services(hall),
        form_token=form.get("form_token") or secrets.token_urlsafe(16),
    )


@bp.get("/complaints/new")
def complaint_form():
    return _complaint_page({})


@bp.post("/complaints/new")
def complaint_create():
    form = request.form
    try:
        with write_transaction():
            case = complaints.file_complaint(
                current_hall(),
                category=form.get("category", ""),
                about=form.get("about", "")[:32],
                text=form.get("text", ""),
                name=form.get("resident_name", ""),
                phone=form.get("resident_phone", ""),
                severity=form.get("severity", "general"),
                staff=current_staff(),
                window_number=_window_number(),
                form_token=form.get("form_token", ""),
            )
            status = public_url("public.case_status", code=case.tracking_code)
            job, fell_back = print_receipt(case, status)
    except ValidationError as failure:
        return _complaint_page(form, error_message(failure))
    session["case_message"] = gettext(
        "已登记 %(number)s，查询码 %(code)s。", number=case.number, code=case.lookup_code
    ) + receipt_note(job, fell_back, case.window_number or 0)
    return redirect(url_for("staff.case_show", case_id=case.id), 303)
