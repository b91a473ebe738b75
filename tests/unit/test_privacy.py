"""Masking of residents' personal data, who may see it in full, and the retention purge."""

from __future__ import annotations

import datetime as dt

import pytest
from support import accepted_case

from kiosk import privacy
from kiosk.models import AuditEntry, Case, Staff


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("13812341234", "138****1234"),
        ("0724-4221000", "0724-***1000"),
        ("4221000", "***1000"),
        ("", ""),
    ],
)
def test_phones(raw, masked):
    assert privacy.mask_phone(raw) == masked


@pytest.mark.parametrize(
    "raw, masked", [("王秀英", "王*英"), ("张三", "张*"), ("欧阳娜娜", "欧**娜"), ("李", "李")]
)
def test_names(raw, masked):
    assert privacy.mask_name(raw) == masked


def test_id_numbers():
    assert privacy.mask_id_number("420881199001011234") == "4208**********1234"


def make_case(hall, number: str, completed_days_ago: int | None) -> Case:
    now = dt.datetime(2026, 11, 24, 2, 0)
    completed = now - dt.timedelta(days=completed_days_ago) if completed_days_ago else None
    return accepted_case(
        number,
        hall=hall,
        resident_name="张三",
        resident_phone="13800001111",
        resident_id_number="420881199001011234",
        completed_at=completed,
        status="completed" if completed else "accepted",
    )


def test_who_sees_what(hall):
    case = make_case(hall, "SL1", None)
    wang, li = Staff.get(Staff.username == "wang"), Staff.get(Staff.username == "li")
    admin, supervisor = (
        Staff.get(Staff.username == "admin"),
        Staff.get(Staff.username == "supervisor"),
    )
    assert privacy.shown(case, wang)["phone"] == "13800001111"
    assert privacy.shown(case, admin)["name"] == "张三"
    assert privacy.shown(case, li) == {
        "name": "张*",
        "phone": "138****1111",
        "id_number": "4208**********1234",
    }
    assert privacy.shown(case, supervisor)["phone"] == "138****1111"
    assert privacy.shown(case, None)["name"] == "张*"


def test_purge_only_old_finished_cases_and_audit_it(hall):
    old = make_case(hall, "SL-old", 400)
    recent = make_case(hall, "SL-recent", 10)
    open_case = make_case(hall, "SL-open", None)
    now = dt.datetime(2026, 11, 24, 2, 0)
    assert privacy.purge_personal_data(hall, now=now) == 1
    assert Case.get_by_id(old.id).resident_name == ""
    assert Case.get_by_id(old.id).personal_data_purged_at == now
    assert Case.get_by_id(recent.id).resident_phone == "13800001111"
    assert Case.get_by_id(open_case.id).resident_name == "张三"
    assert AuditEntry.get(AuditEntry.action == "purge_personal_data").object_id == "1"
    assert privacy.purge_personal_data(hall, now=now) == 0
