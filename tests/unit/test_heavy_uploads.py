"""Heavy admin uploads are bounded before parsing (issue 18): a finance import of millions of
rows or megabytes, a PNG of 100 or 400 megapixels in a few kilobytes. Each is refused quickly
with a Chinese message, and a full-size import holds the write lock only briefly."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import struct
import zipfile
import zlib

import pytest

from kiosk import finance, photos
from kiosk.db import db
from kiosk.errors import ValidationError
from kiosk.models import FinanceEntry

HEADER = "日期,事项,收支,金额,经手人,凭证号\n"


def png_bomb(side: int) -> bytes:
    """A valid 1-bit PNG of side×side pixels, all black: a few KB for hundreds of megapixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_huge_pictures_are_refused_from_their_header(side, monkeypatch):
    """Refused from the header: the pixels are never decoded (checked by making decoding
    impossible, not by a stopwatch)."""
    from PIL import Image

    def no_decoding(*args, **kwargs):
        raise AssertionError("the picture's pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    data = png_bomb(side)
    assert len(data) < 200_000
    with pytest.raises(ValidationError, match="图片尺寸过大"):
        photos.check_photo(data)


def test_a_normal_photo_still_passes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), "white").save(buffer, "JPEG")
    assert photos.check_photo(buffer.getvalue()).size == (480, 320)


def xlsx_with_rows(rows: int, *, cells: bool = True) -> bytes:
    """A minimal workbook whose one sheet has `rows` rows, written by hand (fast)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
            'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
            '"xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
            '"worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            block = []
            for number in range(1, rows + 1):
                if cells:
                    block.append(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (number, number))
                else:
                    block.append(b"<row/>")
                if len(block) == 10_000:
                    sheet.write(b"".join(block))
                    block = []
            sheet.write(b"".join(block) + b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_an_xlsx_of_two_million_rows_is_refused_after_reading_only_the_limit(hall, monkeypatch):
    """Bounded by work, not by a stopwatch (a timed assertion fails on a busy CI machine):
    the sheet is streamed and no more than the row limit (+2) is ever read from it."""
    import openpyxl

    data = xlsx_with_rows(2_000_000, cells=False)
    assert len(data) < 1024 * 1024
    read = []
    original = openpyxl.load_workbook

    def counting_workbook(*args, **kwargs):
        book = original(*args, **kwargs)
        sheet = book.worksheets[0]
        rows_of = sheet.iter_rows

        def iter_rows(*a, **k):
            for row in rows_of(*a, **k):
                read.append(1)
                yield row

        sheet.iter_rows = iter_rows
        return book

    monkeypatch.setattr(openpyxl, "load_workbook", counting_workbook)
    with pytest.raises(ValidationError, match="行数过多"):
        finance.import_month(hall, "2026-11", "big.xlsx", data)
    assert 0 < len(read) <= finance.MAX_ROWS + 2


def test_an_xlsx_just_over_the_row_limit_is_refused(hall):
    data = xlsx_with_rows(finance.MAX_ROWS + 50)
    with pytest.raises(ValidationError, match="行数过多"):
        finance.import_month(hall, "2026-11", "big.xlsx", data)


def test_big_csv_files_are_refused_before_parsing(hall):
    line = "2026-11-05,办公用品,支出,12.50,张三,V{n}\n"
    data = (HEADER + "".join(line.format(n=n) for n in range(120_000))).encode()
    assert len(data) > 4 * 1024 * 1024
    with pytest.raises(ValidationError, match="文件过大"):
        finance.import_month(hall, "2026-11", "big.csv", data)
    rows = (HEADER + "".join(line.format(n=n) for n in range(finance.MAX_ROWS + 1))).encode()
    with pytest.raises(ValidationError, match="行数过多"):
        finance.import_month(hall, "2026-11", "rows.csv", rows)
    assert FinanceEntry.select().count() == 0


def test_amount_beyond_the_column_is_a_line_problem(hall):
    data = (HEADER + "2026-11-05,办公用品,支出,12345678901234.56,张三,V1\n").encode()
    with pytest.raises(finance.ImportProblems) as caught:
        finance.import_month(hall, "2026-11", "a.csv", data)
    assert "金额超出范围" in caught.value.problems[0][1]


def test_a_full_import_parses_before_the_write_lock_and_only_inserts_under_it(hall, monkeypatch):
    """The kiosks never wait on an import's parsing: the whole file is parsed and checked before
    the write lock is taken, and under the lock only the delete, the batched inserts and the
    audit entry run (counted statements, not seconds: a stopwatch fails on a busy machine)."""
    events: list[str] = []
    statements: list[str] = []
    original_parse, original_lock = finance.parse_file, finance.write_transaction

    def parse(*args, **kwargs):
        rows = original_parse(*args, **kwargs)
        events.append("parsed")
        return rows

    @contextlib.contextmanager
    def counted_lock():
        database = db.obj
        execute = database.execute_sql

        def counting(sql, params=None, *rest, **more):
            statements.append(sql.split()[0].upper())
            return execute(sql, params, *rest, **more)

        with original_lock() as transaction:
            events.append("locked")
            database.execute_sql = counting
            try:
                yield transaction
            finally:
                database.execute_sql = execute

    monkeypatch.setattr(finance, "parse_file", parse)
    monkeypatch.setattr(finance, "write_transaction", counted_lock)
    line = "2026-11-{day:02d},办公用品,支出,12.50,张三,V{n}\n"
    data = (
        HEADER + "".join(line.format(day=n % 28 + 1, n=n) for n in range(finance.MAX_ROWS))
    ).encode()
    assert finance.import_month(hall, "2026-11", "full.csv", data) == finance.MAX_ROWS
    assert FinanceEntry.select().count() == finance.MAX_ROWS
    assert FinanceEntry.get(FinanceEntry.voucher == "V7").day == dt.date(2026, 11, 8)
    assert events[:2] == ["parsed", "locked"]
    batches = -(-finance.MAX_ROWS // finance.INSERT_BATCH)
    assert statements.count("INSERT") <= batches + 3  # the entries, then the audit trail
    assert "DELETE" in statements and len(statements) <= batches + 12, statements


def test_calendar_imports_are_bounded_and_checked_before_writing(hall):
    from kiosk import calendar
    from kiosk.errors import LineProblems
    from kiosk.models import CalendarDay

    before = CalendarDay.select().count()
    start = dt.date(2000, 1, 1)
    many = "".join(f"{start + dt.timedelta(days=n)},休,假\n" for n in range(5000))
    with pytest.raises(ValidationError, match="行数过多"):
        calendar.parse_csv(many)
    with pytest.raises(LineProblems) as caught:
        calendar.parse_csv("2026-10-01,休," + "长" * 300 + "\n")
    [(line, message, _params)] = caught.value.problems
    assert line == 1 and "名称过长" in message
    assert CalendarDay.select().count() == before
