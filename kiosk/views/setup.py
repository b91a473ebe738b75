"""The first-run page (管理 → 首次设置): shown while the hall this process serves has no
admin yet — a new, empty database, or a hall made by `scripts/hall.py create`. It creates the
admin account, names the hall, sets the opening hours (with a lunch break), the address QR
codes point at (proposing this server's LAN address) and the first services and windows, then
signs the admin in. Once an admin exists it only leads to the sign-in page.
"""

from __future__ import annotations

import hmac

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from .. import hall_setup
from ..errors import ValidationError
from ..web import forget_hall_cache, form_errors, start_session

bp = Blueprint("setup", __name__, url_prefix="/admin/setup")
LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.before_request
def _only_the_hall_pc_or_the_token():
    if request.remote_addr in LOOPBACK:
        return None
    sent = request.values.get("token", "")
    expected = current_app.config["SETUP_TOKEN"]
    if sent and hmac.compare_digest(sent, expected):
        return None
    abort(
        403,
        description=gettext(
            "请在大厅主机上打开首次设置页面，或使用服务器启动时显示的首次设置地址（含 token）"
        ),
    )


DEFAULTS = {
    "hall_name": "",
    "admin_username": "admin",
    "admin_name": "",
    "opens_at": "08:30",
    "closes_at": "17:30",
    "break_starts_at": "12:00",
    "break_ends_at": "14:00",
    "services": "",
    "windows": "2",
}


def _code() -> str:
    return current_app.config.get("HALL_CODE") or "hall"


def _form(values: dict, errors: dict[str, str] | None = None):
    hall = hall_setup.find_hall(current_app.config.get("HALL_CODE"))
    return render_template(
        "setup/first_run.html",
        values=values,
        errors=errors or {},
        hall=hall,
        hall_code=hall.code if hall else _code(),
        token=request.values.get("token", ""),
    )


@bp.get("")
def setup_form():
    hall = hall_setup.find_hall(current_app.config.get("HALL_CODE"))
    if not hall_setup.needs_setup(hall):
        return redirect(url_for("auth.login_form"))
    values = dict(DEFAULTS)
    values["public_base_url"] = (
        current_app.config["PUBLIC_BASE_URL"] or (current_app.config["LAN_BASE_URL"])
    )
    if hall is not None:
        values.update(
            hall_name=hall.name,
            opens_at=hall.opens_at,
            closes_at=hall.closes_at,
            public_base_url=hall.public_base_url or values["public_base_url"],
        )
    return _form(values)


@bp.post("")
def setup_save():
    hall = hall_setup.find_hall(current_app.config.get("HALL_CODE"))
    if not hall_setup.needs_setup(hall):
        return redirect(url_for("auth.login_form"), 303)
    values = {k: v for k, v in request.form.items() if not k.startswith("password")}
    try:
        setup = hall_setup.parse_first_run(request.form)
        hall, admin = hall_setup.complete_first_run(hall.code if hall else _code(), setup)
    except ValidationError as failure:
        return _form(values, form_errors(failure))
    forget_hall_cache()
    start_session(admin)
    return redirect(url_for("admin.services_list", welcome=1), 303)
