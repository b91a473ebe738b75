"""Resident deliberation meetings (居民议政) in the admin pages: schedule (the 5th, or the next
working day), agenda items, attendance with the representatives' count, votes, and publishing
the results as a notice. The rules live in kiosk/deliberation.py. Routes join the admin
blueprint (admins act, supervisors read)."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext

from .. import clock, deliberation
from ..errors import N_, ValidationError
from ..htmx import render
from ..limits import parse_id
from ..models import Meeting
from ..web import current_hall, current_staff, error_message, hall_row_or_404
from .admin import bp

AGENDA_TITLE_LIMIT = deliberation.AGENDA_TITLE_LIMIT


def _meeting(meeting_id: int) -> Meeting:
    meeting = hall_row_or_404(Meeting, meeting_id)
    return meeting


def _number(name: str) -> int:
    value = parse_id(request.form.get(name, ""), low=0)
    if value is None:
        raise ValidationError(N_("请填写整数"), field=name)
    return value


@bp.get("/meetings")
def meetings_list():
    hall = current_hall()
    return render(
        "admin/meetings.html",
        "admin/_meetings.html",
        meetings=deliberation.meetings_of(hall),
        upcoming=deliberation.next_meeting_day(hall, clock.hall_today(hall)),
    )


@bp.post("/meetings")
def meeting_create():
    hall = current_hall()
    try:
        held_on = dt.date.fromisoformat(request.form.get("held_on", "").strip())
    except ValueError:
        flash(gettext("日期应写成 2026-11-24 这样的格式"), "error")
        return redirect(url_for("admin.meetings_list"), 303)
    try:
        meeting = deliberation.create_meeting(
            hall, held_on, request.form.get("title", ""), current_staff()
        )
    except ValidationError as failure:
        flash(error_message(failure), "error")
        return redirect(url_for("admin.meetings_list"), 303)
    return redirect(url_for("admin.meeting_show", meeting_id=meeting.id), 303)


@bp.get("/meetings/<int:meeting_id>")
def meeting_show(meeting_id: int, error: str = "", field: str = "", item_id: int | None = None):
    meeting = _meeting(meeting_id)
    return render(
        "admin/meeting.html",
        "admin/_meeting.html",
        meeting=meeting,
        items=deliberation.agenda_items(meeting),
        quorum=deliberation.quorum_ok(meeting.attendees, meeting.representatives),
        error=error,
        field=field,
        item_id=item_id,
    )


@bp.post("/meetings/<int:meeting_id>/items")
def meeting_item_add(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        deliberation.add_agenda_item(meeting, request.form.get("title", ""), current_staff())
    except ValidationError as failure:
        return meeting_show(meeting_id, error_message(failure), failure.field)
    return redirect(url_for("admin.meeting_show", meeting_id=meeting.id), 303)


@bp.post("/meetings/<int:meeting_id>/attendance")
def meeting_attendance(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        deliberation.record_attendance(
            meeting, _number("attendees"), _number("representatives"), current_staff()
        )
    except ValidationError as failure:
        return meeting_show(meeting_id, error_message(failure), failure.field)
    return redirect(url_for("admin.meeting_show", meeting_id=meeting.id), 303)


@bp.post("/meetings/<int:meeting_id>/items/<int:item_id>/vote")
def meeting_vote(meeting_id: int, item_id: int):
    meeting = _meeting(meeting_id)
    item = deliberation.find_item(meeting, item_id)
    if item is None:
        abort(404)
    try:
        deliberation.record_vote(
            item, _number("support"), _number("oppose"), _number("abstain"), current_staff()
        )
    except ValidationError as failure:
        return meeting_show(meeting_id, error_message(failure), failure.field, item.id)
    return redirect(url_for("admin.meeting_show", meeting_id=meeting.id), 303)


@bp.post("/meetings/<int:meeting_id>/publish")
def meeting_publish(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        deliberation.publish_results(meeting, current_staff())
    except ValidationError as failure:
        return meeting_show(meeting_id, error_message(failure))
    flash(gettext("表决结果已作为公告发布"))
    return redirect(url_for("admin.meeting_show", meeting_id=meeting.id), 303)
