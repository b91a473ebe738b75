"""Sign in and out for staff, admins and supervisors."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..audit import record
from ..db import write_transaction
from ..errors import ValidationError
from ..passwords import authenticate, end_sessions
from ..web import clear_session, current_hall, current_staff, error_message, start_session
from ..words import Role

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    Role.ADMIN: "admin.home",
    Role.SUPERVISOR: "admin.home",
    Role.STAFF: "staff.home",
    Role.OVERSEER: "overview.home",
}


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlparse(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/login")
def login_form():
    return render_template(
        "auth/login.html", error=None, username="", next=_safe_next(request.args.get("next"))
    )


@bp.post("/login")
def login_submit():
    username = request.form.get("username", "")
    password = request.form.get("password", "")
    target = _safe_next(request.form.get("next"))
    try:
        staff = authenticate(
            current_hall(),
            username,
            password,
            client=request.remote_addr or "",
            throttle=current_app.extensions.get("sign_in_throttle"),
        )
    except ValidationError as error:
        return render_template(
            "auth/login.html", error=error_message(error), username=username, next=target
        ), 200
    start_session(staff)
    record(staff.hall, staff, "login", "staff", staff.id)
    return redirect(target or url_for(HOME_BY_ROLE.get(staff.role, "kiosk.home")), 303)


@bp.post("/logout")
def logout():
    staff = current_staff()
    if staff is not None:
        with write_transaction():
            end_sessions(staff)  # a copied cookie of this account stops working too
            record(staff.hall, staff, "logout", "staff", staff.id)
    clear_session()
    return redirect(url_for("auth.login_form"), 303)
