"""The audit trail for admins and supervisors: every staff and admin action, filterable by
person, action and day, with the hash chain checked on every view (where it breaks, if it
does). Routes join the admin blueprint, so both roles may read and nobody may write here."""

from __future__ import annotations

import datetime as dt
import time

from flask import current_app, request

from .. import audit, clock, staffing
from ..errors import N_
from ..htmx import render
from ..limits import parse_id
from ..web import current_hall
from .admin import bp

PAGE_SIZE = 100


ACTIONS_CACHE_SECONDS = 600


def recorded_actions(hall_id: int) -> list[str]:
    """The actions the trail holds, for the filter's list: a DISTINCT over a year of entries
    costs a scan, so it is kept per process for ten minutes (a new kind of action reaches the
    list within that time; filtering by it works at once)."""
    cache = current_app.extensions.setdefault("audit_actions", {})
    cached = cache.get(hall_id)
    if cached and time.monotonic() - cached[0] < ACTIONS_CACHE_SECONDS:
        return cached[1]
    actions = audit.recorded_actions(hall_id)
    cache[hall_id] = (time.monotonic(), actions)
    return actions


@bp.get("/audit")
def audit_list():
    hall = current_hall()
    actor_text = request.args.get("actor", "").strip()
    actor = parse_id(actor_text)
    action = request.args.get("action", "").strip()
    day_text = request.args.get("day", "").strip()
    error = ""
    if actor_text and actor is None:
        error = N_("没有这位人员，请从列表中选择")
    since = until = None
    if day_text:
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            error = N_("日期应写成 2026-11-24 这样的格式")
        else:
            since = clock.from_local(dt.datetime.combine(day, dt.time()), hall.timezone)
            until = since + dt.timedelta(days=1)
    entries = audit.entries(
        hall, actor=actor, action=action, since=since, until=until, limit=PAGE_SIZE
    )
    actions = recorded_actions(hall.id)
    people = staffing.staff_by_name(hall)
    return render(
        "admin/audit.html",
        "admin/_audit.html",
        entries=entries,
        chain=audit.verify_chain(hall, full=request.args.get("full") == "1"),
        full_check=request.args.get("full") == "1",
        actions=actions,
        people=people,
        filters={"actor": actor, "action": action, "day": day_text},
        error=error,
    )
