"""Renderers: a Document becomes ESC/POS bytes for one printer.

- raster: every block drawn with Pillow in a CJK font at the printer's dot width and sent as
  ESC/POS raster images (GS v 0) — works on every ESC/POS printer, Chinese or not. Barcodes are
  sent as native GS k between image bands (every ESC/POS printer has them).
- text: ESC/POS text with Chinese as GB18030 inside Kanji mode (FS & … FS .), native QR
  (GS ( k), double-size number (GS !) — for Chinese-capable printers; far fewer bytes.
"""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw

from . import fonts
from .document import Block, Document
from .wrap import columns, wrap

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
KANJI_ON, KANJI_OFF = FS + b"&", FS + b"."
CUT = GS + b"V" + bytes([66, 0])  # feed to the cutter, then partial cut
ALIGN = {"left": 0, "center": 1, "right": 2}

TEXT_PX, TITLE_PX, BIG_PX = 26, 34, 130
MARGIN = 8


# --- raster ---------------------------------------------------------------------------------


def _qr_image(payload: str, target_px: int) -> Image.Image:
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    modules = code.modules_count + 8
    box = max(2, target_px // modules)
    code.box_size = box
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _draw_band(blocks: list[Block], width: int, font_path: str) -> Image.Image:
    """Draw consecutive non-barcode blocks on one white image of the printer's width."""
    parts: list[Image.Image] = []
    inner = width - 2 * MARGIN

    def text_image(text: str, size: int, bold: bool, align: str) -> Image.Image:
        font = fonts.load(font_path, size, bold)
        lines = wrap(text, inner, font.getlength) if text else [""]
        line_height = int(size * 1.35)
        image = Image.new("L", (width, line_height * len(lines) + 4), 255)
        draw = ImageDraw.Draw(image)
        for index, line in enumerate(lines):
            length = font.getlength(line)
            x = {"left": MARGIN, "center": (width - length) / 2, "right": width - MARGIN - length}[
                align
            ]
            draw.text((x, index * line_height + 2), line, font=font, fill=0)
        return image

    for block in blocks:
        if block.kind == "title":
            parts.append(text_image(block.text, TITLE_PX, True, "center"))
        elif block.kind == "big":
            size = min(BIG_PX, int(inner / max(columns(block.text), 1) * 2 * 0.9))
            parts.append(text_image(block.text, size, True, "center"))
        elif block.kind == "text":
            parts.append(text_image(block.text, TEXT_PX, block.bold, block.align))
        elif block.kind == "row":
            font = fonts.load(font_path, TEXT_PX)
            value_width = font.getlength(block.value)
            label_width = font.getlength(block.text + "：")
            if label_width + value_width + 16 <= inner:
                image = Image.new("L", (width, int(TEXT_PX * 1.35) + 4), 255)
                draw = ImageDraw.Draw(image)
                draw.text((MARGIN, 2), block.text + "：", font=font, fill=0)
                draw.text((width - MARGIN - value_width, 2), block.value, font=font, fill=0)
                parts.append(image)
            else:
                parts.append(text_image(f"{block.text}：{block.value}", TEXT_PX, False, "left"))
        elif block.kind == "rule":
            image = Image.new("L", (width, 14), 255)
            ImageDraw.Draw(image).line((MARGIN, 7, width - MARGIN, 7), fill=0, width=2)
            parts.append(image)
        elif block.kind == "qr":
            qr = _qr_image(block.value, int(inner * 0.6))
            image = Image.new("L", (width, qr.height), 255)
            image.paste(qr, ((width - qr.width) // 2, 0))
            parts.append(image)
            if block.text:
                parts.append(text_image(block.text, TEXT_PX - 4, False, "center"))
        elif block.kind == "image":
            source = Image.open(block.value).convert("L")
            if source.width > inner:
                source = source.resize((inner, int(source.height * inner / source.width)))
            image = Image.new("L", (width, source.height), 255)
            image.paste(source, ((width - source.width) // 2, 0))
            parts.append(image)
        elif block.kind == "feed":
            parts.append(Image.new("L", (width, 24 * block.size), 255))
    height = sum(part.height for part in parts) or 1
    band = Image.new("L", (width, height), 255)
    y = 0
    for part in parts:
        band.paste(part, (0, y))
        y += part.height
    return band


def raster_bytes(image: Image.Image) -> bytes:
    """GS v 0: a 1-bit raster image, in bands of at most 255 rows (older printers' limit)."""
    mono = image.convert("L").point(lambda value: 0 if value < 160 else 255, "1")
    width_bytes = (mono.width + 7) // 8
    out = bytearray()
    for top in range(0, mono.height, 255):
        band = mono.crop((0, top, width_bytes * 8, min(top + 255, mono.height)))
        # PIL's "1" mode packs 1 = white; ESC/POS wants 1 = black dot.
        data = bytes(b ^ 0xFF for b in band.tobytes())
        out += (
            GS
            + b"v0"
            + bytes([0, width_bytes & 0xFF, width_bytes >> 8, band.height & 0xFF, band.height >> 8])
            + data
        )
    return bytes(out)


def barcode_bytes(payload: str) -> bytes:
    """Native CODE128 (GS k 73) centred, with the text below it."""
    data = b"{B" + payload.encode("ascii", "replace")
    return (
        ESC
        + b"a\x01"
        + GS
        + b"h\x50"
        + GS
        + b"w\x02"
        + GS
        + b"H\x02"
        + GS
        + b"k"
        + bytes([73, len(data)])
        + data
        + b"\n"
    )


def render_raster(document: Document, dot_width: int, font_path: str = "") -> bytes:
    path = fonts.find_font(font_path)
    out = bytearray(INIT)
    pending: list[Block] = []

    def flush() -> None:
        if pending:
            out.extend(raster_bytes(_draw_band(pending, dot_width, path)))
            pending.clear()

    for block in document.blocks:
        if block.kind == "barcode":
            flush()
            out.extend(barcode_bytes(block.value))
        elif block.kind == "cut":
            flush()
            out.extend(b"\n" * 3 + CUT)
        else:
            pending.append(block)
    flush()
    return bytes(out)


def render_image(document: Document, dot_width: int, font_path: str = "") -> Image.Image:
    """The raster rendering as one image (for previews and tests; barcodes left out)."""
    path = fonts.find_font(font_path)
    blocks = [b for b in document.blocks if b.kind not in ("barcode", "cut")]
    return _draw_band(blocks, dot_width, path)


# --- text -----------------------------------------------------------------------------------


def kanji(text: str) -> bytes:
    """Text in GB18030; runs of non-ASCII inside Kanji mode (FS & … FS .)."""
    out = bytearray()
    run = ""
    for char in text:
        if ord(char) < 128:
            if run:
                out += KANJI_ON + run.encode("gb18030") + KANJI_OFF
                run = ""
            out += char.encode("ascii")
        else:
            run += char
    if run:
        out += KANJI_ON + run.encode("gb18030") + KANJI_OFF
    return bytes(out)


def qr_native(payload: str, module_size: int = 6, error_level: str = "M") -> bytes:
    """GS ( k: model 2 (fn 165), module size (167), error correction (169), store (180),
    print (181)."""
    data = payload.encode("utf-8")
    store_len = len(data) + 3
    level = {"L": 48, "M": 49, "Q": 50, "H": 51}[error_level]
    return (
        GS
        + b"(k"
        + bytes([4, 0, 49, 65, 50, 0])
        + GS
        + b"(k"
        + bytes([3, 0, 49, 67, module_size])
        + GS
        + b"(k"
        + bytes([3, 0, 49, 69, level])
        + GS
        + b"(k"
        + bytes([store_len & 0xFF, store_len >> 8, 49, 80, 48])
        + data
        + GS
        + b"(k"
        + bytes([3, 0, 49, 81, 48])
    )


def render_text(document: Document, dot_width: int) -> bytes:
    width = dot_width // 12  # Font A: 12 dots a half-width column
    out = bytearray(INIT + FS + b"C\x00")  # FS C 0: GB code system for Kanji mode
    for block in document.blocks:
        align = ESC + b"a" + bytes([ALIGN.get(block.align, 0)])
        bold_on = ESC + b"E\x01" if block.bold else b""
        bold_off = ESC + b"E\x00" if block.bold else b""
        if block.kind in ("title", "text"):
            size = GS + b"!\x11" if block.kind == "title" else b""
            reset = GS + b"!\x00" if size else b""
            limit = width // 2 if size else width
            for line in wrap(block.text, limit):
                out += align + size + bold_on + kanji(line) + bold_off + reset + b"\n"
        elif block.kind == "big":
            out += align + GS + b"!\x33" + ESC + b"E\x01" + kanji(block.text)
            out += ESC + b"E\x00" + GS + b"!\x00" + b"\n"
        elif block.kind == "row":
            gap = width - columns(block.text + "：") - columns(block.value)
            line = block.text + "：" + (" " * gap + block.value if gap > 0 else block.value)
            for part in wrap(line, width):
                out += ESC + b"a\x00" + kanji(part) + b"\n"
        elif block.kind == "rule":
            out += ESC + b"a\x00" + b"-" * width + b"\n"
        elif block.kind == "qr":
            out += ESC + b"a\x01" + qr_native(block.value, module_size=min(8, max(3, block.size)))
            if block.text:
                out += kanji(block.text) + b"\n"
        elif block.kind == "barcode":
            out += barcode_bytes(block.value)
        elif block.kind == "image":
            image = Image.open(block.value).convert("L")
            if image.width > dot_width:
                image = image.resize((dot_width, int(image.height * dot_width / image.width)))
            out += ESC + b"a\x01" + raster_bytes(image)
        elif block.kind == "feed":
            out += b"\n" * block.size
        elif block.kind == "cut":
            out += b"\n" * 3 + CUT
    return bytes(out)


def render(document: Document, mode: str, dot_width: int, font_path: str = "") -> bytes:
    if mode == "text":
        return render_text(document, dot_width)
    if mode == "raster":
        return render_raster(document, dot_width, font_path)
    raise ValueError(f"unknown print mode {mode!r}")


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
