"""Slides for the hall board's idle loop (education and policy pictures with captions): shown
beside the latest calls when nobody has been called for a while. Routes join the admin
blueprint; the images are served by the display blueprint."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext

from .. import audit
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..models import DisplaySlide
from ..photos import check_photo, store_photo
from ..web import current_hall, current_staff, error_message
from .admin import bp

SLIDE_SIDE = 1280


def slide_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "slides"


@bp.get("/slides")
def slides_admin():
    slides = (
        DisplaySlide.select()
        .where(DisplaySlide.hall == current_hall())
        .order_by(DisplaySlide.position, DisplaySlide.id)
    )
    return render(
        "admin/slides.html",
        "admin/_slides.html",
        slides=slides,
    )


@bp.post("/slides")
def slide_add():
    hall = current_hall()
    upload = request.files.get("image")
    caption = request.form.get("caption", "").strip()[:80]
    try:
        if upload is None or not upload.filename:
            raise ValidationError(N_("请选择图片"))
        data = upload.read()
        check_photo(data, SLIDE_SIDE)
    except ValidationError as failure:
        flash(error_message(failure), "error")
        return redirect(url_for("admin.slides_admin"), 303)
    with write_transaction():
        position = DisplaySlide.select().where(DisplaySlide.hall == hall).count() + 1
        slide = DisplaySlide.create(hall=hall, image="", caption=caption, position=position)
        name = store_photo(data, slide_folder(), slide.id, prefix="slide", max_side=SLIDE_SIDE)
        DisplaySlide.update(image=name).where(DisplaySlide.id == slide.id).execute()
        audit.record(
            hall, current_staff(), "slide_add", "slide", slide.id, after={"caption": caption}
        )
    flash(gettext("已添加"))
    return redirect(url_for("admin.slides_admin"), 303)


@bp.post("/slides/<int:slide_id>/toggle")
def slide_toggle(slide_id: int):
    slide = DisplaySlide.get_or_none(
        (DisplaySlide.id == slide_id) & (DisplaySlide.hall == current_hall())
    )
    if slide is None:
        abort(404)
    with write_transaction():
        DisplaySlide.update(active=not slide.active).where(DisplaySlide.id == slide.id).execute()
        audit.record(
            slide.hall_id,
            current_staff(),
            "slide_toggle",
            "slide",
            slide.id,
            after={"active": not slide.active},
        )
    return redirect(url_for("admin.slides_admin"), 303)
