"""Finance import through the admin page: bad files list every bad line and change nothing."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from support import sign_in

from kiosk.models import FinanceEntry

GOOD = (
    '日期,事项,收支,金额,经手人,凭证号\n2026-11-02,上级拨付社区工作经费,收入,"20,000.00",刘建国,记-001\n'
    "2026-11-05,购买办公用品,支出,356.40,王秀英,记-002\n"
)
BAD = (
    "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,abc,刘,1\n"
    "2026-10-30,经费,支出,5,刘,1\n"
)


def upload(client, token, text: str, name: str = "11月.csv"):
    return client.post(
        "/admin/finance",
        data={
            "csrf_token": token,
            "month": "2026-11",
            "file": (io.BytesIO(text.encode("utf-8")), name),
        },
        content_type="multipart/form-data",
    )


def test_bad_file_lists_lines_and_good_file_shows_on_the_kiosk(client):
    token = sign_in(client, "admin")
    bad = BeautifulSoup(upload(client, token, BAD).data, "html.parser")
    assert "文件中有 3 处错误" in bad.select_one("#finance-error").get_text()
    problems = [li.get_text() for li in bad.select("#finance-problems li")]
    assert problems == [
        "第 2 行：金额“abc”不是数字",
        "第 3 行：日期 2026-10-30 不属于 2026-11",
        "第 3 行：凭证号 1 与第 2 行重复",
    ]
    assert FinanceEntry.select().count() == 0
    assert upload(client, token, GOOD).status_code == 303
    kiosk = BeautifulSoup(client.get("/finance?month=2026-11").data, "html.parser")
    assert kiosk.select_one("#total-income").get_text() == "20,000.00"
    assert kiosk.select_one("#total-balance").get_text() == "19,643.60"
    assert [td.get_text() for td in kiosk.select("td.balance")] == ["20,000.00", "19,643.60"]


def test_a_meeting_from_schedule_to_published_results(client):
    from kiosk.models import AgendaItem, Meeting, Notice

    token = sign_in(client, "admin")
    page = BeautifulSoup(client.get("/admin/meetings").data, "html.parser")
    day = page.select_one("#held_on")["value"]
    assert day.endswith(("-05", "-06", "-07", "-08"))  # the 5th or the next working day
    response = client.post(
        "/admin/meetings", data={"csrf_token": token, "title": "议政会", "held_on": day}
    )
    meeting = Meeting.get()
    assert response.headers["Location"].endswith(f"/admin/meetings/{meeting.id}")
    for title in ("停车位划线", "增设健身器材"):
        client.post(
            f"/admin/meetings/{meeting.id}/items", data={"csrf_token": token, "title": title}
        )
    first, second = list(AgendaItem.select().order_by(AgendaItem.position))
    client.post(
        f"/admin/meetings/{meeting.id}/attendance",
        data={"csrf_token": token, "attendees": "20", "representatives": "9"},
    )
    refused = BeautifulSoup(
        client.post(
            f"/admin/meetings/{meeting.id}/items/{first.id}/vote",
            data={"csrf_token": token, "support": "15", "oppose": "5", "abstain": "0"},
        ).data,
        "html.parser",
    )
    assert "不能表决" in refused.select_one("#meeting-error").get_text()
    assert AgendaItem.get_by_id(first.id).passed is None
    client.post(
        f"/admin/meetings/{meeting.id}/attendance",
        data={"csrf_token": token, "attendees": "20", "representatives": "10"},
    )
    client.post(
        f"/admin/meetings/{meeting.id}/items/{first.id}/vote",
        data={"csrf_token": token, "support": "10", "oppose": "10", "abstain": "0"},
    )
    client.post(
        f"/admin/meetings/{meeting.id}/items/{second.id}/vote",
        data={"csrf_token": token, "support": "11", "oppose": "8", "abstain": "1"},
    )
    assert [i.passed for i in AgendaItem.select().order_by(AgendaItem.position)] == [False, True]
    client.post(f"/admin/meetings/{meeting.id}/publish", data={"csrf_token": token})
    notice = Notice.get(Notice.category == "deliberation")
    kiosk = client.get("/notices").data.decode()
    assert notice.title in kiosk and "增设健身器材：赞成 11，反对 8，弃权 1，通过" in kiosk


def test_a_notice_with_a_picture_shows_on_the_kiosk(client):
    from PIL import Image

    from kiosk.models import Notice

    token = sign_in(client, "admin")
    bad = client.post(
        "/admin/notices",
        data={
            "csrf_token": token,
            "title": "公告",
            "category": "service",
            "body": "<p>正文</p>",
            "image": (io.BytesIO(b"GIF89a not really"), "x.gif"),
        },
        content_type="multipart/form-data",
    )
    assert "无法识别的图片文件" in bad.data.decode() and Notice.select().count() == 0
    png = io.BytesIO()
    Image.new("RGB", (2000, 1000), "#0a6b2a").save(png, "PNG")
    png.seek(0)
    saved = client.post(
        "/admin/notices",
        data={
            "csrf_token": token,
            "title": "惠民政策宣传",
            "category": "policy",
            "published": "on",
            "body": "<p>城乡居民医保开始缴费</p>",
            "image": (png, "poster.png"),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 303
    kiosk = BeautifulSoup(client.get("/notices").data, "html.parser")
    src = kiosk.select_one(".notice-body img")["src"]
    picture = client.get(src)
    assert picture.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(picture.data)).size == (1280, 640)
    assert client.get("/notices/images/../../secret_key").status_code == 404
