"""Resident deliberation (居民议政): the monthly meeting day, the attendance rule and the vote.

Rules from the source documents: meetings are held on the 5th of each month (moved to the next
working day when the 5th is not one); residents' representatives must be at least half of the
attendees, or no vote may be taken; an item passes when MORE than half of the attendees
support it (exactly half fails). Results are published as a notice. No Flask here.
"""

from __future__ import annotations

import datetime as dt

from markupsafe import escape

from . import audit
from .calendar import is_working_day, next_working_day
from .db import write_transaction
from .errors import N_, ValidationError
from .limits import check_text
from .models import AgendaItem, Hall, Meeting, Notice, Staff

MEETING_DAY = 5


def default_meeting_day(hall: Hall, year: int, month: int) -> dt.date:
    day = dt.date(year, month, MEETING_DAY)
    return day if is_working_day(hall, day) else next_working_day(hall, day)


def quorum_ok(attendees: int, representatives: int) -> bool:
    """Representatives are at least 50% of the attendees."""
    return attendees > 0 and 0 <= representatives <= attendees and representatives * 2 >= attendees


def passes(support: int, attendees: int) -> bool:
    """More than half of the attendees support it (exactly half is not enough)."""
    return support * 2 > attendees


def record_attendance(
    meeting: Meeting, attendees: int, representatives: int, actor: Staff | None = None
) -> Meeting:
    if attendees <= 0:
        raise ValidationError(N_("到会人数应大于零"), field="attendees")
    if not 0 <= representatives <= attendees:
        raise ValidationError(N_("居民代表人数应在 0 到到会人数之间"), field="representatives")
    with write_transaction():
        Meeting.update(attendees=attendees, representatives=representatives).where(
            Meeting.id == meeting.id
        ).execute()
        audit.record(
            meeting.hall_id,
            actor,
            "meeting_attendance",
            "meeting",
            meeting.id,
            after={"attendees": attendees, "representatives": representatives},
        )
    return Meeting.get_by_id(meeting.id)


def record_vote(
    item: AgendaItem, support: int, oppose: int, abstain: int, actor: Staff | None = None
) -> AgendaItem:
    meeting = Meeting.get_by_id(item.meeting_id)
    if not quorum_ok(meeting.attendees, meeting.representatives):
        raise ValidationError(
            N_("居民代表不足到会人数的一半（%(reps)s / %(total)s），不能表决"),
            field="support",
            reps=meeting.representatives,
            total=meeting.attendees,
        )
    if min(support, oppose, abstain) < 0 or support + oppose + abstain > meeting.attendees:
        raise ValidationError(
            N_("赞成、反对、弃权合计不能超过到会人数 %(total)s"),
            field="support",
            total=meeting.attendees,
        )
    result = passes(support, meeting.attendees)
    with write_transaction():
        AgendaItem.update(support=support, oppose=oppose, abstain=abstain, passed=result).where(
            AgendaItem.id == item.id
        ).execute()
        audit.record(
            meeting.hall_id,
            actor,
            "meeting_vote",
            "agenda_item",
            item.id,
            after={"support": support, "oppose": oppose, "abstain": abstain, "passed": result},
        )
    return AgendaItem.get_by_id(item.id)


def publish_results(meeting: Meeting, actor: Staff | None = None) -> Notice:
    """Publish the meeting's results as a notice (category 议政) once every item is voted."""
    meeting = Meeting.get_by_id(meeting.id)
    items = list(meeting.items.order_by(AgendaItem.position))
    if not items or any(item.passed is None for item in items):
        raise ValidationError(N_("还有议题没有表决，暂不能公布"))
    lines = [
        f"<p>{meeting.held_on:%Y年%m月%d日}{escape(meeting.title)}，到会 {meeting.attendees} 人，"
        f"其中居民代表 {meeting.representatives} 人。</p>",
        "<ol>",
    ]
    for item in items:
        verdict = "通过" if item.passed else "未通过"
        lines.append(
            f"<li>{escape(item.title)}：赞成 {item.support}，反对 {item.oppose}，"
            f"弃权 {item.abstain}，{verdict}</li>"
        )
    lines.append("</ol>")
    with write_transaction():
        notice = Notice.create(
            hall=meeting.hall_id,
            category="deliberation",
            title=f"{meeting.title}表决结果",
            body="".join(lines),
            valid_from=None,  # public from publication on
            created_by=actor,
        )
        Meeting.update(published_notice=notice).where(Meeting.id == meeting.id).execute()
        audit.record(
            meeting.hall_id,
            actor,
            "meeting_publish",
            "meeting",
            meeting.id,
            after={"notice": notice.id},
        )
    return notice


# --- meetings and their agenda --------------------------------------------------------------------

TITLE_LIMIT = 80
AGENDA_TITLE_LIMIT = 120


def next_meeting_day(hall: Hall, today: dt.date) -> dt.date:
    """The default day of the next meeting: this month's, or next month's once it has passed."""
    upcoming = default_meeting_day(hall, today.year, today.month)
    if upcoming < today:
        year, month = (today.year, today.month + 1) if today.month < 12 else (today.year + 1, 1)
        upcoming = default_meeting_day(hall, year, month)
    return upcoming


def meetings_of(hall: Hall):
    """The hall's meetings, latest first."""
    return Meeting.select().where(Meeting.hall == hall).order_by(Meeting.held_on.desc())


def create_meeting(hall: Hall, held_on: dt.date, title: str, actor: Staff | None = None) -> Meeting:
    title = title.strip()
    if not title:
        raise ValidationError(N_("请填写会议名称"), field="title")
    with write_transaction():
        meeting = Meeting.create(hall=hall, held_on=held_on, title=title[:TITLE_LIMIT])
        audit.record(
            hall,
            actor,
            "meeting_create",
            "meeting",
            meeting.id,
            after={"title": meeting.title, "held_on": held_on.isoformat()},
        )
    return meeting


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.order_by(AgendaItem.position))


def find_item(meeting: Meeting, item_id: int) -> AgendaItem | None:
    return AgendaItem.get_or_none((AgendaItem.id == item_id) & (AgendaItem.meeting == meeting))


def add_agenda_item(meeting: Meeting, title: str, actor: Staff | None = None) -> AgendaItem:
    """A new item at the end of the meeting's agenda."""
    title = title.strip()
    if not title:
        raise ValidationError(N_("请填写议题"), field="item_title")
    check_text(title, "item_title", AGENDA_TITLE_LIMIT)
    with write_transaction():
        position = meeting.items.count() + 1
        item = AgendaItem.create(meeting=meeting, position=position, title=title)
        audit.record(
            meeting.hall_id, actor, "meeting_item", "meeting", meeting.id, after={"title": title}
        )
    return item
