"""A resident reads this month's finances on the kiosk, by touch, at both resolutions."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import finance
from kiosk.db import db
from kiosk.models import Hall

MONTH_CSV = """日期,事项,收支,金额,经手人,凭证号
{m}-02,上级拨付社区工作经费,收入,"20,000.00",刘建国,记-001
{m}-05,购买办公用品（打印纸、墨盒）,支出,356.40,王秀英,记-002
{m}-12,重阳节慰问困难老人（12户）,支出,1200,陈静,记-003
{m}-20,活动室场地租金,收入,800,刘建国,记-004
"""


@pytest.mark.parametrize(
    "width, height, layout", [(1920, 1080, "landscape"), (1080, 1920, "portrait")]
)
def test_resident_reads_the_months_finances(
    live_server, page_factory, screenshot_dir, width, height, layout
):
    month = dt.date.today().strftime("%Y-%m")
    db.connect(reuse_if_open=True)
    finance.import_month(Hall.get(), month, "month.csv", MONTH_CSV.format(m=month).encode("utf-8"))
    page = page_factory(width=width, height=height, touch=True)
    page.goto(live_server.url + "/")
    page.locator('a.home-tile[href="/notices"]').tap()
    page.get_by_text("财务逐笔公开").tap()
    page.wait_for_selector("#total-income")
    assert page.locator("#total-income").inner_text() == "20,800.00"
    assert page.locator("#total-expense").inner_text() == "1,556.40"
    assert page.locator("#total-balance").inner_text() == "19,243.60"
    assert page.locator("td.balance").all_inner_texts() == [
        "20,000.00",
        "19,643.60",
        "18,443.60",
        "19,243.60",
    ]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    shots = screenshot_dir / "disclosure"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"finance-{layout}.png"), full_page=True)
