"""Numbers typed in requests go through one parser (kiosk.limits.parse_id): ASCII digits only,
1 … 2**31-1. Each place that once answered 500 with "²" (str.isdigit() passes it, int() refuses
it), "１２" (int() reads it as 12) or 20 digits (past INTEGER on both databases) now refuses the
request with a message in the user's language and changes nothing."""

from __future__ import annotations

import pytest
from test_fuzz_routes import dump
from test_ratings_http import screen_token
from test_staff_http import act, client_at, issue, sign_in

from kiosk.db import db
from kiosk.errors import ValidationError
from kiosk.limits import INT32_MAX, parse_id, require_id
from kiosk.models import Service, Ticket, Window

TWENTY = "9" * 20
HOSTILE = ["²", "٣", "１２", TWENTY, str(2**31), "-1", "0", "1.0", " ", "+5"]


@pytest.mark.parametrize("text", HOSTILE)
def test_parse_id_takes_only_ascii_digits_within_integer(text):
    assert parse_id(text) is None
    with pytest.raises(ValidationError):
        require_id(text, "number")


def test_parse_id_reads_plain_numbers_and_bounds():
    assert parse_id("7") == 7 and parse_id(" 42 ") == 42 and parse_id(str(INT32_MAX)) == INT32_MAX
    assert parse_id("0", low=0) == 0 and parse_id(5) == 5 and parse_id(None) is None
    assert parse_id("1000", high=999) is None and parse_id(True) is None
    assert require_id("12", "number", high=999) == 12


def refused_unchanged(response, before, *texts):
    assert response.status_code in (200, 400, 404), response.status_code
    page = response.data.decode()
    for text in texts:
        assert text in page
    assert dump() == before


@pytest.mark.parametrize("value", ["²", TWENTY])
def test_admin_retire_and_window_forms(app, value):
    admin = app.test_client()
    token = sign_in(admin, "admin")
    db.connect(reuse_if_open=True)
    service = Service.get(Service.code == "social_assistance")
    window = Window.get(Window.number == 1)
    before = dump()
    response = admin.post(
        f"/admin/services/{service.id}/retire",
        data={"csrf_token": token, "waiting": "transfer", "transfer_to": value},
    )
    refused_unchanged(response, before, "请选择转入的业务或窗口")
    response = admin.post(
        f"/admin/windows/{window.id}/retire",
        data={"csrf_token": token, "waiting": "transfer", "transfer_to": value},
    )
    refused_unchanged(response, before, "请选择转入的业务或窗口")
    response = admin.post(
        "/admin/windows/new", data={"csrf_token": token, "number": value, "services": "A"}
    )
    refused_unchanged(response, before, "窗口号请填写 1 到 999 之间的整数")
    response = admin.post(
        f"/admin/windows/{window.id}",
        data={"csrf_token": token, "number": value, "name": "综合窗口", "services": "A"},
    )
    refused_unchanged(response, before, "窗口号请填写 1 到 999 之间的整数")
    audit = admin.get("/admin/audit", query_string={"actor": value})
    assert audit.status_code == 200 and "没有这位人员" in audit.data.decode()
    assert admin.get("/admin/cases", query_string={"page": value}).status_code == 200
    assert admin.get("/admin/calendar", query_string={"year": value}).status_code == 200


def test_english_message_for_a_bad_actor(app):
    admin = app.test_client()
    sign_in(admin, "admin")
    page = admin.get("/admin/audit", query_string={"actor": TWENTY, "lang": "en"}).data.decode()
    assert "No such staff member" in page


@pytest.mark.parametrize("value", ["²", "１２", TWENTY])
def test_window_screen_rating_pad(app, value):
    screen = client_at(app, "10.0.0.31")
    token = screen_token(screen)
    before = dump()
    response = screen.post(
        "/display/window/1/rate",
        data={"ticket_id": value, "grade": "good"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    refused_unchanged(response, before, "评价时间已过")


@pytest.mark.parametrize("value", ["²", "１２", TWENTY])
def test_console_ticket_transfer_and_case_fields(app, client, value):
    issue("social_assistance")
    token = sign_in(client, "wang", 1)
    act(client, token, "call")
    db.connect(reuse_if_open=True)
    ticket = Ticket.get(Ticket.display_number == "A001")
    before = dump()
    response = act(client, token, "complete", ticket_id=value, version=ticket.version)
    refused_unchanged(response, before, "当前没有正在办理的号码")
    response = act(client, token, "complete", ticket_id=ticket.id, version=value)
    refused_unchanged(response, before, "当前没有正在办理的号码")
    response = act(client, token, "transfer", ticket, to_service=value, to_window=value)
    assert response.status_code < 500 and dump() == before
    case_form = {"resident_name": "张三", "resident_phone": "13800001111", "form_token": "tok-n"}
    response = act(client, token, "register", ticket, agent=value, days="5", **case_form)
    refused_unchanged(response, before, "请选择承办人")
    response = act(client, token, "register", ticket, service=value, days=value, **case_form)
    assert response.status_code < 500 and dump() == before
