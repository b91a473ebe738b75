"""Admin pages that set the hall up without editing files: hall settings, services with their
procedure guides, windows and the ordered services they serve, staff accounts, and the
working-day calendar. Routes join the admin blueprint (its role guard applies: admins act,
supervisors only look). Every save is validated first, changes nothing on error, and is
written to the audit trail with before/after.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext
from playhouse.shortcuts import model_to_dict

from .. import audit, calendar, clock, hall_setup, lineup, staffing
from ..admin_forms import validate_hall, validate_service, validate_staff
from ..db import write_transaction
from ..errors import N_, LineProblems, ValidationError
from ..htmx import render
from ..limits import parse_id, require_id
from ..models import Service, Staff, Window
from ..photos import check_photo
from ..web import (
    current_hall,
    current_staff,
    error_message,
    forget_hall_cache,
    form_errors,
    hall_row_or_404,
)
from ..words import Role
from .admin import bp


def photo_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "staff"


def _page(name: str, **context):
    if name == "hall":
        from ..ratings import SCALE_LABELS

        context.setdefault("rating_scales", SCALE_LABELS)
    return render(f"admin/{name}.html", f"admin/_{name}.html", **context)


def _audit(action: str, kind: str, key, before=None, after=None) -> None:
    audit.record(current_hall(), current_staff(), action, kind, key, before=before, after=after)


# --- hall settings ------------------------------------------------------------------------------


@bp.get("/hall")
def hall_form():
    # From the database, not current_hall(): that copy carries run.py --always-open, which
    # must not be saved with the form.
    hall = hall_setup.stored_hall(current_hall().id)
    return _page(
        "hall",
        values=model_to_dict(hall, recurse=False),
        errors={},
        saved=request.args.get("saved"),
    )


@bp.post("/hall")
def hall_save():
    hall = hall_setup.stored_hall(current_hall().id)
    try:
        data = validate_hall(request.form)
    except ValidationError as failure:
        return _page(
            "hall",
            values=request.form,
            errors=form_errors(failure),
            saved=None,
        )
    hall_setup.save_settings(hall, data, current_staff())
    forget_hall_cache()
    return redirect(url_for("admin.hall_form", saved=1), 303)


# --- services and procedure guides ------------------------------------------------------------


def services_page(errors: dict[str, str] | None = None):
    services = list(lineup.all_services(current_hall()))
    return _page(
        "services",
        services=[s for s in services if s.retired_at is None],
        retired=[s for s in services if s.retired_at is not None],
        errors=errors or {},
        values=request.form if errors else {},
        saved=request.args.get("saved"),
        welcome=request.args.get("welcome"),
    )


@bp.get("/services")
def services_list():
    return services_page()


def _service(service_id: int) -> Service:
    service = hall_row_or_404(Service, service_id)
    return service


@bp.get("/services/<int:service_id>")
def service_form(service_id: int):
    service = _service(service_id)
    return _page(
        "service",
        service=service,
        values=lineup.service_form_values(service),
        errors={},
        saved=request.args.get("saved"),
    )


@bp.post("/services/<int:service_id>")
def service_save(service_id: int):
    service = _service(service_id)
    try:
        data = validate_service(request.form)
        lineup.check_prefix_free(service.hall_id, data["prefix"], service)
    except ValidationError as failure:
        return _page(
            "service",
            service=service,
            values=request.form,
            errors=form_errors(failure),
            saved=None,
        )
    lineup.save_service(service, data, current_staff())
    return redirect(url_for("admin.service_form", service_id=service.id, saved=1), 303)


# --- windows ------------------------------------------------------------------------------------


def _windows_page(error: str = "", field: str = "", failed: int | None = None):
    """The windows table, each row with its services' letters in calling order."""
    windows = list(lineup.all_windows(current_hall()))
    links = {window.id: ",".join(lineup.window_prefixes(window)) for window in windows}
    return _page(
        "windows",
        windows=[w for w in windows if w.retired_at is None],
        retired=[w for w in windows if w.retired_at is not None],
        links=links,
        error=error,
        field=field,
        failed=failed,
        saved=request.args.get("saved"),
    )


@bp.get("/windows")
def windows_list():
    return _windows_page()


@bp.post("/windows/<int:window_id>")
def window_save(window_id: int):
    hall = current_hall()
    window = hall_row_or_404(Window, window_id)
    name = request.form.get("name", "").strip()
    prefixes = lineup.parse_prefixes(request.form.get("services", ""))
    number = request.form.get("number", str(window.number)).strip()
    try:
        window_number = require_id(
            number, "number", high=999, message=N_("窗口号请填写 1 到 999 之间的整数")
        )
        lineup.save_window(hall, window, window_number, name, prefixes, current_staff())
    except ValidationError as failure:
        return _windows_page(error_message(failure), failure.field, window.id)
    return redirect(url_for("admin.windows_list", saved=1), 303)


# --- staff --------------------------------------------------------------------------------------


@bp.get("/staff")
def staff_list():
    return _page(
        "staff_list",
        members=staffing.staff_by_role(current_hall()),
        saved=request.args.get("saved"),
    )


def _staff_page(member: Staff | None, values, errors: dict[str, str] | None = None):
    windows = lineup.all_windows(current_hall())
    return _page("staff", member=member, values=values, windows=windows, errors=errors or {})


@bp.get("/staff/new")
def staff_new():
    return _staff_page(None, {"role": Role.STAFF, "active": "on", "window_ids": []})


@bp.get("/staff/<int:staff_id>")
def staff_form(staff_id: int):
    member = _member(staff_id)
    values = model_to_dict(member, recurse=False)
    values["active"] = "on" if member.active else ""
    values["window_ids"] = staffing.window_ids_of(member)
    return _staff_page(member, values)


def _member(staff_id: int) -> Staff:
    member = hall_row_or_404(Staff, staff_id)
    return member


@bp.post("/staff")
@bp.post("/staff/<int:staff_id>")
def staff_save(staff_id: int | None = None):
    hall = current_hall()
    member = _member(staff_id) if staff_id else None
    window_ids = {parse_id(v) for v in request.form.getlist("window_ids")} - {None}
    windows = lineup.windows_with_ids(hall, window_ids)
    values = dict(request.form)
    values["window_ids"] = list(window_ids)
    try:
        data = staffing.check_account(
            hall, member, validate_staff(request.form, new=member is None), current_staff()
        )
    except ValidationError as failure:
        return _staff_page(member, values, form_errors(failure))
    upload = request.files.get("photo")
    photo = None
    if upload is not None and upload.filename:
        try:  # check the photo before anything is written
            photo = upload.read()
            check_photo(photo)
        except ValidationError as failure:
            return _staff_page(member, values, form_errors(failure))
    staffing.save_account(
        hall, member, data, windows, current_staff(), photo=photo, photo_folder=photo_folder()
    )
    return redirect(url_for("admin.staff_list", saved=1), 303)


# --- working-day calendar ---------------------------------------------------------------------


def _calendar_page(year: int | None = None, *, error: str = "", message: str = "", problems=()):
    hall = current_hall()
    year = year or clock.hall_today(hall).year
    days = calendar.days_of_year(hall, year)
    return _page(
        "calendar", year=year, days=days, error=error, message=message, problems=list(problems)
    )


@bp.get("/calendar")
def calendar_page():
    year = request.args.get("year", "")
    return _calendar_page(parse_id(year, low=1901, high=2199))


@bp.post("/calendar/import")
def calendar_import():
    hall = current_hall()
    upload = request.files.get("file")
    text = request.form.get("csv", "")
    try:
        if upload is not None and upload.filename:
            text = calendar.decode_csv(upload.read())  # UTF-8 or GB18030 (Excel in China)
        rows = calendar.parse_csv(text)  # checked before the write lock is taken
        with write_transaction():
            count = calendar.import_csv(hall, rows)
            _audit("calendar_import", "calendar", count, after=text[:2000])
    except LineProblems as failure:  # every bad line named, nothing imported
        return _calendar_page(
            error=error_message(failure), problems=failure.translated_lines(gettext)
        )
    except ValidationError as failure:
        return _calendar_page(error=error_message(failure))
    flash(gettext("已导入 %(count)s 天", count=count))
    return redirect(url_for("admin.calendar_page"), 303)


@bp.post("/calendar/<day>/delete")
def calendar_delete(day: str):
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    calendar.delete_day(current_hall(), date, current_staff())
    flash(gettext("已删除 %(day)s", day=day))
    return redirect(url_for("admin.calendar_page", year=date.year), 303)
