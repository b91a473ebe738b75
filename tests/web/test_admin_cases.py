"""The cases page: overdue cases first, residents' details masked for supervisors."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from support import sign_in

from kiosk.models import Case, Hall, Staff


def add_case(number: str, deadline: dt.date) -> Case:
    clerk = Staff.get(Staff.username == "wang")
    return Case.create(
        hall=Hall.get(),
        number=number,
        tracking_code=number,
        resident_name="王秀兰",
        resident_phone="13900002222",
        subject="低保复核",
        accepted_by=clerk,
        first_responsible=clerk,
        deadline=deadline,
    )


def rows(client) -> list[tuple[str, str, str]]:
    soup = BeautifulSoup(client.get("/admin/cases").data, "html.parser")
    return [
        (
            row["data-case"],
            row.select_one(".resident-name").get_text(),
            row.select_one(".resident-phone").get_text(),
        )
        for row in soup.select("table.cases tbody tr[data-case]")
    ]


def test_supervisor_sees_masked_details_and_overdue_first(app, client):
    add_case("SL-later", dt.date(2099, 1, 1))
    add_case("SL-late", dt.date(2020, 1, 1))
    sign_in(client, "supervisor")
    assert rows(client) == [
        ("SL-late", "王*兰", "139****2222"),
        ("SL-later", "王*兰", "139****2222"),
    ]
    admin = app.test_client()
    sign_in(admin, "admin")
    assert rows(admin)[0] == ("SL-late", "王秀兰", "13900002222")
    page = BeautifulSoup(admin.get("/admin/cases").data, "html.parser")
    assert "已超期" in page.select_one("tr.overdue").get_text()


def test_purge_is_admin_only(app, client):
    token = sign_in(client, "supervisor")
    assert client.post("/admin/cases/purge", data={"csrf_token": token}).status_code == 403
    admin = app.test_client()
    token = sign_in(admin, "admin")
    response = admin.post("/admin/cases/purge", data={"csrf_token": token})
    assert response.status_code == 303
