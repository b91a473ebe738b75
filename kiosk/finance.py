"""Monthly itemized financial disclosure (财务按月逐笔公开): importing a month from CSV or XLSX
and the month's statement with totals and running balance. No Flask here.

An import is all or nothing: every row is checked first and every bad row is reported with its
line number; only a clean file replaces the month (in one transaction, audited). Amounts are
Decimal throughout, never float; "1,234.50" and "¥12" are accepted, zero, negative and more
than two decimals are not.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from . import audit
from .db import write_transaction
from .errors import N_, LineProblems, ValidationError, add_line_problem
from .limits import has_control_characters
from .models import FinanceEntry, Hall, Staff

COLUMNS = {
    "day": ("日期", "date"),
    "item": ("事项", "摘要", "item"),
    "direction": ("收支", "类型", "direction"),
    "amount": ("金额", "amount"),
    "handler": ("经手人", "handler"),
    "voucher": ("凭证号", "凭证编号", "voucher"),
}
DIRECTIONS = {
    "收入": "income",
    "income": "income",
    "收": "income",
    "支出": "expense",
    "expense": "expense",
    "支": "expense",
}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
CENT = Decimal("0.01")
# Bounds checked before parsing (issue 18: a 4.9 MB CSV held the write lock 27.5 s, a 280 KB
# XLSX of 2 million rows took 93 s of CPU). A village's month is a few hundred entries.
MAX_ROWS = 5000
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 30
MAX_AMOUNT = Decimal("999999999999.99")  # FinanceEntry.amount is NUMERIC(14, 2)
INSERT_BATCH = 500


class ImportProblems(LineProblems):
    """Every bad line of a finance file."""


@dataclass
class Row:
    line: int
    day: dt.date
    item: str
    direction: str
    amount: Decimal
    handler: str
    voucher: str


def _table(filename: str, data: bytes) -> list[list[str]]:
    """Rows of text cells from a CSV (UTF-8 or GB18030, as Excel in China saves) or XLSX."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(
            N_("文件过大（最多 %(size)s MB）"), size=MAX_FILE_BYTES // (1024 * 1024)
        )
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        _check_xlsx_size(data)
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # any unreadable workbook
            raise ValidationError(N_("无法读取这个 Excel 文件")) from error
        sheet = book.worksheets[0]
        table = []
        # Streamed (read_only) and cut off after the row limit: a sheet claiming millions of
        # rows costs no more than MAX_ROWS of them.
        for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS):
            cells = []
            for value in row:
                if isinstance(value, dt.datetime):
                    value = value.date().isoformat()
                elif isinstance(value, dt.date):
                    value = value.isoformat()
                elif isinstance(value, float):
                    value = repr(value)
                cells.append("" if value is None else str(value))
            table.append(cells)
        book.close()
        _check_row_count(table)
        return table
    if not filename.lower().endswith(".csv"):
        raise ValidationError(N_("请上传 CSV 或 XLSX 文件"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(N_("无法识别文件的文字编码"))
    table = []
    for row in csv.reader(io.StringIO(text)):
        table.append(row[:MAX_COLUMNS])
        if len(table) > MAX_ROWS + 1:
            break
    _check_row_count(table)
    return table


def _check_xlsx_size(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_XLSX_UNPACKED_BYTES (a zip bomb
    or millions of rows), from the zip directory alone, before any XML is parsed."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(N_("无法读取这个 Excel 文件")) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ValidationError(N_("文件行数过多（最多 %(count)s 行）"), count=MAX_ROWS)


def _check_row_count(table: list) -> None:
    if len(table) > MAX_ROWS + 1:  # the header and MAX_ROWS entries
        raise ValidationError(N_("文件行数过多（最多 %(count)s 行）"), count=MAX_ROWS)


# An amount as people write it, and nothing else: 1200, 1200.5, 1,200.00, ¥1,200.00 (full-width
# digits and ￥ are folded first). A comma must group thousands exactly: "1,20" is refused, so
# an unquoted "1,200.00" that a spreadsheet split into two cells can never pass as ¥1.
AMOUNT = re.compile(r"^(-?)¥?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")
TOTAL_WORDS = ("合计", "总计", "小计", "total")


def parse_amount(text: str) -> Decimal:
    """The amount of a cell; InvalidOperation for anything but a plainly written number."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    match = AMOUNT.match(cleaned)
    if not match:
        raise InvalidOperation
    return Decimal(match.group(1) + match.group(2).replace(",", ""))  # "-5": 应大于零


def _is_total(value: dict[str, str]) -> bool:
    words = (value["day"] + value["item"]).replace(" ", "").lower()
    return any(word in words for word in TOTAL_WORDS)


def _trim(cells: list[str]) -> list[str]:
    """Cells without the empty ones at the end of the line (what editors add or drop)."""
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


SPLIT_TAIL = re.compile(r"^\d{3}(?:\.\d+)?$")


def _split_amount(cells: list[str], amount_at: int) -> tuple[str, str] | None:
    """An amount of 1 to 3 digits followed by a cell of exactly 3 digits (and decimals): an
    unquoted "1,200.00" split in two even when the cell counts happen to agree."""
    if amount_at + 1 >= len(cells):
        return None
    head, tail = cells[amount_at].strip(), cells[amount_at + 1].strip()
    if re.fullmatch(r"-?[¥￥]?\d{1,3}", head) and SPLIT_TAIL.match(tail):
        return head, tail
    return None


def parse_file(filename: str, data: bytes, month: str) -> list[Row]:
    if not MONTH.match(month or ""):
        raise ValidationError(N_("月份应写成 2026-11 这样的格式"), field="month")
    table = [row for row in _table(filename, data)]
    while table and not any(cell.strip() for cell in table[0]):
        table.pop(0)
    if not table:
        raise ValidationError(N_("文件是空的"))
    header = [cell.strip().lower() for cell in table[0]]
    positions: dict[str, int] = {}
    for key, names in COLUMNS.items():
        found = [header.index(name) for name in names if name in header]
        if not found:
            raise ValidationError(
                N_("缺少“%(column)s”列；需要的列：日期、事项、收支、金额、经手人、凭证号"),
                column=names[0],
            )
        positions[key] = found[0]
    rows: list[Row] = []
    problems: list[tuple[int, str, dict]] = []
    vouchers: dict[str, int] = {}
    # Cell counts are compared raw, before trimming the empty cells at the end: when the file
    # has an optional trailing column (备注) left empty, an unquoted "1,200.00" fills it and the
    # trimmed row is exactly as wide as the trimmed header.
    header_cells = len(table[0])
    width = len(_trim(table[0]))
    needed = max(positions.values()) + 1  # up to the last column the import reads
    # A spreadsheet's cells cannot be split by a comma, nor be missing from a row.
    is_csv = not filename.lower().endswith(".xlsx")
    totals: list[tuple[int, str, Decimal]] = []  # (line, direction or "", amount)
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        used = len(_trim(cells))
        if used > width or (len(cells) > header_cells and used > needed):
            # Never shift cells: an unquoted "1,200.00" splits a row into one cell too many.
            add_line_problem(
                problems,
                line,
                N_(
                    "第 %(line)s 行：有 %(cells)s 个单元格，表头只有 %(width)s 列"
                    "（金额中的逗号请写成 1200.00，或给金额加引号）"
                ),
                cells=max(used, len(cells)),
                width=header_cells,
            )
            continue
        split = _split_amount(cells, positions["amount"]) if is_csv else None
        if split:
            add_line_problem(
                problems,
                line,
                N_(
                    "第 %(line)s 行：金额“%(value)s”像是被逗号拆开的 %(value)s,%(rest)s"
                    "（请写成 1200.00，或给金额加引号）"
                ),
                value=split[0],
                rest=split[1],
            )
            continue
        cells_read = cells
        cells = cells + [""] * (len(header) - len(cells))
        value = {key: cells[index].strip() for key, index in positions.items()}
        if _is_total(value):
            try:
                totals.append(
                    (
                        line,
                        DIRECTIONS.get(value["direction"].lower(), ""),
                        parse_amount(value["amount"]),
                    )
                )
            except InvalidOperation:
                add_line_problem(
                    problems,
                    line,
                    N_("第 %(line)s 行：合计金额“%(value)s”不是数字"),
                    value=value["amount"],
                )
            continue
        if is_csv and len(cells_read) < needed:
            add_line_problem(
                problems,
                line,
                N_("第 %(line)s 行：只有 %(cells)s 个单元格，表头有 %(width)s 列"),
                cells=len(cells_read),
                width=header_cells,
            )
            continue
        try:
            day = dt.date.fromisoformat(value["day"].replace("/", "-")[:10])
        except ValueError:
            add_line_problem(
                problems,
                line,
                N_("第 %(line)s 行：日期“%(value)s”应为 2026-11-05"),
                value=value["day"],
            )
            continue
        if day.strftime("%Y-%m") != month:
            add_line_problem(
                problems,
                line,
                N_("第 %(line)s 行：日期 %(value)s 不属于 %(month)s"),
                value=day.isoformat(),
                month=month,
            )
        direction = DIRECTIONS.get(value["direction"].lower())
        if direction is None:
            add_line_problem(
                problems,
                line,
                N_("第 %(line)s 行：收支应为“收入”或“支出”，不是“%(value)s”"),
                value=value["direction"],
            )
        try:
            amount = parse_amount(value["amount"])
            if amount <= 0:
                add_line_problem(problems, line, N_("第 %(line)s 行：金额应大于零"))
            elif amount > MAX_AMOUNT:
                add_line_problem(
                    problems,
                    line,
                    N_("第 %(line)s 行：金额超出范围（最多 %(max)s）"),
                    max=MAX_AMOUNT,
                )
            elif amount != amount.quantize(CENT):
                add_line_problem(problems, line, N_("第 %(line)s 行：金额最多两位小数"))
        except InvalidOperation:
            amount = Decimal(0)
            add_line_problem(
                problems, line, N_("第 %(line)s 行：金额“%(value)s”不是数字"), value=value["amount"]
            )
        if not value["item"]:
            add_line_problem(problems, line, N_("第 %(line)s 行：缺少事项"))
        if any(has_control_characters(text) for text in value.values()):
            add_line_problem(problems, line, N_("第 %(line)s 行：含有不可见的控制字符"))
        voucher = value["voucher"]
        if not voucher:
            add_line_problem(problems, line, N_("第 %(line)s 行：缺少凭证号"))
        elif voucher in vouchers:
            add_line_problem(
                problems,
                line,
                N_("第 %(line)s 行：凭证号 %(value)s 与第 %(other)s 行重复"),
                value=voucher,
                other=vouchers[voucher],
            )
        else:
            vouchers[voucher] = line
        rows.append(
            Row(
                line,
                day,
                value["item"][:200],
                direction or "",
                amount,
                value["handler"][:50],
                voucher[:64],
            )
        )
    problems.extend(_check_totals(totals, rows))
    if problems:
        raise ImportProblems(sorted(problems, key=lambda problem: problem[0]))
    if not rows:
        raise ValidationError(N_("文件中没有数据行"))
    return rows


def _check_totals(
    totals: list[tuple[int, str, Decimal]], rows: list[Row]
) -> list[tuple[int, str, dict]]:
    """A 合计 row is not an entry: it must equal the sum it stands for (收入 or 支出 rows, or,
    with no direction, every amount or income less expense)."""
    income = sum((row.amount for row in rows if row.direction == "income"), Decimal("0"))
    expense = sum((row.amount for row in rows if row.direction == "expense"), Decimal("0"))
    problems = []
    for line, direction, amount in totals:
        if direction == "income":
            expected = [income]
        elif direction == "expense":
            expected = [expense]
        else:
            expected = [income + expense, income - expense]
        if amount not in expected:
            add_line_problem(
                problems,
                line,
                N_("第 %(line)s 行：合计 %(value)s 与明细之和 %(sum)s 不符"),
                value=f"{amount:.2f}",
                sum=f"{expected[0]:.2f}",
            )
    return problems


def import_month(
    hall: Hall, month: str, filename: str, data: bytes, actor: Staff | None = None
) -> int:
    """Replace the month's entries with the file's (all or nothing).

    Everything slow happens before the write lock: the file is parsed, checked and turned into
    rows first; the transaction then only deletes and bulk-inserts (a few milliseconds for
    MAX_ROWS), so the kiosks issuing tickets never wait on an import."""
    rows = parse_file(filename, data, month)
    records = [
        {
            "hall": hall.id,
            "month": month,
            "day": row.day,
            "item": row.item,
            "direction": row.direction,
            "amount": row.amount,
            "handler": row.handler,
            "voucher": row.voucher,
        }
        for row in rows
    ]
    with write_transaction():
        removed = (
            FinanceEntry.delete()
            .where((FinanceEntry.hall == hall) & (FinanceEntry.month == month))
            .execute()
        )
        for start in range(0, len(records), INSERT_BATCH):
            FinanceEntry.insert_many(records[start : start + INSERT_BATCH]).execute()
        audit.record(
            hall,
            actor,
            "finance_import",
            "finance",
            month,
            before={"entries": removed},
            after={"entries": len(rows), "file": filename},
        )
    return len(rows)


@dataclass
class Statement:
    month: str
    lines: list[tuple[FinanceEntry, Decimal]]  # entry, running balance after it
    income: Decimal
    expense: Decimal

    @property
    def balance(self) -> Decimal:
        return self.income - self.expense


def statement(hall: Hall, month: str) -> Statement:
    entries = (
        FinanceEntry.select()
        .where((FinanceEntry.hall == hall) & (FinanceEntry.month == month))
        .order_by(FinanceEntry.day, FinanceEntry.id)
    )
    income = expense = running = Decimal("0.00")
    lines = []
    for entry in entries:
        amount = Decimal(entry.amount)
        if entry.direction == "income":
            income += amount
            running += amount
        else:
            expense += amount
            running -= amount
        lines.append((entry, running))
    return Statement(month, lines, income, expense)


def months(hall: Hall) -> list[str]:
    return [
        row.month
        for row in FinanceEntry.select(FinanceEntry.month)
        .distinct()
        .where(FinanceEntry.hall == hall)
        .order_by(FinanceEntry.month.desc())
    ]
