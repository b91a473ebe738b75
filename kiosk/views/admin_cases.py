"""Matters not finished on the spot, for admins and supervisors: each case with its deadline in
working days, who owns it (首问负责), overdue ones first; residents' details masked unless the
viewer needs them; and the retention purge. Routes join the admin blueprint."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext

from .. import clock, privacy
from ..htmx import render
from ..models import Case, Staff
from ..web import current_hall, current_staff
from .admin import bp


@bp.get("/cases")
def cases_list():
    hall = current_hall()
    today = clock.local_date(clock.utcnow(), hall.timezone)
    viewer = current_staff()
    names = {s.id: s.display_name for s in Staff.select().where(Staff.hall == hall)}
    rows = []
    for case in Case.select().where(Case.hall == hall).order_by(Case.deadline, Case.id):
        open_ = case.status in ("accepted", "in_progress")
        rows.append(
            {
                "case": case,
                "resident": privacy.shown(case, viewer),
                "owner": names.get(case.first_responsible_id, ""),
                "accepted_by": names.get(case.accepted_by_id, ""),
                "overdue": open_ and case.deadline is not None and case.deadline < today,
                "open": open_,
            }
        )
    rows.sort(key=lambda row: (not row["overdue"], not row["open"]))
    return render(
        "admin/cases.html",
        "admin/_cases.html",
        rows=rows,
        today=today,
        message=request.args.get("message", ""),
    )


@bp.post("/cases/purge")
def cases_purge():
    count = privacy.purge_personal_data(current_hall())
    return redirect(
        url_for(
            "admin.cases_list", message=gettext("已清除 %(count)s 件的群众个人信息", count=count)
        ),
        303,
    )
