"""The kiosk's 评价/意见 screen: rate a window with one touch, optionally leave a suggestion.
Routes join the kiosk blueprint (public)."""

from __future__ import annotations

from flask import redirect, request, url_for

from .. import ratings
from ..errors import N_, ValidationError
from ..htmx import render
from ..models import Staff, Window
from ..web import current_hall, error_message
from .kiosk import bp, client_address, limit


def _windows():
    hall = current_hall()
    windows = list(
        Window.select()
        .where((Window.hall == hall) & Window.retired_at.is_null())
        .order_by(Window.number)
    )
    staff = {s.id: s for s in Staff.select().where(Staff.hall == hall)}
    return [(window, staff.get(window.on_duty_id)) for window in windows]


@bp.get("/rate")
def rating_form():
    return render(
        "kiosk/rate.html",
        "kiosk/_rate.html",
        windows=_windows(),
        grades=ratings.GRADE_LABELS,
        error=None,
        thanks=request.args.get("thanks"),
    )


@bp.post("/rate")
def rating_create():
    hall = current_hall()
    window = Window.get_or_none(
        (Window.id == request.form.get("window_id", type=int)) & (Window.hall == hall)
    )
    address = client_address()
    try:
        if window is None:
            raise ValidationError(N_("请先选择要评价的窗口"))
        # One device cannot stuff the scores: a few ratings a minute per address at most.
        if not limit("ratings").allowed(address):
            raise ValidationError(N_("评价过于频繁，请稍候一分钟再试"))
        limit("ratings").hit(address)
        ratings.rate(
            hall, window, request.form.get("grade", ""), request.form.get("suggestion", "")
        )
    except ValidationError as failure:
        return render(
            "kiosk/rate.html",
            "kiosk/_rate.html",
            windows=_windows(),
            grades=ratings.GRADE_LABELS,
            error=error_message(failure),
            thanks=None,
        )
    return redirect(url_for("kiosk.rating_form", thanks=1), 303)
