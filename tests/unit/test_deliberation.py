"""Deliberation rules: the meeting day, the representatives' half, and more than half to pass."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import deliberation
from kiosk.errors import ValidationError
from kiosk.models import AgendaItem, Meeting, Notice


@pytest.fixture
def meeting(hall):
    meeting = Meeting.create(hall=hall, held_on=dt.date(2026, 12, 7), title="12月居民议政会")
    AgendaItem.create(meeting=meeting, position=1, title="小区停车位划线方案")
    AgendaItem.create(meeting=meeting, position=2, title="<b>增设</b>健身器材")
    return meeting


def test_meeting_day_is_the_fifth_or_the_next_working_day(hall):
    assert deliberation.default_meeting_day(hall, 2026, 11) == dt.date(2026, 11, 5)  # Thursday
    assert deliberation.default_meeting_day(hall, 2026, 12) == dt.date(2026, 12, 7)  # Sat → Mon
    assert deliberation.default_meeting_day(hall, 2026, 10) == dt.date(2026, 10, 8)  # holiday


@pytest.mark.parametrize(
    "attendees, reps, ok",
    [(20, 10, True), (20, 9, False), (21, 11, True), (21, 10, False), (0, 0, False), (5, 6, False)],
)
def test_representatives_must_be_at_least_half(attendees, reps, ok):
    assert deliberation.quorum_ok(attendees, reps) is ok


def test_representatives_under_half_blocks_the_vote(meeting):
    deliberation.record_attendance(meeting, attendees=20, representatives=9)
    item = meeting.items.order_by(AgendaItem.position).first()
    with pytest.raises(ValidationError, match="不能表决"):
        deliberation.record_vote(item, 15, 5, 0)
    assert AgendaItem.get_by_id(item.id).passed is None


def test_exactly_half_fails_and_more_than_half_passes(meeting):
    deliberation.record_attendance(meeting, attendees=20, representatives=12)
    first, second = list(meeting.items.order_by(AgendaItem.position))
    assert deliberation.record_vote(first, 10, 6, 4).passed is False
    assert deliberation.record_vote(second, 11, 9, 0).passed is True
    with pytest.raises(ValidationError, match="不能超过到会人数"):
        deliberation.record_vote(second, 15, 6, 0)
    assert AgendaItem.get_by_id(second.id).support == 11


def test_results_are_published_as_a_notice(meeting):
    with pytest.raises(ValidationError, match="还有议题没有表决"):
        deliberation.publish_results(meeting)
    deliberation.record_attendance(meeting, attendees=20, representatives=12)
    first, second = list(meeting.items.order_by(AgendaItem.position))
    deliberation.record_vote(first, 10, 6, 4)
    deliberation.record_vote(second, 11, 9, 0)
    notice = deliberation.publish_results(meeting)
    assert Notice.get_by_id(notice.id).category == "deliberation"
    assert "12月居民议政会，到会 20 人，其中居民代表 12 人" in notice.body
    assert "小区停车位划线方案：赞成 10，反对 6，弃权 4，未通过" in notice.body
    assert "&lt;b&gt;增设&lt;/b&gt;健身器材：赞成 11，反对 9，弃权 0，通过" in notice.body
    assert Meeting.get_by_id(meeting.id).published_notice_id == notice.id
