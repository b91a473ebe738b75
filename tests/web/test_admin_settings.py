"""Setting the hall up in the admin pages: every form validates, says what is wrong in
Chinese next to the field, changes nothing on error, and records what changed."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from support import csrf_token_of, error_of, form_of, sign_in

from kiosk.models import (
    AuditEntry,
    CalendarDay,
    Hall,
    ProcedureStep,
    Service,
    Staff,
    Window,
    WindowService,
)


def admin(client) -> str:
    return sign_in(client, "admin")


def test_hall_settings_validate_and_save(client):
    token = admin(client)
    data = form_of(client, "/admin/hall")
    bad = client.post("/admin/hall", data={**data, "csrf_token": token, "opens_at": "8点半"})
    assert error_of(bad, "opens_at") == "时间应写成 08:30 这样的格式"
    bad = client.post(
        "/admin/hall", data={**data, "csrf_token": token, "announcement_template": "请{num}号"}
    )
    assert "未知的占位符" in error_of(bad, "announcement_template")
    assert Hall.get().opens_at == "08:30"
    good = client.post(
        "/admin/hall",
        data={
            **data,
            "csrf_token": token,
            "opens_at": "08:00",
            "announcement_template": "请{number}号到{window}号窗口",
        },
    )
    assert good.status_code == 303
    assert (Hall.get().opens_at, Hall.get().announcement_template) == (
        "08:00",
        "请{number}号到{window}号窗口",
    )
    assert AuditEntry.select().where(AuditEntry.action == "hall_save").count() == 1


def test_service_guide_edit_with_line_numbers_and_sanitizing(client):
    token = admin(client)
    service = Service.get(Service.code == "household_registration")
    path = f"/admin/services/{service.id}"
    data = form_of(client, path)
    steps_before = service.steps.count()
    bad = client.post(
        path,
        data={**data, "csrf_token": token, "materials": "居民身份证 | 原件 | 1\n户口簿 | 正本 | 1"},
    )
    assert error_of(bad, "materials") == "所需材料第 2 行：“正本”应为原件、复印件或原件及复印件"
    bad = client.post(path, data={**data, "csrf_token": token, "prefix": "A"})
    assert error_of(bad, "prefix") == "号码字母 A 已被“社会救助”使用"
    assert service.steps.count() == steps_before
    good = client.post(
        path,
        data={
            **data,
            "csrf_token": token,
            "conditions": '本社区居民<script>alert(1)</script><img src=x onerror="alert(2)">',
            "steps": "取号等候\n窗口核验：核对身份证件\n当场办结",
            "materials": "居民身份证 | 原件 | 1",
        },
    )
    assert good.status_code == 303
    # Stored as the plain text typed; the kiosk shows it as text, never as markup.
    guide = BeautifulSoup(client.get(f"/guide/{service.id}").data, "html.parser")
    assert not [tag for tag in guide.select("script") if "alert" in tag.get_text()]
    assert guide.select("img[onerror]") == []
    assert "本社区居民<script>alert(1)</script>" in guide.get_text()
    assert [s.title for s in service.steps.order_by(ProcedureStep.position)] == [
        "取号等候",
        "窗口核验",
        "当场办结",
    ]
    assert service.materials.count() == 1


def test_windows_take_an_ordered_list_of_services(client):
    token = admin(client)
    window = Window.get(Window.number == 3)
    bad = client.post(
        f"/admin/windows/{window.id}",
        data={"csrf_token": token, "name": "城建窗口", "services": "C,Z"},
    )
    assert "没有业务 Z" in error_of(bad, "services")
    good = client.post(
        f"/admin/windows/{window.id}",
        data={"csrf_token": token, "name": "城建窗口", "services": "f, c"},
    )
    assert good.status_code == 303
    prefixes = [
        link.service.prefix for link in window.service_links.order_by(WindowService.position)
    ]
    assert prefixes == ["F", "C"]


def test_staff_account_created_and_can_sign_in(app, client):
    token = admin(client)
    window = Window.get(Window.number == 2)
    base = {
        "csrf_token": token,
        "username": "qian",
        "display_name": "钱多多",
        "post": "综合窗口",
        "phone": "13900001234",
        "role": "staff",
        "active": "on",
        "window_ids": [window.id],
    }
    bad = client.post("/admin/staff", data={**base, "password": "short"})
    assert error_of(bad, "password") == "密码至少需要 8 位"
    bad = client.post("/admin/staff", data={**base, "username": "wang", "password": "long-enough"})
    assert error_of(bad, "username") == "用户名已被使用"
    assert not Staff.select().where(Staff.username == "qian").exists()
    assert client.post("/admin/staff", data={**base, "password": "long-enough"}).status_code == 303
    member = Staff.get(Staff.username == "qian")
    assert [link.window.number for link in member.window_links] == [2]
    other = app.test_client()
    response = other.post(
        "/login",
        data={"csrf_token": csrf_token_of(other), "username": "qian", "password": "long-enough"},
    )
    assert response.status_code == 303 and "/staff" in response.headers["Location"]
    after = AuditEntry.select().where(AuditEntry.action == "staff_save").get().after
    assert "long-enough" not in after and "password_hash" not in after


def test_admin_cannot_lock_themselves_out(client):
    token = admin(client)
    me = Staff.get(Staff.username == "admin")
    data = form_of(client, f"/admin/staff/{me.id}")
    response = client.post(
        f"/admin/staff/{me.id}", data={**data, "csrf_token": token, "role": "staff"}
    )
    assert error_of(response, "role") == "不能取消自己的管理员权限或停用自己的账号"
    assert Staff.get_by_id(me.id).role == "admin"


def test_calendar_import_is_all_or_nothing(client):
    token = admin(client)
    before = CalendarDay.select().count()
    response = client.post(
        "/admin/calendar/import",
        data={"csrf_token": token, "csv": "2027-01-01,休,元旦\n2027-02-30,休,坏日期"},
        follow_redirects=True,
    )
    soup = BeautifulSoup(response.data, "html.parser")
    assert "1 处错误" in soup.select_one("#calendar-error").get_text()
    assert "第 2 行" in soup.select_one("#calendar-problems").get_text()
    assert CalendarDay.select().count() == before
    response = client.post(
        "/admin/calendar/import",
        data={"csrf_token": token, "csv": "2027-01-01,休,元旦\n2027-01-04,班,调休"},
    )
    assert response.status_code == 303 and CalendarDay.select().count() == before + 2


def test_staff_photo_is_checked_reencoded_and_shown_on_the_window_screen(client):
    import io

    from PIL import Image

    token = admin(client)
    member = Staff.get(Staff.username == "wang")
    data = form_of(client, f"/admin/staff/{member.id}")
    data.pop("photo", None)
    bad = client.post(
        f"/admin/staff/{member.id}",
        data={
            **data,
            "csrf_token": token,
            "photo": (io.BytesIO(b"<svg onload=alert(1)>"), "a.png"),
        },
        content_type="multipart/form-data",
    )
    assert error_of(bad, "photo") == "无法识别的图片文件"
    assert Staff.get_by_id(member.id).photo == ""
    png = io.BytesIO()
    Image.new("RGB", (1200, 1600), (200, 30, 30)).save(png, "PNG")
    png.seek(0)
    good = client.post(
        f"/admin/staff/{member.id}",
        data={**data, "csrf_token": token, "photo": (png, "wang.png")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 303
    photo = client.get(f"/display/staff-photo/{member.id}.jpg")
    assert photo.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(photo.data)).size == (360, 480)
    Window.update(on_duty=member).where(Window.number == 1).execute()
    screen = BeautifulSoup(client.get("/display/window/1").data, "html.parser")
    assert screen.select_one("img.ws-photo")["src"].endswith(f"/staff-photo/{member.id}.jpg")


def test_guide_texts_with_ampersand_and_angle_brackets_read_as_typed(client):
    """Issue 18: 简介/设定依据/办理条件 with & or < showed residents "&amp;" and "&lt;"."""
    token = admin(client)
    service = Service.get(Service.code == "household_registration")
    path = f"/admin/services/{service.id}"
    data = form_of(client, path)
    typed = {
        "summary": "户口迁入 & 迁出",
        "legal_basis": "《户口登记条例》第6条 & 第10条",
        "conditions": "年龄 < 16 周岁由监护人代办 & 携带户口簿",
    }
    assert client.post(path, data={**data, "csrf_token": token, **typed}).status_code == 303
    guide = BeautifulSoup(client.get(f"/guide/{service.id}").data, "html.parser")
    text = guide.get_text()
    for value in typed.values():
        assert value in text
    assert "&amp;" not in text and "&lt;" not in text
    # The admin form shows the same text back, and saving it again changes nothing.
    again = form_of(client, path)
    assert {name: again[name] for name in typed} == typed


def test_migration_unescapes_guide_texts_stored_escaped(client):
    from kiosk.db import connection, db
    from kiosk.migrations import _migration_7_unescape_guide_texts as _unescape_guide_texts

    with connection():
        service = Service.get(Service.code == "household_registration")
        Service.update(summary="A &amp; B &lt; C", conditions="无").where(
            Service.id == service.id
        ).execute()
        _unescape_guide_texts(db)
        assert Service.get_by_id(service.id).summary == "A & B < C"


@pytest.mark.parametrize(
    ("path", "order_name"),
    [("/admin/hall", "HALL_FIELDS"), ("/admin/services/{service}", "SERVICE_FIELDS")],
)
def test_errors_are_listed_in_the_order_the_fields_stand_on_the_page(client, path, order_name):
    """admin_forms lists each form's fields in page order, so that all the errors of one
    submit read top to bottom: every field of the form is there, in the page's order."""
    from kiosk import admin_forms
    from kiosk.models import Service

    admin(client)
    page = client.get(path.format(service=Service.select().first().id))
    form = BeautifulSoup(page.data, "html.parser").select_one("form.admin-form")
    named = [
        element["name"]
        for element in form.select("input[name], textarea[name], select[name]")
        if element.get("type") not in ("hidden", "file", "checkbox", "submit")
    ]
    on_page = list(dict.fromkeys(named))
    order = getattr(admin_forms, order_name)
    assert [name for name in on_page if name in order] == order
    assert [name for name in on_page if name not in order] == []
