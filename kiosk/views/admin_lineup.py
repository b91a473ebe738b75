"""管理 → 业务 / 窗口: add, reorder, retire and restore services and windows (editing a
service's guide and a window's services stays in admin_settings). The rules are in
kiosk/lineup.py; these views parse the form, call them and render. Routes join the admin
blueprint, so its role guard applies.
"""

from __future__ import annotations

from flask import redirect, request, url_for

from .. import audit, lineup
from ..db import write_transaction
from ..errors import N_, ValidationError
from ..htmx import render
from ..limits import parse_id, require_id
from ..models import Service, Window
from ..web import current_hall, current_staff, error_message, form_errors, hall_row_or_404
from .admin import bp


def _service(service_id: int) -> Service:
    service = hall_row_or_404(Service, service_id)
    return service


def _window(window_id: int) -> Window:
    window = hall_row_or_404(Window, window_id)
    return window


@bp.post("/services/new")
def service_create():
    hall = current_hall()
    try:
        with write_transaction():
            service = lineup.add_service(
                hall, request.form.get("name", ""), request.form.get("prefix", "")
            )
            audit.record(
                hall,
                current_staff(),
                "service_add",
                "service",
                service.code,
                after={"name": service.name, "prefix": service.prefix},
            )
    except ValidationError as failure:
        from .admin_settings import services_page

        return services_page(form_errors(failure))
    return redirect(url_for("admin.service_form", service_id=service.id), 303)


@bp.post("/services/<int:service_id>/move")
def service_move(service_id: int):
    direction = -1 if request.form.get("direction") == "up" else 1
    service = _service(service_id)
    with write_transaction():
        lineup.move_service(current_hall(), service, direction)
        audit.record(
            current_hall(),
            current_staff(),
            "service_move",
            "service",
            service.code,
            after={"direction": request.form.get("direction", "down")},
        )
    return redirect(url_for("admin.services_list"), 303)


def _retire_service_page(service: Service, error: str = "", field: str = ""):
    others = [s for s in lineup.active_services(current_hall()) if s.id != service.id]
    return render(
        "admin/retire.html",
        "admin/_retire.html",
        kind="service",
        item=service,
        waiting=lineup.waiting_count(service),
        others=others,
        error=error,
        field=field,
        action=url_for("admin.service_retire", service_id=service.id),
        back=url_for("admin.services_list"),
    )


def _transfer_target(find, text: str):
    """The service or window of this hall the waiting tickets move to (`find`: the lookup of
    lineup); None when the form names none, a ValidationError when it names one that is not a
    number of this hall."""
    if not text.strip():
        return None
    target = find(current_hall(), parse_id(text))
    if target is None:
        raise ValidationError(N_("请选择转入的业务或窗口"), field="transfer_to")
    return target


@bp.get("/services/<int:service_id>/retire")
def service_retire_form(service_id: int):
    return _retire_service_page(_service(service_id))


@bp.post("/services/<int:service_id>/retire")
def service_retire(service_id: int):
    service = _service(service_id)
    try:
        target = _transfer_target(lineup.find_service, request.form.get("transfer_to", ""))
        lineup.retire_service(
            current_hall(),
            service,
            waiting=request.form.get("waiting", ""),
            transfer_to=target,
            actor=current_staff(),
        )
    except ValidationError as failure:
        return _retire_service_page(service, error_message(failure), failure.field)
    return redirect(url_for("admin.services_list", saved=1), 303)


@bp.post("/services/<int:service_id>/restore")
def service_restore(service_id: int):
    lineup.restore_service(current_hall(), _service(service_id), current_staff())
    return redirect(url_for("admin.services_list", saved=1), 303)


@bp.post("/windows/new")
def window_create():
    from .admin_settings import _windows_page

    form = request.form
    number = form.get("number", "").strip()
    try:
        window_number = require_id(
            number, "number", high=999, message=N_("窗口号请填写 1 到 999 之间的整数")
        )
        prefixes = lineup.parse_prefixes(form.get("services", ""))
        with write_transaction():
            window = lineup.add_window(
                current_hall(), window_number, form.get("name", ""), prefixes
            )
            audit.record(
                current_hall(),
                current_staff(),
                "window_add",
                "window",
                window.number,
                after={"name": window.name, "services": prefixes},
            )
    except ValidationError as failure:
        return _windows_page(error_message(failure), failure.field, failed=0)
    return redirect(url_for("admin.windows_list", saved=1), 303)


def _retire_window_page(window: Window, error: str = "", field: str = ""):
    waiting = lineup.targeted_waiting_count(window)
    others = [w for w in lineup.active_windows(current_hall()) if w.id != window.id]
    return render(
        "admin/retire.html",
        "admin/_retire.html",
        kind="window",
        item=window,
        waiting=waiting,
        others=others,
        error=error,
        field=field,
        action=url_for("admin.window_retire", window_id=window.id),
        back=url_for("admin.windows_list"),
    )


@bp.get("/windows/<int:window_id>/retire")
def window_retire_form(window_id: int):
    return _retire_window_page(_window(window_id))


@bp.post("/windows/<int:window_id>/retire")
def window_retire(window_id: int):
    window = _window(window_id)
    try:
        target = _transfer_target(lineup.find_window, request.form.get("transfer_to", ""))
        lineup.retire_window(
            current_hall(),
            window,
            waiting=request.form.get("waiting", ""),
            transfer_to=target,
            actor=current_staff(),
        )
    except ValidationError as failure:
        return _retire_window_page(window, error_message(failure), failure.field)
    return redirect(url_for("admin.windows_list", saved=1), 303)


@bp.post("/windows/<int:window_id>/restore")
def window_restore(window_id: int):
    lineup.restore_window(current_hall(), _window(window_id), current_staff())
    return redirect(url_for("admin.windows_list", saved=1), 303)
