"""The bytes both renderers produce, checked against the ESC/POS specification and against
what python-escpos's own Dummy printer emits for the same command (no printer needed)."""

from __future__ import annotations

import logging

import pytest
from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_M
from escpos.exceptions import ImageWidthError
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from printers import Document, PrinterConfig, PrinterError, fonts, render, samples
from printers.printer import make_profile, open_connection, send
from printers.raster import CUT, INIT, raster_bytes, render_image
from printers.textmode import character_size, kanji, qr_native, render_text

GS, ESC, FS = b"\x1d", b"\x1b", b"\x1c"


def ticket() -> Document:
    return samples.ticket(hall_name="郢中社区")


# --- text mode ------------------------------------------------------------------------------


def test_chinese_goes_out_as_gb18030_inside_kanji_mode():
    assert kanji("号A12") == FS + b"&" + b"\xba\xc5" + FS + b"." + b"A12"
    assert kanji("请到3号窗口") == (
        FS + b"&\xc7\xeb\xb5\xbd" + FS + b"." + b"3" + FS + b"&\xba\xc5\xb4\xb0\xbf\xda" + FS + b"."
    )
    # Outside GBK: GB18030's four-byte form.
    assert kanji("𠀀") == FS + b"&" + b"\x95\x32\x82\x36" + FS + b"."


def test_control_characters_cannot_smuggle_commands_in():
    assert kanji("张\x1b@三\x1dV") == FS + b"&\xd5\xc5" + FS + b"." + b" @" + FS + b"&\xc8\xfd" + (
        FS + b"." + b" V"
    )


def test_native_qr_follows_gs_paren_k():
    data = b"http://hall/t/abc"
    assert qr_native("http://hall/t/abc") == (
        GS + b"(k\x04\x00\x31\x41\x32\x00"  # fn 165: model 2
        + GS + b"(k\x03\x00\x31\x43\x06"  # fn 167: module size 6
        + GS + b"(k\x03\x00\x31\x45\x31"  # fn 169: error correction M
        + GS + b"(k" + bytes([len(data) + 3, 0]) + b"\x31\x50\x30" + data  # fn 180: store
        + GS + b"(k\x03\x00\x31\x51\x30"  # fn 181: print
    )  # fmt: skip


def test_native_qr_store_length_uses_both_bytes():
    payload = "x" * 300
    out = qr_native(payload)
    store = out[out.index(b"\x31\x50\x30") - 5 :]
    assert store[:8] == GS + b"(k" + bytes([303 & 0xFF, 303 >> 8]) + b"\x31\x50\x30"


@pytest.mark.parametrize(
    "payload, size, level, ec",
    [("http://hall/t/abc", 6, "M", QR_ECLEVEL_M), ("二维码" * 100, 3, "H", QR_ECLEVEL_H)],
)
def test_native_qr_matches_python_escpos(payload, size, level, ec):
    dummy = Dummy(profile=make_profile(576))
    dummy.qr(payload, native=True, size=size, ec=ec)
    assert qr_native(payload, size, level) == dummy.output


@pytest.mark.parametrize(
    "width, height, n", [(1, 1, 0x00), (2, 2, 0x11), (4, 4, 0x33), (2, 1, 0x10)]
)
def test_character_size_is_gs_bang_as_python_escpos_sends_it(width, height, n):
    dummy = Dummy(profile=make_profile(576))
    dummy.set(custom_size=True, width=width, height=height)
    assert character_size(width, height) == GS + b"!" + bytes([n]) == dummy.output


def test_text_mode_ticket():
    out = render_text(ticket(), 576)
    assert out.startswith(INIT + ESC + b"a\x01" + GS + b"!\x11")  # title: double size
    assert FS + b"C" not in out  # no Kanji code system switch (JIS on Japanese models)
    # The number: 4 times as large, bold, centred, back to normal size after it.
    assert (
        ESC + b"a\x01" + GS + b"!\x33" + ESC + b"E\x01" + b"E012" + ESC + b"E\x00" + (GS + b"!\x00")
        in out
    )
    assert FS + b"&" + "户籍管理".encode("gb18030") + FS + b"." in out
    assert qr_native("http://hall/t/abc") in out
    assert out.endswith(CUT)
    assert len(out) * 20 < len(render(ticket(), PrinterConfig("x", mode="raster")))


def test_text_mode_fits_58_mm_paper():
    out = render_text(ticket(), 384)
    rule = b"-" * 32 + b"\n"  # 384 dots / 12-dot Font A = 32 columns
    assert rule in out and b"-" * 33 not in out
    assert GS + b"!\x33" + ESC + b"E\x01" + b"E012" in out  # 4 × 4 characters × 48 dots fit


def test_text_mode_row_puts_value_at_the_right_edge():
    out = render_text(Document().row("前面等候", "3 人"), 576)
    line = out[len(INIT) :].split(b"\n")[0]
    assert line.startswith(ESC + b"a\x00" + FS + b"&")
    text = line.replace(FS + b"&", b"").replace(FS + b".", b"")[3:]
    assert len(text) == 48  # GB18030: one byte per column, so the row fills all 48 columns


def test_text_mode_qr_shrinks_on_narrow_paper():
    long_url = "http://192.168.1.10:8000/notices/" + "x" * 200
    out = render_text(Document().qr(long_url, size=8), 384)
    module = out[out.index(b"\x31\x43") + 2]
    assert 1 <= module < 8


# --- raster ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dot_width", [384, 512, 576])
def test_raster_header_has_width_bytes_and_rows(dot_width):
    image = Image.new("L", (dot_width, 300), 255)
    image.putpixel((0, 0), 0)
    out = raster_bytes(image)
    width_bytes = dot_width // 8
    assert out[:8] == GS + b"v0\x00" + bytes([width_bytes, 0, 255, 0])
    assert out[8] == 0x80  # the one black dot, most significant bit first
    second = 8 + width_bytes * 255
    assert out[second : second + 8] == GS + b"v0\x00" + bytes([width_bytes, 0, 45, 0])
    assert len(out) == 2 * 8 + width_bytes * 300


def test_raster_width_is_padded_with_white():
    out = raster_bytes(Image.new("L", (10, 1), 0))
    assert out == GS + b"v0\x00" + bytes([2, 0, 1, 0]) + b"\xff\xc0"


def test_raster_matches_python_escpos_bit_image_raster():
    image = Image.new("1", (576, 300), 1)
    ImageDraw.Draw(image).rectangle((10, 10, 200, 290), fill=0)
    dummy = Dummy(profile=make_profile(576))
    dummy.image(image, impl="bitImageRaster", fragment_height=255)
    assert raster_bytes(image.convert("L")) == dummy.output


@pytest.mark.parametrize("dot_width", [384, 512, 576])
def test_raster_document_is_exactly_the_printer_width(dot_width):
    out = render(ticket(), PrinterConfig("x", dot_width=dot_width))
    assert out.startswith(INIT + GS + b"v0\x00" + bytes([dot_width // 8, 0]))
    assert out.endswith(b"\n" + CUT)
    preview = render_image(ticket(), dot_width)
    assert preview.width == dot_width
    rows = sum(out[i + 6] + 256 * out[i + 7] for i in _raster_headers(out))
    assert rows == preview.height


def _raster_headers(out: bytes) -> list[int]:
    found, at = [], out.find(GS + b"v0")
    while at >= 0:
        found.append(at)
        width, rows = out[at + 4] + 256 * out[at + 5], out[at + 6] + 256 * out[at + 7]
        at = out.find(GS + b"v0", at + 8 + width * rows)
    return found


def test_barcode_goes_out_as_native_code128():
    out = render(Document().barcode("1234567890").cut(), PrinterConfig("x"))
    assert GS + b"k" + bytes([73, 12]) + b"{B1234567890" in out


def test_image_block_from_a_data_uri(tmp_path):
    import base64

    from printers.raster import png_bytes

    logo = Image.new("L", (100, 40), 0)
    uri = "data:image/png;base64," + base64.b64encode(png_bytes(logo)).decode()
    preview = render_image(Document().image(uri), 384)
    assert preview.size == (384, 40)
    assert preview.getpixel((192, 20)) == 0 and preview.getpixel((10, 20)) == 255


# --- profile, font, connection objects ------------------------------------------------------


def test_profile_knows_the_dot_width_so_python_escpos_stays_quiet(capsys):
    dummy = Dummy(profile=make_profile(384))
    dummy.image(Image.new("1", (200, 8), 0), center=True)  # centring needs the width
    assert capsys.readouterr().out == ""  # python-escpos print()s when media width is unknown
    assert dummy.output[:8] == GS + b"v0\x00" + bytes([48, 0, 8, 0])
    with pytest.raises(ImageWidthError):
        dummy.image(Image.new("1", (400, 8), 0))
    assert Dummy().profile.profile_data["media"]["width"]["pixels"] == "Unknown"  # untouched


def test_the_default_profile_would_complain(capsys):
    Dummy().image(Image.new("1", (8, 8), 0))
    assert "media.width.pixel" in capsys.readouterr().out


def test_a_dummy_connection_carries_the_profile():
    printer = open_connection(PrinterConfig("x", {"kind": "dummy"}, dot_width=512))
    assert isinstance(printer, Dummy)
    assert printer.profile.media["width"]["pixels"] == 512


def test_file_connection_receives_exactly_the_rendered_bytes(tmp_path):
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    config = PrinterConfig("窗口3", {"kind": "file", "path": str(device)}, mode="text")
    assert send(ticket(), config) == len(render(ticket(), config))
    assert device.read_bytes() == render(ticket(), config)


def test_simplified_chinese_face_of_the_noto_collection():
    path = fonts.find_font()
    if "NotoSansCJK" in path:
        assert fonts.load(path, 20).getname()[0] == "Noto Sans CJK SC"


def test_a_missing_configured_font_falls_back_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="printers.fonts"):
        assert fonts.find_font("/nowhere/font.ttf") == fonts.find_font()
    assert "/nowhere/font.ttf" in caplog.text


def test_no_font_at_all_is_a_clear_printer_error(monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATES", [])
    monkeypatch.delenv("HALL_PRINT_FONT", raising=False)
    with pytest.raises(PrinterError, match="取号机: no Chinese .*fonts-noto-cjk"):
        render(ticket(), PrinterConfig("取号机"))
    assert render(ticket(), PrinterConfig("取号机", mode="text"))  # text mode needs no font
