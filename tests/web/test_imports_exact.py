"""Imports never publish a number they did not read exactly (issue 16): real files in UTF-8,
GB18030 (what Excel in China saves as CSV) and XLSX.

- An unquoted `1,200.00` splits a row into one cell too many: the line is named, nothing shifts.
- Amounts: 1,200.00 / ¥1,200.00 / 1200 / full-width digits, and nothing else.
- A 合计 row is recognised and checked against the sum, not imported as an entry.
- The calendar takes GB18030 and names every bad line, not only the first.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kiosk import calendar, finance
from kiosk.errors import LineProblems
from kiosk.models import CalendarDay, FinanceEntry

HEADER = "日期,事项,收支,金额,经手人,凭证号\n"


def messages(failure: LineProblems) -> list[str]:
    return [message % {"line": line, **params} for line, message, params in failure.problems]


def test_an_unquoted_thousands_comma_is_a_named_error_never_a_shift(hall):
    data = (HEADER + "2026-11-03,办公用品,支出,1,200.00,张三,PZ-001\n").encode("utf-8")
    with pytest.raises(finance.ImportProblems) as caught:
        finance.parse_file("november.csv", data, "2026-11")
    [message] = messages(caught.value)
    assert message.startswith("第 2 行：有 7 个单元格，表头只有 6 列")
    assert FinanceEntry.select().count() == 0


@pytest.mark.parametrize(
    "written, amount",
    [
        ('"1,200.00"', Decimal("1200.00")),
        ('"¥1,200.00"', Decimal("1200.00")),
        ("1200", Decimal("1200")),
        ("１２００．５０", Decimal("1200.50")),  # full-width digits
        ("￥８８", Decimal("88")),
    ],
)
def test_amounts_as_people_write_them(written, amount):
    data = (HEADER + f"2026-11-03,办公用品,支出,{written},张三,PZ-001\n").encode("utf-8")
    [row] = finance.parse_file("november.csv", data, "2026-11")
    assert row.amount == amount


@pytest.mark.parametrize("written", ['"1,20.00"', "12e3", '"1.200,00"', "壹佰", "0x10", "1 200"])
def test_anything_else_is_not_an_amount(written):
    data = (HEADER + f"2026-11-03,办公用品,支出,{written},张三,PZ-001\n").encode("utf-8")
    with pytest.raises(finance.ImportProblems) as caught:
        finance.parse_file("november.csv", data, "2026-11")
    assert "不是数字" in messages(caught.value)[0]


def gb18030_file(total: str) -> bytes:
    text = (
        HEADER
        + '2026-11-02,上级拨款,收入,"5,000.00",李四,PZ-101\n'
        + '2026-11-03,办公用品,支出,"1,200.00",张三,PZ-102\n'
        + "2026-11-09,水电费,支出,300.50,张三,PZ-103\n"
        + f"合计,,,{total},,\n"
    )
    return text.encode("gb18030")


def test_a_total_row_is_checked_and_not_imported(hall):
    rows = finance.parse_file("11月.csv", gb18030_file("6500.50"), "2026-11")  # all amounts
    assert [row.voucher for row in rows] == ["PZ-101", "PZ-102", "PZ-103"]
    rows = finance.parse_file("11月.csv", gb18030_file("3499.50"), "2026-11")  # income - expense
    assert len(rows) == 3
    with pytest.raises(finance.ImportProblems) as caught:
        finance.parse_file("11月.csv", gb18030_file("6000.00"), "2026-11")
    assert messages(caught.value) == ["第 5 行：合计 6000.00 与明细之和 6500.50 不符"]


def test_xlsx_with_a_total_per_direction(hall):
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "事项", "收支", "金额", "经手人", "凭证号"])
    sheet.append(["2026-11-02", "上级拨款", "收入", 5000, "李四", "PZ-101"])
    sheet.append(["2026-11-03", "办公用品", "支出", "1,200.00", "张三", "PZ-102"])
    sheet.append(["", "支出合计", "支出", 1200, "", ""])
    sheet.append(["", "收入合计", "收入", "¥5,000.00", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = finance.parse_file("11月.xlsx", buffer.getvalue(), "2026-11")
    assert [(row.direction, row.amount) for row in rows] == [
        ("income", Decimal("5000")),
        ("expense", Decimal("1200.00")),
    ]


def test_calendar_in_gb18030_names_every_bad_line(hall):
    text = (
        "日期,类型,说明\n"
        "2027-01-01,休,元旦\n"
        "2027-02-30,休,春节\n"  # no such day
        "2027-02-07,上班,春节调休\n"  # unknown kind
        "2027-02-08,班,春节调休\n"
    )
    decoded = calendar.decode_csv(text.encode("gb18030"))
    assert decoded == text
    with pytest.raises(LineProblems) as caught:
        calendar.parse_csv(decoded)
    assert [line for line, _m, _p in caught.value.problems] == [3, 4]
    assert CalendarDay.select().where(CalendarDay.day.year == 2027).count() == 0
    good = "日期,类型,说明\n2027-01-01,休,元旦\n2027-02-08,班,春节调休\n".encode("gb18030")
    assert calendar.import_csv(hall, calendar.parse_csv(calendar.decode_csv(good))) == 2


def test_calendar_upload_lists_every_bad_line_on_the_page(client):
    import re

    client.post(
        "/login",
        data={
            "csrf_token": re.search(
                r'name="csrf_token" value="([^"]+)"', client.get("/login").data.decode()
            ).group(1),
            "username": "admin",
            "password": "admin-pass-123",
        },
    )
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/admin/calendar").data.decode()
    ).group(1)
    bad = "2027-13-01,休,x\n2027-01-02,上班,y\n".encode("gb18030")
    response = client.post(
        "/admin/calendar/import",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "2027.csv")},
        content_type="multipart/form-data",
    )
    page = response.data.decode()
    assert response.status_code == 200
    assert "第 1 行" in page and "第 2 行" in page


# An optional trailing column (备注) left empty: the unquoted comma fills it, so the trimmed row
# is as wide as the trimmed header. Raw cell counts still tell.
NOTE_HEADER = "日期,事项,收支,金额,经手人,凭证号,备注\n"


def shifted_with_note(encoding: str) -> bytes:
    text = (
        NOTE_HEADER
        + "2026-11-02,上级拨款,收入,5000.00,李四,PZ-101,\n"
        + "2026-11-03,办公用品,支出,1,200.00,张三,PZ-102,\n"
        + "2026-11-04,水电费,支出,300.50,张三,PZ-103,已付\n"
    )
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_split_amount_with_an_empty_note_column_is_named_never_one_yuan(hall, encoding):
    with pytest.raises(finance.ImportProblems) as caught:
        finance.parse_file("11月.csv", shifted_with_note(encoding), "2026-11")
    assert messages(caught.value) == [
        "第 3 行：有 8 个单元格，表头只有 7 列（金额中的逗号请写成 1200.00，或给金额加引号）"
    ]
    assert FinanceEntry.select().count() == 0


def test_a_split_amount_whose_row_lost_its_trailing_comma_is_named(hall):
    # The editor dropped the empty 备注 cell: 7 cells under a 7-column header, still split.
    text = NOTE_HEADER + "2026-11-03,办公用品,支出,1,200.00,张三,PZ-102\n"
    with pytest.raises(finance.ImportProblems) as caught:
        finance.parse_file("11月.csv", text.encode("gb18030"), "2026-11")
    [message] = messages(caught.value)
    assert message.startswith("第 2 行：金额“1”像是被逗号拆开的 1,200.00")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_row_with_too_few_cells_is_named_as_such(hall, encoding):
    text = (
        NOTE_HEADER
        + "2026-11-02,上级拨款,收入,5000.00,李四,PZ-101,\n"
        + "2026-11-03,办公用品,支出,120.00\n"
    )
    with pytest.raises(finance.ImportProblems) as caught:
        finance.parse_file("11月.csv", text.encode(encoding), "2026-11")
    assert messages(caught.value) == ["第 3 行：只有 4 个单元格，表头有 7 列"]


def test_rows_with_an_empty_note_and_a_quoted_amount_import_exactly(hall):
    text = (
        NOTE_HEADER
        + '2026-11-03,办公用品,支出,"1,200.00",张三,PZ-102,\n'
        + "2026-11-04,水电费,支出,300.50,张三,PZ-103\n"  # the trailing empty cell dropped
        + "2026-11-05,打印纸,支出,120,王五,PZ-104,已付\n"
    )
    for encoding in ("utf-8", "gb18030"):
        rows = finance.parse_file("11月.csv", text.encode(encoding), "2026-11")
        assert [(row.amount, row.handler) for row in rows] == [
            (Decimal("1200.00"), "张三"),
            (Decimal("300.50"), "张三"),
            (Decimal("120"), "王五"),
        ]


def test_xlsx_with_an_empty_note_column_imports_exactly(hall):
    book = Workbook()
    sheet = book.active
    sheet.append(["日期", "事项", "收支", "金额", "经手人", "凭证号", "备注"])
    sheet.append(["2026-11-03", "办公用品", "支出", "1,200.00", "张三", "PZ-102", None])
    sheet.append(["2026-11-04", "水电费", "支出", 300.5, "张三", "PZ-103", "已付"])
    sheet.append(["2026-11-05", "打印纸", "支出", 120, "王五", "PZ-104"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = finance.parse_file("11月.xlsx", buffer.getvalue(), "2026-11")
    assert [(row.amount, row.handler, row.voucher) for row in rows] == [
        (Decimal("1200.00"), "张三", "PZ-102"),
        (Decimal("300.5"), "张三", "PZ-103"),
        (Decimal("120"), "王五", "PZ-104"),
    ]
