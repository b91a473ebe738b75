"""The hall display board and the window screens: public and read-only.

The board page polls `/display/changes?since=N` (answering 204 from an in-process cached
number when nothing is new) and fetches `/display/board` only when something changed; new
calls and recalls are announced by static/js/announcer.js with audio made on this server
(`/display/announcements/<event>.wav`), so speech works on a PC with no Chinese browser voice.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask_babel import gettext

from .. import board, clock, lineup, notices, queue, ratings, slides, staffing, tickets
from ..errors import N_, ValidationError
from ..htmx import render
from ..limits import parse_id
from ..speech import SpeechError, available_engine, synthesize
from ..web import current_hall, error_message

bp = Blueprint("display", __name__, url_prefix="/display")


def _hall_key() -> tuple[int, str]:
    """The hall's id and time zone, remembered per app so the cheap poll needs no query."""
    key = current_app.config.get("_HALL_KEY")
    if key is None:
        hall = current_hall()
        key = current_app.config["_HALL_KEY"] = (hall.id, hall.timezone)
    return key


def voice_label() -> str:
    engine = available_engine()
    return engine.label if engine else ""


def current_notices(hall) -> list:
    return notices.current_notices(hall, clock.hall_today(hall), limit=notices.BOARD_NOTICES)


@bp.get("")
@bp.get("/")
def board_show():
    hall = current_hall()
    return render(
        "display/board.html",
        "display/_board.html",
        **board.board_state(hall),
        notices=current_notices(hall),
        voice=voice_label(),
        slides=slides.active_slides(hall),
    )


@bp.get("/board")
def board_fragment():
    hall = current_hall()
    response = render(
        "display/board.html",
        "display/_board.html",
        **board.board_state(hall),
        notices=current_notices(hall),
        voice=voice_label(),
        slides=slides.active_slides(hall),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/changes")
def board_changes():
    """Anything new since this version? 204 (empty) when not, else the new version as JSON."""
    since = request.args.get("since", "")[:40]
    version = board.board_version(*_hall_key())
    if version == since:
        return "", 204, {"Cache-Control": "no-store"}
    return jsonify(version=version), 200, {"Cache-Control": "no-store"}


@bp.get("/announcements/<int:event_id>.wav")
def announcement_audio(event_id: int):
    hall = current_hall()
    texts = board.announcement_for(hall, event_id)
    if texts is None:
        abort(404)
    try:
        result = synthesize(texts[1], Path(current_app.config["AUDIO_CACHE_DIR"]))
    except SpeechError as error:
        return str(error), 503, {"Content-Type": "text/plain; charset=utf-8"}
    # A few tens of KB: returned as bytes, so no file handle outlives the request.
    return Response(
        result.read_bytes(),
        mimetype="audio/wav",
        headers={"X-Voice": result.voice, "Cache-Control": "max-age=3600"},
    )


def _window_context(number: int) -> dict:
    hall = current_hall()
    window = lineup.window_by_number(hall, number)
    if window is None:
        abort(404)
    serving = queue.current_ticket(window, clock.hall_today(hall))
    staff = staffing.on_duty_staff(window)  # a deactivated account is no longer 挂牌上岗
    pad = ratings.pad_ticket(window)
    return {
        "window": window,
        "serving": serving,
        "staff": staff,
        "pad": pad,
        "pad_grades": ratings.grades_for(hall.rating_scale) if pad else (),
        "pad_seconds": ratings.pad_seconds_left(pad) if pad else 0,
        "pad_message": "",
        "thanks": pad is None and ratings.recently_rated(window),
    }


def _uploaded_jpeg(folder: str, name: str) -> Response:
    """An uploaded picture from `folder` of the upload folder (404 without a name or a file)."""
    if not name:
        abort(404)
    path = Path(current_app.config["UPLOAD_FOLDER"]) / folder / name
    if not path.is_file():
        abort(404)
    return Response(
        path.read_bytes(), mimetype="image/jpeg", headers={"Cache-Control": "max-age=300"}
    )


@bp.get("/staff-photo/<int:staff_id>.jpg")
def staff_photo(staff_id: int):
    """The on-duty photo shown on window screens (public, like the name badge itself)."""
    member = staffing.find_staff(current_hall(), staff_id)
    return _uploaded_jpeg("staff", member.photo if member else "")


@bp.get("/slides/<int:slide_id>.jpg")
def slide_image(slide_id: int):
    slide = slides.find_slide(current_hall(), slide_id)
    return _uploaded_jpeg("slides", slide.image if slide else "")


@bp.get("/window/<int:number>")
def window_screen(number: int):
    response = render("display/window.html", "display/_window.html", **_window_context(number))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/window/<int:number>/rate")
def window_rate(number: int):
    """The rating pad's touch: rates the ticket just completed at this window, once. Only that
    ticket, only for a minute after completion: a screen cannot rate anything else."""
    hall = current_hall()
    context = _window_context(number)
    ticket = tickets.in_hall(hall, parse_id(request.form.get("ticket_id")))
    message = ""
    try:
        if ticket is None or context["pad"] is None or context["pad"].id != ticket.id:
            raise ValidationError(N_("评价时间已过，谢谢"))
        ratings.rate_ticket(hall, ticket, request.form.get("grade", ""), source="window_pad")
        message = gettext("感谢您的评价！")
    except ValidationError as failure:
        message = error_message(failure)
    context = _window_context(number)
    context["pad_message"] = message
    return render("display/window.html", "display/_window.html", **context)
