"""Setting a real hall up and keeping its services and windows: creating a hall on a (shared)
database, the first-run page's rules (admin account, name, opening hours with a lunch break,
the first services and windows), the public address the QR codes point at, and adding,
editing, reordering and retiring services and windows. No Flask here: views and scripts call
these functions with plain values.

A service or window with history is never deleted: it is *retired* (`retired_at` set), which
hides it from the kiosk and the consoles and keeps it in reports. Retiring a service that still
has waiting tickets needs a decision: transfer them to another service, or let them finish
(windows keep calling them; the kiosk no longer issues new ones).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import audit, calendar, clock
from .db import write_transaction
from .demo import CALENDAR_2026
from .errors import N_, ValidationError
from .models import (
    Hall,
    QueueEvent,
    Service,
    Staff,
    StaffWindow,
    Ticket,
    Window,
    WindowService,
)
from .passwords import hash_password

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
PREFIX = re.compile(r"^[A-Z]{1,2}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
URL = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?/?$")
MIN_PASSWORD = 8
WAITING_ACTIONS = ("transfer", "finish")


# --- opening hours, public address -------------------------------------------------------------


def validate_hours(opens: str, closes: str, break_starts: str = "", break_ends: str = "") -> dict:
    """Opening hours with an optional lunch break; returns the hall fields."""
    opens, closes = opens.strip(), closes.strip()
    break_starts, break_ends = break_starts.strip(), break_ends.strip()
    for field, value in (("opens_at", opens), ("closes_at", closes)):
        if not HHMM.match(value):
            raise ValidationError(N_("时间应写成 08:30 这样的格式"), field=field)
    if opens >= closes:
        raise ValidationError(N_("关门时间应晚于开门时间"), field="closes_at")
    if bool(break_starts) != bool(break_ends):
        raise ValidationError(N_("午休时间请同时填写开始和结束，或都不填"), field="break_starts_at")
    if break_starts:
        for field, value in (("break_starts_at", break_starts), ("break_ends_at", break_ends)):
            if not HHMM.match(value):
                raise ValidationError(N_("时间应写成 08:30 这样的格式"), field=field)
        if not opens < break_starts < break_ends < closes:
            raise ValidationError(
                N_("午休应在开门和关门之间，且结束晚于开始"), field="break_starts_at"
            )
    return {
        "opens_at": opens,
        "closes_at": closes,
        "break_starts_at": break_starts,
        "break_ends_at": break_ends,
    }


def validate_public_base_url(value: str) -> str:
    """The address residents' phones reach the hall server at, e.g. http://192.168.1.10:8000."""
    value = value.strip().rstrip("/")
    if value and not URL.match(value + "/"):
        raise ValidationError(
            N_("访问地址应写成 http://192.168.1.10:8000 这样的格式"), field="public_base_url"
        )
    return value


def public_base_url(hall: Hall | None, configured: str = "", lan: str = "") -> str:
    """Where QR codes point: the hall setting, else the IT setting, else the LAN address the
    server found at start. Never the request's Host header, which any client can forge."""
    for candidate in (hall.public_base_url if hall else "", configured, lan):
        if candidate:
            return candidate.rstrip("/")
    return "http://127.0.0.1:8000"


# --- halls -------------------------------------------------------------------------------------


def validate_code(code: str) -> str:
    code = code.strip().lower()
    if not CODE.match(code):
        raise ValidationError(
            N_("大厅代码只能用小写字母、数字、- 和 _（最多 32 个）"), field="code"
        )
    return code


def create_hall(code: str, name: str, *, public_base_url: str = "") -> Hall:
    """A new, empty hall (no staff yet: its first-run page creates the admin)."""
    code = validate_code(code)
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationError(N_("请填写大厅名称（最多 60 字）"), field="name")
    base = validate_public_base_url(public_base_url)
    with write_transaction():
        if Hall.get_or_none(Hall.code == code) is not None:
            raise ValidationError(N_("大厅代码 %(code)s 已存在"), field="code", code=code)
        hall = Hall.create(code=code, name=name, public_base_url=base)
        calendar.import_csv(hall, CALENDAR_2026.read_text(encoding="utf-8"))
    return hall


def find_hall(code: str | None) -> Hall | None:
    query = Hall.select()
    return query.where(Hall.code == code).first() if code else query.order_by(Hall.id).first()


def needs_setup(hall: Hall | None) -> bool:
    """A hall without an active admin (or no hall at all) shows the first-run page."""
    if hall is None:
        return True
    admins = Staff.select().where(
        (Staff.hall == hall) & (Staff.role == "admin") & (Staff.active == True)  # noqa: E712
    )
    return not admins.exists()


@dataclass(frozen=True)
class FirstRun:
    hall_name: str
    admin_username: str
    admin_name: str
    password: str
    password_again: str
    hours: dict
    public_base_url: str
    services: list[str]
    windows: int


def parse_first_run(form) -> FirstRun:
    """Check the first-run form; raises ValidationError naming the field."""

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    hall_name = text("hall_name")
    if not hall_name or len(hall_name) > 60:
        raise ValidationError(N_("请填写大厅名称（最多 60 字）"), field="hall_name")
    username = text("admin_username")
    if not USERNAME.match(username):
        raise ValidationError(
            N_("管理员账号请用 2 到 64 个英文字母、数字或 _ . -"), field="admin_username"
        )
    admin_name = text("admin_name")
    if not admin_name or len(admin_name) > 30:
        raise ValidationError(N_("请填写管理员姓名（最多 30 字）"), field="admin_name")
    password = str(form.get("password", ""))
    if len(password) < MIN_PASSWORD:
        raise ValidationError(N_("密码至少 %(count)s 位"), field="password", count=MIN_PASSWORD)
    if password != str(form.get("password_again", "")):
        raise ValidationError(N_("两次输入的密码不一致"), field="password_again")
    hours = validate_hours(
        text("opens_at"), text("closes_at"), text("break_starts_at"), text("break_ends_at")
    )
    base = validate_public_base_url(text("public_base_url"))
    services = [name.strip() for name in re.split(r"[\n,，、]", text("services")) if name.strip()]
    if not services:
        raise ValidationError(N_("请至少填写一项业务，每行一项"), field="services")
    if len(services) > 26 or len(set(services)) != len(services):
        raise ValidationError(N_("业务名称不能重复，最多 26 项"), field="services")
    if any(len(name) > 30 for name in services):
        raise ValidationError(N_("业务名称最多 30 字"), field="services")
    try:
        windows = int(text("windows"))
    except ValueError:
        windows = 0
    if not 1 <= windows <= 99:
        raise ValidationError(N_("窗口数量请填写 1 到 99 之间的整数"), field="windows")
    return FirstRun(hall_name, username, admin_name, password, "", hours, base, services, windows)


def complete_first_run(code: str, setup: FirstRun) -> tuple[Hall, Staff]:
    """Create (or finish) the hall: admin account, name, hours, first services and windows.

    Every window serves every first service, in the order given; staff accounts and finer
    window assignments are made afterwards in 管理."""
    code = validate_code(code)
    with write_transaction():
        hall = Hall.get_or_none(Hall.code == code)
        if hall is not None and not needs_setup(hall):
            raise ValidationError(N_("本大厅已完成首次设置，请登录管理"))
        if hall is None:
            hall = Hall.create(code=code, name=setup.hall_name)
            calendar.import_csv(hall, CALENDAR_2026.read_text(encoding="utf-8"))
        Hall.update(
            name=setup.hall_name, public_base_url=setup.public_base_url, **setup.hours
        ).where(Hall.id == hall.id).execute()
        if Staff.get_or_none((Staff.hall == hall) & (Staff.username == setup.admin_username)):
            raise ValidationError(
                N_("账号 %(name)s 已存在"), field="admin_username", name=setup.admin_username
            )
        admin = Staff.create(
            hall=hall,
            username=setup.admin_username,
            display_name=setup.admin_name,
            role="admin",
            password_hash=hash_password(setup.password),
        )
        services = [add_service(hall, name) for name in setup.services]
        existing = {w.number for w in Window.select().where(Window.hall == hall)}
        number = 0
        for _ in range(setup.windows):
            number += 1
            while number in existing:
                number += 1
            add_window(hall, number, f"{number}号窗口", [s.prefix for s in services])
        audit.record(
            hall,
            admin,
            "hall_first_run",
            "hall",
            hall.code,
            after={
                "name": setup.hall_name,
                "services": setup.services,
                "windows": setup.windows,
                **setup.hours,
            },
        )
    return Hall.get_by_id(hall.id), admin


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
        clash = Service.get_or_none((Service.hall == hall) & (Service.prefix == prefix))
        if clash is not None:
            raise ValidationError(
                N_("号码字母 %(prefix)s 已被“%(name)s”使用"),
                field="prefix",
                prefix=prefix,
                name=clash.name,
            )
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
    return Ticket.select().where((Ticket.service == service) & (Ticket.status == "waiting")).count()


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
    if service.hall_id != hall.id:
        raise ValidationError(N_("该业务不属于本大厅"))
    if service.retired_at is not None:
        raise ValidationError(N_("该业务已停用"))
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
            if (
                transfer_to is None
                or transfer_to.hall_id != hall.id
                or transfer_to.id == service.id
                or transfer_to.retired_at is not None
            ):
                raise ValidationError(N_("请选择要转到的业务"), field="transfer_to")
            tickets = list(
                Ticket.select().where((Ticket.service == service) & (Ticket.status == "waiting"))
            )
            for ticket in tickets:
                Ticket.update(service=transfer_to, version=Ticket.version + 1).where(
                    Ticket.id == ticket.id
                ).execute()
                QueueEvent.create(
                    hall=hall,
                    ticket=ticket,
                    kind="transfer",
                    at=now,
                    staff=actor,
                    from_service=service,
                    to_service=transfer_to,
                    detail="service retired",
                )
            moved = len(tickets)
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
    by_prefix = {
        s.prefix: s
        for s in Service.select().where((Service.hall == hall) & Service.retired_at.is_null())
    }
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
    if window.hall_id != hall.id:
        raise ValidationError(N_("该窗口不属于本大厅"))
    if window.retired_at is not None:
        raise ValidationError(N_("该窗口已停用"))
    with write_transaction():
        targeted = Ticket.select().where(
            (Ticket.target_window == window) & (Ticket.status == "waiting")
        )
        count = targeted.count()
        if count and waiting not in WAITING_ACTIONS:
            raise ValidationError(
                N_("还有 %(count)s 人在等候本窗口，请选择转到其他窗口或由其他窗口办完"),
                field="waiting",
                count=count,
            )
        moved = 0
        if count and waiting == "transfer":
            if (
                transfer_to is None
                or transfer_to.hall_id != hall.id
                or transfer_to.id == window.id
                or transfer_to.retired_at is not None
            ):
                raise ValidationError(N_("请选择要转到的窗口"), field="transfer_to")
            for ticket in list(targeted):
                Ticket.update(target_window=transfer_to, version=Ticket.version + 1).where(
                    Ticket.id == ticket.id
                ).execute()
                QueueEvent.create(
                    hall=hall,
                    ticket=ticket,
                    kind="transfer",
                    at=now,
                    staff=actor,
                    to_window=transfer_to,
                    detail="window retired",
                )
                moved += 1
        if count and waiting == "finish":
            # Any window serving their service calls them; their arrival time is kept.
            for ticket in list(targeted):
                Ticket.update(target_window=None, version=Ticket.version + 1).where(
                    Ticket.id == ticket.id
                ).execute()
                moved += 1
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
