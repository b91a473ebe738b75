"""Importing a month's itemized finances: good files replace the month, bad files change nothing
and name every bad line; amounts are exact decimals."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kiosk import finance
from kiosk.errors import ValidationError
from kiosk.models import AuditEntry, FinanceEntry

GOOD = """日期,事项,收支,金额,经手人,凭证号
2026-11-02,上级拨付社区工作经费,收入,"20,000.00",刘建国,记-001
2026-11-05,购买办公用品,支出,356.40,王秀英,记-002
2026-11-12,慰问困难老人,支出,1200,陈静,记-003
2026-11-20,活动室场地租金,收入,0.10,刘建国,记-004
"""


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_a_good_month_imports_with_totals_and_running_balance(hall):
    assert finance.import_month(hall, "2026-11", "11月.csv", csv_bytes(GOOD)) == 4
    month = finance.statement(hall, "2026-11")
    assert (month.income, month.expense, month.balance) == (
        Decimal("20000.10"),
        Decimal("1556.40"),
        Decimal("18443.70"),
    )
    assert [str(balance) for _entry, balance in month.lines] == [
        "20000.00",
        "19643.60",
        "18443.60",
        "18443.70",
    ]
    assert all(isinstance(entry.amount, Decimal) for entry, _ in month.lines)
    assert AuditEntry.get(AuditEntry.action == "finance_import").object_id == "2026-11"


def test_gb18030_csv_and_xlsx_import(hall):
    assert finance.import_month(hall, "2026-11", "gbk.csv", csv_bytes(GOOD, "gb18030")) == 4
    book = Workbook()
    sheet = book.active
    for line in GOOD.strip().splitlines():
        sheet.append(next(iter(__import__("csv").reader([line]))))
    buffer = io.BytesIO()
    book.save(buffer)
    assert finance.import_month(hall, "2026-11", "11月.xlsx", buffer.getvalue()) == 4
    assert FinanceEntry.select().count() == 4  # the month was replaced, not doubled


@pytest.mark.parametrize(
    "text, expected",
    [
        ("日期,事项,金额,经手人,凭证号\n2026-11-02,经费,100,刘,1\n", "缺少“收支”列"),
        (
            "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,一百元,刘,1\n",
            "第 2 行：金额“一百元”不是数字",
        ),
        (
            "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,100,刘,1\n"
            "2026-10-31,经费,支出,50,刘,2\n",
            "第 3 行：日期 2026-10-31 不属于 2026-11",
        ),
        (
            "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,100,刘,A1\n"
            "2026-11-03,经费,支出,50,刘,A1\n",
            "第 3 行：凭证号 A1 与第 2 行重复",
        ),
        (
            "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,-5,刘,1\n",
            "第 2 行：金额应大于零",
        ),
        (
            "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,1.005,刘,1\n",
            "第 2 行：金额最多两位小数",
        ),
        (
            "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,借入,1,刘,1\n",
            "收支应为“收入”或“支出”",
        ),
    ],
)
def test_bad_files_change_nothing_and_name_the_line(hall, text, expected):
    finance.import_month(hall, "2026-11", "good.csv", csv_bytes(GOOD))
    with pytest.raises(ValidationError) as failure:
        finance.import_month(hall, "2026-11", "bad.csv", csv_bytes(text))
    error = failure.value
    messages = (
        [message % {"line": line, **params} for line, message, params in error.problems]
        if isinstance(error, finance.ImportProblems)
        else [str(error)]
    )
    assert any(expected in message for message in messages), messages
    assert FinanceEntry.select().count() == 4  # the good month is untouched


def test_every_bad_line_is_reported_at_once(hall):
    text = (
        "日期,事项,收支,金额,经手人,凭证号\n2026-11-02,经费,收入,abc,刘,1\n"
        "2026-11-40,经费,收入,1,刘,2\n2026-11-03,,支出,1,刘,\n"
    )
    with pytest.raises(finance.ImportProblems) as failure:
        finance.import_month(hall, "2026-11", "bad.csv", csv_bytes(text))
    assert sorted({line for line, _m, _p in failure.value.problems}) == [2, 3, 4]
    assert FinanceEntry.select().count() == 0


def test_wrong_file_types_and_months(hall):
    with pytest.raises(ValidationError, match="CSV 或 XLSX"):
        finance.import_month(hall, "2026-11", "x.pdf", b"%PDF")
    with pytest.raises(ValidationError, match="月份"):
        finance.import_month(hall, "2026-13", "x.csv", csv_bytes(GOOD))
    with pytest.raises(ValidationError, match="Excel"):
        finance.import_month(hall, "2026-11", "x.xlsx", b"not a workbook")
