"""Residents' personal data (names, phones, ID numbers of cases): masked on screens and prints
(138****1234), shown in full only to those who need it, and purged after the hall's retention
period. No Flask here."""

from __future__ import annotations

import datetime as dt
import re

from . import audit, clock
from .db import write_transaction
from .models import Case, Hall, Staff
from .words import Role

MOBILE = re.compile(r"^1\d{10}$")


def mask_phone(phone: str) -> str:
    """138****1234; landlines keep the area code and the last four digits."""
    phone = (phone or "").strip()
    if MOBILE.match(phone):
        return phone[:3] + "****" + phone[-4:]
    digits = re.sub(r"\D", "", phone)
    if len(digits) <= 4:
        return "*" * len(phone)
    if "-" in phone:
        area, _, number = phone.partition("-")
        return f"{area}-{'*' * (len(number) - 4)}{number[-4:]}"
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_id_number(number: str) -> str:
    number = (number or "").strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """王秀英 → 王*英, 张三 → 张*, a single character stays."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def can_see_personal_data(staff: Staff | None, case: Case) -> bool:
    """Admins, and the staff who accepted the case, own it first or act as its agent."""
    if staff is None:
        return False
    if staff.role == Role.ADMIN:
        return True
    if staff.role != Role.STAFF:
        return False  # supervisors oversee the work, not the residents' details
    return staff.id in (case.accepted_by_id, case.first_responsible_id, case.agent_id)


def shown(case: Case, staff: Staff | None) -> dict[str, str]:
    """The resident's details as this person may see them."""
    if can_see_personal_data(staff, case):
        return {
            "name": case.resident_name,
            "phone": case.resident_phone,
            "id_number": case.resident_id_number,
        }
    return {
        "name": mask_name(case.resident_name),
        "phone": mask_phone(case.resident_phone),
        "id_number": mask_id_number(case.resident_id_number),
    }


def purge_personal_data(hall: Hall, *, now: dt.datetime | None = None) -> int:
    """Blank the personal data of cases finished longer ago than the retention period."""
    now = now or clock.utcnow()
    cutoff = now - dt.timedelta(days=hall.personal_data_retention_days)
    with write_transaction():
        purged = (
            Case.update(
                resident_name="",
                resident_phone="",
                resident_id_number="",
                personal_data_purged_at=now,
            )
            .where(
                (Case.hall == hall)
                & Case.completed_at.is_null(False)
                & (Case.completed_at < cutoff)
                & Case.personal_data_purged_at.is_null()
            )
            .execute()
        )
        if purged:
            audit.record(hall, None, "purge_personal_data", "case", purged, now=now)
    return purged
