"""Notices (公告) of a hall: the rules of the admin form, the notices in force on a day (the
kiosk's 公开栏 and the board's notice line), and saving one with its audit entry. No Flask here:
views pass the form and plain values (where an attached picture is served, as a function).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path

from playhouse.shortcuts import model_to_dict

from . import audit, clock
from .db import write_transaction
from .errors import N_, Problems
from .labels import NOTICE_CATEGORIES
from .models import Hall, Notice, Staff
from .photos import store_photo
from .sanitize import clean_html

TITLE_LIMIT = 80
IMAGE_SIDE = 1280
BOARD_NOTICES = 10  # the board's notice line shows the newest few


def validate_notice(form: Mapping) -> dict:
    """The notice fields from the admin form; ValidationError naming the field otherwise
    (FieldProblems naming every bad field when there are several)."""
    problems = Problems()
    title = form.get("title", "").strip()
    if not title or len(title) > TITLE_LIMIT:
        problems.add(N_("请填写标题（最多 80 字）"), field="title")
    category = form.get("category", "")
    if category not in NOTICE_CATEGORIES:
        problems.add(N_("请选择公告类别"), field="category")
    dates: dict = {}
    for name in ("valid_from", "valid_until"):
        text = form.get(name, "").strip()
        try:
            dates[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            problems.add(N_("日期应写成 2026-11-24 这样的格式"), field=name)
    if (
        dates.get("valid_from")
        and dates.get("valid_until")
        and dates["valid_until"] < dates["valid_from"]
    ):
        problems.add(N_("截止日期不能早于开始日期"), field="valid_until")
    body = clean_html(form.get("body", "")).strip()
    if not body:
        problems.add(N_("请填写公告正文"), field="body")
    problems.raise_any()
    return {
        "title": title,
        "category": category,
        "body": body,
        "published": form.get("published") == "on",
        **dates,
    }


def current_notices(hall: Hall, today: dt.date, limit: int | None = None) -> list[Notice]:
    """The published notices in force on `today` (no start or started, no end or not ended),
    newest first; `limit`: only the newest few."""
    query = (
        Notice.select()
        .where(
            (Notice.hall == hall)
            & (Notice.published == True)  # noqa: E712 - SQL
            & (Notice.valid_from.is_null() | (Notice.valid_from <= today))
            & (Notice.valid_until.is_null() | (Notice.valid_until >= today))
        )
        .order_by(Notice.created_at.desc())
    )
    return list(query.limit(limit) if limit else query)


def notices_by_category(notices: list[Notice]) -> dict[str, list[Notice]]:
    grouped: dict[str, list[Notice]] = {}
    for notice in notices:
        grouped.setdefault(notice.category, []).append(notice)
    return grouped


def hall_notices(hall: Hall):
    """Every notice of the hall, newest first (the admin list)."""
    return Notice.select().where(Notice.hall == hall).order_by(Notice.id.desc())


def save_notice(
    hall: Hall,
    notice: Notice | None,
    data: dict,
    actor: Staff | None,
    *,
    image: bytes | None = None,
    image_folder: Path | None = None,
    image_url: Callable[[str], str] | None = None,
    now: dt.datetime | None = None,
) -> Notice:
    """Create (`notice` None) or update a notice from validated `data`; a checked picture is
    stored in `image_folder` and appended to the body, linked at `image_url(file name)`.
    Audited with before/after."""
    data = dict(data)
    with write_transaction():
        if notice is None:
            notice = Notice.create(hall=hall, created_by=actor, **data)
            before = None
        else:
            before = model_to_dict(notice, recurse=False)
            Notice.update(updated_at=now or clock.utcnow(), **data).where(
                Notice.id == notice.id
            ).execute()
        if image is not None:
            name = store_photo(image, image_folder, notice.id, prefix="notice", max_side=IMAGE_SIDE)
            image_tag = f'<p><img src="{image_url(name)}" alt=""></p>'
            Notice.update(body=clean_html(data["body"] + image_tag)).where(
                Notice.id == notice.id
            ).execute()
            data["image"] = name
        audit.record(hall, actor, "notice_save", "notice", notice.id, before=before, after=data)
    return notice
