"""The kiosk's 评价/意见 screen: a resident rates the service of their own ticket by typing the
number and the 4-digit check code printed on the slip (never a window with no ticket: one
rating per ticket, no anonymous stuffing), and may leave a suggestion. Routes join the kiosk
blueprint (public)."""

from __future__ import annotations

from flask import redirect, request, url_for

from .. import lineup, ratings, tickets
from ..errors import N_, QueueError, ValidationError
from ..htmx import render
from ..web import current_hall, error_message
from .kiosk import bp, client_address, limit


def _page(error=None, thanks=None, values=None):
    hall = current_hall()
    return render(
        "kiosk/rate.html",
        "kiosk/_rate.html",
        grades=ratings.grades_for(hall.rating_scale),
        indicators=ratings.INDICATORS if hall.rating_scale == "national" else {},
        error=error,
        thanks=thanks,
        values=values or {},
        letters=lineup.service_letters(hall),
    )


@bp.get("/rate")
def rating_form():
    return _page(thanks=request.args.get("thanks"))


@bp.post("/rate")
def rating_create():
    hall = current_hall()
    address = client_address()
    form = request.form
    try:
        # One device cannot guess check codes or stuff scores: a few tries a minute at most.
        if not limit("ratings").allowed(address):
            raise ValidationError(N_("评价过于频繁，请稍候一分钟再试"))
        limit("ratings").hit(address)
        if not form.get("number", "").strip() or not form.get("code", "").strip():
            raise ValidationError(N_("请输入号票上的号码和 4 位核验码"), field="number")
        ticket = tickets.find_by_number(hall, form.get("number", ""), form.get("code", ""))
        ratings.rate_ticket(
            hall,
            ticket,
            form.get("grade", ""),
            form.get("suggestion", ""),
            indicators={name: form.get(name) for name in ratings.INDICATORS},
            source="kiosk",
        )
    except (ValidationError, QueueError) as failure:
        values = {key: form.get(key, "") for key in ("number", "code", "suggestion")}
        return _page(error=error_message(failure), values=values)
    return redirect(url_for("kiosk.rating_form", thanks=1), 303)
