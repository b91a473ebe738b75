"""Issue 13 over HTTP: registration from the console (with and without a ticket) with the
receipt queued at the window's printer or the kiosk's, the case page's steps, the kiosk and
phone lookups (no personal data; rate-limited guessing), complaints answered through the code,
petitions, the supervision pages read-only for supervisors, and bad input changing nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from bs4 import BeautifulSoup
from test_staff_http import act, client_at, issue, panel_text, sign_in, token_of

from kiosk import clock
from kiosk.db import db
from kiosk.models import Case, CaseEvent, Hall, Printer, PrintJob, Service, Staff, Ticket

NOW = dt.datetime(2026, 11, 25, 2, 0)  # 10:00 in the hall, a Wednesday


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)


def text(response) -> str:
    return BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)


def register(client, token, ticket=None, **form):
    data = {
        "resident_name": "张三",
        "resident_phone": "13800001111",
        "resident_id_number": "420881199001011234",
        "days": "5",
        "form_token": form.pop("form_token", "tok-1"),
        "service": Service.get(Service.code == "social_assistance").id,
        **form,
    }
    return act(client, token, "register", ticket, **data)


def add_printer(role: str) -> Printer:
    db.connect(reuse_if_open=True)
    return Printer.create(
        hall=Hall.get(), name=f"p-{role}", role=role, connection=json.dumps({"kind": "dummy"})
    )


def test_register_from_a_ticket_prints_the_receipt_at_the_window(app, client):
    add_printer("window:1")
    add_printer("kiosk")
    issue("social_assistance")
    token = sign_in(client, "wang", 1)
    act(client, token, "call")
    ticket = Ticket.get(Ticket.display_number == "A001")
    service = Service.get(Service.code == "social_assistance")
    chen = Staff.get(Staff.username == "chen")
    response = register(
        client,
        token,
        ticket,
        agent=str(chen.id),
        service=str(service.id),
        level="town",
        received="户口簿",
        missing=["身份证", "收入证明"],
    )
    page = panel_text(response)
    assert "已登记受理件" in page and "回执已在 1 号窗口打印" in page, page
    case = Case.get()
    assert case.agent_id == chen.id and case.first_responsible.username == "wang"
    assert case.deadline == dt.date(2026, 12, 2) and case.level == "town"
    assert Ticket.get_by_id(ticket.id).outcome == "registered"
    job = PrintJob.get()
    assert job.printer.role == "window:1"
    document = job.document
    assert case.lookup_code in document and "陈静" in document and "13872001104" in document
    assert f"/c/{case.tracking_code}" in document
    # The same form posted again (a double click) changes nothing.
    again = register(client, token, None)
    assert "请勿重复提交" in panel_text(again)
    assert Case.select().count() == 1 and PrintJob.select().count() == 1


def test_register_without_a_ticket_falls_back_to_the_kiosk_printer(app, client):
    add_printer("kiosk")
    token = sign_in(client, "li", 2)
    service = Service.get(Service.code == "family_planning")
    response = register(client, token, None, service=str(service.id), days="3")
    assert Case.select().count() == 1, panel_text(response)
    assert "2 号窗口未配置打印机，回执已在取号机打印" in panel_text(response)
    assert Case.get().ticket_id is None and PrintJob.get().printer.role == "kiosk"


def test_bad_input_changes_nothing(app, client):
    token = sign_in(client, "wang", 1)
    zhao = Staff.get(Staff.username == "zhao")
    Staff.update(active=False).where(Staff.id == zhao.id).execute()
    left = register(client, token, None, agent=str(zhao.id))
    assert "已离职" in panel_text(left)
    household = Service.get(Service.code == "household_registration")  # no committed limit
    year_end = register(client, token, None, days="27", service=household.id, form_token="t2")
    assert "请先导入下一年的节假日安排" in panel_text(year_end)
    too_long = register(client, token, None, days="8", form_token="t3")
    assert "不能超过该事项承诺的 5 个工作日" in panel_text(too_long)
    bad_id = register(client, token, None, resident_id_number="12345", form_token="t4")
    assert "身份证号" in panel_text(bad_id)
    assert Case.select().count() == 0


def open_case(client) -> Case:
    token = sign_in(client, "wang", 1)
    register(client, token, None, service=Service.get(Service.code == "social_assistance").id)
    return Case.get(), token


def step(client, case, action, **form):
    token = token_of(client, f"/staff/cases/{case.id}")
    return client.post(
        f"/staff/cases/{case.id}/{action}",
        data={"csrf_token": token, **form},
        follow_redirects=True,
    )


def test_case_page_steps_and_resident_lookups(app, client):
    case, _token = open_case(client)
    assert "请填写办理结果" in text(step(client, case, "complete", result="", notified_via="phone"))
    assert Case.get_by_id(case.id).status == "accepted"
    step(client, case, "start", note="已联系")
    page = text(step(client, case, "extend", days="2", reason="等待调查"))
    assert "期限已延至 2026-12-04" in page
    page = text(step(client, case, "complete", result="已批准", notified_via="phone"))
    assert "已办结" in page
    # The resident looks it up at the kiosk: no personal data, the agent's phone, the history.
    kiosk = client_at(app, "10.0.0.9")
    token = token_of(kiosk, "/cases")
    found = kiosk.post("/cases", data={"csrf_token": token, "code": Case.get().lookup_code})
    shown = text(found)
    assert "已办结" in shown and "王秀英" in shown and "13872001101" in shown
    assert "张三" not in shown and "13800001111" not in shown and "4208811990" not in shown
    assert "已联系" not in shown  # staff notes stay inside
    confirmed = kiosk.post(
        "/cases/confirm", data={"csrf_token": token, "code": Case.get().lookup_code}
    )
    assert "已确认办结" in text(confirmed)
    assert Case.get().confirmed_via == "kiosk"
    # The phone page by the receipt's QR code shows the same.
    phone = app.test_client().get(f"/c/{case.tracking_code}")
    assert "群众已确认办结" in text(phone) and "张三" not in text(phone)
    kinds = [e.kind for e in CaseEvent.select().order_by(CaseEvent.id)]
    assert kinds == ["accepted", "started", "extended", "completed", "confirmed"]


def test_a_wrong_lookup_code_is_refused_and_guessing_is_limited(app):
    kiosk = client_at(app, "10.0.0.7")
    token = token_of(kiosk, "/cases")
    for _ in range(5):
        wrong = kiosk.post("/cases", data={"csrf_token": token, "code": "12345678"})
        assert "未找到该受理编号" in text(wrong)
    blocked = kiosk.post("/cases", data={"csrf_token": token, "code": "12345678"})
    assert "尝试次数过多" in text(blocked)


def test_one_residents_wrong_codes_do_not_block_anothers_lookup(app, client):
    case, _token = open_case(client)
    code = case.lookup_code
    mistyped = ("0000" if code[:4] != "0000" else "1111") + code[4:]  # another receipt's prefix
    kiosk = client_at(app, "10.0.0.7")
    token = token_of(kiosk, "/cases")
    for _ in range(5):
        wrong = kiosk.post("/cases", data={"csrf_token": token, "code": mistyped})
        assert "未找到该受理编号" in text(wrong)
    found = kiosk.post("/cases", data={"csrf_token": token, "code": code})
    assert case.number in text(found) and "尝试次数过多" not in text(found)
    # The mistyped code's prefix is held, from any address.
    other = client_at(app, "10.0.0.70")
    held = other.post(
        "/cases", data={"csrf_token": token_of(other, "/cases"), "code": mistyped[:4] + "9999"}
    )
    assert "尝试次数过多" in text(held)


def test_a_device_scanning_lookup_codes_is_stopped(app, client):
    case, _token = open_case(client)
    kiosk = client_at(app, "10.0.0.7")
    token = token_of(kiosk, "/cases")
    prefixes = [f"{n:04d}" for n in range(10000) if f"{n:04d}" != case.lookup_code[:4]][:30]
    for prefix in prefixes:  # 30 wrong codes, each under a different prefix
        wrong = kiosk.post("/cases", data={"csrf_token": token, "code": prefix + "0000"})
        assert "未找到该受理编号" in text(wrong)
    blocked = kiosk.post("/cases", data={"csrf_token": token, "code": case.lookup_code})
    assert "尝试次数过多" in text(blocked)
    other = client_at(app, "10.0.0.71")
    found = other.post(
        "/cases", data={"csrf_token": token_of(other, "/cases"), "code": case.lookup_code}
    )
    assert case.number in text(found)


def test_complaint_from_the_kiosk_answered_by_the_hall_head(app, client):
    kiosk = client_at(app, "10.0.0.8")
    token = token_of(kiosk, "/complaint")
    form_token = re.search(r'name="form_token" value="([^"]+)"', kiosk.get("/complaint").text)
    empty = kiosk.post("/complaint", data={"csrf_token": token, "category": "complaint"})
    assert "请填写内容" in text(empty) and Case.select().count() == 0
    done = kiosk.post(
        "/complaint",
        data={
            "csrf_token": token,
            "category": "complaint",
            "about": "window:1",
            "phrase": ["等候时间太长"],
            "text": "中午没人",
            "form_token": form_token.group(1),
        },
        follow_redirects=True,
    )
    item = Case.get()
    assert item.lookup_code in text(done) and item.description == "等候时间太长；中午没人"
    assert item.deadline == dt.date(2026, 12, 2) and item.agent.username == "admin"
    sign_in(client, "admin")
    assert "form-transfer" in client.get(f"/staff/cases/{item.id}").text  # owner can be changed
    page = step(client, item, "answer", answer="已安排午间轮班")
    assert "已答复" in text(page)
    found = kiosk.post("/cases", data={"csrf_token": token, "code": item.lookup_code})
    assert "已安排午间轮班" in text(found) and "已答复" in text(found)


def test_petition_and_supervision_read_only(app, client):
    token = sign_in(client, "wang", 1)
    form = token_of(client, "/staff/petitions/new")
    response = client.post(
        "/staff/petitions/new",
        data={"csrf_token": form, "real_name": "0", "complexity": "simple", "subject": "路灯"},
        follow_redirects=True,
    )
    assert "已登记信访件" in text(response)
    petition = Case.get(Case.kind == "petition")
    assert petition.deadline == dt.date(2026, 12, 2)
    register(client, token, None, service=Service.get(Service.code == "social_assistance").id)
    supervisor = app.test_client()
    sign_in(supervisor, "supervisor")
    board = supervisor.get("/admin/supervision")
    assert board.status_code == 200 and "1 个工作日内到期" in text(board)
    assert supervisor.get("/admin/supervision/overdue?month=2026-11").status_code == 200
    csv = supervisor.get("/admin/supervision/overdue.csv?month=2026-11")
    assert csv.mimetype == "text/csv" and "受理编号" in csv.text
    detail = supervisor.get(f"/admin/cases/{petition.id}")
    assert detail.status_code == 200
    case = Case.get(Case.kind == "case")
    assert "张*" in text(supervisor.get(f"/admin/cases/{case.id}"))
    assert supervisor.get(f"/staff/cases/{case.id}").status_code == 403
    sup_token = token_of(supervisor, "/admin/supervision")
    refused = supervisor.post(f"/staff/cases/{case.id}/start", data={"csrf_token": sup_token})
    assert refused.status_code == 403 and Case.get_by_id(case.id).status == "accepted"


def test_overdue_after_the_clock_moves(app, client, monkeypatch):
    _case, _token = open_case(client)  # due 2 December
    supervisor = app.test_client()
    sign_in(supervisor, "supervisor")
    assert "已超期（0）" in text(supervisor.get("/admin/supervision"))
    monkeypatch.setattr(clock, "utcnow", lambda: NOW + dt.timedelta(days=8))  # Thu 3 Dec
    board = BeautifulSoup(supervisor.get("/admin/supervision").data, "html.parser")
    assert board.select_one("#overdue-table [data-case]") is not None
    listing = supervisor.get("/admin/supervision/overdue?month=2026-12")
    assert Case.get().number in text(listing)
    assert "已超期 1 个工作日" in panel_text(client.get("/staff/console"))


def test_complaint_answer_deadlines_are_hall_settings(app, client):
    from test_admin_settings import error_of, form_of

    token = sign_in(client, "admin")
    data = form_of(client, "/admin/hall")
    assert data["complaint_general_days"] == "7" and data["complaint_major_days"] == "30"
    bad = client.post(
        "/admin/hall", data={**data, "csrf_token": token, "complaint_general_days": "0"}
    )
    assert error_of(bad, "complaint_general_days") == "请填写合适的天数"
    good = client.post(
        "/admin/hall", data={**data, "csrf_token": token, "complaint_general_days": "5"}
    )
    assert good.status_code == 303 and Hall.get().complaint_general_days == 5


def test_new_pages_speak_english(app, client):
    assert "Case lookup" in text(client.get("/cases?lang=en"))
    assert "Suggestion box / complaints" in text(client.get("/complaint?lang=en"))
    kiosk = client_at(app, "10.0.0.6")
    kiosk.get("/cases?lang=en")
    token = token_of(kiosk, "/cases")
    wrong = kiosk.post("/cases", data={"csrf_token": token, "code": "00000000"})
    assert "Case number not found" in text(wrong)


def test_reprint_transfer_and_confirmation_at_the_window(app, client):
    case, _token = open_case(client)
    jobs = PrintJob.select().count()
    assert "回执已在取号机打印" in text(step(client, case, "reprint"))
    assert PrintJob.select().count() == jobs + 1
    chen = Staff.get(Staff.username == "chen")
    assert "已改派给 陈静" in text(step(client, case, "transfer", agent=str(chen.id)))
    assert Case.get_by_id(case.id).agent_id == chen.id
    step(client, case, "complete", result="已办", notified_via="window")
    page = text(step(client, case, "confirm"))
    assert "群众已在窗口确认办结" in page
    assert Case.get_by_id(case.id).confirmed_via == "window"
    again = text(step(client, case, "confirm"))
    assert "已确认过" in again
    other = app.test_client()
    sign_in(other, "zhao")
    token = token_of(other, f"/staff/cases/{case.id}")
    refused = other.post(f"/staff/cases/{case.id}/return", data={"csrf_token": token})
    assert refused.status_code == 403


HALL_ADDRESS = "http://192.168.1.10:8000"
EVIL = {"Host": "evil.example"}


def qr_payloads(job: PrintJob) -> list[str]:
    return [b["value"] for b in json.loads(job.document)["blocks"] if b["kind"] == "qr"]


def last_job() -> PrintJob:
    return PrintJob.select().order_by(PrintJob.id.desc()).first()


def test_receipt_qr_codes_ignore_the_host_header(app, client):
    db.connect(reuse_if_open=True)
    Hall.update(public_base_url=HALL_ADDRESS).execute()  # before any request reads the hall
    add_printer("kiosk")
    # A complaint at the kiosk, sent with a forged Host: the slip and the screen point home.
    kiosk = client_at(app, "10.0.0.5")
    page = kiosk.get("/complaint", headers=EVIL).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    done = kiosk.post(
        "/complaint",
        data={
            "csrf_token": token,
            "category": "complaint",
            "text": "太慢",
            "form_token": form_token,
        },
        headers=EVIL,
    )
    assert done.status_code == 303
    item = Case.get()
    assert qr_payloads(last_job()) == [f"{HALL_ADDRESS}/c/{item.tracking_code}"]
    shown = kiosk.get(done.headers["Location"], headers=EVIL)
    assert b"evil.example" not in shown.data
    # Registered at the console, a petition, a complaint taken at a window, and a reprint.
    client.environ_base["HTTP_HOST"] = "evil.example"
    token = sign_in(client, "wang", 1)
    register(client, token, None)
    form = token_of(client, "/staff/petitions/new")
    client.post(
        "/staff/petitions/new",
        data={
            "csrf_token": form,
            "real_name": "1",
            "resident_name": "李四",
            "resident_phone": "13800002222",
            "subject": "道路维修",
            "description": "村口路面塌陷",
            "complexity": "simple",
            "form_token": "pet-1",
        },
    )
    form = token_of(client, "/staff/complaints/new")
    client.post(
        "/staff/complaints/new",
        data={"csrf_token": form, "category": "complaint", "text": "态度差", "form_token": "cp-1"},
    )
    registered = Case.select().order_by(Case.id)[1:]
    assert len(registered) == 3, [c.number for c in registered]
    step(client, registered[0], "reprint")
    jobs = list(PrintJob.select().order_by(PrintJob.id))[1:]
    expected = [f"{HALL_ADDRESS}/c/{c.tracking_code}" for c in registered]
    assert [qr_payloads(job) for job in jobs] == [[url] for url in expected + expected[:1]]
