"""The kiosk's 办件查询 (a case's progress by the lookup code on its receipt, typed on a large
keypad; the resident may confirm a completed matter there) and 意见箱 (complaints, suggestions,
praise with common phrases to tap). Routes join the kiosk blueprint (public). Lookups are
rate-limited per address against guessing codes.
"""

from __future__ import annotations

import functools
import secrets

from flask import current_app, redirect, request, url_for
from flask_babel import gettext

from .. import cases, complaints, lineup, staffing
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..printing import print_receipt
from ..qr import qr_svg
from ..ratelimit import GuessLimit, SlidingLimit
from ..web import current_hall, error_message, public_url
from .kiosk import bp, client_address
from .public_cases import rate_from_form, status_context


def case_limit(name: str):
    """The limits of these screens: wrong lookup codes (5 per code prefix and 30 per address in
    10 minutes, see GuessLimit) and filings (per address)."""
    limits = current_app.extensions.get("kiosk_case_limits")
    if limits is None:
        limits = current_app.extensions.setdefault(
            "kiosk_case_limits",
            {"lookup": GuessLimit(5, 30, 600), "complaints": SlidingLimit(10, 600)},
        )
    return limits[name]


def _find_case(code: str):
    """The case by its lookup code, or the lookup page with why not (wrong or too many)."""
    address, target = client_address(), cases.lookup_guess_target(code)
    if not case_limit("lookup").allowed(address, target):
        return None, _lookup_page(gettext("尝试次数过多，请10分钟后再试或到窗口咨询"), code)
    try:
        return cases.find_by_lookup(current_hall(), code), None
    except ValidationError as failure:
        case_limit("lookup").miss(address, target)
        return None, _lookup_page(error_message(failure), code)


def _lookup_page(error: str | None = None, code: str = ""):
    return render("kiosk/case_lookup.html", "kiosk/_case_lookup.html", error=error, code=code)


@bp.get("/cases")
def case_lookup_form():
    return _lookup_page()


def _looked_up(view):
    """The view, called with the case the form's lookup code names; the lookup page with why
    not when the code finds none."""

    @functools.wraps(view)
    def with_case():
        case, refusal = _find_case(request.form.get("code", "")[:16])
        return refusal if case is None else view(case)

    return with_case


def _status_page(case, message: str | None = None, **errors):
    """The case's progress screen; `errors`: confirm_error or rate_error."""
    return render(
        "kiosk/case_status.html",
        "kiosk/_case_status.html",
        code=case.lookup_code,
        message=message,
        **(status_context(case) | errors),
    )


@bp.post("/cases")
@_looked_up
def case_lookup(case):
    return _status_page(case)


@bp.post("/cases/confirm")
@_looked_up
def case_confirm(case):
    """The resident confirms the result on the kiosk (the lookup code is the proof)."""
    try:
        with write_transaction():
            case = cases.confirm(case, "kiosk")
    except ValidationError as failure:
        return _status_page(case, confirm_error=error_message(failure))
    return _status_page(case, gettext("已确认办结，感谢您的配合"))


@bp.post("/cases/rate")
@_looked_up
def case_rate(case):
    """The resident rates a completed case on the kiosk (the lookup code is the proof), once."""
    try:
        rate_from_form(case, "kiosk")
    except ValidationError as failure:
        return _status_page(case, rate_error=error_message(failure))
    return _status_page(case, gettext("感谢您的评价！"))


def _complaint_context(error: str | None = None, form=None) -> dict:
    hall = current_hall()
    return {
        "categories": complaints.CATEGORIES,
        "phrases": complaints.PHRASES,
        "windows": lineup.all_windows(hall),
        "staff": staffing.hall_agents(hall),
        "services": lineup.all_services(hall),
        "error": error,
        "form": form or {},
        "form_token": secrets.token_urlsafe(16),
    }


@bp.get("/complaint")
def complaint_form():
    return render("kiosk/complaint.html", "kiosk/_complaint.html", **_complaint_context())


@bp.post("/complaint")
def complaint_create():
    hall = current_hall()
    key = client_address()
    form = request.form
    try:
        if not case_limit("complaints").allowed(key):
            raise ValidationError(N_("提交过于频繁，请稍后再试或到窗口反映"))
        with write_transaction():
            phrases = [p for p in form.getlist("phrase") if p in complaints.PHRASES]
            item = complaints.file_complaint(
                hall,
                category=form.get("category", ""),
                about=form.get("about", "")[:32],
                text="；".join(phrases + [form.get("text", "").strip()]).strip("；"),
                name=form.get("name", ""),
                phone=form.get("phone", ""),
                form_token=form.get("form_token", ""),
            )
            status = public_url("public.case_status", code=item.tracking_code)
            job, _fell_back = print_receipt(item, status)
        case_limit("complaints").hit(key)
    except ValidationError as failure:
        return render(
            "kiosk/complaint.html",
            "kiosk/_complaint.html",
            **_complaint_context(error_message(failure), form),
        )
    return redirect(
        url_for("kiosk.complaint_done", code=item.tracking_code, printed=int(job is not None)), 303
    )


@bp.get("/complaint/done/<code>")
def complaint_done(code: str):
    from .public_cases import case_by_tracking

    case = case_by_tracking(code)
    url = public_url("public.case_status", code=case.tracking_code)
    return render(
        "kiosk/complaint_done.html",
        "kiosk/_complaint_done.html",
        case=case,
        qr=qr_svg(url, label=gettext("扫码查看答复")),
        printed=request.args.get("printed") == "1",
    )
