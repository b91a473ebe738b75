"""Setting a real hall up: creating a hall on a (shared) database, the first-run page's rules
(admin account, name, opening hours with a lunch break, the first services and windows), and
the public address the QR codes point at. No Flask here: views and scripts call these
functions with plain values. Services and windows afterwards: kiosk/lineup.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playhouse.shortcuts import model_to_dict

from . import audit, calendar
from .db import write_transaction
from .demo import CALENDAR_2026
from .errors import N_, Problems, ValidationError
from .lineup import add_service, add_window
from .models import Hall, Staff, Window
from .passwords import hash_password
from .words import Role

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
URL = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(:\d{1,5})?/?$")
MIN_PASSWORD = 8
# The order the first-run page asks in: several problems are listed so.
FIRST_RUN_FIELDS = (
    "hall_name opens_at closes_at break_starts_at break_ends_at public_base_url admin_username "
    "admin_name password password_again services windows"
).split()


# --- opening hours, public address -------------------------------------------------------------


def validate_hours(opens: str, closes: str, break_starts: str = "", break_ends: str = "") -> dict:
    """Opening hours with an optional lunch break; returns the hall fields (FieldProblems
    names every bad time at once)."""
    opens, closes = opens.strip(), closes.strip()
    break_starts, break_ends = break_starts.strip(), break_ends.strip()
    problems = Problems()
    times = [("opens_at", opens), ("closes_at", closes)]
    if bool(break_starts) != bool(break_ends):
        problems.add(N_("午休时间请同时填写开始和结束，或都不填"), field="break_starts_at")
    elif break_starts:
        times += [("break_starts_at", break_starts), ("break_ends_at", break_ends)]
    for field, value in times:
        if not HHMM.match(value):
            problems.add(N_("时间应写成 08:30 这样的格式"), field=field)
    if not problems.found:
        if opens >= closes:
            problems.add(N_("关门时间应晚于开门时间"), field="closes_at")
        elif break_starts and not opens < break_starts < break_ends < closes:
            problems.add(N_("午休应在开门和关门之间，且结束晚于开始"), field="break_starts_at")
    problems.raise_any(("opens_at", "closes_at", "break_starts_at", "break_ends_at"))
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
        (Staff.hall == hall) & (Staff.role == Role.ADMIN) & (Staff.active == True)  # noqa: E712
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
    """Check the first-run form; ValidationError naming the field, FieldProblems naming every
    bad field when there are several."""

    def text(name: str) -> str:
        return str(form.get(name, "")).strip()

    problems = Problems()
    hall_name = text("hall_name")
    if not hall_name or len(hall_name) > 60:
        problems.add(N_("请填写大厅名称（最多 60 字）"), field="hall_name")
    hours: dict = {}
    with problems.check():
        hours = validate_hours(
            text("opens_at"), text("closes_at"), text("break_starts_at"), text("break_ends_at")
        )
    base = ""
    with problems.check():
        base = validate_public_base_url(text("public_base_url"))
    username = text("admin_username")
    if not USERNAME.match(username):
        problems.add(N_("管理员账号请用 2 到 64 个英文字母、数字或 _ . -"), field="admin_username")
    admin_name = text("admin_name")
    if not admin_name or len(admin_name) > 30:
        problems.add(N_("请填写管理员姓名（最多 30 字）"), field="admin_name")
    password = str(form.get("password", ""))
    if len(password) < MIN_PASSWORD:
        problems.add(N_("密码至少 %(count)s 位"), field="password", count=MIN_PASSWORD)
    elif password != str(form.get("password_again", "")):
        problems.add(N_("两次输入的密码不一致"), field="password_again")
    services = [name.strip() for name in re.split(r"[\n,，、]", text("services")) if name.strip()]
    if not services:
        problems.add(N_("请至少填写一项业务，每行一项"), field="services")
    elif len(services) > 26 or len(set(services)) != len(services):
        problems.add(N_("业务名称不能重复，最多 26 项"), field="services")
    elif any(len(name) > 30 for name in services):
        problems.add(N_("业务名称最多 30 字"), field="services")
    try:
        windows = int(text("windows"))
    except ValueError:
        windows = 0
    if not 1 <= windows <= 99:
        problems.add(N_("窗口数量请填写 1 到 99 之间的整数"), field="windows")
    problems.raise_any(FIRST_RUN_FIELDS)
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
            role=Role.ADMIN,
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


# --- the hall's settings afterwards (管理 → 大厅设置) ---------------------------------------------


def stored_hall(hall_id: int) -> Hall:
    """The hall's row as stored: not a process's copy (run.py --always-open changes that one,
    which must never be saved with the settings form)."""
    return Hall.get_by_id(hall_id)


def save_settings(hall: Hall, data: dict, actor: Staff | None) -> None:
    """The hall's settings from kiosk/admin_forms.validate_hall, audited before/after."""
    with write_transaction():
        before = model_to_dict(hall, recurse=False)
        Hall.update(**data).where(Hall.id == hall.id).execute()
        audit.record(hall, actor, "hall_save", "hall", hall.code, before=before, after=data)
