"""The kiosk over HTTP: bad input gets a clear message, no ticket and no print job."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from kiosk.models import Hall, PrintJob, Service, Ticket
from kiosk.web import forget_hall_cache


def token(client, service_id: int = 1) -> str:
    html = client.get(f"/take/{service_id}").data.decode()
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def take(client, service_id, priority: str = ""):
    """One resident's take at the kiosk, finished with 完成 (so the next take is a new one)."""
    response = client.post(
        "/tickets",
        data={"csrf_token": token(client), "service_id": service_id, "priority": priority},
    )
    if response.status_code == 303:
        client.get(response.headers["Location"] + "/done")
    return response


def message(response) -> str:
    soup = BeautifulSoup(response.data, "html.parser")
    found = soup.select_one(".kiosk-error")
    return found.get_text(strip=True) if found else ""


def nothing_issued() -> bool:
    return Ticket.select().count() == 0 and PrintJob.select().count() == 0


def test_a_ticket_and_its_print_job_are_created_together(client):
    response = take(client, Service.get(Service.code == "social_assistance").id, "elderly")
    assert response.status_code == 303
    ticket = Ticket.get()
    assert response.headers["Location"].endswith(f"/tickets/{ticket.public_code}")
    assert ticket.priority == "elderly"
    job = PrintJob.get()
    assert (job.source_kind, job.source_id, job.status) == ("ticket", ticket.id, "pending")
    page = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert page.select_one("#ticket-number").get_text() == "A001"
    assert "正在打印号票" in page.select_one("#print-state").get_text()


@pytest.mark.parametrize("service_id", ["999", "abc", ""])
def test_unknown_service(client, service_id):
    response = take(client, service_id)
    assert response.status_code == 200
    assert message(response) == "没有这项业务，请重新选择"
    assert nothing_issued()


def test_paused_service(client):
    service = Service.get(Service.code == "land_construction")
    Service.update(active=False).where(Service.id == service.id).execute()
    response = take(client, service.id)
    assert message(response) == "“土管城建”暂停取号，请咨询工作人员"
    assert nothing_issued()
    tiles = BeautifulSoup(client.get("/take").data, "html.parser")
    assert "暂停取号" in tiles.select_one('[data-service="land_construction"]').get_text()


def test_closed_hall_says_when_it_opens(client):
    Hall.update(always_open=False, opens_at="00:00", closes_at="00:00").execute()
    with client.application.app_context():
        forget_hall_cache()
    response = take(client, Service.get(Service.code == "party_liaison").id)
    assert message(response).startswith("大厅已停止取号，下次开放时间：")
    assert nothing_issued()
    home = BeautifulSoup(client.get("/").data, "html.parser")
    assert home.select_one(".kiosk-closed").get_text().startswith("大厅已停止取号")


def test_daily_cap_and_kiosk_rate_limit(client):
    capped = Service.get(Service.code == "party_liaison")
    Service.update(daily_cap=1).where(Service.id == capped.id).execute()
    first = take(client, capped.id)
    assert first.status_code == 303, message(first)
    response = take(client, capped.id)
    assert message(response) == "“党建联络”今日号码已发完（每日 1 个），请明天再来"
    assert Ticket.select().count() == 1 and PrintJob.select().count() == 1
    other = Service.get(Service.code == "household_registration")
    for _ in range(5):  # 6 a minute per kiosk: one used above
        assert take(client, other.id).status_code == 303
    response = take(client, other.id)
    assert message(response) == "取号过于频繁，请稍候一分钟再试"
    assert Ticket.select().count() == 6


def test_english_messages(client):
    client.get("/?lang=en")
    response = take(client, "999")
    assert message(response) == "That service does not exist. Please choose again"


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/tickets", data={"service_id": "1"})
    assert response.status_code == 400
    assert nothing_issued()


def test_htmx_gets_fragments_and_direct_loads_get_pages(client):
    full = BeautifulSoup(client.get("/guide").data, "html.parser")
    fragment = BeautifulSoup(
        client.get("/guide", headers={"HX-Request": "true"}).data, "html.parser"
    )
    assert full.select_one("html") and full.select_one(".kiosk-header")
    assert fragment.select_one("html") is None and fragment.select_one(".service-grid")
    assert "HX-Request" in client.get("/guide").headers["Vary"]


def test_rating_needs_the_ticket_number_and_check_code(client):
    from kiosk import queue
    from kiosk.models import Rating, Staff, Window
    from kiosk.tickets import check_code

    page = BeautifulSoup(client.get("/rate").data, "html.parser")
    token = page.select_one('input[name="csrf_token"]')["value"]
    # The national five levels by default; no window list to pick from.
    assert [b.get_text() for b in page.select(".rate-grades button")] == [
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    ]
    assert page.select('input[name="window_id"]') == []
    hall = Hall.get()
    window = Window.get(Window.number == 1)
    ticket = queue.issue_ticket(hall, Service.get(Service.code == "social_assistance"))
    ticket = queue.call_ticket(window, ticket, Staff.get(Staff.username == "wang"))
    queue.complete(ticket, window)
    response = client.post("/rate", data={"csrf_token": token, "grade": "satisfied"})
    assert "请输入号票上的号码" in message(response) and Rating.select().count() == 0
    wrong = "0000" if check_code(ticket) != "0000" else "1111"
    response = client.post(
        "/rate",
        data={
            "csrf_token": token,
            "grade": "satisfied",
            "number": ticket.display_number,
            "code": wrong,
        },
    )
    assert "号码或核验码不正确" in message(response) and Rating.select().count() == 0
    data = {
        "csrf_token": token,
        "grade": "satisfied",
        "number": ticket.display_number,
        "code": check_code(ticket),
        "attitude": "5",
    }
    response = client.post("/rate", data=data)
    assert response.status_code == 303
    rating = Rating.get()
    assert (rating.ticket_id, rating.score, rating.level, rating.attitude) == (ticket.id, 8, 4, 5)
    thanks = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert thanks.select_one("#rate-thanks").get_text() == "感谢您的评价！"
    again = client.post("/rate", data=data)
    assert "只能评价一次" in message(again) and Rating.select().count() == 1
