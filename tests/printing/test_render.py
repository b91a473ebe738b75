"""Rendering to ESC/POS bytes, checked against the specification byte by byte (no printer)."""

from __future__ import annotations

import pytest
from PIL import Image

from printers import PrinterConfig, send, templates
from printers.document import Document
from printers.render import (
    CUT,
    INIT,
    kanji,
    qr_native,
    raster_bytes,
    render,
    render_text,
)
from printers.wrap import columns, wrap

GS, ESC, FS = b"\x1d", b"\x1b", b"\x1c"


def test_chinese_goes_out_as_gb18030_inside_kanji_mode():
    assert kanji("号A12") == FS + b"&" + "号".encode("gb18030") + FS + b"." + b"A12"
    assert kanji("请到3号窗口") == (
        FS + b"&\xc7\xeb\xb5\xbd" + FS + b"." + b"3" + FS + b"&\xba\xc5\xb4\xb0\xbf\xda" + FS + b"."
    )


def test_native_qr_follows_gs_paren_k():
    payload = "http://hall/t/abc"
    data = payload.encode()
    expected = (
        GS
        + b"(k\x04\x00\x31\x41\x32\x00"  # fn 165: model 2
        + GS
        + b"(k\x03\x00\x31\x43\x06"  # fn 167: module size 6
        + GS
        + b"(k\x03\x00\x31\x45\x31"  # fn 169: error correction M
        + GS
        + b"(k"
        + bytes([len(data) + 3, 0])
        + b"\x31\x50\x30"
        + data  # fn 180: store
        + GS
        + b"(k\x03\x00\x31\x51\x30"  # fn 181: print
    )
    assert qr_native(payload) == expected
    long = "x" * 300
    assert qr_native(long)[25:30] == GS + b"(k" + bytes([(303) & 0xFF, 303 >> 8])


def test_raster_header_and_bands():
    image = Image.new("L", (576, 300), 255)
    image.putpixel((0, 0), 0)
    out = raster_bytes(image)
    assert out[:8] == GS + b"v0\x00" + bytes([72, 0, 255, 0])
    first_band = 8 + 72 * 255
    assert out[8] == 0x80  # the one black dot, most significant bit first
    assert out[first_band : first_band + 8] == GS + b"v0\x00" + bytes([72, 0, 45, 0])
    assert len(out) == 2 * 8 + 72 * 300


def test_text_mode_ticket():
    doc = templates.queue_ticket(
        hall_name="郢中社区",
        service_name="户籍管理",
        number="E012",
        people_ahead=3,
        issued_at="2026-11-24 10:02",
        status_url="http://hall/t/abc",
    )
    out = render_text(doc, 576)
    assert out.startswith(INIT + FS + b"C\x00")
    assert ESC + b"a\x01" + GS + b"!\x33" + ESC + b"E\x01" + b"E012" in out  # double size number
    assert FS + b"&" + "户籍管理".encode("gb18030") + FS + b"." in out
    assert qr_native("http://hall/t/abc") in out
    assert out.endswith(b"\n\n\n" + CUT)
    raster = render(doc, "raster", 576)
    assert len(out) * 20 < len(raster)  # text mode is far smaller


def test_wrapping_keeps_punctuation_and_latin_words_together():
    lines = wrap("请携带身份证原件，以及户口簿。", 16)
    assert all(columns(line) <= 16 for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)
    assert "".join(lines) == "请携带身份证原件，以及户口簿。"
    assert wrap("Please bring ID card 身份证", 12) == ["Please bring", "ID card 身份", "证"]
    assert wrap("", 10) == [""]


@pytest.mark.parametrize("mode", ["raster", "text"])
def test_documents_round_trip_json_and_send_to_a_dummy(mode):
    doc = templates.service_card(
        hall_name="郢中社区",
        name="王秀英",
        post="社会救助专干",
        window="1号窗口",
        phone="13872001101",
        supervision_phone="0724-4229999",
    )
    assert Document.from_json(doc.to_json()) == doc
    config = PrinterConfig(name="dummy", connection={"kind": "dummy"}, dot_width=384, mode=mode)
    sent = send(doc, config)
    assert config.connection["output"] == render(doc, mode, 384)
    assert sent == len(config.connection["output"])


def test_mecard_escapes_reserved_characters():
    assert templates.mecard("王;五", "138", "a:b") == "MECARD:N:王\\;五;TEL:138;NOTE:a\\:b;;"
