"""Validation of what admins type (no Flask): each function returns clean values or raises
ValidationError naming the field, with a message in Chinese; a form with several bad fields
raises FieldProblems naming every one, so the admin fixes them in one go. Nothing is saved
here."""

from __future__ import annotations

import ipaddress
import json
import re

from .errors import N_, Problems, ValidationError
from .limits import PHONE_NUMBER, check_text, parse_id, require_id
from .words import Role

PRINTER_KINDS = ("network", "usb", "serial", "file", "cups", "win32raw")
DOT_WIDTHS = (384, 512, 576)
ROLE = re.compile(r"^(kiosk|notice|window:\d{1,3})$")
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
HEX_ID = re.compile(r"^(0x)?[0-9A-Fa-f]{1,4}$")


def validate_printer(form) -> dict:
    problems = Problems()
    data: dict = {}
    problems.put(data, "name", _text, form, "name", N_("请填写打印机名称"), 40)
    role = form.get("role", "").strip()
    if not ROLE.match(role):
        problems.add(
            N_("用途应为 kiosk（取号机）、notice（公告）或 window:3（3号窗口）"), field="role"
        )
    kind = form.get("kind", "")
    connection: dict = {"kind": kind}
    with problems.check():
        if kind not in PRINTER_KINDS:
            raise ValidationError(N_("请选择连接方式"), field="kind")
        connection.update(_connection(form, kind))
    dot_width = parse_id(form.get("dot_width", "")) or 0
    if dot_width not in DOT_WIDTHS:
        problems.add(
            N_("纸宽点数应为 384（58 毫米）、512（TM-T88V）或 576（80 毫米）"),
            field="dot_width",
        )
    mode = form.get("mode", "")
    if mode not in ("raster", "text"):
        problems.add(N_("请选择打印方式"), field="mode")
    problems.put(data, "font_path", _text, form, "font_path", "", 255, required=False)
    problems.raise_any()
    return {
        **data,
        "role": role,
        "connection": json.dumps(connection, ensure_ascii=False),
        "dot_width": dot_width,
        "mode": mode,
        "enabled": form.get("enabled") == "on",
    }


def _connection(form, kind: str) -> dict:
    """The connection fields of one kind of printer (the first bad one raises)."""
    if kind == "network":
        host = form.get("host", "").strip()
        try:
            ipaddress.ip_address(host)
        except ValueError:
            # "192.168.1.999" looks like an address, so it is a mistyped one, not a name.
            if not HOSTNAME.match(host) or re.fullmatch(r"[\d.]+", host):
                raise ValidationError(
                    N_("IP 地址或主机名不正确，例如 192.168.1.50"), field="host"
                ) from None
        port = form.get("port", "9100").strip() or "9100"
        port_number = require_id(
            port, "port", high=65535, message=N_("端口应为 1 到 65535 之间的数字，通常是 9100")
        )
        return {"host": host, "port": port_number}
    if kind == "usb":
        vendor, product = form.get("vendor_id", "").strip(), form.get("product_id", "").strip()
        if not HEX_ID.match(vendor) or not HEX_ID.match(product):
            raise ValidationError(
                N_("USB 厂商号和产品号应为十六进制，例如 0x0416 和 0x5011"), field="vendor_id"
            )
        return {"vendor_id": vendor, "product_id": product}
    if kind in ("serial", "file"):
        device = form.get("device", "").strip()
        if not device:
            raise ValidationError(N_("请填写设备路径，例如 COM3 或 /dev/usb/lp0"), field="device")
        if kind == "file":
            from .print_files import check_path

            check_path(device)
            return {"path": device}
        baud = form.get("baudrate", "9600").strip() or "9600"
        if baud not in ("9600", "19200", "38400", "57600", "115200"):
            raise ValidationError(N_("波特率不正确"), field="baudrate")
        return {"device": device, "baudrate": int(baud)}
    printer_name = form.get("printer_name", "").strip()
    if not printer_name:
        raise ValidationError(N_("请填写系统中的打印机名称"), field="printer_name")
    return {"printer_name": printer_name}


# The order the fields stand on the hall and service pages: several problems are listed so.
HALL_FIELDS = (
    "name opens_at closes_at break_starts_at break_ends_at public_base_url kiosk_idle_seconds "
    "print_hold_expiry_minutes consultation_phone supervision_phone announcement_template "
    "priority_streak_limit skip_reactivation_minutes skip_requeue_behind "
    "kiosk_tickets_per_minute wait_alert_minutes rating_scale personal_data_retention_days "
    "complaint_general_days complaint_major_days"
).split()
SERVICE_FIELDS = (
    "name name_en prefix icon daily_cap summary legal_basis conditions handling_type "
    "time_limit_days fees consultation_phone supervision_phone steps materials"
).split()
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
PREFIX = re.compile(r"^[A-Z]{1,2}$")
USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
FORM_WORDS = {
    "原件": "original",
    "复印件": "copy",
    "原件及复印件": "original_and_copy",
    "original": "original",
    "copy": "copy",
    "original_and_copy": "original_and_copy",
}


def _int(form, name: str, low: int, high: int, message: str) -> int:
    return require_id(form.get(name, ""), name, low=low, high=high, message=message)


def _text(form, name: str, message: str, limit: int = 100, required: bool = True) -> str:
    value = str(form.get(name, "")).strip()
    if required and not value:
        raise ValidationError(message, field=name)
    return check_text(value, name, limit)


def validate_hall(form) -> dict:
    from .announcements import validate_template
    from .hall_setup import validate_hours, validate_public_base_url

    problems = Problems()
    data: dict = {}
    problems.put(data, "name", _text, form, "name", N_("请填写大厅名称"), 60)
    with problems.check():
        data.update(
            validate_hours(
                str(form.get("opens_at", "")),
                str(form.get("closes_at", "")),
                str(form.get("break_starts_at", "")),
                str(form.get("break_ends_at", "")),
            )
        )
    problems.put(
        data, "public_base_url", validate_public_base_url, str(form.get("public_base_url", ""))
    )
    numbers = [
        ("kiosk_idle_seconds", 15, 600, N_("请填写 15 到 600 之间的秒数")),
        ("print_hold_expiry_minutes", 1, 1440, N_("请填写 1 到 1440 之间的分钟数")),
        ("priority_streak_limit", 0, 20, N_("请填写 0 到 20 之间的整数")),
        ("skip_reactivation_minutes", 0, 240, N_("请填写 0 到 240 之间的分钟数")),
        ("skip_requeue_behind", 0, 20, N_("请填写 0 到 20 之间的整数")),
        ("kiosk_tickets_per_minute", 0, 120, N_("请填写 0 到 120 之间的整数")),
        ("personal_data_retention_days", 30, 3650, N_("请填写 30 到 3650 之间的天数")),
    ]
    # 意见箱 answer deadlines (issue 13) and the wait alert (issue 14): a form of an older
    # page without them leaves them as they are.
    optional = [
        ("complaint_general_days", 1, 30, N_("请填写合适的天数")),
        ("complaint_major_days", 7, 90, N_("请填写合适的天数")),
        ("wait_alert_minutes", 0, 480, N_("请填写 0 到 480 之间的分钟数")),
    ]
    numbers += [field for field in optional if field[0] in form]
    for name, low, high, message in numbers:
        problems.put(data, name, _int, form, name, low, high, message)
    problems.put(data, "consultation_phone", _text, form, "consultation_phone", "", 30, False)
    problems.put(
        data, "supervision_phone", _text, form, "supervision_phone", N_("请填写监督电话"), 30
    )
    template = str(form.get("announcement_template", "")).strip()
    problems.put(data, "announcement_template", validate_template, template)
    data["weekend_service"] = form.get("weekend_service") == "on"
    data["always_open"] = form.get("always_open") == "on"
    if "rating_scale" in form:
        from .ratings import SCALES

        if form.get("rating_scale") in SCALES:
            data["rating_scale"] = form.get("rating_scale")
        else:
            problems.add(N_("请选择评价方式"), field="rating_scale")
    problems.raise_any(HALL_FIELDS)
    return data


def parse_steps(text: str) -> list[tuple[str, str]]:
    """One step a line: "标题：说明" (the explanation is optional)."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, _, detail = line.replace(":", "：").partition("：")
        if not title.strip():
            raise ValidationError(
                N_("办理流程第 %(line)s 行缺少步骤名称"), field="steps", line=number
            )
        steps.append((title.strip()[:60], detail.strip()))
    if not steps:
        raise ValidationError(N_("请至少填写一个办理步骤"), field="steps")
    return steps


def parse_materials(text: str) -> list[tuple[str, str, int, str]]:
    """One material a line: "名称 | 原件/复印件/原件及复印件 | 份数 | 备注"."""
    materials = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.replace("｜", "|").split("|")]
        if len(parts) < 3 or not parts[0]:
            raise ValidationError(
                N_("所需材料第 %(line)s 行应为“名称 | 原件 | 份数 | 备注”"),
                field="materials",
                line=number,
            )
        form = FORM_WORDS.get(parts[1])
        if form is None:
            raise ValidationError(
                N_("所需材料第 %(line)s 行：“%(value)s”应为原件、复印件或原件及复印件"),
                field="materials",
                line=number,
                value=parts[1],
            )
        copies = parse_id(parts[2], high=20)
        if copies is None:
            raise ValidationError(
                N_("所需材料第 %(line)s 行：份数应为 1 到 20"), field="materials", line=number
            )
        materials.append((parts[0][:60], form, copies, parts[3] if len(parts) > 3 else ""))
    return materials


def validate_service(form) -> dict:
    problems = Problems()
    data: dict = {}
    prefix = str(form.get("prefix", "")).strip().upper()
    if not PREFIX.match(prefix):
        problems.add(N_("号码字母应为 1 到 2 个英文大写字母"), field="prefix")
    handling = form.get("handling_type", "")
    if handling not in ("instant", "promised", "joint", "approval"):
        problems.add(N_("请选择办理方式"), field="handling_type")
    with problems.check():
        days = _int(form, "time_limit_days", 0, 60, N_("承诺时限应为 0 到 60 个工作日"))
        if handling == "promised" and days == 0:
            raise ValidationError(N_("承诺件需要填写承诺时限"), field="time_limit_days")
        data["time_limit_days"] = days
    texts = [
        ("name", N_("请填写业务名称"), 30, True),
        ("name_en", "", 60, False),
        ("icon", N_("请填写一个图标字"), 2, True),
        # Plain text, shown escaped by the templates: storing it through the HTML sanitizer
        # turned "&" and "<" into "&amp;" and "&lt;", which residents then saw (issue 18).
        ("summary", "", 300, False),
        ("legal_basis", N_("请填写设定依据"), 500, True),
        ("conditions", N_("请填写办理条件"), 1000, True),
        ("fees", N_("请填写收费标准（不收费请写“不收费”）"), 100, True),
        ("consultation_phone", "", 30, False),
        ("supervision_phone", "", 30, False),
    ]
    for name, message, limit, required in texts:
        problems.put(data, name, _text, form, name, message, limit, required)
    problems.put(
        data, "daily_cap", _int, form, "daily_cap", 0, 9999, N_("每日号数上限应为 0（不限）到 9999")
    )
    problems.put(data, "steps", parse_steps, str(form.get("steps", "")))
    problems.put(data, "materials", parse_materials, str(form.get("materials", "")))
    problems.raise_any(SERVICE_FIELDS)
    return {
        **data,
        "prefix": prefix,
        "active": form.get("active") == "on",
        "handling_type": handling,
    }


def validate_staff(form, *, new: bool) -> dict:
    problems = Problems()
    data: dict = {}
    username = str(form.get("username", "")).strip().lower()
    if not USERNAME.match(username):
        problems.add(N_("用户名为 2 到 32 位小写字母、数字，以字母开头"), field="username")
    problems.put(data, "display_name", _text, form, "display_name", N_("请填写姓名"), 20)
    problems.put(data, "post", _text, form, "post", N_("请填写岗位"), 30)
    phone = str(form.get("phone", "")).strip()
    if phone and not PHONE_NUMBER.fullmatch(phone):
        problems.add(N_("电话号码格式不对：手机 11 位，座机如 0724-4221000"), field="phone")
    role = Role.of(form.get("role", ""))
    if role is None:
        problems.add(N_("请选择角色"), field="role")
    password = str(form.get("password", ""))
    if new and not password:
        problems.add(N_("新账号需要设置初始密码"), field="password")
    problems.raise_any()
    return {
        "username": username,
        **data,
        "phone": phone,
        "role": role,
        "active": form.get("active") == "on",
        "password": password,
    }
