"""Admin forms name every bad field at once (issue 15): each message under its field with the
field marked invalid, a summary at the top in the order of the page, and nothing saved."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from playhouse.shortcuts import model_to_dict
from support import error_of, form_of

from kiosk.errors import FieldProblems, Problems, ValidationError
from kiosk.models import AuditEntry, Hall, Notice, Printer, Service, Staff


def summary_of(response) -> list[str]:
    soup = BeautifulSoup(response.data, "html.parser")
    box = soup.select_one(".error-summary[role=alert]")
    return [item.get_text(strip=True) for item in box.select("li")] if box else []


def marked_invalid(response) -> set[str]:
    soup = BeautifulSoup(response.data, "html.parser")
    return {node["name"] for node in soup.select('[aria-invalid="true"]')}


def audit_count() -> int:
    return AuditEntry.select().count()


def test_hall_settings_name_every_bad_field_and_save_nothing(client, auth):
    token = auth.sign_in("admin")
    before = model_to_dict(Hall.get(), recurse=False)
    entries = audit_count()
    data = form_of(client, "/admin/hall")
    bad = {
        **data,
        "csrf_token": token,
        "name": "",
        "opens_at": "8点半",
        "kiosk_idle_seconds": "5",
        "supervision_phone": "",
        "personal_data_retention_days": "１０",
    }
    response = client.post("/admin/hall", data=bad)
    assert response.status_code == 200
    expected = {
        "name": "请填写大厅名称",
        "opens_at": "时间应写成 08:30 这样的格式",
        "kiosk_idle_seconds": "请填写 15 到 600 之间的秒数",
        "supervision_phone": "请填写监督电话",
        "personal_data_retention_days": "请填写 30 到 3650 之间的天数",
    }
    assert {field: error_of(response, field) for field in expected} == expected
    assert marked_invalid(response) == set(expected)
    # The summary counts them and lists them as the page does, top to bottom.
    page = BeautifulSoup(response.data, "html.parser")
    assert "有 5 处需要修改" in page.select_one(".error-summary").get_text()
    assert summary_of(response) == list(expected.values())
    assert [a["href"] for a in page.select(".error-summary a")] == [f"#{f}" for f in expected]
    # What was typed stays in the form, and nothing was saved or audited.
    assert page.select_one("#kiosk_idle_seconds")["value"] == "5"
    assert model_to_dict(Hall.get(), recurse=False) == before
    assert audit_count() == entries

    # Fixing all but one leaves exactly that one, with no count line.
    fixed = {**data, "csrf_token": token, "opens_at": "8点半"}
    response = client.post("/admin/hall", data=fixed)
    assert summary_of(response) == ["时间应写成 08:30 这样的格式"]
    assert "处需要修改" not in response.data.decode()
    assert marked_invalid(response) == {"opens_at"}


def test_service_form_names_every_bad_field(client, auth):
    token = auth.sign_in("admin")
    service = Service.select().order_by(Service.id).first()
    before = model_to_dict(service, recurse=False)
    path = f"/admin/services/{service.id}"
    data = form_of(client, path)
    response = client.post(
        path,
        data={
            **data,
            "csrf_token": token,
            "prefix": "a1",
            "legal_basis": "",
            "handling_type": "promised",
            "time_limit_days": "0",
            "materials": "身份证 | 原件 | 1\n户口本 | 扫描件 | 1",
        },
    )
    expected = {
        "prefix": "号码字母应为 1 到 2 个英文大写字母",
        "legal_basis": "请填写设定依据",
        "time_limit_days": "承诺件需要填写承诺时限",
        "materials": "所需材料第 2 行：“扫描件”应为原件、复印件或原件及复印件",
    }
    assert {field: error_of(response, field) for field in expected} == expected
    assert summary_of(response) == list(expected.values())
    assert model_to_dict(Service.get_by_id(service.id), recurse=False) == before


NEW_FORMS = [
    (
        "/admin/printers",
        Printer,
        {"name": "", "role": "lobby", "kind": "network", "host": "192.168.1.999",
         "port": "9100", "dot_width": "100", "mode": "raster"},
        {"name": "请填写打印机名称",
         "role": "用途应为 kiosk（取号机）、notice（公告）或 window:3（3号窗口）",
         "host": "IP 地址或主机名不正确，例如 192.168.1.50",
         "dot_width": "纸宽点数应为 384（58 毫米）、512（TM-T88V）或 576（80 毫米）"},
    ),
    (
        "/admin/staff",
        Staff,
        {"username": "1x", "display_name": "", "post": "窗口受理", "phone": "123",
         "role": "staff", "password": ""},
        {"username": "用户名为 2 到 32 位小写字母、数字，以字母开头",
         "display_name": "请填写姓名",
         "phone": "电话号码格式不对：手机 11 位，座机如 0724-4221000",
         "password": "新账号需要设置初始密码"},
    ),
    (
        "/admin/notices",
        Notice,
        {"title": "", "category": "gossip", "valid_from": "2026-13-01", "valid_until": "",
         "body": "<script>x</script>"},
        {"title": "请填写标题（最多 80 字）", "category": "请选择公告类别",
         "valid_from": "日期应写成 2026-11-24 这样的格式", "body": "请填写公告正文"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "path, model, form, expected", NEW_FORMS, ids=[path for path, *_ in NEW_FORMS]
)
def test_new_printer_staff_and_notice_forms_name_every_bad_field(
    client, auth, path, model, form, expected
):
    token = auth.sign_in("admin")
    rows = model.select().count()
    response = client.post(path, data={**form, "csrf_token": token})
    assert response.status_code == 200
    assert {field: error_of(response, field) for field in expected} == expected
    assert marked_invalid(response) == set(expected)
    assert summary_of(response) == list(expected.values())
    assert model.select().count() == rows


def test_account_rules_are_named_together(client, auth):
    """A taken username and a weak password, past the form's own checks, in one answer."""
    token = auth.sign_in("admin")
    response = client.post(
        "/admin/staff",
        data={
            "csrf_token": token,
            "username": "admin",
            "display_name": "李四",
            "post": "窗口受理",
            "role": "staff",
            "password": "123",
        },
    )
    assert error_of(response, "username") == "用户名已被使用"
    assert error_of(response, "password").startswith("密码至少需要")
    assert len(summary_of(response)) == 2


def test_the_collector_keeps_one_problem_as_it_is_and_orders_several():
    problems = Problems()
    with problems.check():
        raise ValidationError("一", field="b")
    with pytest.raises(ValidationError) as single:
        problems.raise_any()
    assert type(single.value) is ValidationError and single.value.field == "b"

    with problems.check():
        raise FieldProblems([ValidationError("二", field="c"), ValidationError("三", field="a")])
    with pytest.raises(FieldProblems) as several:
        problems.raise_any(order=("a", "b", "c"))
    assert [p.field for p in several.value.problems] == ["a", "b", "c"]
    assert several.value.field == "a" and str(several.value) == "有 3 处需要修改"

    clean = Problems()
    with clean.check():
        pass
    clean.raise_any()  # nothing found: returns
    assert clean.found == []
