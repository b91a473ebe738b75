"""The cases page: overdue cases first, residents' details masked for supervisors."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from support import accepted_case, sign_in

from kiosk.models import Case


def add_case(number: str, deadline: dt.date) -> Case:
    return accepted_case(
        number,
        resident_name="王秀兰",
        resident_phone="13900002222",
        subject="低保复核",
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


def test_my_cases_are_paged_open_first_then_newest_finished(app, client):
    """我的受理件 of a clerk with a year of cases: open ones first by deadline, then finished
    ones newest first, 50 a page; the order matches a sort of the rows in Python."""
    from kiosk.cases import CASES_PER_PAGE

    today = dt.date(2026, 12, 3)
    made = []
    for number in range(CASES_PER_PAGE + 12):
        case = add_case(f"SL-{number:03d}", today + dt.timedelta(days=(number * 7) % 23 - 11))
        if number % 5:
            Case.update(status="completed").where(Case.id == case.id).execute()
            case.status = "completed"
        made.append(case)
    expected = sorted(
        made,
        key=lambda c: (
            (0, c.deadline.toordinal(), 0) if c.status in Case.OPEN_STATUSES else (1, 0, -c.id)
        ),
    )
    sign_in(client, "wang")
    shown = []
    for page in (1, 2):
        soup = BeautifulSoup(client.get(f"/staff/cases?page={page}").data, "html.parser")
        shown += [row["data-case"] for row in soup.select("tr[data-case]")]
        assert f"共 {len(made)} 件 · 第 {page} / 2 页" in soup.get_text()
    assert shown == [case.number for case in expected]
    page_one = BeautifulSoup(client.get("/staff/cases").data, "html.parser")
    states = [cell.get_text() for cell in page_one.select("td.case-status")]
    open_count = sum(case.status in Case.OPEN_STATUSES for case in made)
    assert states[:open_count] == ["已受理"] * open_count
    assert set(states[open_count:]) == {"已办结"}
    first = BeautifulSoup(client.get("/staff/cases").data, "html.parser")
    assert len(first.select("tr[data-case]")) == CASES_PER_PAGE
    assert first.select_one("#next-page")["href"].endswith("page=2")
    # A page past the end shows the last page; a bad page number shows the first.
    assert "第 2 / 2 页" in client.get("/staff/cases?page=99").text
    assert "第 1 / 2 页" in client.get("/staff/cases?page=%C2%B2").text


def test_my_cases_pages_cut_anywhere_keep_the_order(app, client, monkeypatch):
    """Five a page, so the open cases fill two pages and end inside a third, where the
    finished ones begin: every page, read in turn, gives the sort of the rows in Python, with
    nobody else's case and no case twice. Cases the clerk only handles as agent are hers too."""
    from kiosk import cases
    from kiosk.models import Staff

    monkeypatch.setattr(cases, "CASES_PER_PAGE", 5)
    today = dt.date(2026, 12, 3)
    wang = Staff.get(Staff.username == "wang")
    made = []
    for number in range(23):
        case = add_case(f"SL-{number:03d}", today + dt.timedelta(days=(number * 5) % 17 - 8))
        if number % 2:
            Case.update(status="completed").where(Case.id == case.id).execute()
            case.status = "completed"
        made.append(case)
    handled = accepted_case("SL-agent", "li", deadline=today, agent=wang)
    made.append(handled)
    accepted_case("SL-other", "li", deadline=today)  # li's alone: never on wang's list
    expected = sorted(
        made,
        key=lambda c: (
            (0, c.deadline.toordinal(), -c.id) if c.status in Case.OPEN_STATUSES else (1, 0, -c.id)
        ),
    )
    assert sum(case.status in Case.OPEN_STATUSES for case in made) == 13  # ends in page 3
    sign_in(client, "wang")
    shown = []
    for page in range(1, 6):
        soup = BeautifulSoup(client.get(f"/staff/cases?page={page}").data, "html.parser")
        numbers = [row["data-case"] for row in soup.select("tr[data-case]")]
        assert len(numbers) == 5 if page < 5 else 4
        assert f"共 24 件 · 第 {page} / 5 页" in soup.get_text()
        shown += numbers
    assert shown == [case.number for case in expected]


def test_my_finished_cases_are_counted_only_as_far_as_the_page_needs(app, client, monkeypatch):
    """Issue 17: a clerk's finished cases only grow with the years, and counting a year of them
    cost more than the page. Counted up to 10 here (1,000 in the hall): the first pages say
    "10 以上" and still lead on, each next page is counted as far as it needs, every case comes
    once in the same order as the exact count gives, and the last page is exact again."""
    from kiosk import cases
    from kiosk.models import Staff

    monkeypatch.setattr(cases, "CASES_PER_PAGE", 5)
    monkeypatch.setattr(cases, "CASES_COUNTED_UPTO", 10)
    today = dt.date(2026, 12, 3)
    wang = Staff.get(Staff.username == "wang")
    made = []
    for number in range(23):
        case = add_case(f"SL-{number:03d}", today + dt.timedelta(days=number % 7 - 3))
        if number % 3:
            Case.update(status="completed").where(Case.id == case.id).execute()
            case.status = "completed"
        made.append(case)
    made.append(accepted_case("SL-agent", "li", deadline=today, agent=wang))
    expected = sorted(
        made,
        key=lambda c: (
            (0, c.deadline.toordinal(), -c.id) if c.status in Case.OPEN_STATUSES else (1, 0, -c.id)
        ),
    )
    sign_in(client, "wang")
    shown, path = [], "/staff/cases"
    said = {1: "共 10 件以上 · 第 1 页", 2: "共 10 件以上 · 第 2 页", 3: "共 15 件以上 · 第 3 页",
            4: "共 20 件以上 · 第 4 页", 5: "共 24 件 · 第 5 / 5 页"}  # fmt: skip
    for page in range(1, 6):
        soup = BeautifulSoup(client.get(path).data, "html.parser")
        assert said[page] in soup.get_text()
        shown += [row["data-case"] for row in soup.select("tr[data-case]")]
        following = soup.select_one("#next-page")
        if page < 5:
            path = following["href"]  # the page's own link leads on past the count
        else:
            assert following is None
    assert shown == [case.number for case in expected]
    last = BeautifulSoup(client.get("/staff/cases?page=99").data, "html.parser")
    assert "共 24 件 · 第 5 / 5 页" in last.get_text()  # past the end: the last page, exact
