"""Matters not finished on the spot (未办结登记 → 受理件) and petitions (信访): registration with a
working-day deadline over the hall's calendar (限时办结), the first-responsible (首问) and the
agent (承办人/代办员), materials received and missing, and the workflow after it: in progress,
completed (how the resident was told, the resident's confirmation), returned with a reason,
transferred to another agent, deadline extended with a reason. Every change writes a
`CaseEvent` (who, when) and an audit entry. No Flask here: callers pass plain values and run
each function inside `write_transaction()`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from . import audit, calendar, clock
from .errors import N_, ValidationError
from .limits import PHONE_NUMBER, check_text, parse_id
from .models import (
    CASE_IS_OPEN,
    Case,
    CaseCounter,
    CaseEvent,
    Hall,
    RequiredMaterial,
    Service,
    Staff,
    Ticket,
)
from .paging import Page, paginate, paginate_chain
from .words import CaseStatus

ID_NUMBER = re.compile(r"^(\d{17}[\dXx]|\d{15})$")
MAX_DAYS = 60
MAX_SUBJECT = 200  # Case.subject holds 255
MAX_NOTE = 500
LOOKUP_DIGITS = 8

# 限时办结 (seed 003): the level that must finish the matter and its working-day range.
LEVELS = {"community": (1, 2), "town": (3, 5), "county": (5, 10)}
LEVEL_LABELS = {
    "community": N_("社区（2个工作日）"),
    "town": N_("镇/街道（3–5个工作日）"),
    "county": N_("县（5–10个工作日）"),
}
STATUS_LABELS = {
    CaseStatus.ACCEPTED: N_("已受理"),
    CaseStatus.IN_PROGRESS: N_("办理中"),
    CaseStatus.COMPLETED: N_("已办结"),
    CaseStatus.RETURNED: N_("已退回"),
    CaseStatus.REJECTED: N_("不予受理"),
    CaseStatus.WITHDRAWN: N_("已撤回"),
}
NOTIFY_CHOICES = {"phone": N_("电话告知"), "sms": N_("短信告知"), "window": N_("窗口当面告知")}
CONFIRM_CHANNELS = ("window", "kiosk", "phone")
PETITION_KINDS = {"simple": N_("简单事项（5个工作日）"), "complex": N_("复杂事项（10个工作日）")}


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(N_("请填写群众姓名"), field="resident_name")
    if len(name) > 40:
        raise ValidationError(N_("姓名过长"), field="resident_name")
    check_text(name, "resident_name", 40)
    return name


def _clean_phone(phone: str, *, required: bool = True) -> str:
    phone = phone.strip().replace(" ", "")
    if not phone and not required:
        return ""
    if not PHONE_NUMBER.fullmatch(phone):
        raise ValidationError(
            N_("电话号码格式不对：手机 11 位，座机如 0724-4221000"), field="resident_phone"
        )
    return phone


def _clean_days(days: str | int, low: int = 1, high: int = MAX_DAYS) -> int:
    limit = parse_id(days, low=0)
    if limit is None:
        raise ValidationError(N_("承诺时限请填写工作日天数"), field="days")
    if not low <= limit <= high:
        raise ValidationError(
            N_("承诺时限应在 %(low)s 到 %(max)s 个工作日之间"), field="days", low=low, max=high
        )
    return limit


def validate_registration(
    name: str, phone: str, subject: str, days: str, **extra: str | list[str]
) -> dict:
    """Check the console's registration form (nothing is written).

    `extra` may hold resident_id_number, level, received, missing and form_token; the service,
    its limit and the agent are checked by `register_case`, which knows the hall.
    """
    name = _clean_name(name)
    phone = _clean_phone(phone)
    subject = subject.strip()
    check_text(subject, "subject", MAX_SUBJECT)
    id_number = str(extra.get("resident_id_number", "") or "").strip().upper()
    if id_number and not ID_NUMBER.match(id_number):
        raise ValidationError(N_("身份证号应为 18 位（或旧版 15 位）"), field="resident_id_number")
    level = str(extra.get("level", "") or "")
    if level and level not in LEVELS:
        raise ValidationError(N_("请选择办结层级"), field="level")
    limit = _clean_days(days)
    token = str(extra.get("form_token", "") or "")[:64]
    return {
        "resident_name": name,
        "resident_phone": phone,
        "resident_id_number": id_number,
        "subject": subject,
        "days": limit,
        "level": level,
        "received": [str(m) for m in extra.get("received", []) or []],
        "missing": [str(m) for m in extra.get("missing", []) or []],
        "form_token": token,
    }


def default_level(days: int) -> str:
    if days <= 2:
        return "community"
    return "town" if days <= 5 else "county"


def next_case_number(hall_id: int, local_day, kind_prefix: str = "SL") -> str:
    """The day's next number, e.g. SL20261125-007, from an atomic per-day counter.

    Call inside a write transaction. One UPSERT … RETURNING bumps the counter (on PostgreSQL it
    row-locks it until commit; on SQLite the IMMEDIATE transaction holds the write lock), so two
    registrations at the same moment get consecutive numbers instead of a duplicate key. The
    first number of a day starts after any case numbered before the counter existed.
    """
    prefix = f"{kind_prefix}{local_day:%Y%m%d}-"
    existing = Case.select().where((Case.hall == hall_id) & Case.number.startswith(prefix)).count()
    cursor = (
        CaseCounter.insert(
            hall=hall_id, prefix=kind_prefix, local_date=local_day, last_number=existing + 1
        )
        .on_conflict(
            conflict_target=[CaseCounter.hall, CaseCounter.prefix, CaseCounter.local_date],
            update={CaseCounter.last_number: CaseCounter.last_number + 1},
        )
        .returning(CaseCounter.last_number)
        .execute()
    )
    return f"{prefix}{next(iter(cursor)).last_number:03d}"


def new_lookup_code(hall_id: int) -> str:
    """Eight random digits for the kiosk keypad (guessing is rate-limited at the kiosk)."""
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(LOOKUP_DIGITS))
        if not Case.select().where((Case.hall == hall_id) & (Case.lookup_code == code)).exists():
            return code


def refuse_double_submission(hall_id: int, token: str) -> None:
    if token and (
        Case.select().where((Case.hall == hall_id) & (Case.form_token == token)).exists()
    ):
        raise ValidationError(N_("该登记已提交过，请勿重复提交"), field="form_token")


def active_agent(hall_id: int, agent_id: int | str | None, fallback: Staff | None) -> Staff:
    """The agent named by the form (any staff member of the hall), or `fallback`; one who has
    left cannot take a case."""
    if agent_id in (None, ""):
        if fallback is None:
            raise ValidationError(N_("请选择承办人"), field="agent")
        return fallback
    agent = None
    if parse_id(agent_id) is not None:
        agent = Staff.get_or_none((Staff.id == parse_id(agent_id)) & (Staff.hall == hall_id))
    if agent is None:
        raise ValidationError(N_("请选择承办人"), field="agent")
    if not agent.active:
        raise ValidationError(
            N_("%(name)s 已离职，不能承办，请选择其他承办人"),
            field="agent",
            name=agent.display_name,
        )
    return agent


def guide_materials(service: Service) -> list[str]:
    return [m.name for m in service.materials.order_by(RequiredMaterial.position)]


def register_case(
    ticket: Ticket | None,
    staff: Staff,
    data: dict,
    *,
    hall: Hall | None = None,
    service: Service | None = None,
    agent: Staff | None = None,
    window_number: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Create the case (inside the caller's transaction), from a ticket or without one.

    The deadline counts `days` working days after today over the hall's calendar, within the
    level's range and the service's committed limit; a deadline beyond the calendar's known
    year is refused rather than guessed.
    """
    now = now or clock.utcnow()
    hall = hall or Hall.get_by_id(ticket.hall_id)
    refuse_double_submission(hall.id, data.get("form_token", ""))
    today = clock.local_date(now, hall.timezone)
    if service is None:
        if ticket is None:
            raise ValidationError(N_("请选择办理事项"), field="service")
        service = Service.get_by_id(ticket.service_id)
    days = data["days"]
    level = data.get("level") or default_level(days)
    low, high = LEVELS[level]
    if data.get("level") and not low <= days <= high:
        raise ValidationError(
            N_("该层级的承诺时限应在 %(low)s 到 %(max)s 个工作日之间"),
            field="days",
            low=low,
            max=high,
        )
    if service.time_limit_days and days > service.time_limit_days:
        raise ValidationError(
            N_("不能超过该事项承诺的 %(max)s 个工作日"), field="days", max=service.time_limit_days
        )
    deadline = calendar.deadline_after(hall, today, days)
    known = set(guide_materials(service))
    received = [m for m in data.get("received", []) if m in known]
    missing = [m for m in data.get("missing", []) if m in known and m not in received]
    first = (ticket.first_staff_id if ticket else None) or staff.id
    case = Case.create(
        hall=hall,
        kind="case",
        number=next_case_number(hall.id, today),
        tracking_code=secrets.token_urlsafe(12),
        lookup_code=new_lookup_code(hall.id),
        service=service,
        ticket=ticket,
        resident_name=data["resident_name"],
        resident_phone=data["resident_phone"],
        resident_id_number=data.get("resident_id_number", ""),
        subject=data["subject"] or service.name,
        first_responsible=first,
        accepted_by=staff,
        agent=agent or staff,
        accepted_at=now,
        level=level,
        window_number=window_number,
        materials_received="\n".join(received),
        materials_missing="\n".join(missing),
        time_limit_days=days,
        deadline=deadline,
        form_token=data.get("form_token", ""),
    )
    CaseEvent.create(case=case, at=now, staff=staff, kind="accepted", detail=case.subject)
    if case.agent_id != staff.id:
        CaseEvent.create(
            case=case, at=now, staff=staff, kind="assigned", from_staff=staff, to_staff=case.agent
        )
    audit.record(
        hall,
        staff,
        "register_case",
        "case",
        case.number,
        after={
            "ticket": ticket.display_number if ticket else "",
            "agent": case.agent.display_name,
            "level": level,
            "deadline": deadline.isoformat(),
        },
        now=now,
    )
    return case


def register_petition(
    hall: Hall,
    staff: Staff,
    *,
    real_name: bool,
    name: str,
    phone: str,
    subject: str,
    description: str,
    complexity: str,
    form_token: str = "",
    window_number: int | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """信访: simple matters within 5 working days, real-name or complex ones within 10."""
    now = now or clock.utcnow()
    today = clock.local_date(now, hall.timezone)
    if complexity not in PETITION_KINDS:
        raise ValidationError(N_("请选择简单或复杂事项"), field="complexity")
    if real_name:
        name, phone = _clean_name(name), _clean_phone(phone)
    else:
        name, phone = "", ""
    subject = subject.strip()
    if not subject:
        raise ValidationError(N_("请填写信访事项"), field="subject")
    check_text(subject, "subject", MAX_SUBJECT)
    check_text(description.strip(), "description", 2000)
    days = 10 if real_name or complexity == "complex" else 5
    refuse_double_submission(hall.id, form_token[:64])
    deadline = calendar.deadline_after(hall, today, days)
    case = Case.create(
        hall=hall,
        kind="petition",
        number=next_case_number(hall.id, today, "XF"),
        tracking_code=secrets.token_urlsafe(12),
        lookup_code=new_lookup_code(hall.id),
        resident_name=name,
        resident_phone=phone,
        real_name=real_name,
        subject=subject,
        description=description.strip(),
        severity=complexity,
        first_responsible=staff,
        accepted_by=staff,
        agent=staff,
        accepted_at=now,
        window_number=window_number,
        time_limit_days=days,
        deadline=deadline,
        form_token=form_token[:64],
    )
    CaseEvent.create(case=case, at=now, staff=staff, kind="accepted", detail=subject)
    audit.record(
        hall,
        staff,
        "register_petition",
        "case",
        case.number,
        after={"deadline": deadline.isoformat(), "real_name": real_name},
        now=now,
    )
    return case


# --- the workflow ---------------------------------------------------------------------------


def _open(case: Case) -> None:
    if case.status not in Case.OPEN_STATUSES:
        raise ValidationError(N_("该件已办结或退回，不能再更改"))


def _agent_present(case: Case) -> None:
    agent = Staff.get_or_none(Staff.id == case.agent_id) if case.agent_id else None
    if agent is None or not agent.active:
        raise ValidationError(N_("承办人已离职，请先改派给其他工作人员"))


def _note(note: str, *, required: bool = False, message: str = N_("请填写说明")) -> str:
    note = note.strip()
    if required and not note:
        raise ValidationError(message, field="note")
    return check_text(note, "note", MAX_NOTE) or note


def _change(
    case: Case,
    staff: Staff,
    kind: str,
    now: dt.datetime,
    detail: str = "",
    from_staff: int | None = None,
    **fields,
) -> Case:
    """Apply `fields` only if the case is still as the caller saw it (same status), record the
    event and the audit entry."""
    before = {"status": case.status, "agent": case.agent_id, "deadline": str(case.deadline)}
    if fields:
        changed = (
            Case.update(**fields)
            .where((Case.id == case.id) & (Case.status == case.status))
            .execute()
        )
        if not changed:
            raise ValidationError(N_("该件的状态已被他人更改，请刷新后再试"))
    CaseEvent.create(
        case=case,
        at=now,
        staff=staff,
        kind=kind,
        detail=detail,
        from_staff=from_staff,
        to_staff=fields.get("agent"),
    )
    after = dict(before)
    after.update({k: str(getattr(v, "id", v)) for k, v in fields.items()})
    audit.record(
        case.hall_id,
        staff,
        f"case_{kind}",
        "case",
        case.number,
        before=before,
        after=after,
        now=now,
    )
    return Case.get_by_id(case.id)


def start(case: Case, staff: Staff, note: str = "", *, now=None) -> Case:
    _open(case)
    _agent_present(case)
    if case.status != CaseStatus.ACCEPTED:
        raise ValidationError(N_("该件已在办理中"))
    return _change(
        case, staff, "started", now or clock.utcnow(), _note(note), status=CaseStatus.IN_PROGRESS
    )


def add_note(case: Case, staff: Staff, note: str, *, now=None) -> Case:
    _open(case)
    return _change(case, staff, "note", now or clock.utcnow(), _note(note, required=True))


def complete(case: Case, staff: Staff, result: str, notified_via: str, *, now=None) -> Case:
    _open(case)
    _agent_present(case)
    if notified_via not in NOTIFY_CHOICES:
        raise ValidationError(N_("请选择如何告知群众"), field="notified_via")
    result = _note(result, required=True, message=N_("请填写办理结果"))
    return _close(
        case, staff, "completed", CaseStatus.COMPLETED, result, now, notified_via=notified_via
    )


def return_case(case: Case, staff: Staff, reason: str, *, now=None) -> Case:
    _open(case)
    reason = _note(reason, required=True, message=N_("退回必须填写原因"))
    return _close(case, staff, "returned", CaseStatus.RETURNED, reason, now)


def _close(case: Case, staff: Staff, kind: str, status: str, result: str, now, **more) -> Case:
    """The case ends, completed or returned: its result (or the reason) is also the step's note."""
    now = now or clock.utcnow()
    return _change(
        case, staff, kind, now, result, status=status, completed_at=now, result=result, **more
    )


def transfer(case: Case, staff: Staff, agent_id, note: str = "", *, now=None) -> Case:
    _open(case)
    agent = active_agent(case.hall_id, agent_id, None)
    if agent.id == case.agent_id:
        raise ValidationError(N_("已是该承办人"), field="agent")
    now = now or clock.utcnow()
    return _change(
        case, staff, "transferred", now, _note(note), from_staff=case.agent_id, agent=agent
    )


def extend(case: Case, staff: Staff, days: str, reason: str, *, now=None) -> Case:
    """Move the deadline on by `days` working days; only with a reason, counted in reports."""
    _open(case)
    extra = _clean_days(days, 1, 30)
    reason = _note(reason, required=True, message=N_("延期必须填写原因"))
    hall = Hall.get_by_id(case.hall_id)
    deadline = calendar.deadline_after(hall, case.deadline, extra)
    reasons = "\n".join(filter(None, [case.extension_reason, reason]))
    return _change(
        case,
        staff,
        "extended",
        now or clock.utcnow(),
        f"+{extra}: {reason}",
        deadline=deadline,
        extended_days=case.extended_days + extra,
        extension_reason=reasons,
    )


def confirm(case: Case, via: str, staff: Staff | None = None, *, now=None) -> Case:
    """The resident confirms the result: at the window (staff), or themselves on the kiosk or
    their phone with the tracking code."""
    if via not in CONFIRM_CHANNELS:
        raise ValidationError(N_("确认方式无效"))
    if case.status != CaseStatus.COMPLETED:
        raise ValidationError(N_("该件尚未办结，暂不能确认"))
    if case.resident_confirmed_at is not None:
        raise ValidationError(N_("已确认过，无需重复确认"))
    now = now or clock.utcnow()
    changed = (
        Case.update(resident_confirmed_at=now, confirmed_via=via)
        .where((Case.id == case.id) & Case.resident_confirmed_at.is_null())
        .execute()
    )
    if not changed:
        raise ValidationError(N_("已确认过，无需重复确认"))
    CaseEvent.create(case=case, at=now, staff=staff, kind="confirmed", detail=via)
    audit.record(case.hall_id, staff, "case_confirmed", "case", case.number, after={"via": via})
    return Case.get_by_id(case.id)


# --- reading --------------------------------------------------------------------------------


def normalize_lookup(code: str) -> str:
    return re.sub(r"\D", "", code or "")[:LOOKUP_DIGITS]


def lookup_guess_target(code: str) -> str | None:
    """What a wrong lookup code counts against (the kiosk's per-target guess limit): the first
    half of its digits, so guesses at one receipt's code are stopped whichever digits vary
    last, while one resident's mistypes do not lock out the others. None for input that cannot
    be a code (it is counted per address only)."""
    code = normalize_lookup(code)
    return code[: LOOKUP_DIGITS // 2] if len(code) == LOOKUP_DIGITS else None


def find_by_lookup(hall: Hall, code: str) -> Case:
    code = normalize_lookup(code)
    case = None
    if len(code) == LOOKUP_DIGITS:
        case = Case.get_or_none((Case.hall == hall) & (Case.lookup_code == code))
    if case is None:
        raise ValidationError(N_("未找到该受理编号，请核对回执上的查询码"), field="code")
    return case


CALENDAR_DAY_KINDS = ("complaint", "suggestion")  # answer deadlines in calendar days


def days_left(case: Case, today: dt.date, hall: Hall | None = None) -> int | None:
    """Working days from today to the deadline (negative when overdue); calendar days for
    complaints and suggestions, whose answer deadlines are in calendar days."""
    counts_working_days = case.deadline is not None and case.kind not in CALENDAR_DAY_KINDS
    if counts_working_days and (hall is None or hall.id != case.hall_id):
        hall = Hall.get_by_id(case.hall_id)
    return days_left_of(hall, [case], today)[0]


def days_left_of(hall: Hall | None, cases: list[Case], today: dt.date) -> list[int | None]:
    """`days_left` of several cases of `hall`, reading its calendar once (and not at all when
    none counts working days)."""
    working = [
        case.deadline
        for case in cases
        if case.deadline is not None and case.kind not in CALENDAR_DAY_KINDS
    ]
    between = (
        calendar.working_days_counter(hall, min([today, *working]), max([today, *working]))
        if working
        else None
    )
    return [
        None
        if case.deadline is None
        else (case.deadline - today).days
        if case.kind in CALENDAR_DAY_KINDS
        else between(today, case.deadline)
        for case in cases
    ]


def open_cases_of(staff: Staff, limit: int | None = None) -> list[Case]:
    """The agent's open cases, nearest deadline first (`limit`: the console shows a few)."""
    query = (
        Case.select()
        .where((Case.hall == staff.hall_id) & (Case.agent == staff) & CASE_IS_OPEN)
        .order_by(Case.deadline, Case.id)
    )
    return list(query.limit(limit) if limit else query)


def history(case: Case) -> list[CaseEvent]:
    return list(case.events.order_by(CaseEvent.at, CaseEvent.id))


CASES_PER_PAGE = 50
# The lists that grow with the years (all the hall's cases, a clerk's finished ones) are counted
# this far at most on a page (20 pages), and further only as far as a later page needs.
CASES_COUNTED_UPTO = 1000


def list_cases(hall: Hall, today: dt.date, *, show: str = "open", page: int = 1) -> Page:
    """One page of the hall's cases for the admin list: open ones only
    (overdue first, then by deadline) or all (newest first). The service comes along (one
    query, not one per row); a year of cases is never loaded at once."""
    from peewee import JOIN
    from peewee import Case as SqlCase

    query = (
        Case.select(Case, Service)
        .join(Service, JOIN.LEFT_OUTER, on=(Case.service == Service.id))
        .where(Case.hall == hall)
    )
    if show == "open":
        overdue_first = SqlCase(None, [(Case.deadline < today, 0)], 1)
        query = query.where(CASE_IS_OPEN).order_by(overdue_first, Case.deadline, Case.id)
        return paginate(query, page, CASES_PER_PAGE)
    return paginate(
        query.order_by(Case.id.desc()), page, CASES_PER_PAGE, count_upto=CASES_COUNTED_UPTO
    )


def is_overdue(case: Case, today: dt.date) -> bool:
    """Open and past its deadline."""
    return case.status in Case.OPEN_STATUSES and case.deadline is not None and case.deadline < today


def cases_of(hall: Hall, staff: Staff, page: int = 1) -> Page:
    """One page of the cases a staff member owns (首问), accepted or handles (我的受理件): open
    ones first, nearest deadline first, then the finished ones newest first. A year of a busy
    window's cases is never loaded, sorted or counted at once: the open ones come through the
    partial index of open cases, the finished ones in id order, counted as far as the page
    needs (`CASES_COUNTED_UPTO`)."""
    mine = (Case.hall == hall) & (
        (Case.first_responsible == staff) | (Case.accepted_by == staff) | (Case.agent == staff)
    )
    return paginate_chain(
        [
            Case.select().where(mine & CASE_IS_OPEN).order_by(Case.deadline, Case.id.desc()),
            Case.select().where(mine & ~CASE_IS_OPEN).order_by(Case.id.desc()),
        ],
        page,
        CASES_PER_PAGE,
        count_upto=CASES_COUNTED_UPTO,
    )


def by_tracking_code(hall: Hall | int, code: str) -> Case | None:
    """The case a receipt's QR code names (the code is unguessable; at most 32 characters)."""
    return Case.get_or_none((Case.tracking_code == code[:32]) & (Case.hall == hall))


def agent_of(case: Case) -> Staff | None:
    """The case's agent (承办人), None when it has none."""
    return Staff.get_or_none(Staff.id == case.agent_id) if case.agent_id else None


def service_of(case: Case) -> Service | None:
    """The service the case is about, None when it names none."""
    return Service.get_or_none(Service.id == case.service_id) if case.service_id else None


def reload(case: Case) -> Case:
    """The case as stored now (an action that failed may have been raced by another)."""
    return Case.get_by_id(case.id)
