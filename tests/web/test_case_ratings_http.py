"""A completed case is rated once, on the hall's current scale, from the phone page (the QR
code on the receipt) and from the kiosk's 办件查询 (the lookup code): a second rating is
refused with a clear message and changes nothing; a poor rating opens a 回访/整改 follow-up."""

from __future__ import annotations

from test_cases_http import fixed_clock, open_case, register, step, text  # noqa: F401
from test_staff_http import client_at, token_of

from kiosk.db import db
from kiosk.models import Case, Hall, Rating, RatingFollowUp, Staff


def completed_case(client) -> Case:
    case, _token = open_case(client)
    step(client, case, "complete", result="已批准", notified_via="phone")
    return Case.get_by_id(case.id)


def completed_at_a_ten_point_kiosk(app, client) -> tuple[Case, object, str]:
    """A completed case in a hall on the ten-point scale, a kiosk's client and its CSRF token."""
    db.connect(reuse_if_open=True)
    Hall.update(rating_scale="ten_point").execute()
    case = completed_case(client)
    kiosk = client_at(app, "10.0.0.9")
    return case, kiosk, token_of(kiosk, "/cases")


def test_phone_rates_a_completed_case_once_and_a_poor_rating_is_followed_up(app, client):
    case = completed_case(client)
    phone = app.test_client()
    page = phone.get(f"/c/{case.tracking_code}")
    assert "请为本次办理评价" in text(page)
    assert "非常不满意" in text(page)  # the national scale, the hall's default
    token = token_of(phone, f"/c/{case.tracking_code}")
    rated = phone.post(
        f"/c/{case.tracking_code}/rate",
        data={"csrf_token": token, "grade": "dissatisfied", "attitude": "2"},
        follow_redirects=True,
    )
    assert rated.status_code == 200
    assert "感谢您的评价" in text(rated) and "请为本次办理评价" not in text(rated)
    rating = Rating.get()
    assert (rating.case_id, rating.level, rating.attitude, rating.source) == (
        case.id,
        2,
        2,
        "phone",
    )
    assert rating.staff_id == Staff.get(Staff.username == "wang").id
    follow_up = RatingFollowUp.get()
    assert follow_up.rating_id == rating.id and follow_up.status == "open"
    # A second rating (a stale page, another phone) is refused and changes nothing.
    again = phone.post(
        f"/c/{case.tracking_code}/rate", data={"csrf_token": token, "grade": "very_satisfied"}
    )
    assert again.status_code == 200
    assert "该受理件已评价过，只能评价一次" in text(again)
    assert Rating.select().count() == 1 and RatingFollowUp.select().count() == 1
    # An open case is not rated yet.
    register(client, token_of(client, f"/staff/cases/{case.id}"), None, form_token="tok-2")
    open_one = Case.select().order_by(Case.id.desc()).first()
    refused = phone.post(
        f"/c/{open_one.tracking_code}/rate", data={"csrf_token": token, "grade": "satisfied"}
    )
    assert "受理件尚未办结" in text(refused)
    assert Rating.select().count() == 1


def test_kiosk_rates_a_case_on_the_halls_current_scale(app, client):
    case, kiosk, token = completed_at_a_ten_point_kiosk(app, client)
    found = kiosk.post("/cases", data={"csrf_token": token, "code": case.lookup_code})
    # One step at a time on the kiosk screen: confirm the result first, then rate.
    assert "确认办结" in text(found) and "请为本次办理评价" not in text(found)
    found = kiosk.post("/cases/confirm", data={"csrf_token": token, "code": case.lookup_code})
    assert "请为本次办理评价" in text(found) and "较好" in text(found)
    assert "非常满意" not in text(found)
    # A grade of the other scale is refused.
    wrong = kiosk.post(
        "/cases/rate",
        data={"csrf_token": token, "code": case.lookup_code, "grade": "very_satisfied"},
    )
    assert "请选择一个评价" in text(wrong) and Rating.select().count() == 0
    good = kiosk.post(
        "/cases/rate", data={"csrf_token": token, "code": case.lookup_code, "grade": "good"}
    )
    assert "感谢您的评价" in text(good)
    rating = Rating.get()
    assert (rating.scale, rating.score, rating.source) == ("ten_point", 10, "kiosk")
    assert RatingFollowUp.select().count() == 0  # a good rating needs no follow-up
    again = kiosk.post(
        "/cases/rate", data={"csrf_token": token, "code": case.lookup_code, "grade": "poor"}
    )
    assert "该受理件已评价过，只能评价一次" in text(again)
    assert Rating.select().count() == 1 and RatingFollowUp.select().count() == 0
    # The phone page of the same case now says it was rated, with no form.
    phone = app.test_client().get(f"/c/{case.tracking_code}")
    assert "本受理件已评价" in text(phone) and 'id="case-rate"' not in phone.data.decode()


def test_a_poor_case_rating_at_the_kiosk_opens_a_follow_up(app, client):
    case, kiosk, token = completed_at_a_ten_point_kiosk(app, client)
    kiosk.post(
        "/cases/rate",
        data={"csrf_token": token, "code": case.lookup_code, "grade": "poor", "suggestion": ""},
    )
    follow_up = RatingFollowUp.get()
    assert follow_up.rating.case_id == case.id and follow_up.rating.level == 2
    assert follow_up.deadline > follow_up.local_date


def test_english_case_rating(app, client):
    case = completed_case(client)
    page = app.test_client().get(f"/c/{case.tracking_code}?lang=en")
    assert "Please rate" in text(page)
