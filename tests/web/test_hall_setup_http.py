"""A real hall over HTTP: the first-run page on an empty database, hall settings (lunch break,
idle seconds, public address), services and windows added, reordered and retired in 管理,
and ticket QR codes that never take the address from the request's Host header."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup
from support import csrf_token_of, hall_app

from kiosk import lineup, queue
from kiosk.db import db
from kiosk.models import AuditEntry, Hall, PrintJob, Service, Staff, Ticket, Window


def alert(response) -> str:
    soup = BeautifulSoup(response.data, "html.parser")
    node = soup.select_one("[role=alert], .field-error")
    return node.get_text(strip=True) if node else ""


@pytest.fixture
def empty_app(db_path, tmp_path):
    application = hall_app(str(db_path), tmp_path, LAN_BASE_URL="http://192.168.7.20:8000")
    yield application
    if not db.is_closed():
        db.close()


FIRST_RUN = {
    "hall_name": "石牌镇便民服务中心",
    "admin_username": "zhang",
    "admin_name": "张主任",
    "password": "secret-pass-1",
    "password_again": "secret-pass-1",
    "opens_at": "08:30",
    "closes_at": "17:30",
    "break_starts_at": "12:00",
    "break_ends_at": "14:00",
    "public_base_url": "http://192.168.7.20:8000",
    "services": "社会救助\n户籍管理",
    "windows": "2",
}


def first_run(client, token: str, **changes):
    """POST the first-run form: FIRST_RUN with `changes`."""
    return client.post("/admin/setup", data={**FIRST_RUN, "csrf_token": token, **changes})


def test_first_run_creates_the_hall_admin_services_and_windows(empty_app):
    client = empty_app.test_client()
    # Staff pages lead to the first-run page; public pages say the hall is not set up.
    assert client.get("/admin/").headers["Location"].endswith("/admin/setup")
    kiosk = client.get("/")
    assert kiosk.status_code == 503 and "首次设置" in kiosk.data.decode()
    page = BeautifulSoup(client.get("/admin/setup").data, "html.parser")
    assert page.select_one("#public_base_url")["value"] == "http://192.168.7.20:8000"
    assert page.select_one("#break_starts_at")["value"] == "12:00"
    token = csrf_token_of(client, "/admin/setup")

    bad = first_run(client, token, password_again="other")
    assert bad.status_code == 200
    assert "两次输入的密码不一致" in bad.data.decode()
    bad = first_run(client, token, break_ends_at="11:00")
    assert "午休应在开门和关门之间" in bad.data.decode()
    assert Hall.select().count() == 0 and Staff.select().count() == 0

    done = first_run(client, token)
    assert done.status_code == 303
    assert "/admin/services" in done.headers["Location"]
    hall = Hall.get()
    assert (hall.code, hall.name, hall.break_starts_at, hall.break_ends_at) == (
        "hall",
        "石牌镇便民服务中心",
        "12:00",
        "14:00",
    )
    assert [s.prefix + s.name for s in Service.select().order_by(Service.sort_order)] == [
        "A社会救助",
        "B户籍管理",
    ]
    assert [w.number for w in Window.select().order_by(Window.number)] == [1, 2]
    assert Staff.get().role == "admin"
    # Signed in as the new admin; the page is gone now.
    assert client.get("/admin/services").status_code == 200
    assert client.get("/admin/setup").headers["Location"].endswith("/login")
    assert AuditEntry.select().where(AuditEntry.action == "hall_first_run").count() == 1


def test_lunch_break_closes_the_kiosk(demo):
    hall = demo.hall
    Hall.update(
        always_open=False,
        opens_at="08:30",
        closes_at="17:30",
        break_starts_at="12:00",
        break_ends_at="14:00",
    ).execute()
    hall = Hall.get_by_id(hall.id)
    # 2026-03-02 is a Monday; 12:30 Shanghai = 04:30 UTC.
    lunch = queue.hall_hours(hall, dt.datetime(2026, 3, 2, 4, 30))
    assert (lunch.open_now, lunch.reason) == (False, "lunch_break")
    assert lunch.next_open == dt.datetime(2026, 3, 2, 14, 0)
    assert queue.hall_hours(hall, dt.datetime(2026, 3, 2, 6, 30)).open_now  # 14:30


def test_hall_settings_store_break_idle_address_and_hold_expiry(client):
    from test_admin_settings import admin, form_of

    token = admin(client)
    data = form_of(client, "/admin/hall")
    bad = client.post(
        "/admin/hall", data={**data, "csrf_token": token, "kiosk_idle_seconds": "abc"}
    )
    assert "请填写 15 到 600 之间的秒数" in bad.data.decode()
    bad = client.post("/admin/hall", data={**data, "csrf_token": token, "public_base_url": "evil"})
    assert "访问地址应写成" in bad.data.decode()
    assert Hall.get().kiosk_idle_seconds == 60
    good = client.post(
        "/admin/hall",
        data={
            **data,
            "csrf_token": token,
            "break_starts_at": "12:00",
            "break_ends_at": "14:00",
            "kiosk_idle_seconds": "90",
            "public_base_url": "http://10.0.0.5:8000/",
            "print_hold_expiry_minutes": "15",
        },
    )
    assert good.status_code == 303
    hall = Hall.get()
    assert (
        hall.break_starts_at,
        hall.kiosk_idle_seconds,
        hall.public_base_url,
        hall.print_hold_expiry_minutes,
    ) == ("12:00", 90, "http://10.0.0.5:8000", 15)
    kiosk = BeautifulSoup(client.get("/").data, "html.parser")
    assert kiosk.select_one("[data-idle-seconds]")["data-idle-seconds"] == "90"


def test_ticket_qr_ignores_the_host_header(client):
    Hall.update(public_base_url="").execute()
    html = client.get("/take/1", headers={"Host": "evil.example"}).data.decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(
        "/tickets",
        data={"csrf_token": token, "service_id": 1, "priority": ""},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 303
    job = PrintJob.get()
    assert "evil.example" not in job.document
    ticket_page = client.get(response.headers["Location"], headers={"Host": "evil.example"})
    assert b"evil.example" not in ticket_page.data
    # With the hall's address set, that is what the QR code carries.
    Hall.update(public_base_url="http://192.168.1.10:8000").execute()
    from kiosk.web import forget_hall_cache

    with client.application.app_context():
        forget_hall_cache()
    # 完成 (the same browser, so the same Host): the next resident's ticket is a new one.
    client.get(response.headers["Location"] + "/done", headers={"Host": "evil.example"})
    client.post(
        "/tickets",
        data={"csrf_token": token, "service_id": 1, "priority": ""},
        headers={"Host": "evil.example"},
    )
    last = PrintJob.select().order_by(PrintJob.id.desc()).first()
    assert "http://192.168.1.10:8000/t/" in last.document
    assert "evil.example" not in json.dumps(json.loads(last.document))


def test_services_are_added_reordered_and_retired(client):
    from test_admin_settings import admin

    token = admin(client)
    bad = client.post("/admin/services/new", data={"csrf_token": token, "name": ""})
    assert "请填写业务名称" in alert(bad)
    bad = client.post(
        "/admin/services/new", data={"csrf_token": token, "name": "新业务", "prefix": "A"}
    )
    assert "号码字母 A 已被" in alert(bad)
    count = Service.select().count()
    made = client.post("/admin/services/new", data={"csrf_token": token, "name": "不动产登记"})
    assert made.status_code == 303
    new = Service.get(Service.name == "不动产登记")
    assert Service.select().count() == count + 1 and new.prefix == "G"
    client.post(f"/admin/services/{new.id}/move", data={"csrf_token": token, "direction": "up"})
    order = [s.id for s in Service.select().order_by(Service.sort_order)]
    assert order.index(new.id) == len(order) - 2

    # Retiring a service with waiting tickets asks what to do with them.
    hall = Hall.get()
    social = Service.get(Service.code == "social_assistance")
    waiting = queue.issue_ticket(hall, social, enforce_hours=False)
    ask = client.post(f"/admin/services/{social.id}/retire", data={"csrf_token": token})
    assert "还有 1 人在等候" in alert(ask)
    assert Service.get_by_id(social.id).retired_at is None
    form = BeautifulSoup(client.get(f"/admin/services/{social.id}/retire").data, "html.parser")
    assert form.select("input[name=waiting]")
    done = client.post(
        f"/admin/services/{social.id}/retire",
        data={"csrf_token": token, "waiting": "transfer", "transfer_to": new.id},
    )
    assert done.status_code == 303
    moved = Ticket.get_by_id(waiting.id)
    assert moved.service_id == new.id and moved.queue_at == waiting.queue_at
    assert Service.get_by_id(social.id).retired_at is not None
    assert Service.select().where(Service.id == social.id).count() == 1  # kept, not deleted
    kiosk = client.get("/take").data.decode()
    assert "不动产登记" in kiosk and "社会救助" not in kiosk
    listing = BeautifulSoup(client.get("/admin/services").data, "html.parser")
    assert "社会救助" in listing.select_one("#services-retired").get_text()
    client.post(f"/admin/services/{social.id}/restore", data={"csrf_token": token})
    assert Service.get_by_id(social.id).retired_at is None


def test_retiring_a_service_may_let_its_tickets_finish(hall):
    service = Service.get(Service.code == "household_registration")
    ticket = queue.issue_ticket(hall, service, enforce_hours=False)
    with pytest.raises(Exception, match="等候"):
        lineup.retire_service(hall, service)
    lineup.retire_service(hall, service, waiting="finish")
    window = Window.get(Window.number == 5)
    called = queue.call_next(window, None)
    assert called is not None and called.id == ticket.id
    with pytest.raises(queue.QueueError):
        queue.issue_ticket(hall, Service.get_by_id(service.id), enforce_hours=False)


def test_windows_are_added_renumbered_and_retired(client):
    from test_admin_settings import admin

    token = admin(client)
    bad = client.post(
        "/admin/windows/new",
        data={"csrf_token": token, "number": "1", "name": "七号", "services": "A"},
    )
    assert "1 号窗口已存在" in alert(bad)
    bad = client.post(
        "/admin/windows/new",
        data={"csrf_token": token, "number": "7", "name": "七号", "services": "Z"},
    )
    assert "没有业务 Z" in alert(bad)
    made = client.post(
        "/admin/windows/new",
        data={"csrf_token": token, "number": "7", "name": "综合窗口", "services": "A,B"},
    )
    assert made.status_code == 303
    window = Window.get(Window.number == 7)
    client.post(
        f"/admin/windows/{window.id}",
        data={"csrf_token": token, "number": "9", "name": "综合窗口", "services": "B,A"},
    )
    assert Window.get_by_id(window.id).number == 9
    done = client.post(f"/admin/windows/{window.id}/retire", data={"csrf_token": token})
    assert done.status_code == 303
    assert Window.get_by_id(window.id).retired_at is not None
    listing = BeautifulSoup(client.get("/admin/windows").data, "html.parser")
    assert "综合窗口" in listing.select_one("#windows-retired").get_text()
    board = client.get("/display").data.decode()
    assert "综合窗口" not in board


def test_the_first_run_page_needs_the_hall_pc_or_the_printed_token(empty_app):
    lan = {"REMOTE_ADDR": "192.168.7.99"}
    client = empty_app.test_client()
    refused = client.get("/admin/setup", environ_base=lan)
    assert refused.status_code == 403 and "首次设置地址" in refused.data.decode()
    token = empty_app.config["SETUP_TOKEN"]
    page = client.get(f"/admin/setup?token={token}", environ_base=lan)
    assert page.status_code == 200
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page.data.decode()).group(1)
    form = {**FIRST_RUN, "csrf_token": csrf_token}
    assert client.post("/admin/setup", data=form, environ_base=lan).status_code == 403
    assert Staff.select().count() == 0
    done = client.post("/admin/setup", data={**form, "token": token}, environ_base=lan)
    assert done.status_code == 303 and Staff.get().username == "zhang"


def test_always_open_switch_is_never_saved(app, client):
    from test_admin_settings import admin, form_of

    from kiosk.web import forget_hall_cache

    Hall.update(always_open=False).execute()
    app.config["ALWAYS_OPEN"] = True  # run.py --always-open
    with app.app_context():
        forget_hall_cache()
    token = admin(client)
    data = form_of(client, "/admin/hall")
    assert "always_open" not in data  # the box is not ticked by the run-time switch
    assert client.post("/admin/hall", data={**data, "csrf_token": token}).status_code == 303
    assert Hall.get().always_open is False
    # … while the hall takes tickets at any hour in this run.
    assert client.get("/take").status_code == 200


def test_nothing_is_transferred_to_a_retired_service_or_window(hall):
    social = Service.get(Service.code == "social_assistance")
    household = Service.get(Service.code == "household_registration")
    window = Window.get(Window.number == 1)
    ticket = queue.issue_ticket(hall, social, enforce_hours=False)
    called = queue.call_next(window, None)
    assert called.id == ticket.id
    lineup.retire_service(hall, household)
    with pytest.raises(queue.QueueError, match="已停用"):
        queue.transfer(called, window, to_service=Service.get_by_id(household.id))
    spare = Window.get(Window.number == 6)
    lineup.retire_window(hall, spare)
    with pytest.raises(queue.QueueError, match="已停用"):
        queue.transfer(called, window, to_window=Window.get_by_id(spare.id))
    assert Ticket.get_by_id(ticket.id).status == "called"


def test_first_run_names_every_bad_field_at_once(empty_app):
    client = empty_app.test_client()
    token = csrf_token_of(client, "/admin/setup")
    response = first_run(
        client, token, hall_name="", closes_at="25:00", password="short", windows="0"
    )
    soup = BeautifulSoup(response.data, "html.parser")
    errors = {
        node["id"][len("error-") :]: node.get_text(strip=True)
        for node in soup.select(".field-error")
    }
    assert errors == {
        "hall_name": "请填写大厅名称（最多 60 字）",
        "closes_at": "时间应写成 08:30 这样的格式",
        "password": "密码至少 8 位",
        "windows": "窗口数量请填写 1 到 99 之间的整数",
    }
    summary = [item.get_text(strip=True) for item in soup.select(".error-summary li")]
    assert summary == list(errors.values())  # in the order the page asks
    # The passwords are never sent back; the rest of what was typed is.
    assert soup.select_one("#password")["value"] == ""
    assert soup.select_one("#hall_name")["value"] == ""
    assert soup.select_one("#opens_at")["value"] == "08:30"
    assert Hall.select().count() == 0 and Staff.select().count() == 0


def test_retiring_a_window_hands_on_the_tickets_sent_to_it(hall):
    from kiosk.models import QueueEvent

    social = Service.get(Service.code == "social_assistance")
    first, second, spare = (Window.get(Window.number == n) for n in (1, 5, 6))
    sent = []
    for _ in range(2):
        queue.issue_ticket(hall, social, enforce_hours=False)
        sent.append(queue.transfer(queue.call_next(first, None), first, to_window=spare))
    with pytest.raises(Exception, match="还有 2 人在等候本窗口"):
        lineup.retire_window(hall, spare)
    with pytest.raises(Exception, match="请选择要转到的窗口"):
        lineup.retire_window(hall, spare, waiting="transfer", transfer_to=spare)
    assert Window.get_by_id(spare.id).retired_at is None
    assert lineup.retire_window(hall, spare, waiting="transfer", transfer_to=second) == 2
    for ticket in sent:
        moved = Ticket.get_by_id(ticket.id)
        assert moved.target_window_id == second.id and moved.queue_at == ticket.queue_at
        last = QueueEvent.select().where(QueueEvent.ticket == ticket).order_by(-QueueEvent.id)
        assert (last[0].kind, last[0].to_window_id, last[0].detail) == (
            "transfer",
            second.id,
            "window retired",
        )
    # The second window retires too, letting them finish: any window serving 社会救助 calls them.
    assert lineup.retire_window(hall, second, waiting="finish") == 2
    assert {Ticket.get_by_id(t.id).target_window_id for t in sent} == {None}
    assert queue.call_next(first, None).id == sent[0].id
