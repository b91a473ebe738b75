"""Flask wiring shared by every blueprint: database per request, the hall, language, CSRF,
sign-in and roles. Views live in `kiosk/views/`, one module per audience.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from collections.abc import Iterable

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, session, url_for
from flask_babel import Babel, format_datetime, gettext
from htmx_flask import Htmx
from markupsafe import Markup

from . import clock
from .db import release_connection
from .errors import DomainError, FieldProblems, ValidationError
from .htmx import is_htmx
from .limits import CONTROL_CHARACTER, INT32_MAX, has_control_characters, parse_id
from .models import Hall, Staff
from .words import Role

PRIVATE_BLUEPRINTS = frozenset({"admin", "staff", "auth", "setup", "overview"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRFToken"


def select_locale() -> str:
    wanted = request.args.get("lang")
    languages = current_app.config["LANGUAGES"]
    if wanted in languages:
        session["lang"] = wanted
    return session.get("lang") if session.get("lang") in languages else languages[0]


def csrf_token() -> str:
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    expected = session.get(CSRF_FIELD)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        if is_htmx():
            # The page's token is stale (session lost or expired): htmx would not show a 400,
            # so have it reload the page, which brings a fresh token.
            abort(current_app.response_class("", 400, {"HX-Refresh": "true"}))
        abort(400, description=gettext("页面已过期，请刷新后重试"))


def _check_input() -> None:
    """Refuse control characters (NUL and the like) anywhere a client can type: the path, the
    query string and form fields. PostgreSQL cannot store or even compare a NUL (500 before
    issue 18) and no hall text needs one. Ids in the path beyond INTEGER are simply not found.
    """
    texts = [request.path]
    for source in (request.args, request.form):
        for key, values in source.lists():
            texts.append(key)
            texts.extend(values)
    if any(has_control_characters(text) for text in texts):
        abort(400, description=gettext(CONTROL_CHARACTER))
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not 0 <= value <= INT32_MAX:
            abort(404)


HALL_CACHE_SECONDS = 1.0


def forget_hall_cache() -> None:
    """Call after changing the hall's settings, so the next request reads them."""
    current_app.extensions.pop("hall_cache", None)


def current_hall() -> Hall:
    """The hall this process serves; its row is re-read at most once a second."""
    if "hall" not in g:
        code = current_app.config.get("HALL_CODE")
        cached = current_app.extensions.get("hall_cache")
        if cached and time.monotonic() - cached[0] < HALL_CACHE_SECONDS:
            g.hall = cached[1]
            return g.hall
        query = Hall.select()
        hall = query.where(Hall.code == code).first() if code else query.order_by(Hall.id).first()
        if hall is None:
            # A new hall: staff pages lead to the first-run page, public pages say so.
            if request.blueprint in ("admin", "auth", "staff"):
                abort(redirect(url_for("setup.setup_form")))
            abort(503, description=gettext("本大厅尚未完成首次设置，请在管理页面（/admin）完成"))
        if current_app.config.get("ALWAYS_OPEN"):
            hall.always_open = True  # run.py --always-open: this process only, never saved
        current_app.extensions["hall_cache"] = (time.monotonic(), hall)
        g.hall = hall
    return g.hall


def hall_row_or_404(model, row_id: int):
    """The row of `model` with this id in the hall this process serves, or a 404 page: another
    hall's rows on a shared database are as good as missing."""
    row = model.get_or_none((model.id == row_id) & (model.hall == current_hall()))
    if row is None:
        abort(404)
    return row


def public_base_url() -> str:
    """The hall's public address for QR codes and printed links (hall setting, else the IT
    setting, else the LAN address). Never request.host_url: the Host header is whatever the
    client sends."""
    from .hall_setup import public_base_url as hall_base_url

    config = current_app.config
    return hall_base_url(current_hall(), config["PUBLIC_BASE_URL"], config["LAN_BASE_URL"])


def public_url(endpoint: str, **values) -> str:
    """An absolute address of `endpoint` for a QR code or a printed slip, at the hall's
    public address (never url_for(_external=True), which takes the request's Host)."""
    return public_base_url() + url_for(endpoint, **values)


def current_staff() -> Staff | None:
    if "staff" not in g:
        staff_id = session.get("staff_id")
        staff = Staff.get_or_none(Staff.id == staff_id) if staff_id else None
        if staff is not None and (
            not staff.active
            or staff.hall_id != current_hall().id
            or session.get("staff_sv") != staff.session_version
        ):
            staff = None  # signed out elsewhere, password/role changed, or deactivated
        g.staff = staff
    return g.staff


def start_session(staff: Staff) -> None:
    """A fresh session for a signed-in account (a new CSRF token; the language kept), tied to
    the account's current session version."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["staff_id"] = staff.id
    session["staff_sv"] = staff.session_version
    session.permanent = True


def clear_session() -> None:
    """Signed out: nothing of the account is left in this browser (the language is kept)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def require_roles(blueprint: Blueprint, roles: Iterable[str]) -> None:
    """Guard a whole blueprint: every route of it needs a signed-in staff member of `roles`.

    Checked at the blueprint boundary so a new route cannot forget it.
    """
    allowed = frozenset(roles)

    @blueprint.before_request
    def _guard():
        staff = current_staff()
        if staff is None:
            from .hall_setup import needs_setup

            if needs_setup(current_hall()):
                target = url_for("setup.setup_form")
            else:
                target = url_for("auth.login_form", next=request.full_path)
            if is_htmx():  # never swap the sign-in page into a panel: go there whole
                return current_app.response_class("", 200, {"HX-Redirect": target})
            return redirect(target)
        if staff.role not in allowed:
            abort(403)
        return None


def read_only_for(blueprint: Blueprint, roles: Iterable[str]) -> None:
    """Roles that may look but not act (supervisors): unsafe methods are refused."""
    blocked = frozenset(roles)

    @blueprint.before_request
    def _read_only():
        staff = current_staff()
        if staff is not None and staff.role in blocked and request.method in UNSAFE_METHODS:
            abort(403)
        return None


def error_message(error: DomainError) -> str:
    return error.translated(gettext)


def requested_page() -> int:
    """The page of a paged list the address asks for (`?page=`); 1 when none or not a number."""
    return parse_id(request.args.get("page", "1"), high=99_999) or 1


def form_errors(failure: ValidationError) -> dict[str, str]:
    """What a form page shows: each bad field's message in the page's language, in the order
    of the page (the first problem of a field; a problem of no field is under ""). Several
    come from FieldProblems, so an admin sees every one at once."""
    problems = failure.problems if isinstance(failure, FieldProblems) else [failure]
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field or "", problem.translated(gettext))
    return errors


def local_time(moment, fmt: str = "HH:mm") -> str:
    if moment is None:
        return ""
    hall = current_hall()
    return format_datetime(clock.to_local(moment, hall.timezone), fmt)


def localized_name(thing) -> str:
    """A service's (or hall's) name in the page's language: `name_en` in English when set."""
    english = getattr(thing, "name_en", "")
    return english if english and select_locale() == "en" else thing.name


def init_app(app: Flask) -> None:
    from .passwords import SignInThrottle

    Htmx(app)
    app.extensions["sign_in_throttle"] = SignInThrottle()  # per app: tests start afresh
    Babel(app, locale_selector=select_locale)

    @app.teardown_request
    def _release_database(exc):
        release_connection()

    app.before_request(_check_input)
    app.before_request(_check_csrf)

    from .labels import job_status, notice_category, printer_error, printer_state, priority_label
    from .sanitize import clean_markup

    if app.config.get("TESTING"):
        # Under tests a template that reads a name its view did not pass fails the test instead
        # of rendering an empty string; production keeps Jinja's forgiving default.
        from jinja2 import StrictUndefined

        app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters["clean_html"] = clean_markup
    app.jinja_env.filters["notice_category"] = notice_category
    app.jinja_env.filters["priority_label"] = priority_label
    app.jinja_env.filters["printer_state"] = printer_state
    app.jinja_env.filters["printer_error"] = printer_error
    app.jinja_env.filters["job_status"] = job_status
    app.jinja_env.filters["localized_name"] = localized_name
    app.jinja_env.filters["epoch"] = lambda moment: (
        int(moment.replace(tzinfo=dt.UTC).timestamp()) if moment else 0
    )

    @app.context_processor
    def _globals():
        # can_edit: admin pages show their forms and buttons to admins only (supervisors read;
        # the blueprint's read_only_for refuses their writes whatever the page shows).
        staff = current_staff() if request.blueprint == "admin" else None
        return {
            "can_edit": staff is not None and staff.role == Role.ADMIN,
            "csrf_token": csrf_token,
            "current_staff": current_staff,
            "current_hall": current_hall,
            "local_time": local_time,
            "current_locale": select_locale,
            "csrf_header": Markup(
                '{"%s": "%s"}' % (CSRF_HEADER, csrf_token())  # noqa: UP031 - JSON braces
            ),
        }

    @app.after_request
    def _security_headers(response):
        if request.blueprint in PRIVATE_BLUEPRINTS:
            # Staff and admin pages hold residents' personal data: never kept by the browser
            # or a proxy, so the back button on a shared PC after sign-out shows nothing.
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Nothing may load from outside the hall LAN, and no inline script from stored text.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: data:; "
            "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'self'",
        )
        return response

    from flask import render_template
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        # A page in the hall's language with a way back, instead of Werkzeug's English one.
        titles = {
            400: gettext("请求无效"),
            403: gettext("没有权限"),
            404: gettext("页面不存在"),
            503: gettext("暂不可用"),
        }
        return render_template(
            "error.html",
            code=error.code,
            title=titles.get(error.code, gettext("出错了")),
            message=error.description if error.code in (400, 403, 503) else "",
        ), error.code

    @app.errorhandler(ValidationError)
    def _validation_error(error: ValidationError):
        # The safety net of kiosk/limits.py: a value no form checked (too long, out of range)
        # refused before the database, with the hall's message instead of a 500.
        return render_template(
            "error.html", code=400, title=gettext("请求无效"), message=error_message(error)
        ), 400

    from .views import register_blueprints

    register_blueprints(app)
