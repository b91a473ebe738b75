"""Domain functions the admin and staff pages call since issue 15 moved them out of the views:
the hall's today, today's figures per service, the next meeting day, overdue cases, slides,
account and printer rules, and a window's services."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import cases, clock, deliberation, figures, lineup, printer_admin, slides, staffing
from kiosk.errors import ValidationError
from kiosk.models import Case, DisplaySlide, Printer, Service, Staff, Ticket, Window


def test_hall_today_is_the_local_date_of_the_hall(monkeypatch, hall):
    # 20:30 UTC is already the next day in Asia/Shanghai (UTC+8).
    monkeypatch.setattr(clock, "utcnow", lambda: dt.datetime(2026, 11, 24, 20, 30))
    assert clock.hall_today(hall) == dt.date(2026, 11, 25)


def test_today_figures_count_the_days_tickets_per_service_and_status(hall):
    today = dt.date(2026, 11, 24)
    services = list(Service.select().where(Service.hall == hall).order_by(Service.sort_order))
    first, second = services[0], services[1]

    def ticket(service, status, day=today):
        number = Ticket.select().count() + 1
        return Ticket.create(
            hall=hall,
            service=service,
            issued_service=service,
            sequence=number,
            display_number=f"{service.prefix}{number:03d}",
            public_code=f"code{number}",
            local_date=day,
            status=status,
            queue_at=dt.datetime(2026, 11, 24, 1, 0),
        )

    for status in ("waiting", "waiting", "called", "completed", "skipped"):
        ticket(first, status)
    ticket(second, "completed")
    ticket(first, "waiting", day=today - dt.timedelta(days=1))  # another day: not counted

    rows = figures.today_figures(hall, today)
    assert [row["service"] for row in rows] == services  # every service, in the kiosk's order
    assert {k: v for k, v in rows[0].items() if k != "service"} == {
        "issued": 5,
        "waiting": 2,
        "serving": 1,
        "completed": 1,
        "skipped": 1,
    }
    assert rows[1]["issued"] == rows[1]["completed"] == 1
    assert all(row["issued"] == 0 for row in rows[2:])


def test_the_next_meeting_day_is_this_months_until_it_passed(hall):
    assert deliberation.next_meeting_day(hall, dt.date(2026, 11, 2)) == dt.date(2026, 11, 5)
    assert deliberation.next_meeting_day(hall, dt.date(2026, 11, 6)) == dt.date(2026, 12, 7)
    assert deliberation.next_meeting_day(hall, dt.date(2026, 12, 8)) == dt.date(2027, 1, 5)


def test_a_meeting_needs_a_title_and_an_item_a_short_one(hall):
    with pytest.raises(ValidationError) as failure:
        deliberation.create_meeting(hall, dt.date(2026, 12, 7), "  ")
    assert failure.value.field == "title"
    meeting = deliberation.create_meeting(hall, dt.date(2026, 12, 7), "议政会" * 40)
    assert len(meeting.title) == deliberation.TITLE_LIMIT
    deliberation.add_agenda_item(meeting, "停车位")
    deliberation.add_agenda_item(meeting, "健身器材")
    assert [i.title for i in deliberation.agenda_items(meeting)] == ["停车位", "健身器材"]
    with pytest.raises(ValidationError):
        deliberation.add_agenda_item(meeting, "议" * (deliberation.AGENDA_TITLE_LIMIT + 1))


@pytest.mark.parametrize(
    "status, deadline, overdue",
    [
        ("accepted", dt.date(2026, 11, 23), True),
        ("in_progress", dt.date(2026, 11, 24), False),
        ("accepted", None, False),
        ("completed", dt.date(2026, 11, 1), False),
    ],
)
def test_a_case_is_overdue_when_open_and_past_its_deadline(status, deadline, overdue):
    assert (
        cases.is_overdue(Case(status=status, deadline=deadline), dt.date(2026, 11, 24)) is overdue
    )


def test_slides_toggle_and_only_active_ones_show(hall):
    shown = DisplaySlide.create(hall=hall, image="a.jpg", caption="a", position=1)
    hidden = DisplaySlide.create(hall=hall, image="b.jpg", caption="b", position=2)
    assert slides.toggle_slide(hidden, None) is False
    assert slides.active_slides(hall) == [shown]
    assert list(slides.hall_slides(hall)) == [shown, hidden]
    assert slides.find_slide(hall, hidden.id) == hidden
    assert slides.find_slide(hall.id + 1, hidden.id) is None


def test_account_rules(hall):
    admin = Staff.get((Staff.hall == hall) & (Staff.role == "admin"))
    clerk = Staff.get((Staff.hall == hall) & (Staff.role == "staff"))
    base = {"display_name": "新人", "post": "窗口", "phone": "", "active": True, "password": ""}
    with pytest.raises(ValidationError) as failure:
        staffing.check_account(
            hall, None, {**base, "username": clerk.username, "role": "staff"}, admin
        )
    assert failure.value.field == "username"
    with pytest.raises(ValidationError) as failure:
        staffing.check_account(
            hall, admin, {**base, "username": admin.username, "role": "staff"}, admin
        )
    assert failure.value.field == "role"
    data = staffing.check_account(
        hall,
        None,
        {**base, "username": "newbie", "role": "staff", "password": "Tr0ub4dor&3x"},
        admin,
    )
    assert "password" not in data and data["password_hash"]


def test_a_printer_name_is_unique_in_the_hall(hall):
    printer = Printer.create(hall=hall, name="取号机", role="kiosk", connection="{}")
    printer_admin.check_printer_name(hall, printer, "取号机")  # itself: fine
    with pytest.raises(ValidationError) as failure:
        printer_admin.check_printer_name(hall, None, "取号机")
    assert failure.value.field == "name"
    assert [row["printer"] for row in printer_admin.printer_rows(hall)].count(printer) == 1


def test_saving_a_window_checks_number_name_and_letters_then_writes(hall):
    window = Window.get((Window.hall == hall) & (Window.number == 1))
    letters = lineup.service_letters(hall)
    with pytest.raises(ValidationError) as failure:
        lineup.save_window(hall, window, 1, "", letters[:1], None)
    assert failure.value.field == "name"
    with pytest.raises(ValidationError) as failure:
        lineup.save_window(hall, window, 1, "综合窗口", ["ZZ"], None)
    assert failure.value.field == "services"
    lineup.save_window(hall, window, 1, "综合窗口", letters[:2][::-1], None)
    assert lineup.window_prefixes(window) == letters[:2][::-1]
    assert Window.get_by_id(window.id).name == "综合窗口"
