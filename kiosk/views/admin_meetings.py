"""Resident deliberation meetings (居民议政) in the admin pages: schedule (the 5th, or the next
working day), agenda items, attendance with the representatives' count, votes, and publishing
the results as a notice. The rules live in kiosk/deliberation.py. Routes join the admin
blueprint (admins act, supervisors read)."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext

from .. import audit, clock, deliberation
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..limits import check_text, parse_id
from ..models import AgendaItem, Meeting
from ..web import current_hall, current_staff, error_message, hall_row_or_404
from .admin import bp

AGENDA_TITLE_LIMIT = 120


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
    today = clock.local_date(clock.utcnow(), hall.timezone)
    year, month = (today.year, today.month + 1) if today.month < 12 else (today.year + 1, 1)
    upcoming = deliberation.default_meeting_day(hall, today.year, today.month)
    if upcoming < today:
        upcoming = deliberation.default_meeting_day(hall, year, month)
    meetings = Meeting.select().where(Meeting.hall == hall).order_by(Meeting.held_on.desc())
    return render(
        "admin/meetings.html",
        "admin/_meetings.html",
        meetings=meetings,
        upcoming=upcoming,
    )


@bp.post("/meetings")
def meeting_create():
    hall = current_hall()
    title = request.form.get("title", "").strip()
    try:
        held_on = dt.date.fromisoformat(request.form.get("held_on", "").strip())
    except ValueError:
        flash(gettext("日期应写成 2026-11-24 这样的格式"), "error")
        return redirect(url_for("admin.meetings_list"), 303)
    if not title:
        flash(gettext("请填写会议名称"), "error")
        return redirect(url_for("admin.meetings_list"), 303)
    with write_transaction():
        meeting = Meeting.create(hall=hall, held_on=held_on, title=title[:80])
        audit.record(
            hall,
            current_staff(),
            "meeting_create",
            "meeting",
            meeting.id,
            after={"title": meeting.title, "held_on": held_on.isoformat()},
        )
    return redirect(url_for("admin.meeting_show", meeting_id=meeting.id), 303)


@bp.get("/meetings/<int:meeting_id>")
def meeting_show(meeting_id: int, error: str = "", field: str = "", item_id: int | None = None):
    meeting = _meeting(meeting_id)
    return render(
        "admin/meeting.html",
        "admin/_meeting.html",
        meeting=meeting,
        items=list(meeting.items.order_by(AgendaItem.position)),
        quorum=deliberation.quorum_ok(meeting.attendees, meeting.representatives),
        error=error,
        field=field,
        item_id=item_id,
    )


@bp.post("/meetings/<int:meeting_id>/items")
def meeting_item_add(meeting_id: int):
    meeting = _meeting(meeting_id)
    title = request.form.get("title", "").strip()
    if not title:
        return meeting_show(meeting_id, gettext("请填写议题"), "item_title")
    try:
        check_text(title, "item_title", AGENDA_TITLE_LIMIT)
    except ValidationError as failure:
        return meeting_show(meeting_id, error_message(failure), failure.field)
    with write_transaction():
        position = meeting.items.count() + 1
        AgendaItem.create(meeting=meeting, position=position, title=title)
        audit.record(
            meeting.hall_id,
            current_staff(),
            "meeting_item",
            "meeting",
            meeting.id,
            after={"title": title},
        )
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
    item = AgendaItem.get_or_none((AgendaItem.id == item_id) & (AgendaItem.meeting == meeting))
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
