"""Rating after each service: the window screen turns into a rating pad for a minute after
办结 (one rating per ticket), the phone page rates its own ticket, and a console serving a
service whose longest wait passed the hall's threshold says so."""

from __future__ import annotations

import datetime as dt
import re

from bs4 import BeautifulSoup
from test_resident_journey_http import sign_in

from kiosk import clock, queue
from kiosk.models import Hall, Rating, RatingFollowUp, Service, Staff, Ticket, Window


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def served_ticket(window_number: int = 1) -> Ticket:
    window = Window.get(Window.number == window_number)
    first_service = window.service_links.order_by(window.service_links.model.position).first()
    ticket = queue.issue_ticket(Hall.get(), Service.get_by_id(first_service.service_id))
    ticket = queue.call_ticket(window, ticket, Staff.get(Staff.username == "wang"))
    return queue.complete(ticket, window, Staff.get(Staff.username == "wang"))


def screen_token(client, number: int = 1) -> str:
    html = client.get(f"/display/window/{number}").data.decode()
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_the_window_screen_becomes_a_rating_pad_for_one_ticket(client):
    assert soup(client.get("/display/window/1")).select_one("#rating-pad") is None
    ticket = served_ticket()
    page = soup(client.get("/display/window/1"))
    pad = page.select_one("#rating-pad")
    assert ticket.display_number in pad.select_one("#pad-title").get_text()
    assert len(pad.select("button[name=grade]")) == 5
    assert pad.select_one(f"#pad-form-{ticket.id}")["hx-preserve"] == "true"
    token = screen_token(client)
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    other = served_ticket(2)  # completed at another window: this pad cannot rate it
    refused = client.post(
        "/display/window/1/rate",
        data={"ticket_id": other.id, "grade": "satisfied"},
        headers=headers,
    )
    assert "评价时间已过" in refused.data.decode() and Rating.select().count() == 0
    answer = client.post(
        "/display/window/1/rate",
        data={"ticket_id": ticket.id, "grade": "very_dissatisfied"},
        headers=headers,
    )
    assert "感谢您的评价" in soup(answer).select_one("#pad-thanks").get_text()
    again = client.post(
        "/display/window/1/rate",
        data={"ticket_id": ticket.id, "grade": "satisfied"},
        headers=headers,
    )
    assert "感谢您的评价" not in again.data.decode() or Rating.select().count() == 1
    rating = Rating.get()
    assert (rating.ticket_id, rating.level, rating.source) == (ticket.id, 1, "window_pad")
    assert RatingFollowUp.get().rating_id == rating.id  # a poor rating opens a follow-up
    assert Rating.select().count() == 1
    # A minute later the pad is gone and the screen shows the window again.
    Ticket.update(completed_at=clock.utcnow() - dt.timedelta(seconds=61)).execute()
    assert soup(client.get("/display/window/2")).select_one("#rating-pad") is None


def test_the_pad_follows_the_hall_scale(client):
    Hall.update(rating_scale="ten_point").execute()
    from kiosk.web import forget_hall_cache

    with client.application.app_context():
        forget_hall_cache()
    served_ticket()
    labels = [
        b.get_text() for b in soup(client.get("/display/window/1")).select("#rating-pad button")
    ]
    assert labels == ["好", "较好", "一般", "差"]


def test_the_phone_page_rates_its_own_ticket_once(client):
    ticket = served_ticket()
    page = soup(client.get(f"/t/{ticket.public_code}"))
    form = page.select_one(f"#phone-rate-{ticket.id}")
    assert form is not None and len(form.select("button[name=grade]")) == 5
    token = re.search(
        r'"X-CSRFToken": "([^"]+)"', client.get(f"/t/{ticket.public_code}").data.decode()
    ).group(1)
    response = client.post(
        f"/t/{ticket.public_code}/rate",
        data={"csrf_token": token, "grade": "very_satisfied", "efficiency": "4"},
    )
    assert response.status_code == 303
    page = soup(client.get(f"/t/{ticket.public_code}"))
    assert page.select_one("#phone-rated") is not None and page.select_one(".phone-rate") is None
    again = client.post(
        f"/t/{ticket.public_code}/rate", data={"csrf_token": token, "grade": "satisfied"}
    )
    assert "只能评价一次" in again.data.decode()
    assert [(r.score, r.efficiency, r.source) for r in Rating.select()] == [(10, 4, "phone")]


def test_a_console_says_when_a_wait_passed_the_threshold(client):
    sign_in(client, "wang", 1)
    ticket = queue.issue_ticket(Hall.get(), Service.get(Service.code == "social_assistance"))
    assert soup(client.get("/staff/console")).select_one(".wait-alert") is None
    Ticket.update(issued_at=clock.utcnow() - dt.timedelta(minutes=31)).where(
        Ticket.id == ticket.id
    ).execute()
    alert = soup(client.get("/staff/console")).select_one(".wait-alert")
    assert alert is not None and "社会救助" in alert.get_text() and "31" in alert.get_text()
