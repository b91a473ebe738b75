"""管理 → 业务 / 窗口: add, reorder, retire and restore services and windows (editing a
service's guide and a window's services stays in admin_settings). The rules are in
kiosk/lineup.py; these views parse the form, call them and render. Routes join the admin
blueprint, so its role guard applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class _Part:
    """What retiring and restoring differ in between a service and a window."""

    kind: str  # "service" or "window": the template's wording and the endpoints' names
    active: Callable  # the hall's active ones, which waiting tickets may move to
    waiting: Callable  # the waiting tickets retiring it leaves behind
    find: Callable  # the lookup of a transfer target in the hall
    retire: Callable
    restore: Callable
    listing: str  # the endpoint of the list page

    def retire_url(self, item) -> str:
        return url_for(f"admin.{self.kind}_retire", **{f"{self.kind}_id": item.id})


SERVICES = _Part(
    "service",
    lineup.active_services,
    lineup.waiting_count,
    lineup.find_service,
    lineup.retire_service,
    lineup.restore_service,
    "admin.services_list",
)
WINDOWS = _Part(
    "window",
    lineup.active_windows,
    lineup.targeted_waiting_count,
    lineup.find_window,
    lineup.retire_window,
    lineup.restore_window,
    "admin.windows_list",
)


def _part_and_item(service_id: int | None, window_id: int | None):
    """The service or the window a retire/restore route names (404 when not of this hall)."""
    if service_id is not None:
        return SERVICES, _service(service_id)
    return WINDOWS, _window(window_id)


def _retire_page(part: _Part, item, error: str = "", field: str = ""):
    return render(
        "admin/retire.html",
        "admin/_retire.html",
        kind=part.kind,
        item=item,
        waiting=part.waiting(item),
        others=[other for other in part.active(current_hall()) if other.id != item.id],
        error=error,
        field=field,
        action=part.retire_url(item),
        back=url_for(part.listing),
    )


@bp.get("/services/<int:service_id>/retire", endpoint="service_retire_form")
@bp.get("/windows/<int:window_id>/retire", endpoint="window_retire_form")
def retire_form(service_id: int | None = None, window_id: int | None = None):
    return _retire_page(*_part_and_item(service_id, window_id))


@bp.post("/services/<int:service_id>/retire", endpoint="service_retire")
@bp.post("/windows/<int:window_id>/retire", endpoint="window_retire")
def retire(service_id: int | None = None, window_id: int | None = None):
    part, item = _part_and_item(service_id, window_id)
    try:
        target = _transfer_target(part.find, request.form.get("transfer_to", ""))
        part.retire(
            current_hall(),
            item,
            waiting=request.form.get("waiting", ""),
            transfer_to=target,
            actor=current_staff(),
        )
    except ValidationError as failure:
        return _retire_page(part, item, error_message(failure), failure.field)
    return redirect(url_for(part.listing, saved=1), 303)


@bp.post("/services/<int:service_id>/restore", endpoint="service_restore")
@bp.post("/windows/<int:window_id>/restore", endpoint="window_restore")
def restore(service_id: int | None = None, window_id: int | None = None):
    part, item = _part_and_item(service_id, window_id)
    part.restore(current_hall(), item, current_staff())
    return redirect(url_for(part.listing, saved=1), 303)
