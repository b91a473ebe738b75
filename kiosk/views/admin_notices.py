"""Notices (公告) written by the hall: category, validity period and a sanitized body; shown on
the kiosk's 公开栏 and the board's notice line, and printable on the notice printer. Routes
join the admin blueprint (admins write, supervisors read)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext
from playhouse.shortcuts import model_to_dict

from .. import audit, clock
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..labels import NOTICE_CATEGORIES
from ..models import Notice
from ..photos import check_photo, store_photo
from ..printing import print_notice
from ..sanitize import clean_html
from ..web import current_hall, current_staff, error_message, hall_row_or_404
from .admin import bp

NOTICE_IMAGE_SIDE = 1280


def validate_notice(form) -> dict:
    title = form.get("title", "").strip()
    if not title or len(title) > 80:
        raise ValidationError(N_("请填写标题（最多 80 字）"), field="title")
    category = form.get("category", "")
    if category not in NOTICE_CATEGORIES:
        raise ValidationError(N_("请选择公告类别"), field="category")
    body = clean_html(form.get("body", "")).strip()
    if not body:
        raise ValidationError(N_("请填写公告正文"), field="body")
    dates = {}
    for name in ("valid_from", "valid_until"):
        text = form.get(name, "").strip()
        try:
            dates[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            raise ValidationError(N_("日期应写成 2026-11-24 这样的格式"), field=name) from None
    if dates["valid_from"] and dates["valid_until"] and dates["valid_until"] < dates["valid_from"]:
        raise ValidationError(N_("截止日期不能早于开始日期"), field="valid_until")
    return {
        "title": title,
        "category": category,
        "body": body,
        "published": form.get("published") == "on",
        **dates,
    }


def _notice(notice_id: int) -> Notice:
    notice = hall_row_or_404(Notice, notice_id)
    return notice


def _form(notice: Notice | None, values, error: str = "", field: str = ""):
    return render(
        "admin/notice.html",
        "admin/_notice.html",
        notice=notice,
        values=values,
        categories=NOTICE_CATEGORIES,
        error=error,
        field=field,
    )


@bp.get("/notices")
def notices_admin():
    notices = Notice.select().where(Notice.hall == current_hall()).order_by(Notice.id.desc())
    return render(
        "admin/notices.html",
        "admin/_notices.html",
        notices=notices,
        categories=NOTICE_CATEGORIES,
    )


@bp.get("/notices/new")
def notice_new():
    return _form(None, {"category": "service", "published": "on"})


@bp.get("/notices/<int:notice_id>")
def notice_edit(notice_id: int):
    notice = _notice(notice_id)
    values = model_to_dict(notice, recurse=False)
    values["published"] = "on" if notice.published else ""
    return _form(notice, values)


@bp.post("/notices")
@bp.post("/notices/<int:notice_id>")
def notice_save(notice_id: int | None = None):
    notice = _notice(notice_id) if notice_id else None
    upload = request.files.get("image")
    image_data = upload.read() if upload is not None and upload.filename else None
    try:
        data = validate_notice(request.form)
        if image_data is not None:
            check_photo(image_data, NOTICE_IMAGE_SIDE)
    except ValidationError as failure:
        return _form(notice, request.form, error_message(failure), failure.field)
    with write_transaction():
        if notice is None:
            notice = Notice.create(hall=current_hall(), created_by=current_staff(), **data)
            before = None
        else:
            before = model_to_dict(notice, recurse=False)
            Notice.update(updated_at=clock.utcnow(), **data).where(Notice.id == notice.id).execute()
        if image_data is not None:
            folder = Path(current_app.config["UPLOAD_FOLDER"]) / "notices"
            name = store_photo(
                image_data, folder, notice.id, prefix="notice", max_side=NOTICE_IMAGE_SIDE
            )
            image_tag = f'<p><img src="{url_for("kiosk.notice_image", name=name)}" alt=""></p>'
            Notice.update(body=clean_html(data["body"] + image_tag)).where(
                Notice.id == notice.id
            ).execute()
            data["image"] = name
        audit.record(
            current_hall(),
            current_staff(),
            "notice_save",
            "notice",
            notice.id,
            before=before,
            after=data,
        )
    flash(gettext("公告已保存"))
    return redirect(url_for("admin.notices_admin"), 303)


@bp.post("/notices/<int:notice_id>/print")
def notice_print(notice_id: int):
    notice = _notice(notice_id)
    from ..web import public_url

    url = public_url("kiosk.notices_list")
    with write_transaction():
        job = print_notice(notice, url)
        audit.record(current_hall(), current_staff(), "notice_print", "notice", notice.id)
    message = gettext("已送往打印机") if job else gettext("没有可用的打印机")
    flash(message)
    return redirect(url_for("admin.notices_admin"), 303)
