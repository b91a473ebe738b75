"""Matters not finished on the spot, for admins and supervisors: each case with its deadline in
working days, who owns it (首问负责), overdue ones first; residents' details masked unless the
viewer needs them; and the retention purge. Routes join the admin blueprint."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext

from .. import clock, privacy, staffing
from ..cases import STATUS_LABELS, is_overdue, list_cases
from ..htmx import render
from ..models import Case
from ..web import current_hall, current_staff, requested_page
from .admin import bp


@bp.get("/cases")
def cases_list():
    hall = current_hall()
    today = clock.hall_today(hall)
    viewer = current_staff()
    show = "all" if request.args.get("show") == "all" else "open"
    listing = list_cases(hall, today, show=show, page=requested_page())
    names = staffing.staff_names(hall)
    rows = []
    for case in listing.rows:
        rows.append(
            {
                "case": case,
                "resident": privacy.shown(case, viewer),
                "owner": names.get(case.first_responsible_id, ""),
                "accepted_by": names.get(case.accepted_by_id, ""),
                "overdue": is_overdue(case, today),
                "open": case.status in Case.OPEN_STATUSES,
            }
        )
    return render(
        "admin/cases.html",
        "admin/_cases.html",
        rows=rows,
        today=today,
        show=show,
        listing=listing,
        status_labels=STATUS_LABELS,
    )


@bp.post("/cases/purge")
def cases_purge():
    count = privacy.purge_personal_data(current_hall())
    flash(gettext("已清除 %(count)s 件的群众个人信息", count=count))
    return redirect(url_for("admin.cases_list"), 303)
