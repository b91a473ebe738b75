"""The demo hall: a community service centre with the six service categories of the source
documents (社会救助, 计划生育, 土管城建, 劳动保障, 户籍管理, 党建联络), six windows, staff
accounts, printers and the 2026 working-day calendar. Loaded by scripts/run.py into an empty
database, and used by the tests as a realistic hall.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import calendar
from .db import db
from .models import (
    Hall,
    Printer,
    ProcedureStep,
    RequiredMaterial,
    Service,
    Staff,
    StaffWindow,
    Window,
    WindowService,
)
from .passwords import hash_password
from .words import Role

CALENDAR_2026 = Path(__file__).parent / "data" / "calendar-2026-cn.csv"

# (code, prefix, name, name_en, icon, handling_type, working days, basis, conditions, summary,
#  steps, materials[(name, form, copies, note)])
SERVICES = [
    (
        "social_assistance",
        "A",
        "社会救助",
        "Social assistance",
        "救",
        "promised",
        5,
        "《社会救助暂行办法》（国务院令第649号）",
        "本社区户籍居民，家庭人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。",
        "最低生活保障、特困人员供养、临时救助、医疗救助的申请与咨询。",
        [
            ("咨询登记", "窗口说明政策，登记申请人基本情况"),
            ("提交材料", "按一次性告知单提交全部材料，窗口当场核对"),
            ("入户调查", "社区工作人员入户核查家庭收入和财产"),
            ("民主评议与公示", "评议结果在公开栏公示7天"),
            ("审核审批", "报街道（镇）审核、县级民政部门审批"),
            ("办结通知", "电话或短信告知结果，发放救助金"),
        ],
        [
            ("居民身份证", "original_and_copy", 1, "家庭成员每人一份"),
            ("户口簿", "original_and_copy", 1, ""),
            ("家庭收入证明", "original", 1, "单位或社区出具"),
            ("低保申请书", "original", 1, "窗口提供表格"),
            ("银行卡（存折）", "copy", 1, "申请人本人名下"),
        ],
    ),
    (
        "family_planning",
        "B",
        "计划生育",
        "Family planning services",
        "育",
        "promised",
        3,
        "《中华人民共和国人口与计划生育法》",
        "本社区户籍或常住人口，符合相关政策规定。",
        "生育登记、独生子女父母光荣证、计划生育奖励扶助的办理与咨询。",
        [
            ("咨询", "窗口说明办理条件"),
            ("提交材料", "核对身份证件与结婚证"),
            ("登记审核", "社区审核并录入系统"),
            ("发证办结", "领取证件或登记回执"),
        ],
        [
            ("夫妻双方居民身份证", "original_and_copy", 1, ""),
            ("户口簿", "original_and_copy", 1, ""),
            ("结婚证", "original_and_copy", 1, ""),
            ("一寸免冠照片", "original", 2, "办理光荣证时需要"),
        ],
    ),
    (
        "land_construction",
        "C",
        "土管城建",
        "Land and construction",
        "建",
        "promised",
        10,
        "《中华人民共和国土地管理法》《中华人民共和国城乡规划法》",
        "涉及本社区范围内的宅基地、房屋修缮、违章建筑举报等事项。",
        "宅基地申请初审、房屋修缮报备、市容环境与违章建筑受理。",
        [
            ("咨询受理", "窗口登记事项与位置"),
            ("现场勘查", "工作人员到现场核实"),
            ("初审意见", "社区出具初审意见"),
            ("报送审批", "报街道（镇）及自然资源部门审批"),
            ("结果告知", "告知申请人审批结果"),
        ],
        [
            ("居民身份证", "original_and_copy", 1, ""),
            ("户口簿", "original_and_copy", 1, ""),
            ("土地或房屋权属证明", "copy", 1, ""),
            ("申请书及位置示意图", "original", 1, ""),
        ],
    ),
    (
        "labour_security",
        "D",
        "劳动保障",
        "Labour and social security",
        "劳",
        "promised",
        5,
        "《中华人民共和国社会保险法》《中华人民共和国就业促进法》",
        "本社区居民，处于法定劳动年龄或已达退休年龄。",
        "就业失业登记、城乡居民养老保险、医疗保险参保缴费、退休人员资格认证。",
        [
            ("咨询", "窗口说明政策"),
            ("填表提交", "填写登记表并提交材料"),
            ("信息录入", "窗口录入人社系统"),
            ("办结", "当场或承诺时限内办结"),
        ],
        [
            ("居民身份证", "original_and_copy", 1, ""),
            ("户口簿", "copy", 1, ""),
            ("一寸免冠照片", "original", 1, "就业失业登记证需要"),
            ("银行卡（存折）", "copy", 1, ""),
        ],
    ),
    (
        "household_registration",
        "E",
        "户籍管理",
        "Household registration",
        "户",
        "instant",
        0,
        "《中华人民共和国户口登记条例》",
        "本社区户籍居民或在本社区居住的流动人口。",
        "户籍证明、居住证申请、流动人口登记、出生与迁移咨询。",
        [
            ("取号等候", "在取号机选择“户籍管理”"),
            ("窗口核验", "核对身份证件"),
            ("当场办结", "出具证明或登记回执"),
        ],
        [
            ("居民身份证", "original", 1, ""),
            ("户口簿", "original", 1, ""),
            ("租房合同或房产证明", "copy", 1, "办理居住证时需要"),
        ],
    ),
    (
        "party_liaison",
        "F",
        "党建联络",
        "Party liaison",
        "党",
        "instant",
        0,
        "《中国共产党章程》《中国共产党党员教育管理工作条例》",
        "中共党员及入党积极分子。",
        "党组织关系转接、党费缴纳、流动党员登记、入党申请咨询。",
        [
            ("咨询登记", "窗口说明办理要求"),
            ("核对材料", "核对介绍信与党员身份"),
            ("办结", "当场办理接转或登记"),
        ],
        [
            ("党组织关系介绍信", "original", 1, "转入时需要"),
            ("居民身份证", "original", 1, ""),
            ("党员证明材料", "copy", 1, "流动党员登记时需要"),
        ],
    ),
]

# window number → ordered service codes (main service first, then the ones it helps with)
WINDOWS = {
    1: ["social_assistance", "labour_security"],
    2: ["family_planning", "household_registration"],
    3: ["land_construction"],
    4: ["labour_security", "social_assistance"],
    5: ["household_registration", "family_planning"],
    6: ["party_liaison", "land_construction"],
}

STAFF = [
    # username, name, post, phone, role, windows
    ("admin", "刘建国", "中心主任", "0724-4221001", Role.ADMIN, []),
    ("wang", "王秀英", "社会救助专干", "13872001101", Role.STAFF, [1, 4]),
    ("li", "李敏", "计生专干", "13872001102", Role.STAFF, [2, 5]),
    ("zhang", "张卫东", "城建专干", "13872001103", Role.STAFF, [3, 6]),
    ("chen", "陈静", "劳动保障协理员", "13872001104", Role.STAFF, [4, 1]),
    ("zhao", "赵丽华", "户籍协管员", "13872001105", Role.STAFF, [5, 2]),
    ("sun", "孙志强", "党建组织员", "13872001106", Role.STAFF, [6, 3]),
    ("supervisor", "周正", "纪检委员", "13872001199", Role.SUPERVISOR, []),
]


@dataclass
class DemoHall:
    hall: Hall
    passwords: dict[str, str] = field(default_factory=dict)


def announce_passwords(passwords: dict[str, str], stream, instance_path: Path) -> None:
    """Show the demo's first passwords once, at creation, to the person at the terminal.

    Never through logging, and never into a redirected stdout (a service's log file keeps
    them for anyone who reads the log): then they go to a file only the server's user can
    read, and only its path is printed."""
    lines = [f"    {username:<12} {password}" for username, password in passwords.items()]
    if getattr(stream, "isatty", lambda: False)():
        print("Staff accounts (shown once; change them in 管理 → 工作人员):", file=stream)
        print("\n".join(lines), file=stream, flush=True)
        return
    instance_path.mkdir(parents=True, exist_ok=True)
    target = instance_path / "first-passwords.txt"
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("Staff accounts of the demo hall (change them, then delete this file):\n")
        handle.write("\n".join(lines) + "\n")
    print(f"Staff passwords written to {target} (readable by this user only).", file=stream)


def _random_password() -> str:
    return secrets.token_urlsafe(9)


def load_demo(
    *,
    code: str = "demo",
    name: str = "郢中街道社区党群服务中心",
    password_for: Callable[[str], str] | None = None,
    always_open: bool = False,
    printer_host: str = "127.0.0.1",
    printer_port: int = 9100,
) -> DemoHall:
    """Create the demo hall (in one transaction) and return it with the staff passwords."""
    password_for = password_for or (lambda _username: _random_password())
    result: DemoHall
    with db.atomic():
        hall = Hall.create(
            code=code,
            name=name,
            name_en="Community Service Centre",
            address="郢中街道建设路18号",
            consultation_phone="0724-4221000",
            supervision_phone="0724-4229999",
            always_open=always_open,
        )
        result = DemoHall(hall)
        services: dict[str, Service] = {}
        for order, spec in enumerate(SERVICES, start=1):
            (
                code_,
                prefix,
                sname,
                sname_en,
                icon,
                handling,
                days,
                basis,
                conditions,
                summary,
                steps,
                materials,
            ) = spec
            service = Service.create(
                hall=hall,
                code=code_,
                prefix=prefix,
                name=sname,
                name_en=sname_en,
                icon=icon,
                summary=summary,
                sort_order=order,
                handling_type=handling,
                time_limit_days=days,
                legal_basis=basis,
                conditions=conditions,
                fees="不收费",
                consultation_phone=hall.consultation_phone,
                supervision_phone=hall.supervision_phone,
            )
            services[code_] = service
            for position, (title, detail) in enumerate(steps, start=1):
                ProcedureStep.create(service=service, position=position, title=title, detail=detail)
            for position, (mname, form, copies, note) in enumerate(materials, start=1):
                RequiredMaterial.create(
                    service=service,
                    position=position,
                    name=mname,
                    form=form,
                    copies=copies,
                    note=note,
                )
        windows: dict[int, Window] = {}
        for number, codes in WINDOWS.items():
            window = Window.create(hall=hall, number=number, name=services[codes[0]].name + "窗口")
            windows[number] = window
            for position, scode in enumerate(codes, start=1):
                WindowService.create(window=window, service=services[scode], position=position)
        for username, sname, post, phone, role, window_numbers in STAFF:
            password = password_for(username)
            result.passwords[username] = password
            staff = Staff.create(
                hall=hall,
                username=username,
                display_name=sname,
                post=post,
                phone=phone,
                role=role,
                password_hash=hash_password(password),
            )
            for number in window_numbers:
                StaffWindow.create(staff=staff, window=windows[number])
        connection = f'{{"kind": "network", "host": "{printer_host}", "port": {printer_port}}}'
        Printer.create(
            hall=hall,
            name="取号机打印机",
            role="kiosk",
            connection=connection,
            dot_width=576,
            mode="raster",
        )
        calendar.import_csv(hall, CALENDAR_2026.read_text(encoding="utf-8"))
    return result
