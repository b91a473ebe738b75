"""CSV and XLSX of a report: the same sections, columns and figures as the page. No Flask here;
`translate` is the page's gettext, so an export reads in the page's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from .reports import Label, Report

MISSING = "—"


def remembered(translate: Callable[[str], str]) -> Callable[[str], str]:
    """`translate` asked once per distinct text of a report: a major-matters report a year in
    has 5,000 cells, and looking each up in the catalog was most of its page time (0.12 s)."""
    known: dict[str, str] = {}

    def looked_up(text: str) -> str:
        found = known.get(text)
        if found is None:
            found = known[text] = translate(text)
        return found

    return looked_up


def cell_text(value, translate: Callable[[str], str]) -> str:
    """How a figure is written on the page and in the CSV."""
    if value is None:
        return MISSING
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Label):
        return value.translated(translate)
    if isinstance(value, str):
        return translate(value) if value else ""
    return str(value)


def heading(report: Report, translate: Callable[[str], str]) -> list[str]:
    return [
        report.hall_name,
        translate(report.title),
        translate("统计期间") + "：" + report.period.label(),
    ]


def to_csv(report: Report, translate: Callable[[str], str]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it right."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in heading(report, translate):
        writer.writerow([line])
    if report.empty:
        writer.writerow([translate("本期没有数据")])
    for section in report.sections:
        writer.writerow([])
        writer.writerow([translate(section.title)])
        writer.writerow([translate(label) for _key, label in section.columns])
        for row in section.rows:
            writer.writerow([cell_text(row.get(key), translate) for key, _ in section.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Report, translate: Callable[[str], str]) -> bytes:
    """One sheet per section; numbers stay numbers (None is an empty cell)."""
    book = Workbook()
    book.remove(book.active)
    for section in report.sections:
        sheet = book.create_sheet(title=translate(section.title)[:31].replace("：", " "))
        for line in heading(report, translate):
            sheet.append([line])
        sheet["A1"].font = Font(bold=True, size=13)
        if report.empty:
            sheet.append([translate("本期没有数据")])
        sheet.append([translate(label) for _key, label in section.columns])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in section.rows:
            values = []
            for key, _label in section.columns:
                value = row.get(key)
                if isinstance(value, Label):
                    value = value.translated(translate)
                elif isinstance(value, str):
                    value = translate(value) if value else ""
                values.append(value)
            sheet.append(values)
            # Decimals keep the page's precision (12.0 minutes, 8.00 points) as a number format.
            for cell, value in zip(sheet[sheet.max_row], values, strict=False):
                if isinstance(value, Decimal) and value.as_tuple().exponent < 0:
                    cell.number_format = "0." + "0" * -value.as_tuple().exponent
        for column in sheet.columns:
            letter = column[0].column_letter
            sheet.column_dimensions[letter].width = 14
        sheet.column_dimensions["A"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
