"""Notices (公告) written by the hall: category, validity period and a sanitized body; shown on
the kiosk's 公开栏 and the board's notice line, and printable on the notice printer. Routes
join the admin blueprint (admins write, supervisors read)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext
from playhouse.shortcuts import model_to_dict

from .. import audit, notices
from ..db import write_transaction
from ..errors import ValidationError
from ..htmx import render
from ..labels import NOTICE_CATEGORIES
from ..models import Notice
from ..photos import check_photo
from ..printing import print_notice
from ..web import current_hall, current_staff, form_errors, hall_row_or_404
from .admin import bp

NOTICE_IMAGE_SIDE = notices.IMAGE_SIDE


def _notice(notice_id: int) -> Notice:
    notice = hall_row_or_404(Notice, notice_id)
    return notice


def _form(notice: Notice | None, values, errors: dict[str, str] | None = None):
    return render(
        "admin/notice.html",
        "admin/_notice.html",
        notice=notice,
        values=values,
        categories=NOTICE_CATEGORIES,
        errors=errors or {},
    )


@bp.get("/notices")
def notices_admin():
    return render(
        "admin/notices.html",
        "admin/_notices.html",
        notices=notices.hall_notices(current_hall()),
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
        data = notices.validate_notice(request.form)
        if image_data is not None:
            check_photo(image_data, NOTICE_IMAGE_SIDE)
    except ValidationError as failure:
        return _form(notice, request.form, form_errors(failure))
    notices.save_notice(
        current_hall(),
        notice,
        data,
        current_staff(),
        image=image_data,
        image_folder=Path(current_app.config["UPLOAD_FOLDER"]) / "notices",
        image_url=lambda name: url_for("kiosk.notice_image", name=name),
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
