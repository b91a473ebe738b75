"""The suggestion box and real-name complaints (意见箱 / 实名投诉), filed at the kiosk or at a
window: a category, what it is about (a window, a staff member or a service), the text, an
optional real name and phone for a call back. Each gets a YJ number from the per-day counter, a
lookup code, an owner (the hall head by default) and an answer deadline in calendar days from
the hall's settings (general: a week; major: a month). The answer is recorded and shown through
the lookup code. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import secrets

from . import audit, clock
from .cases import _clean_name, _clean_phone, new_lookup_code, next_case_number
from .errors import N_, ValidationError
from .limits import check_text
from .models import Case, CaseEvent, Hall, Service, Staff, Window
from .words import CaseStatus, Role

CATEGORIES = {"complaint": N_("投诉"), "suggestion": N_("建议"), "praise": N_("表扬")}
SEVERITIES = {"general": N_("一般事项（7天内答复）"), "major": N_("重大事项（一个月内答复）")}
PHRASES = (
    N_("等候时间太长"),
    N_("工作人员态度不好"),
    N_("材料要求没有一次说清楚"),
    N_("希望增加延时服务"),
    N_("希望增加座位"),
    N_("服务很好，表示感谢"),
)
MAX_TEXT = 1000


def hall_head(hall: Hall) -> Staff | None:
    """The owner of complaints by default: the hall's first active admin (the hall head)."""
    return (
        Staff.select()
        .where((Staff.hall == hall) & (Staff.role == Role.ADMIN) & (Staff.active == True))  # noqa: E712
        .order_by(Staff.id)
        .first()
    )


def answer_deadline(hall: Hall, filed_on: dt.date, severity: str) -> dt.date:
    days = hall.complaint_major_days if severity == "major" else hall.complaint_general_days
    return filed_on + dt.timedelta(days=days)


def about_label(hall: Hall, about: str) -> str:
    """'window:3', 'staff:5', 'service:2' as the words stored on the case."""
    kind, _, ident = (about or "").partition(":")
    if not ident.isdigit():
        return ""
    if kind == "window":
        window = Window.get_or_none((Window.hall == hall) & (Window.number == int(ident)))
        return f"{window.number}号窗口" if window else ""
    if kind == "staff":
        staff = Staff.get_or_none((Staff.hall == hall) & (Staff.id == int(ident)))
        return staff.display_name if staff else ""
    if kind == "service":
        service = Service.get_or_none((Service.hall == hall) & (Service.id == int(ident)))
        return service.name if service else ""
    return ""


def file_complaint(
    hall: Hall,
    *,
    category: str,
    about: str,
    text: str,
    name: str = "",
    phone: str = "",
    severity: str = "general",
    staff: Staff | None = None,
    window_number: int | None = None,
    form_token: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """File one item (inside the caller's transaction); nothing is written on bad input."""
    now = now or clock.utcnow()
    if category not in CATEGORIES:
        raise ValidationError(N_("请选择类别：投诉、建议或表扬"), field="category")
    if severity not in SEVERITIES:
        raise ValidationError(N_("请选择事项的轻重"), field="severity")
    text = text.strip()
    if not text:
        raise ValidationError(N_("请填写内容，可点选常用语"), field="text")
    check_text(text, "text", MAX_TEXT)
    name, phone = name.strip(), phone.strip()
    real_name = bool(name or phone)
    if real_name:
        name, phone = _clean_name(name), _clean_phone(phone)
    label = about_label(hall, about)
    if form_token and (
        Case.select().where((Case.hall == hall) & (Case.form_token == form_token[:64])).exists()
    ):
        raise ValidationError(N_("该登记已提交过，请勿重复提交"), field="form_token")
    today = clock.local_date(now, hall.timezone)
    owner = hall_head(hall)
    case = Case.create(
        hall=hall,
        kind="complaint" if category == "complaint" else "suggestion",
        number=next_case_number(hall.id, today, "YJ"),
        tracking_code=secrets.token_urlsafe(12),
        lookup_code=new_lookup_code(hall.id),
        category=category,
        about=label,
        subject=(label + "：" if label else "") + text[:60],
        description=text,
        real_name=real_name,
        resident_name=name,
        resident_phone=phone,
        severity=severity,
        accepted_by=staff,
        first_responsible=staff or owner,
        agent=owner,
        accepted_at=now,
        window_number=window_number,
        deadline=answer_deadline(hall, today, severity),
        form_token=form_token[:64],
    )
    CaseEvent.create(case=case, at=now, staff=staff, kind="accepted", detail=CATEGORIES[category])
    audit.record(
        hall,
        staff,
        "file_complaint",
        "case",
        case.number,
        after={"category": category, "about": label, "deadline": case.deadline.isoformat()},
        now=now,
    )
    return case


def may_answer(case: Case, staff: Staff) -> bool:
    return staff.role == Role.ADMIN or (staff.role == Role.STAFF and staff.id == case.agent_id)


def answer(case: Case, staff: Staff, text: str, *, now: dt.datetime | None = None) -> Case:
    """Record the answer; the resident reads it through the lookup code."""
    if case.kind not in ("complaint", "suggestion"):
        raise ValidationError(N_("这不是意见建议"))
    if not may_answer(case, staff):
        raise ValidationError(N_("只有负责人或中心主任可以答复"))
    if case.status not in Case.OPEN_STATUSES:
        raise ValidationError(N_("已答复过，不能重复答复"))
    text = text.strip()
    if not text:
        raise ValidationError(N_("请填写答复内容"), field="answer")
    check_text(text, "answer", MAX_TEXT)
    now = now or clock.utcnow()
    changed = (
        Case.update(status=CaseStatus.COMPLETED, completed_at=now, result=text)
        .where((Case.id == case.id) & Case.status.in_(Case.OPEN_STATUSES))
        .execute()
    )
    if not changed:
        raise ValidationError(N_("已答复过，不能重复答复"))
    CaseEvent.create(case=case, at=now, staff=staff, kind="answered", detail=text)
    audit.record(case.hall_id, staff, "answer_complaint", "case", case.number, now=now)
    return Case.get_by_id(case.id)


def set_severity(case: Case, staff: Staff, severity: str, *, now=None) -> Case:
    """The owner marks a matter major (answer within a month) or general again."""
    if severity not in SEVERITIES:
        raise ValidationError(N_("请选择事项的轻重"), field="severity")
    if case.status not in Case.OPEN_STATUSES:
        raise ValidationError(N_("已答复过，不能重复答复"))
    now = now or clock.utcnow()
    hall = Hall.get_by_id(case.hall_id)
    filed = clock.local_date(case.accepted_at, hall.timezone)
    deadline = answer_deadline(hall, filed, severity)
    Case.update(severity=severity, deadline=deadline).where(Case.id == case.id).execute()
    CaseEvent.create(case=case, at=now, staff=staff, kind="severity", detail=severity)
    audit.record(
        case.hall_id,
        staff,
        "complaint_severity",
        "case",
        case.number,
        after={"severity": severity, "deadline": deadline.isoformat()},
        now=now,
    )
    return Case.get_by_id(case.id)
