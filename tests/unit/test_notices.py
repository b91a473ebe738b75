"""Notices in the domain (kiosk/notices.py): the admin form's rules, the notices in force on a
day (the kiosk's 公开栏 and the board's line), and saving one with its audit entry."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import notices
from kiosk.errors import ValidationError
from kiosk.models import AuditEntry, Notice

FORM = {
    "title": " 停水通知 ",
    "category": "service",
    "body": "<p>明天停水</p><script>x()</script>",
    "valid_from": "2026-11-01",
    "valid_until": "",
    "published": "on",
}


def test_a_valid_form_gives_clean_fields():
    data = notices.validate_notice(FORM)
    assert data == {
        "title": "停水通知",
        "category": "service",
        "body": "<p>明天停水</p>",
        "published": True,
        "valid_from": dt.date(2026, 11, 1),
        "valid_until": None,
    }


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 81}, "title"),
        ({"category": "gossip"}, "category"),
        ({"body": "<script>x()</script>"}, "body"),
        ({"valid_from": "1.11.2026"}, "valid_from"),
        ({"valid_until": "2026-10-31"}, "valid_until"),
    ],
)
def test_a_bad_form_names_the_field(change, field):
    with pytest.raises(ValidationError) as failure:
        notices.validate_notice({**FORM, **change})
    assert failure.value.field == field


def notice(hall, title, **fields):
    values = {"category": "service", "body": "<p>x</p>", "published": True, **fields}
    return Notice.create(hall=hall, title=title, **values)


def test_current_notices_are_the_published_ones_in_force_newest_first(hall):
    today = dt.date(2026, 11, 24)
    Notice.delete().execute()
    old = notice(hall, "old", created_at=dt.datetime(2026, 11, 1))
    new = notice(hall, "new", created_at=dt.datetime(2026, 11, 2))
    notice(hall, "draft", published=False)
    notice(hall, "future", valid_from=today + dt.timedelta(days=1))
    notice(hall, "ended", valid_until=today - dt.timedelta(days=1))
    edges = notice(
        hall, "edges", valid_from=today, valid_until=today, created_at=dt.datetime(2026, 10, 1)
    )
    assert notices.current_notices(hall, today) == [new, old, edges]
    assert notices.current_notices(hall, today, limit=2) == [new, old]
    grouped = notices.notices_by_category(notices.current_notices(hall, today))
    assert grouped == {"service": [new, old, edges]}


def test_saving_creates_then_updates_with_an_audit_entry(hall, tmp_path):
    data = notices.validate_notice(FORM)
    created = notices.save_notice(hall, None, data, None)
    assert Notice.get_by_id(created.id).title == "停水通知"
    changed = {**data, "title": "停水通知（改）"}
    notices.save_notice(
        hall,
        created,
        changed,
        None,
        image=_jpeg(),
        image_folder=tmp_path,
        image_url=lambda name: f"/notices/images/{name}",
    )
    stored = Notice.get_by_id(created.id)
    assert stored.title == "停水通知（改）"
    assert f'<img src="/notices/images/notice-{created.id}.jpg"' in stored.body
    assert (tmp_path / f"notice-{created.id}.jpg").is_file()
    saves = list(
        AuditEntry.select().where(AuditEntry.action == "notice_save").order_by(AuditEntry.id)
    )
    assert len(saves) == 2
    assert "notice-" in saves[-1].after


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()
