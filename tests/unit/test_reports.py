"""The three reports checked against figures computed by hand on a small fixed day.

Day D = 2026-11-24 (a Tuesday), Asia/Shanghai; UTC times below (local = UTC + 8 h).
  T1 社会救助 issued 01:00, called at window 1 (王秀英) 01:10, completed 01:15   wait 10, handling 5
  T2 社会救助 issued 01:02, called at window 1 01:16, skipped 01:18 (no-show)  wait 14
  T3 社会救助 issued 01:05, called at window 1 01:19, transferred to 劳动保障 01:20,
     called at window 4 (陈静) 01:30, completed 01:40                           wait 14, handling 10
  T4 土管城建 issued 01:10, called at window 3 (张卫东) 01:20, skipped 01:21, re-activated 01:25,
     called again 01:30, completed 01:50 (not a no-show)                        wait 10, handling 20
  T5 劳动保障 issued 01:12, still waiting.
Ratings: T1 满意 on the national scale (8 points, level 4); the hall then switches to the 10-point
scale: T3 差 (4, a follow-up due 2026-12-01 = 5 working days), T4 好 (10).
Cases: three accepted on D (deadlines 11-25, 11-30, 11-26): one completed late on 11-26, one on
time on 11-25, one still open; and a major complaint.
A ticket of the previous week (2026-11-17) for the weekly comparison.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from report_data import D, at, build_day, service, staff

from kiosk import clock, ratings, reports
from kiosk.errors import ValidationError
from kiosk.models import Case, Rating, RatingFollowUp


@pytest.fixture
def day(hall):
    return build_day(hall)


def rows_by_name(section):
    return {row["name"]: row for row in section.rows}


def test_daily_report_matches_the_hand_computed_day(day):
    report = reports.daily_report(day, D)
    assert not report.empty
    by_service = rows_by_name(report.sections[0])
    sa, ls, lc, total = (
        by_service["社会救助"],
        by_service["劳动保障"],
        by_service["土管城建"],
        by_service["合计"],
    )
    pick = ("issued", "served", "no_shows", "transfers")
    assert [sa[k] for k in pick] == [2, 1, 1, 1]
    assert [ls[k] for k in pick] == [2, 1, 0, 0]
    assert [lc[k] for k in pick] == [1, 1, 0, 0]
    assert [total[k] for k in pick] == [5, 3, 1, 1]
    assert (sa["wait_mean"], sa["wait_p90"]) == (Decimal("12.0"), Decimal("14.0"))
    assert (total["wait_mean"], total["wait_p90"]) == (Decimal("12.0"), Decimal("14.0"))
    assert (total["handling_mean"], total["handling_p90"]) == (Decimal("11.7"), Decimal("20.0"))
    assert (lc["handling_mean"], ls["handling_mean"]) == (Decimal("20.0"), Decimal("10.0"))
    assert (total["cases_registered"], total["cases_completed"]) == (3, 0)
    # Ratings: 8 (national 满意) + 4 (差) + 10 (好) over 3 raters.
    assert (total["raters"], total["score"], total["satisfaction_rate"]) == (
        3,
        Decimal("7.33"),
        Decimal("66.7"),
    )
    assert (sa["score"], ls["score"], lc["score"]) == (
        Decimal("8.00"),
        Decimal("4.00"),
        Decimal("10.00"),
    )
    by_window = rows_by_name(report.sections[1])
    assert [by_window["1 号窗口"][k] for k in ("served", "no_shows", "transfers")] == [1, 1, 1]
    assert by_window["4 号窗口"]["poor_ratings"] == 1
    by_staff = rows_by_name(report.sections[2])
    assert (
        by_staff["王秀英"]["score"],
        by_staff["陈静"]["score"],
        by_staff["张卫东"]["score"],
    ) == (
        Decimal("8.00"),
        Decimal("4.00"),
        Decimal("10.00"),
    )


def test_weekly_report_compares_with_the_previous_week(day):
    report = reports.period_report(day, reports.period_of("week", D))
    assert report.period.start == dt.date(2026, 11, 23)
    rows = rows_by_name(report.sections[0])
    sa = rows["社会救助"]
    assert (sa["issued"], sa["issued_prev"], sa["issued_change"]) == (2, 1, 1)
    assert (sa["wait_mean"], sa["wait_mean_prev"]) == (Decimal("12.0"), Decimal("6.0"))
    assert rows["合计"]["issued_change"] == 4
    ranking = report.sections[3].rows
    assert [row["name"] for row in ranking] == ["3 号窗口", "1 号窗口", "4 号窗口"]
    assert [row["rank"] for row in ranking] == [1, 2, 3]


def test_monthly_case_figures_and_the_major_report(day):
    month = reports.period_report(day, reports.period_of("month", D))
    assert "—" not in rows_by_name(month.sections[0])  # every row is a service or the total
    total = rows_by_name(month.sections[0])["合计"]
    assert (total["cases_registered"], total["cases_completed"]) == (3, 2)
    report = reports.major_report(day, reports.period_of("month", D), today=dt.date(2026, 12, 1))
    summary = report.sections[0].rows[0]
    assert summary["completion_rate"] == Decimal("66.7")  # 2 of 3 completed
    assert (summary["completed_late"], summary["on_time_rate"]) == (1, Decimal("50.0"))
    assert (summary["major"], summary["complaints"], summary["overdue"]) == (1, 1, 1)
    assert (summary["poor_ratings"], summary["followed_up_in_time"]) == (1, 0)
    follow_up = RatingFollowUp.get()
    ratings.close_follow_up(
        follow_up, "已电话回访，整改到位", staff("admin"), now=at(2, 0, dt.date(2026, 11, 30))
    )
    report = reports.major_report(day, reports.period_of("month", D), today=dt.date(2026, 12, 1))
    assert report.sections[0].rows[0]["followed_up_in_time"] == 1


def test_a_ticket_is_rated_once_and_a_poor_rating_opens_a_follow_up(day):
    t1 = Rating.get(Rating.grade == "satisfied").ticket
    with pytest.raises(ValidationError, match="只能评价一次"):
        ratings.rate_ticket(day, t1, "good", now=at(3, 0))
    poor = Rating.get(Rating.grade == "poor")
    assert (poor.scale, poor.score, poor.level) == ("ten_point", 4, 2)
    follow_up = RatingFollowUp.get(RatingFollowUp.rating == poor)
    assert (follow_up.status, follow_up.deadline) == ("open", dt.date(2026, 12, 1))
    national = Rating.get(Rating.grade == "satisfied")
    assert (national.scale, national.score, national.level) == ("national", 8, 4)
    assert Rating.select().count() == 3 and RatingFollowUp.select().count() == 1


def test_a_day_without_data_says_so_and_bad_periods_are_refused(day):
    assert reports.daily_report(day, dt.date(2026, 11, 1)).empty
    with pytest.raises(ValidationError, match="日期格式不正确"):
        reports.parse_period("day", "2026-13-01", today=D)
    with pytest.raises(ValidationError, match="未知的报表周期"):
        reports.parse_period("year", "", today=D)
    assert reports.parse_period("month", "2026-11", today=D).start == dt.date(2026, 11, 1)


def percent(flags: list[bool]) -> Decimal | None:
    if not flags:
        return None
    return (Decimal(sum(flags)) * 100 / len(flags)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def test_chart_series(day):
    week = reports.period_of("week", D)
    per_day = dict((d, issued) for d, issued, _served in reports.tickets_per_day(day, week))
    assert per_day[D] == 5 and per_day[dt.date(2026, 11, 23)] == 0
    assert reports.waits_by_hour(day, week) == [(9, Decimal("12.0"), 4)]
    trend = dict(reports.satisfaction_by_day(day, week))
    assert trend[D] == Decimal("66.7") and trend[dt.date(2026, 11, 25)] is None
    months = dict((m, rate) for m, rate, _on_time in reports.completion_by_month(day, D, 2))
    assert months == {"2026-10": None, "2026-11": Decimal("66.7")}
    # Counted in SQL; checked against the cases themselves, month by month, in Python.
    for month, rate, on_time in reports.completion_by_month(day, D, 2):
        accepted, done = [], []
        for case in Case.select().where(Case.kind == "case"):
            if f"{clock.to_local(case.accepted_at, 'Asia/Shanghai'):%Y-%m}" == month:
                accepted.append(case.status == "completed")
            if case.status == "completed" and case.completed_at is not None:
                done_on = clock.local_date(case.completed_at, "Asia/Shanghai")
                if f"{done_on:%Y-%m}" == month:
                    done.append(case.deadline is None or done_on <= case.deadline)
        assert rate == percent(accepted) and on_time == percent(done)
    assert reports.completion_by_month(day, D, 1)[0][2] == Decimal("50.0")  # one of 2 late


def test_live_state_raises_a_wait_alert(day):
    state = reports.live_state(day, now=at(1, 45))
    labour = next(row for row in state["services"] if row["service"].code == "labour_security")
    assert (labour["waiting"], labour["longest_minutes"], labour["alert"]) == (1, 33, True)
    assert state["alerts"][0]["kind"] == "wait"
    assert reports.wait_alerts(day, [service("labour_security").id], now=at(1, 45)) == [
        ("劳动保障", 33)
    ]
    assert reports.wait_alerts(day, [service("labour_security").id], now=at(1, 30)) == []


def test_a_case_is_rated_once_and_the_database_refuses_a_second_rating(day):
    from peewee import IntegrityError

    from kiosk.db import db
    from kiosk.models import Case

    late = Case.get(Case.number == "SL1")
    rating = ratings.rate_case(day, late, "poor", now=at(4, 0, dt.date(2026, 11, 26)))
    assert (rating.case_id, rating.score, rating.staff_id) == (late.id, 4, None)
    assert RatingFollowUp.select().where(RatingFollowUp.rating == rating).exists()
    with pytest.raises(ValidationError, match="只能评价一次"):
        ratings.rate_case(day, late, "good")
    with pytest.raises(ValidationError, match="尚未办结"):
        ratings.rate_case(day, Case.get(Case.number == "SL3"), "good")
    # Two screens racing past the check still get one rating: the unique index decides.
    with pytest.raises(IntegrityError), db.atomic():
        Rating.create(hall=day, case=late, score=10, level=5, local_date=D)
    ticket_rating = Rating.get(Rating.grade == "good")
    with pytest.raises(IntegrityError), db.atomic():
        Rating.create(hall=day, ticket=ticket_rating.ticket_id, score=10, level=5, local_date=D)
