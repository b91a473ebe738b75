"""Slides for the hall board's idle loop (education and policy pictures with captions): shown
beside the latest calls when nobody has been called for a while. Routes join the admin
blueprint; the images are served by the display blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from .. import slides
from ..errors import N_, ValidationError
from ..htmx import render
from ..photos import check_photo
from ..web import current_hall, current_staff, error_message
from .admin import bp

SLIDE_SIDE = slides.SLIDE_SIDE


def slide_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "slides"


@bp.get("/slides")
def slides_admin():
    return render(
        "admin/slides.html",
        "admin/_slides.html",
        slides=slides.hall_slides(current_hall()),
    )


@bp.post("/slides")
def slide_add():
    hall = current_hall()
    upload = request.files.get("image")
    try:
        if upload is None or not upload.filename:
            raise ValidationError(N_("请选择图片"))
        data = upload.read()
        check_photo(data, SLIDE_SIDE)
    except ValidationError as failure:
        flash(error_message(failure), "error")
        return redirect(url_for("admin.slides_admin"), 303)
    slides.add_slide(hall, data, request.form.get("caption", ""), slide_folder(), current_staff())
    flash(gettext("已添加"))
    return redirect(url_for("admin.slides_admin"), 303)


@bp.post("/slides/<int:slide_id>/toggle")
def slide_toggle(slide_id: int):
    slide = slides.find_slide(current_hall(), slide_id)
    if slide is None:
        abort(404)
    slides.toggle_slide(slide, current_staff())
    return redirect(url_for("admin.slides_admin"), 303)
