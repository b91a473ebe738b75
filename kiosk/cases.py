"""Matters not finished on the spot (未办结登记 → 受理件): registered from the window console
with a working-day deadline and the first-responsible staff member (首问负责). The full case
workflow (proxy agents, receipts, overdue checks) builds on this module.
"""

from __future__ import annotations

import re
import secrets

from . import calendar, clock
from .errors import N_, ValidationError
from .limits import check_text
from .models import Case, CaseCounter, CaseEvent, Service, Staff, Ticket

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
MAX_DAYS = 60
MAX_SUBJECT = 200  # Case.subject holds 255


def validate_registration(name: str, phone: str, subject: str, days: str) -> dict:
    name, phone, subject = name.strip(), phone.strip().replace(" ", ""), subject.strip()
    if not name:
        raise ValidationError(N_("请填写群众姓名"), field="resident_name")
    if len(name) > 40:
        raise ValidationError(N_("姓名过长"), field="resident_name")
    if not PHONE.match(phone):
        raise ValidationError(
            N_("电话号码格式不对：手机 11 位，座机如 0724-4221000"), field="resident_phone"
        )
    if not subject:
        raise ValidationError(N_("请填写未办结的事项"), field="subject")
    check_text(subject, "subject", MAX_SUBJECT)
    check_text(name, "resident_name", 40)
    try:
        limit = int(days)
    except ValueError:
        raise ValidationError(N_("承诺时限请填写工作日天数"), field="days") from None
    if not 1 <= limit <= MAX_DAYS:
        raise ValidationError(
            N_("承诺时限应在 1 到 %(max)s 个工作日之间"), field="days", max=MAX_DAYS
        )
    return {"resident_name": name, "resident_phone": phone, "subject": subject, "days": limit}


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


def register_case(ticket: Ticket, staff: Staff, data: dict, *, now=None) -> Case:
    """Create the case for a ticket that could not be finished (inside the caller's transaction)."""
    now = now or clock.utcnow()
    hall = ticket.hall
    today = clock.local_date(now, hall.timezone)
    service = Service.get_by_id(ticket.service_id)
    case = Case.create(
        hall=hall,
        kind="case",
        number=next_case_number(hall.id, today),
        tracking_code=secrets.token_urlsafe(12),
        service=service,
        ticket=ticket,
        resident_name=data["resident_name"],
        resident_phone=data["resident_phone"],
        subject=data["subject"],
        first_responsible=ticket.first_staff_id or staff.id,
        accepted_by=staff,
        accepted_at=now,
        time_limit_days=data["days"],
        deadline=calendar.working_days_after(hall, today, data["days"]),
    )
    CaseEvent.create(case=case, at=now, staff=staff, kind="accepted", detail=data["subject"])
    return case
