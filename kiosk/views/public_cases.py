"""A case's status on the resident's phone (the QR code on the receipt): state, deadline,
the agent's name and phone, the history and the answer, with no personal data. The resident
may confirm a completed matter here. Routes join the public blueprint.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_babel import gettext

from .. import cases, clock, ratings
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..models import Case
from ..web import current_hall, error_message
from .public import bp

# What each event is called on the resident's page; notes typed by staff are not shown there.
PUBLIC_EVENTS = {
    "accepted": N_("已受理"),
    "assigned": N_("已指派承办人"),
    "started": N_("开始办理"),
    "transferred": N_("已改派承办人"),
    "extended": N_("办理期限已延长"),
    "completed": N_("已办结"),
    "returned": N_("已退回"),
    "answered": N_("已答复"),
    "confirmed": N_("群众已确认"),
    "severity": N_("答复期限已调整"),
}


def case_by_tracking(code: str) -> Case:
    case = cases.by_tracking_code(current_hall(), code)
    if case is None:
        abort(404)
    return case


def status_context(case: Case) -> dict:
    hall = current_hall()
    today = clock.hall_today(hall)
    agent = cases.agent_of(case)
    service = cases.service_of(case)
    events = [e for e in cases.history(case) if e.kind in PUBLIC_EVENTS]
    return {
        "case": case,
        "service": service,
        "agent": agent,
        "events": events,
        "event_labels": PUBLIC_EVENTS,
        "status_labels": cases.STATUS_LABELS,
        "days_left": cases.days_left(case, today) if case.status in Case.OPEN_STATUSES else None,
        "missing": [m for m in case.materials_missing.splitlines() if m],
        "confirm_error": None,
        "rate_error": None,
        **ratings.case_rating_state(case),
    }


def rate_from_form(case: Case, source: str) -> None:
    """Rate a completed case from the posted form (grade, indicators, suggestion)."""
    form = request.form
    ratings.rate_case(
        current_hall(),
        case,
        form.get("grade", ""),
        form.get("suggestion", ""),
        indicators={name: form.get(name) for name in ratings.INDICATORS},
        source=source,
    )


@bp.get("/c/<code>")
def case_status(code: str):
    case = case_by_tracking(code)
    message = None
    if request.args.get("confirmed"):
        message = gettext("已确认办结，感谢您的配合")
    elif request.args.get("rated"):
        message = gettext("感谢您的评价！")
    return render(
        "public/case.html", "public/_case_status.html", message=message, **status_context(case)
    )


@bp.post("/c/<code>/confirm")
def case_confirm(code: str):
    case = case_by_tracking(code)
    try:
        with write_transaction():
            cases.confirm(case, "phone")
    except ValidationError as failure:
        context = status_context(case)
        context["confirm_error"] = error_message(failure)
        return render("public/case.html", "public/_case_status.html", message=None, **context)
    return redirect(url_for("public.case_status", code=code, confirmed=1), 303)


@bp.post("/c/<code>/rate")
def case_rate(code: str):
    case = case_by_tracking(code)
    try:
        rate_from_form(case, "phone")
    except ValidationError as failure:
        context = status_context(case)
        context["rate_error"] = error_message(failure)
        return render("public/case.html", "public/_case_status.html", message=None, **context)
    return redirect(url_for("public.case_status", code=code, rated=1), 303)
