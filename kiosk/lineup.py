"""Services and windows of a hall: add, edit, reorder, retire and restore (管理 → 业务 / 窗口,
and the first-run page). No Flask here.

A service or window with history is never deleted: it is *retired* (`retired_at` set), which
hides it from the kiosk and the consoles and keeps it in reports. Retiring a service that still
has waiting tickets needs a decision: transfer them to another service (keeping their arrival
time), or let them finish (windows keep calling them; the kiosk issues no new ones). Retiring
a window whose transferred-in tickets still wait sends them to another window, or back to any
window serving their service.
"""

from __future__ import annotations

import datetime as dt
import re

from playhouse.shortcuts import model_to_dict

from . import audit, clock
from .db import write_transaction
from .errors import N_, ValidationError
from .models import (
    Hall,
    ProcedureStep,
    QueueEvent,
    RequiredMaterial,
    Service,
    Staff,
    StaffWindow,
    Ticket,
    Window,
    WindowService,
)
from .words import TicketStatus

PREFIX = re.compile(r"^[A-Z]{1,2}$")
WAITING_ACTIONS = ("transfer", "finish")


# --- services ----------------------------------------------------------------------------------


def _next_prefix(hall: Hall) -> str:
    used = {s.prefix for s in Service.select(Service.prefix).where(Service.hall == hall)}
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if letter not in used:
            return letter
    raise ValidationError(N_("号码字母已用完，请为新业务填写两个字母"), field="prefix")


def add_service(hall: Hall, name: str, prefix: str = "") -> Service:
    """A new service at the end of the kiosk's list; the ticket letter is the next free one."""
    name = name.strip()
    if not name or len(name) > 30:
        raise ValidationError(N_("请填写业务名称（最多 30 字）"), field="name")
    prefix = prefix.strip().upper() or _next_prefix(hall)
    if not PREFIX.match(prefix):
        raise ValidationError(N_("号码字母应为 1 到 2 个大写英文字母"), field="prefix")
    with write_transaction():
        check_prefix_free(hall, prefix)
        if Service.get_or_none((Service.hall == hall) & (Service.name == name)):
            raise ValidationError(N_("已有同名业务“%(name)s”"), field="name", name=name)
        last = Service.select().where(Service.hall == hall).order_by(Service.sort_order.desc())
        order = (last.first().sort_order if last.exists() else 0) + 1
        number = Service.select().where(Service.hall == hall).count() + 1
        code = f"s{number}"
        while Service.get_or_none((Service.hall == hall) & (Service.code == code)):
            number += 1
            code = f"s{number}"
        return Service.create(
            hall=hall,
            code=code,
            prefix=prefix,
            name=name,
            sort_order=order,
            consultation_phone=hall.consultation_phone,
            supervision_phone=hall.supervision_phone,
        )


def move_service(hall: Hall, service: Service, direction: int) -> None:
    """Swap a service with its neighbour in the kiosk's order (direction -1 up, +1 down)."""
    with write_transaction():
        ordered = list(
            Service.select()
            .where((Service.hall == hall) & Service.retired_at.is_null())
            .order_by(Service.sort_order, Service.id)
        )
        ids = [s.id for s in ordered]
        if service.id not in ids:
            return
        index = ids.index(service.id)
        other = index + (-1 if direction < 0 else 1)
        if not 0 <= other < len(ordered):
            return
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, row in enumerate(ordered, start=1):
            Service.update(sort_order=position).where(Service.id == row.id).execute()


def waiting_count(service: Service) -> int:
    return (
        Ticket.select()
        .where((Ticket.service == service) & (Ticket.status == TicketStatus.WAITING))
        .count()
    )


def retire_service(
    hall: Hall,
    service: Service,
    *,
    waiting: str = "",
    transfer_to: Service | None = None,
    actor: Staff | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Retire a service; return how many waiting tickets were transferred.

    With waiting tickets, `waiting` must say what happens to them: "transfer" (to
    `transfer_to`, keeping their arrival time) or "finish" (windows keep calling them)."""
    now = now or clock.utcnow()
    _require_live(service, hall, N_("该业务不属于本大厅"), N_("该业务已停用"))
    moved = 0
    with write_transaction():
        count = waiting_count(service)
        if count and waiting not in WAITING_ACTIONS:
            raise ValidationError(
                N_("还有 %(count)s 人在等候，请选择转到其他业务或让他们办完"),
                field="waiting",
                count=count,
            )
        if count and waiting == "transfer":
            _require_target(transfer_to, hall, service, N_("请选择要转到的业务"))
            moved = _move_waiting(
                Ticket.select().where(
                    (Ticket.service == service) & (Ticket.status == TicketStatus.WAITING)
                ),
                {"service": transfer_to},
                {"from_service": service, "to_service": transfer_to},
                hall=hall,
                actor=actor,
                now=now,
                detail="service retired",
            )
        # `active` (paused or not) stays: windows must still call the tickets left to finish.
        Service.update(retired_at=now).where(Service.id == service.id).execute()
        if waiting != "finish" or not count:
            # Nothing left to call: the windows stop serving it.
            WindowService.delete().where(WindowService.service == service).execute()
        audit.record(
            hall,
            actor,
            "service_retire",
            "service",
            service.code,
            after={
                "waiting": waiting,
                "moved": moved,
                "transfer_to": transfer_to.code if transfer_to else "",
            },
        )
    return moved


def restore_service(hall: Hall, service: Service, actor: Staff | None = None) -> None:
    with write_transaction():
        Service.update(retired_at=None).where(
            (Service.id == service.id) & (Service.hall == hall)
        ).execute()
        audit.record(hall, actor, "service_restore", "service", service.code)


# --- windows -----------------------------------------------------------------------------------


def _services_by_prefix(hall: Hall, prefixes: list[str]) -> list[Service]:
    """The open services named by their letters, in that order; each letter once and known."""
    by_prefix = open_services_by_prefix(hall)
    unknown = [p for p in prefixes if p not in by_prefix]
    if unknown or not prefixes or len(set(prefixes)) != len(prefixes):
        raise ValidationError(
            N_("请按顺序填写本窗口办理的业务字母，如 A,D；没有业务 %(bad)s"),
            field="services",
            bad=",".join(unknown) or "—",
        )
    return [by_prefix[p] for p in prefixes]


def parse_prefixes(text: str) -> list[str]:
    return [p.strip().upper() for p in text.replace("，", ",").split(",") if p.strip()]


def add_window(hall: Hall, number: int, name: str, prefixes: list[str]) -> Window:
    name = name.strip()
    if not 1 <= number <= 999:
        raise ValidationError(N_("窗口号请填写 1 到 999 之间的整数"), field="number")
    if not name or len(name) > 30:
        raise ValidationError(N_("请填写窗口名称（最多 30 字）"), field="name")
    with write_transaction():
        services = _services_by_prefix(hall, prefixes)
        if Window.get_or_none((Window.hall == hall) & (Window.number == number)):
            raise ValidationError(N_("%(number)s 号窗口已存在"), field="number", number=number)
        window = Window.create(hall=hall, number=number, name=name)
        for position, service in enumerate(services, start=1):
            WindowService.create(window=window, service=service, position=position)
    return window


def renumber_window(hall: Hall, window: Window, number: int) -> None:
    """Windows are ordered by their number; changing it moves the window."""
    if not 1 <= number <= 999:
        raise ValidationError(N_("窗口号请填写 1 到 999 之间的整数"), field="number")
    if number == window.number:
        return
    with write_transaction():
        if Window.get_or_none((Window.hall == hall) & (Window.number == number)):
            raise ValidationError(N_("%(number)s 号窗口已存在"), field="number", number=number)
        Window.update(number=number).where(Window.id == window.id).execute()


def _require_live(thing, hall: Hall, elsewhere: str, retired: str) -> None:
    """The service or window to retire: this hall's, and not retired already."""
    if thing.hall_id != hall.id:
        raise ValidationError(elsewhere)
    if thing.retired_at is not None:
        raise ValidationError(retired)


def _require_target(target, hall: Hall, retiring, message: str) -> None:
    """The service or window the waiting tickets go to: another live one of this hall."""
    if (
        target is None
        or target.hall_id != hall.id
        or target.id == retiring.id
        or target.retired_at is not None
    ):
        raise ValidationError(message, field="transfer_to")


def _move_waiting(tickets, change: dict, event: dict, *, hall, actor, now, detail) -> int:
    """Apply `change` to each waiting ticket and record its transfer; return how many moved."""
    tickets = list(tickets)
    for ticket in tickets:
        Ticket.update(version=Ticket.version + 1, **change).where(Ticket.id == ticket.id).execute()
        QueueEvent.create(
            hall=hall, ticket=ticket, kind="transfer", at=now, staff=actor, detail=detail, **event
        )
    return len(tickets)


def retire_window(
    hall: Hall,
    window: Window,
    *,
    waiting: str = "",
    transfer_to: Window | None = None,
    actor: Staff | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Retire a window. Tickets sent to it (transferred to this window) and still waiting go
    to another window ("transfer") or back to any window serving their service ("finish");
    returns how many were moved."""
    now = now or clock.utcnow()
    _require_live(window, hall, N_("该窗口不属于本大厅"), N_("该窗口已停用"))
    with write_transaction():
        sent_here = (Ticket.target_window == window) & (Ticket.status == TicketStatus.WAITING)
        targeted = Ticket.select().where(sent_here)
        count = targeted.count()
        if count and waiting not in WAITING_ACTIONS:
            raise ValidationError(
                N_("还有 %(count)s 人在等候本窗口，请选择转到其他窗口或由其他窗口办完"),
                field="waiting",
                count=count,
            )
        moved = 0
        if count and waiting == "transfer":
            _require_target(transfer_to, hall, window, N_("请选择要转到的窗口"))
            moved = _move_waiting(
                targeted,
                {"target_window": transfer_to},
                {"to_window": transfer_to},
                hall=hall,
                actor=actor,
                now=now,
                detail="window retired",
            )
        if count and waiting == "finish":
            # Any window serving their service calls them; their arrival time is kept (no
            # transfer event: the tickets stay in their own service's line).
            moved = (
                Ticket.update(target_window=None, version=Ticket.version + 1)
                .where(sent_here)
                .execute()
            )
        Window.update(retired_at=now, paused=True).where(Window.id == window.id).execute()
        StaffWindow.delete().where(StaffWindow.window == window).execute()
        audit.record(
            hall,
            actor,
            "window_retire",
            "window",
            window.number,
            after={
                "waiting": waiting,
                "moved": moved,
            },
        )
    return moved


def restore_window(hall: Hall, window: Window, actor: Staff | None = None) -> None:
    with write_transaction():
        Window.update(retired_at=None, paused=False).where(
            (Window.id == window.id) & (Window.hall == hall)
        ).execute()
        audit.record(hall, actor, "window_restore", "window", window.number)


def active_windows(hall: Hall):
    return (
        Window.select()
        .where((Window.hall == hall) & Window.retired_at.is_null())
        .order_by(Window.number)
    )


def active_services(hall: Hall):
    return (
        Service.select()
        .where((Service.hall == hall) & Service.retired_at.is_null())
        .order_by(Service.sort_order, Service.id)
    )


# --- lookups and the admin pages' lists --------------------------------------------------------


def all_services(hall: Hall | int):
    """Every service of the hall (retired ones too) in the kiosk's order."""
    return Service.select().where(Service.hall == hall).order_by(Service.sort_order)


def all_windows(hall: Hall | int):
    """Every window of the hall (retired ones too) by number."""
    return Window.select().where(Window.hall == hall).order_by(Window.number)


def find_service(hall: Hall | int, service_id: int | None) -> Service | None:
    """The service with this id in this hall (another hall's are as good as missing)."""
    if service_id is None:
        return None
    return Service.get_or_none((Service.id == service_id) & (Service.hall == hall))


def find_window(hall: Hall | int, window_id: int | None) -> Window | None:
    """The window with this id in this hall (another hall's are as good as missing)."""
    if window_id is None:
        return None
    return Window.get_or_none((Window.id == window_id) & (Window.hall == hall))


def window_by_number(hall: Hall | int, number: int) -> Window | None:
    return Window.get_or_none((Window.hall == hall) & (Window.number == number))


def reload_window(window: Window) -> Window:
    """The window's row as it is now (another session may have paused it or taken it over)."""
    return Window.get_by_id(window.id)


def windows_with_ids(hall: Hall | int, window_ids: set[int]) -> list[Window]:
    return list(Window.select().where((Window.hall == hall) & Window.id.in_(window_ids)))


def window_numbers_by_id(hall: Hall | int) -> dict[int, int]:
    return {w.id: w.number for w in Window.select().where(Window.hall == hall)}


def service_letters(hall: Hall | int) -> list[str]:
    """The ticket letters of the services open for tickets, sorted (the keypads' letter keys)."""
    return sorted(
        {
            service.prefix
            for service in Service.select(Service.prefix).where(
                (Service.hall == hall) & Service.retired_at.is_null()
            )
        }
    )


def transfer_choices(hall: Hall | int, window: Window) -> tuple:
    """What the console's 转移 form offers: the open services and the other open windows
    (lazy queries: read only when a ticket is served)."""
    services = (
        Service.select(Service.id, Service.prefix, Service.name)
        .where((Service.hall == hall) & Service.retired_at.is_null())
        .order_by(Service.sort_order)
    )
    windows = (
        Window.select(Window.id, Window.number, Window.name)
        .where((Window.hall == hall) & (Window.id != window.id) & Window.retired_at.is_null())
        .order_by(Window.number)
    )
    return services, windows


def window_service_links(window: Window) -> list[WindowService]:
    """The services a window calls, in its calling order, each link with its service."""
    return list(
        WindowService.select(WindowService, Service)
        .join(Service)
        .where(WindowService.window == window)
        .order_by(WindowService.position)
    )


def window_prefixes(window: Window) -> list[str]:
    """The letters of the services a window calls, in its calling order."""
    return [link.service.prefix for link in window.service_links.order_by(WindowService.position)]


def targeted_waiting_count(window: Window) -> int:
    """Tickets transferred to this window that still wait (retiring it has to move them)."""
    return (
        Ticket.select()
        .where((Ticket.target_window == window) & (Ticket.status == TicketStatus.WAITING))
        .count()
    )


def procedure_steps(service: Service) -> list[ProcedureStep]:
    """The service's guide steps in order."""
    return list(service.steps.order_by(ProcedureStep.position))


def required_materials(service: Service) -> list[RequiredMaterial]:
    """The materials the service's guide asks for, in order."""
    return list(service.materials.order_by(RequiredMaterial.position))


def check_prefix_free(hall: Hall | int, prefix: str, service: Service | None = None) -> None:
    """No other service of the hall may have the ticket letter (`service`: the one being
    edited, which may keep its own)."""
    query = (Service.hall == hall) & (Service.prefix == prefix)
    if service is not None:
        query &= Service.id != service.id
    clash = Service.get_or_none(query)
    if clash is not None:
        raise ValidationError(
            N_("号码字母 %(prefix)s 已被“%(name)s”使用"),
            field="prefix",
            prefix=prefix,
            name=clash.name,
        )


MATERIAL_FORM_WORDS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}


def service_form_values(service: Service) -> dict:
    """A service's settings as the admin form shows them (and the audit trail records them):
    its fields, the guide's steps one a line ("标题：说明") and its materials one a line
    ("名称 | 原件 | 份数 | 备注")."""
    values = model_to_dict(service, recurse=False)
    values["steps"] = "\n".join(
        f"{s.title}：{s.detail}" if s.detail else s.title for s in procedure_steps(service)
    )
    values["materials"] = "\n".join(
        " | ".join([m.name, MATERIAL_FORM_WORDS.get(m.form, m.form), str(m.copies), m.note]).rstrip(
            " |"
        )
        for m in required_materials(service)
    )
    values["active"] = "on" if service.active else ""
    return values


def save_service(service: Service, data: dict, actor: Staff | None = None) -> None:
    """A service's settings with its guide, from kiosk/admin_forms.validate_service: the steps
    and the materials replace the old ones. Audited with the form's values before and after."""
    data = dict(data)
    steps, materials = data.pop("steps"), data.pop("materials")
    with write_transaction():
        before = service_form_values(service)
        Service.update(**data).where(Service.id == service.id).execute()
        ProcedureStep.delete().where(ProcedureStep.service == service).execute()
        for position, (title, detail) in enumerate(steps, start=1):
            ProcedureStep.create(service=service, position=position, title=title, detail=detail)
        RequiredMaterial.delete().where(RequiredMaterial.service == service).execute()
        for position, (name, form, copies, note) in enumerate(materials, start=1):
            RequiredMaterial.create(
                service=service, position=position, name=name, form=form, copies=copies, note=note
            )
        audit.record(
            service.hall_id,
            actor,
            "service_save",
            "service",
            service.code,
            before=before,
            after=service_form_values(Service.get_by_id(service.id)),
        )


def open_services_by_prefix(hall: Hall | int) -> dict[str, Service]:
    return {
        s.prefix: s
        for s in Service.select().where((Service.hall == hall) & Service.retired_at.is_null())
    }


def save_window(
    hall: Hall, window: Window, number: int, name: str, prefixes: list[str], actor: Staff | None
) -> None:
    """管理 → 窗口: a window's number, name and the services it calls in this order (by their
    letters). Checked in the form's order (number, name, letters); a new number is taken
    first, then the rest is written and audited."""
    if not 1 <= number <= 999:
        raise ValidationError(N_("窗口号请填写 1 到 999 之间的整数"), field="number")
    if not name or len(name) > 30:
        raise ValidationError(N_("请填写窗口名称（最多 30 字）"), field="name")
    services = _services_by_prefix(hall, prefixes)
    renumber_window(hall, window, number)
    with write_transaction():
        before = {"name": window.name, "services": window_prefixes(window)}
        Window.update(name=name).where(Window.id == window.id).execute()
        WindowService.delete().where(WindowService.window == window).execute()
        for position, service in enumerate(services, start=1):
            WindowService.create(window=window, service=service, position=position)
        audit.record(
            hall,
            actor,
            "window_save",
            "window",
            window.number,
            before=before,
            after={"name": name, "services": prefixes},
        )
