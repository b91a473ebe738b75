"""Issue 13 in the domain: working-day deadlines over the hall calendar (Spring Festival and
National Day with their 调休 Saturdays, a year end, registration on a holiday or a make-up
Saturday, an unknown next year refused), and the case workflow with its refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import calendar, cases, clock, complaints, supervision
from kiosk.errors import ValidationError
from kiosk.models import AuditEntry, Case, CaseEvent, Service, Staff


def at_local(day: str, hour: int = 10) -> dt.datetime:
    """Naive UTC for `hour` o'clock on the hall's local `day`."""
    return clock.from_local(dt.datetime.fromisoformat(day).replace(hour=hour), "Asia/Shanghai")


def data(days: int = 5, **extra) -> dict:
    return cases.validate_registration("张三", "13800001111", "低保申请", str(days), **extra)


def register(hall, day: str, days: int, **kwargs):
    staff = Staff.get(Staff.username == "wang")
    service = Service.get(Service.code == "social_assistance")
    return cases.register_case(
        None,
        staff,
        data(days, **kwargs.pop("extra", {})),
        hall=hall,
        service=service,
        now=at_local(day),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("registered", "days", "deadline"),
    [
        # Spring Festival 2026: Sat 14 Feb is a make-up working day, 15-23 Feb are holidays.
        ("2026-02-13", 5, "2026-02-27"),
        ("2026-02-14", 2, "2026-02-25"),  # registered on the make-up Saturday
        ("2026-02-17", 3, "2026-02-26"),  # registered on a holiday
        ("2026-02-25", 3, "2026-02-28"),  # Sat 28 Feb is a make-up working day
        # National Day: Sun 20 Sep and Sat 10 Oct are make-up days, 1-7 Oct holidays.
        ("2026-09-18", 1, "2026-09-20"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-10-03", 5, "2026-10-13"),  # registered during the holiday
    ],
)
def test_deadlines_over_the_holiday_calendar(hall, registered, days, deadline):
    case = register(hall, registered, days)
    assert case.deadline == dt.date.fromisoformat(deadline)
    assert calendar.deadline_after(hall, dt.date.fromisoformat(registered), days) == case.deadline


def test_a_deadline_past_the_known_year_is_refused_until_next_year_is_imported(hall):
    with pytest.raises(ValidationError) as refused:
        register(hall, "2026-12-28", 5)
    assert refused.value.message == "请先导入下一年的节假日安排"
    with pytest.raises(ValidationError):
        register(hall, "2026-12-30", 2)  # 31 Dec, then 1 Jan 2027 is unknown
    assert Case.select().count() == 0
    calendar.import_csv(hall, "date,kind,name\n2027-01-01,休,元旦\n2027-02-06,休,春节\n")
    case = register(hall, "2026-12-28", 5)  # 29, 30, 31 Dec, (1 Jan off), 4, 5 Jan
    assert case.deadline == dt.date(2027, 1, 5)


def test_level_and_service_limits_bound_the_days(hall):
    with pytest.raises(ValidationError) as refused:
        register(hall, "2026-11-25", 4, extra={"level": "community"})
    assert refused.value.field == "days"
    with pytest.raises(ValidationError):  # social assistance commits to 5 working days
        register(hall, "2026-11-25", 8, extra={"level": "county"})
    case = register(hall, "2026-11-25", 3, extra={"level": "town"})
    assert case.level == "town" and case.deadline == dt.date(2026, 11, 30)


def test_registration_keeps_materials_agent_and_refuses_double_submission(hall):
    agent = Staff.get(Staff.username == "chen")
    service = Service.get(Service.code == "social_assistance")
    names = cases.guide_materials(service)
    case = register(
        hall,
        "2026-11-25",
        5,
        agent=agent,
        window_number=1,
        extra={"received": names[:1], "missing": names[1:3] + ["伪造的材料"], "form_token": "t1"},
    )
    assert case.agent_id == agent.id and case.first_responsible.username == "wang"
    assert case.materials_missing.splitlines() == names[1:3]
    assert len(case.lookup_code) == 8 and case.lookup_code.isdigit()
    with pytest.raises(ValidationError) as twice:
        register(hall, "2026-11-25", 5, extra={"form_token": "t1"})
    assert "重复提交" in twice.value.message
    assert Case.select().count() == 1
    assert [e.kind for e in CaseEvent.select().order_by(CaseEvent.id)] == ["accepted", "assigned"]


def test_workflow_with_transfer_extension_completion_and_confirmation(hall):
    wang, chen = Staff.get(Staff.username == "wang"), Staff.get(Staff.username == "chen")
    case = register(hall, "2026-11-25", 5)
    case = cases.start(case, wang, "已联系民政办")
    assert case.status == "in_progress"
    with pytest.raises(ValidationError):
        cases.extend(case, wang, "2", "")  # no reason, no extension
    case = cases.extend(case, wang, "2", "等待入户调查结果")
    assert case.deadline == dt.date(2026, 12, 4) and case.extended_days == 2
    case = cases.transfer(case, wang, chen.id, "陈静负责入户")
    assert case.agent_id == chen.id
    with pytest.raises(ValidationError):
        cases.confirm(case, "kiosk")  # not completed yet
    with pytest.raises(ValidationError):
        cases.complete(case, chen, "", "phone")
    case = cases.complete(case, chen, "低保已批准", "phone")
    assert case.status == "completed" and case.notified_via == "phone"
    with pytest.raises(ValidationError):
        cases.start(case, chen)
    case = cases.confirm(case, "kiosk")
    assert case.confirmed_via == "kiosk" and case.resident_confirmed_at is not None
    with pytest.raises(ValidationError):
        cases.confirm(case, "phone")
    kinds = [e.kind for e in cases.history(case)]
    assert kinds == ["accepted", "started", "extended", "transferred", "completed", "confirmed"]
    transferred = CaseEvent.get(CaseEvent.kind == "transferred")
    assert transferred.from_staff_id == wang.id and transferred.to_staff_id == chen.id
    assert AuditEntry.select().where(AuditEntry.action.startswith("case_")).count() == 5


def test_an_agent_who_left_must_be_replaced_first(hall):
    wang, chen = Staff.get(Staff.username == "wang"), Staff.get(Staff.username == "chen")
    case = register(hall, "2026-11-25", 5, agent=chen)
    Staff.update(active=False).where(Staff.id == chen.id).execute()
    with pytest.raises(ValidationError) as refused:
        cases.start(case, wang)
    assert "请先改派" in refused.value.message
    with pytest.raises(ValidationError):
        cases.active_agent(hall.id, chen.id, None)
    assert Case.get_by_id(case.id).status == "accepted"
    case = cases.transfer(case, wang, wang.id)
    assert cases.start(case, wang).status == "in_progress"


def test_returned_needs_a_reason(hall):
    wang = Staff.get(Staff.username == "wang")
    case = register(hall, "2026-11-25", 5)
    with pytest.raises(ValidationError):
        cases.return_case(case, wang, " ")
    assert cases.return_case(case, wang, "不属于本中心受理范围").status == "returned"


def test_lookup_code_errors_are_plain(hall):
    case = register(hall, "2026-11-25", 5)
    assert cases.find_by_lookup(hall, case.lookup_code).id == case.id
    for wrong in ("", "123", "1234567x", "00000000"):
        with pytest.raises(ValidationError) as missing:
            cases.find_by_lookup(hall, wrong)
        assert missing.value.message.startswith("未找到该受理编号")


def test_petition_deadlines(hall):
    wang = Staff.get(Staff.username == "wang")
    simple = cases.register_petition(
        hall, wang, real_name=False, name="", phone="", subject="路灯不亮",
        description="", complexity="simple", now=at_local("2026-11-25"),
    )  # fmt: skip
    named = cases.register_petition(
        hall, wang, real_name=True, name="李四", phone="13800002222", subject="宅基地纠纷",
        description="", complexity="simple", now=at_local("2026-11-25"),
    )  # fmt: skip
    assert simple.deadline == dt.date(2026, 12, 2) and simple.resident_name == ""
    assert named.deadline == dt.date(2026, 12, 9) and simple.number.startswith("XF")


def test_supervision_board_and_monthly_overdue_list(hall):
    wang = Staff.get(Staff.username == "wang")
    late = register(hall, "2026-11-02", 2)  # due 4 Nov
    soon = register(hall, "2026-11-23", 2)  # due 25 Nov
    later = register(hall, "2026-11-25", 5)  # due 2 Dec
    done_late = register(hall, "2026-11-02", 1)  # due 3 Nov, done 5 Nov
    cases.complete(done_late, wang, "已办", "window", now=at_local("2026-11-05"))
    today = dt.date(2026, 11, 25)
    board = supervision.board(hall, today)
    assert [r.case.id for r in board["overdue"]] == [late.id]
    assert [r.case.id for r in board["due"]] == [soon.id]
    assert later.id not in [r.case.id for r in board["due"] + board["overdue"]]
    assert board["by_agent"] == [("王秀英", 2)]
    rows = supervision.monthly_overdue(hall, "2026-11", today)
    assert {r["case"].id for r in rows} == {late.id, done_late.id}
    assert "受理编号" in supervision.overdue_csv(rows)
    cases.complete(Case.get_by_id(late.id), wang, "已办", "phone")
    assert supervision.board(hall, today)["overdue"] == []


def test_complaint_answered_by_the_hall_head(hall):
    head = complaints.hall_head(hall)
    wang = Staff.get(Staff.username == "wang")
    item = complaints.file_complaint(
        hall,
        category="complaint",
        about="window:1",
        text="等候时间太长",
        now=at_local("2026-11-25"),
    )
    assert item.agent_id == head.id and item.deadline == dt.date(2026, 12, 2)
    assert item.number.startswith("YJ") and item.about == "1号窗口" and not item.real_name
    item = complaints.set_severity(item, head, "major")
    assert item.deadline == dt.date(2026, 12, 25)
    with pytest.raises(ValidationError):
        complaints.answer(item, wang, "不是我")
    with pytest.raises(ValidationError):
        complaints.file_complaint(hall, category="complaint", about="", text=" ")
    item = complaints.answer(item, head, "已增加一个窗口")
    assert item.status == "completed" and item.result == "已增加一个窗口"
    with pytest.raises(ValidationError):
        complaints.answer(item, head, "再答一次")


@pytest.mark.postgres
def test_workflow_and_board_on_postgresql(pg_database):
    from kiosk.demo import load_demo

    hall = load_demo(always_open=True, password_for=lambda _u: "cases-pass-123").hall
    wang = Staff.get(Staff.username == "wang")
    case = register(hall, "2026-11-02", 2, extra={"form_token": "pg-1"})
    assert cases.find_by_lookup(hall, case.lookup_code).id == case.id
    with pytest.raises(ValidationError):
        register(hall, "2026-11-02", 2, extra={"form_token": "pg-1"})
    board = supervision.board(hall, dt.date(2026, 11, 25))
    assert [r.case.id for r in board["overdue"]] == [case.id]
    cases.complete(case, wang, "已办", "phone")
    assert supervision.board(hall, dt.date(2026, 11, 25))["overdue"] == []
    item = complaints.file_complaint(hall, category="suggestion", about="", text="多设座椅")
    assert item.number.startswith("YJ")


def test_migration_12_upgrades_a_database_from_before_it(database):
    from kiosk.migrations import migrate_database
    from kiosk.models import SchemaVersion

    database.execute_sql("DROP INDEX case_hall_id_lookup_code")
    for column in ("lookup_code", "materials_missing", "form_token"):
        database.execute_sql(f'ALTER TABLE "case" DROP COLUMN {column}')
    database.execute_sql("ALTER TABLE hall DROP COLUMN complaint_major_days")
    from kiosk.migrations import MIGRATIONS

    # The database as it was before migration 12 (and whatever came after it).
    SchemaVersion.delete().where(SchemaVersion.version >= 12).execute()
    assert migrate_database() == [version for version, _n, _s in MIGRATIONS if version >= 12]
    columns = {c.name for c in database.get_columns("case")}
    assert {"lookup_code", "materials_missing", "form_token", "level"} <= columns
    assert "complaint_major_days" in {c.name for c in database.get_columns("hall")}
    assert "case_hall_id_lookup_code" in {i.name for i in database.get_indexes("case")}
    assert migrate_database() == []


def test_days_left_of_several_cases_match_each_case_alone(hall):
    """The console reads the calendar once for its list; each figure equals days_left of the
    case alone: a year-old overdue case, one due across National Day, a complaint (calendar
    days) and one with no deadline."""
    old = register(hall, "2026-01-05", 5)
    national_day = register(hall, "2026-09-30", 3)
    complaint = Case.create(
        hall=hall,
        kind="complaint",
        number="TS-1",
        tracking_code="ts-1",
        deadline=dt.date(2026, 9, 1),
    )
    open_ended = Case.create(hall=hall, kind="case", number="SL-X", tracking_code="sl-x")
    listed = [old, national_day, complaint, open_ended]
    for today in (dt.date(2026, 9, 29), dt.date(2026, 10, 9), dt.date(2027, 1, 4)):
        alone = [cases.days_left(case, today, hall) for case in listed]
        assert cases.days_left_of(hall, listed, today) == alone
    # By hand for one day: 9 Oct 2026 → 10 Oct (make-up Saturday) is 1 working day left.
    assert cases.days_left_of(hall, [national_day], dt.date(2026, 10, 9)) == [1]
    assert cases.days_left_of(hall, [], dt.date(2026, 10, 9)) == []
