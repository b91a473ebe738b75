"""Supervision pages (人民监督哨 / 纪检委员) on the admin blueprint, so supervisors read them and
change nothing (read_only_for): the board of matters due within one working day and overdue,
by agent and service; the monthly overdue list (月检查), printable and as CSV; and one case
with its history, residents' details masked for supervisors."""

from __future__ import annotations

import re

from flask import Response, request

from .. import cases, clock, privacy, staffing, supervision
from ..htmx import render
from ..models import Case
from ..web import current_hall, current_staff, hall_row_or_404
from .admin import bp
from .staff_cases import STAFF_EVENTS


def _today():
    return clock.hall_today(current_hall())


@bp.get("/supervision")
def supervision_board():
    hall = current_hall()
    today = _today()
    return render(
        "admin/supervision.html",
        "admin/_supervision.html",
        board=supervision.board(hall, today),
        today=today,
        kind_labels=supervision.KIND_LABELS,
    )


def _monthly_overdue() -> tuple[str, list[dict]]:
    """The month asked for (?month=YYYY-MM, this month by default) and its overdue matters."""
    month = request.args.get("month", "")
    if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month):
        month = f"{_today():%Y-%m}"
    return month, supervision.monthly_overdue(current_hall(), month, _today())


@bp.get("/supervision/overdue")
def supervision_overdue():
    month, rows = _monthly_overdue()
    return render(
        "admin/overdue.html",
        "admin/_overdue.html",
        month=month,
        rows=rows,
        extensions=supervision.monthly_extensions(current_hall(), month),
        status_labels=cases.STATUS_LABELS,
    )


@bp.get("/supervision/overdue.csv")
def supervision_overdue_csv():
    month, rows = _monthly_overdue()
    return Response(
        supervision.overdue_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=overdue-{month}.csv"},
    )


@bp.get("/cases/<int:case_id>")
def case_detail(case_id: int):
    hall = current_hall()
    case = hall_row_or_404(Case, case_id)
    names = staffing.staff_by_id(hall)
    return render(
        "admin/case.html",
        "admin/_case.html",
        case=case,
        resident=privacy.shown(case, current_staff()),
        service=cases.service_of(case),
        staff_by_id=names,
        events=cases.history(case),
        event_labels=STAFF_EVENTS,
        status_labels=cases.STATUS_LABELS,
        kind_labels=supervision.KIND_LABELS,
    )
