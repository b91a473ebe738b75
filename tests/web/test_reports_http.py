"""The report pages, their CSV and XLSX exports (the same figures as the page), bad input,
the dashboard, the follow-ups page and the supervisors' read-only rule."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from report_data import build_day
from test_admin_cases import sign_in

from kiosk.db import db
from kiosk.models import Hall, RatingFollowUp


@pytest.fixture
def day_client(app, client):
    db.connect(reuse_if_open=True)
    build_day(Hall.get())
    db.close()
    return client


def as_text(cell) -> str:
    """A workbook cell as the page writes it: "—" for no value, numbers to the decimals of the
    cell's number format."""
    if cell.value is None:
        return "—"
    if isinstance(cell.value, int | float) and cell.number_format.startswith("0."):
        return f"{cell.value:.{len(cell.number_format) - 2}f}"
    return str(cell.value)


def page_rows(html: bytes, section: str) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one(f"#section-{section} table")
    return [
        [cell.get_text(strip=True) for cell in row.select("td")] for row in table.select("tbody tr")
    ]


def test_daily_report_page_csv_and_xlsx_hold_the_same_figures(day_client):
    sign_in(day_client, "admin")
    page = day_client.get("/admin/reports/daily?date=2026-11-24")
    assert page.status_code == 200
    soup = BeautifulSoup(page.data, "html.parser")
    assert soup.select_one("#report-period").get_text() == "2026-11-24"
    assert soup.select_one("#report-empty") is None
    rows = page_rows(page.data, "by_service")
    total = next(row for row in rows if row[0] == "合计")
    assert total[1:9] == ["5", "3", "1", "1", "12.0", "14.0", "11.7", "20.0"]
    assert len(soup.select("svg.chart")) == 4
    exported = day_client.get("/admin/reports/daily?date=2026-11-24&format=csv")
    assert exported.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert next(line for line in lines if line and line[0] == "合计") == total
    workbook = day_client.get("/admin/reports/daily?date=2026-11-24&format=xlsx")
    book = load_workbook(io.BytesIO(workbook.data))
    sheet = book["按业务"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    xlsx_total = next(row for row in values if row[0] == "合计")
    # Numbers stay numbers in the workbook (12.0 reads back as 12): compare as numbers.
    assert [Decimal(str(v)) for v in xlsx_total[1:9]] == [Decimal(v) for v in total[1:9]]
    assert values[0][0] == "郢中街道社区党群服务中心"
    # Every section of every report: each cell of the page equals the workbook's cell.
    for url in (
        "/admin/reports/daily?date=2026-11-24",
        "/admin/reports/period?kind=week&date=2026-11-24",
        "/admin/reports/major?kind=month&date=2026-11-24",
    ):
        html = BeautifulSoup(day_client.get(url).data, "html.parser")
        book = load_workbook(io.BytesIO(day_client.get(url + "&format=xlsx").data))
        for section in html.select("section.report-section"):
            title = section.select_one("h2").get_text()
            table = section.select_one("table")
            if table is None:
                continue
            # An empty text cell is an empty workbook cell (read back as None, "—").
            on_page = [
                [td.get_text(strip=True) or "—" for td in tr.select("td")]
                for tr in table.select("tbody tr")
            ]
            sheet = list(book[title[:31].replace("：", " ")].iter_rows())
            assert [as_text(v) for v in sheet[3]] == [th.get_text() for th in table.select("th")]
            assert [[as_text(v) for v in row] for row in sheet[4:]] == on_page, (url, title)


def test_period_and_major_reports_render(day_client):
    sign_in(day_client, "admin")
    week = day_client.get("/admin/reports/period?kind=week&date=2026-11-25")
    assert week.status_code == 200
    ranking = page_rows(week.data, "ranking")
    assert [row[1] for row in ranking] == ["3 号窗口", "1 号窗口", "4 号窗口"]
    major = day_client.get("/admin/reports/major?kind=month&date=2026-11")
    summary = page_rows(major.data, "summary")[0]
    assert summary[:3] == ["3", "2", "66.7"]


def test_bad_input_gets_a_chinese_message(day_client):
    sign_in(day_client, "admin")
    for url in (
        "/admin/reports/daily?date=2026-02-30",
        "/admin/reports/period?kind=year",
        "/admin/reports/major?kind=decade",
        "/admin/reports/daily?date=2026-11-24&format=pdf",
    ):
        response = day_client.get(url)
        assert response.status_code == 400, url
        message = BeautifulSoup(response.data, "html.parser").select_one("#report-error")
        assert message is not None and message.get_text(), url
    empty = day_client.get("/admin/reports/daily?date=2026-10-01")
    assert (
        "本期没有数据"
        in BeautifulSoup(empty.data, "html.parser").select_one("#report-empty").get_text()
    )


def test_dashboard_and_follow_ups(day_client):
    token = sign_in(day_client, "admin")
    page = day_client.get("/admin/dashboard")
    soup = BeautifulSoup(page.data, "html.parser")
    assert soup.select_one("#dashboard")["hx-trigger"] == "every 5s"
    live = day_client.get("/admin/dashboard/live", headers={"HX-Request": "true"})
    assert BeautifulSoup(live.data, "html.parser").select_one("#dash-waiting") is not None
    follow_ups = day_client.get("/admin/follow-ups")
    assert "2026-12-01" in follow_ups.data.decode()
    db.connect(reuse_if_open=True)
    item = RatingFollowUp.get()
    db.close()
    refused = day_client.post(
        f"/admin/follow-ups/{item.id}", data={"csrf_token": token, "outcome": " "}
    )
    assert "请填写回访或整改结果" in refused.data.decode()
    done = day_client.post(
        f"/admin/follow-ups/{item.id}", data={"csrf_token": token, "outcome": "已回访"}
    )
    assert done.status_code == 303
    db.connect(reuse_if_open=True)
    assert RatingFollowUp.get().status == "done"
    db.close()


def test_supervisors_read_reports_but_cannot_close_follow_ups(day_client):
    token = sign_in(day_client, "supervisor")
    assert day_client.get("/admin/reports/daily?date=2026-11-24").status_code == 200
    assert day_client.get("/admin/dashboard").status_code == 200
    db.connect(reuse_if_open=True)
    item = RatingFollowUp.get()
    db.close()
    response = day_client.post(
        f"/admin/follow-ups/{item.id}", data={"csrf_token": token, "outcome": "x"}
    )
    assert response.status_code == 403


def test_the_hall_chooses_its_rating_scale_and_wait_alert(client):
    from test_admin_settings import admin, form_of

    token = admin(client)
    form = form_of(client, "/admin/hall")
    assert (form["rating_scale"], form["wait_alert_minutes"]) == ("national", "30")
    refused = client.post(
        "/admin/hall", data={**form, "csrf_token": token, "wait_alert_minutes": "abc"}
    )
    assert "0 到 480" in refused.data.decode()
    refused = client.post("/admin/hall", data={**form, "csrf_token": token, "rating_scale": "x"})
    assert "请选择评价方式" in refused.data.decode()
    db.connect(reuse_if_open=True)
    assert (Hall.get().rating_scale, Hall.get().wait_alert_minutes) == ("national", 30)
    saved = client.post(
        "/admin/hall",
        data={**form, "csrf_token": token, "rating_scale": "ten_point", "wait_alert_minutes": "20"},
    )
    assert saved.status_code == 303
    assert (Hall.get().rating_scale, Hall.get().wait_alert_minutes) == ("ten_point", 20)


def test_the_report_reads_in_english(day_client):
    sign_in(day_client, "admin")
    page = BeautifulSoup(
        day_client.get("/admin/reports/daily?date=2026-11-24&lang=en").data, "html.parser"
    )
    assert page.select_one(".report-head h1").get_text() == "Daily work report"
    headers = [th.get_text() for th in page.select("#section-by_service th")]
    assert (
        headers[:3] == ["Item", "Tickets issued", "Tickets served"]
        and "Satisfaction rate (%)" in headers
    )
    rows = page.select("#section-by_window tbody tr")
    assert [tr.select_one("td").get_text() for tr in rows] == ["Window 1", "Window 3", "Window 4"]
    workbook = load_workbook(
        io.BytesIO(day_client.get("/admin/reports/daily?date=2026-11-24&format=xlsx&lang=en").data)
    )
    assert workbook.sheetnames == ["By service", "By window", "By staff member"]


def test_open_follow_ups_are_paged_nearest_deadline_first(client):
    """A neglected backlog of 120 follow-ups: 50 a page by deadline, the count on the page,
    and closing one on page 2 comes back to page 2 with one fewer."""
    import datetime as dt

    from kiosk.models import Rating

    db.connect(reuse_if_open=True)
    hall = Hall.get()
    for n in range(120):
        day = dt.date(2026, 6, 1) + dt.timedelta(days=(n * 37) % 120)
        rating = Rating.create(
            hall=hall, score=2, level=1, grade="very_dissatisfied", scale="national",
            local_date=day, comment=f"意见{n}",
        )  # fmt: skip
        RatingFollowUp.create(hall=hall, rating=rating, local_date=day, deadline=day)
    expected = [
        f.rating.comment for f in sorted(RatingFollowUp.select(), key=lambda f: (f.deadline, f.id))
    ]
    db.close()
    token = sign_in(client, "admin")
    shown = []
    for page in (1, 2, 3):
        soup = BeautifulSoup(client.get(f"/admin/follow-ups?page={page}").data, "html.parser")
        shown += [row.select("td")[5].get_text() for row in soup.select("#follow-ups tbody tr")]
        assert f"待回访 120 件，期限近的在前 · 第 {page} / 3 页" in soup.get_text()
    assert shown == expected
    soup = BeautifulSoup(client.get("/admin/follow-ups?page=2").data, "html.parser")
    form = soup.select_one("#follow-ups tbody tr form")
    assert form["action"].endswith("page=2")
    done = client.post(form["action"], data={"csrf_token": token, "outcome": "已电话回访"})
    assert done.status_code == 303 and done.headers["Location"].endswith("page=2")
    after = BeautifulSoup(client.get(done.headers["Location"]).data, "html.parser")
    assert "待回访 119 件" in after.get_text()
    assert after.select_one("#follow-ups tbody tr td:nth-of-type(6)").get_text() == expected[51]
