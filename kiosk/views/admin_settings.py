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

from .. import audit, calendar, clock
from ..admin_forms import validate_hall, validate_service, validate_staff
from ..db import write_transaction
from ..errors import N_, LineProblems, ValidationError
from ..htmx import render
from ..limits import parse_id, require_id
from ..lineup import renumber_window
from ..models import (
    CalendarDay,
    Hall,
    ProcedureStep,
    RequiredMaterial,
    Service,
    Staff,
    StaffWindow,
    Window,
    WindowService,
)
from ..passwords import check_password_strength, end_sessions, hash_password
from ..photos import check_photo, store_photo
from ..web import current_hall, current_staff, error_message, forget_hall_cache, hall_row_or_404
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
    hall = Hall.get_by_id(current_hall().id)
    return _page(
        "hall",
        values=model_to_dict(hall, recurse=False),
        error="",
        field="",
        saved=request.args.get("saved"),
    )


@bp.post("/hall")
def hall_save():
    hall = Hall.get_by_id(current_hall().id)
    try:
        data = validate_hall(request.form)
    except ValidationError as failure:
        return _page(
            "hall",
            values=request.form,
            error=error_message(failure),
            field=failure.field,
            saved=None,
        )
    with write_transaction():
        before = model_to_dict(hall, recurse=False)
        Hall.update(**data).where(Hall.id == hall.id).execute()
        _audit("hall_save", "hall", hall.code, before=before, after=data)
    forget_hall_cache()
    return redirect(url_for("admin.hall_form", saved=1), 303)


# --- services and procedure guides ------------------------------------------------------------


def services_page(error: str = "", field: str = ""):
    services = list(
        Service.select().where(Service.hall == current_hall()).order_by(Service.sort_order)
    )
    return _page(
        "services",
        services=[s for s in services if s.retired_at is None],
        retired=[s for s in services if s.retired_at is not None],
        error=error,
        field=field,
        values=request.form if error else {},
        saved=request.args.get("saved"),
        welcome=request.args.get("welcome"),
    )


@bp.get("/services")
def services_list():
    return services_page()


def _service(service_id: int) -> Service:
    service = hall_row_or_404(Service, service_id)
    return service


def _service_values(service: Service) -> dict:
    values = model_to_dict(service, recurse=False)
    values["steps"] = "\n".join(
        f"{s.title}：{s.detail}" if s.detail else s.title
        for s in service.steps.order_by(ProcedureStep.position)
    )
    forms = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}
    values["materials"] = "\n".join(
        " | ".join([m.name, forms.get(m.form, m.form), str(m.copies), m.note]).rstrip(" |")
        for m in service.materials.order_by(RequiredMaterial.position)
    )
    values["active"] = "on" if service.active else ""
    return values


@bp.get("/services/<int:service_id>")
def service_form(service_id: int):
    service = _service(service_id)
    return _page(
        "service",
        service=service,
        values=_service_values(service),
        error="",
        field="",
        saved=request.args.get("saved"),
    )


@bp.post("/services/<int:service_id>")
def service_save(service_id: int):
    service = _service(service_id)
    try:
        data = validate_service(request.form)
        clash = Service.get_or_none(
            (Service.hall == service.hall_id)
            & (Service.prefix == data["prefix"])
            & (Service.id != service.id)
        )
        if clash is not None:
            raise ValidationError(
                N_("号码字母 %(prefix)s 已被“%(name)s”使用"),
                field="prefix",
                prefix=data["prefix"],
                name=clash.name,
            )
    except ValidationError as failure:
        return _page(
            "service",
            service=service,
            values=request.form,
            error=error_message(failure),
            field=failure.field,
            saved=None,
        )
    steps, materials = data.pop("steps"), data.pop("materials")
    with write_transaction():
        before = _service_values(service)
        Service.update(**data).where(Service.id == service.id).execute()
        ProcedureStep.delete().where(ProcedureStep.service == service).execute()
        for position, (title, detail) in enumerate(steps, start=1):
            ProcedureStep.create(service=service, position=position, title=title, detail=detail)
        RequiredMaterial.delete().where(RequiredMaterial.service == service).execute()
        for position, (name, form, copies, note) in enumerate(materials, start=1):
            RequiredMaterial.create(
                service=service, position=position, name=name, form=form, copies=copies, note=note
            )
        _audit(
            "service_save",
            "service",
            service.code,
            before=before,
            after=_service_values(Service.get_by_id(service.id)),
        )
    return redirect(url_for("admin.service_form", service_id=service.id, saved=1), 303)


# --- windows ------------------------------------------------------------------------------------


def _windows_page(error: str = "", field: str = "", failed: int | None = None):
    """The windows table, each row with its services' letters in calling order."""
    windows = list(Window.select().where(Window.hall == current_hall()).order_by(Window.number))
    links = {
        window.id: ",".join(
            link.service.prefix for link in window.service_links.order_by(WindowService.position)
        )
        for window in windows
    }
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
    prefixes = [
        p.strip().upper()
        for p in request.form.get("services", "").replace("，", ",").split(",")
        if p.strip()
    ]
    by_prefix = {
        s.prefix: s
        for s in Service.select().where((Service.hall == hall) & Service.retired_at.is_null())
    }
    number = request.form.get("number", str(window.number)).strip()
    try:
        window_number = require_id(
            number, "number", high=999, message=N_("窗口号请填写 1 到 999 之间的整数")
        )
        if not name or len(name) > 30:
            raise ValidationError(N_("请填写窗口名称（最多 30 字）"), field="name")
        unknown = [p for p in prefixes if p not in by_prefix]
        if unknown or not prefixes or len(set(prefixes)) != len(prefixes):
            raise ValidationError(
                N_("请按顺序填写本窗口办理的业务字母，如 A,D；没有业务 %(bad)s"),
                field="services",
                bad=",".join(unknown) or "—",
            )
        renumber_window(hall, window, window_number)
    except ValidationError as failure:
        return _windows_page(error_message(failure), failure.field, window.id)
    with write_transaction():
        before = {
            "name": window.name,
            "services": [
                link.service.prefix
                for link in window.service_links.order_by(WindowService.position)
            ],
        }
        Window.update(name=name).where(Window.id == window.id).execute()
        WindowService.delete().where(WindowService.window == window).execute()
        for position, prefix in enumerate(prefixes, start=1):
            WindowService.create(window=window, service=by_prefix[prefix], position=position)
        _audit(
            "window_save",
            "window",
            window.number,
            before=before,
            after={"name": name, "services": prefixes},
        )
    return redirect(url_for("admin.windows_list", saved=1), 303)


# --- staff --------------------------------------------------------------------------------------


@bp.get("/staff")
def staff_list():
    members = Staff.select().where(Staff.hall == current_hall()).order_by(Staff.role, Staff.id)
    return _page("staff_list", members=members, saved=request.args.get("saved"))


def _staff_page(member: Staff | None, values, error: str = "", field: str = ""):
    windows = Window.select().where(Window.hall == current_hall()).order_by(Window.number)
    return _page("staff", member=member, values=values, windows=windows, error=error, field=field)


@bp.get("/staff/new")
def staff_new():
    return _staff_page(None, {"role": "staff", "active": "on", "window_ids": []})


@bp.get("/staff/<int:staff_id>")
def staff_form(staff_id: int):
    member = _member(staff_id)
    values = model_to_dict(member, recurse=False)
    values["active"] = "on" if member.active else ""
    values["window_ids"] = [link.window_id for link in member.window_links]
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
    windows = list(Window.select().where((Window.hall == hall) & Window.id.in_(window_ids)))
    values = dict(request.form)
    values["window_ids"] = list(window_ids)
    try:
        data = validate_staff(request.form, new=member is None)
        clash = Staff.get_or_none((Staff.hall == hall) & (Staff.username == data["username"]))
        if clash is not None and (member is None or clash.id != member.id):
            raise ValidationError(N_("用户名已被使用"), field="username")
        password = data.pop("password")
        if password:
            check_password_strength(password, role=data["role"])
            data["password_hash"] = hash_password(password)
        if (
            member is not None
            and member.id == current_staff().id
            and (data["role"] != "admin" or not data["active"])
        ):
            raise ValidationError(N_("不能取消自己的管理员权限或停用自己的账号"), field="role")
    except ValidationError as failure:
        return _staff_page(member, values, error_message(failure), failure.field)
    upload = request.files.get("photo")
    if upload is not None and upload.filename:
        try:  # check the photo before anything is written
            check_photo(upload.read())
            upload.stream.seek(0)
        except ValidationError as failure:
            return _staff_page(member, values, error_message(failure), failure.field)
    with write_transaction():
        before = None
        if member is None:
            member = Staff.create(hall=hall, **data)
        else:
            before = {
                k: v
                for k, v in model_to_dict(member, recurse=False).items()
                if k != "password_hash"
            }
            Staff.update(**data).where(Staff.id == member.id).execute()
            if (
                "password_hash" in data
                or data["role"] != member.role
                or bool(data["active"]) != member.active
            ):
                end_sessions(member)  # the old sessions of this account end now
        upload = request.files.get("photo")
        if upload is not None and upload.filename:
            name = store_photo(upload.read(), photo_folder(), member.id)
            Staff.update(photo=name).where(Staff.id == member.id).execute()
        StaffWindow.delete().where(StaffWindow.staff == member).execute()
        for window in windows:
            StaffWindow.create(staff=member, window=window)
        after = {k: v for k, v in data.items() if k != "password_hash"}
        after["windows"] = sorted(w.number for w in windows)
        after["password_changed"] = "password_hash" in data
        _audit("staff_save", "staff", data["username"], before=before, after=after)
    return redirect(url_for("admin.staff_list", saved=1), 303)


# --- working-day calendar ---------------------------------------------------------------------


def _calendar_page(year: int | None = None, *, error: str = "", message: str = "", problems=()):
    hall = current_hall()
    year = year or clock.local_date(clock.utcnow(), hall.timezone).year
    days = (
        CalendarDay.select()
        .where(
            (CalendarDay.hall == hall)
            & (CalendarDay.day >= dt.date(year, 1, 1))
            & (CalendarDay.day <= dt.date(year, 12, 31))
        )
        .order_by(CalendarDay.day)
    )
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
    with write_transaction():
        deleted = (
            CalendarDay.delete()
            .where((CalendarDay.hall == current_hall()) & (CalendarDay.day == date))
            .execute()
        )
        if deleted:
            _audit("calendar_delete", "calendar", day)
    flash(gettext("已删除 %(day)s", day=day))
    return redirect(url_for("admin.calendar_page", year=date.year), 303)
