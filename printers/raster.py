"""The raster renderer: every block drawn with Pillow in a CJK font at the printer's dot width
and sent as ESC/POS raster images (GS v 0), which every ESC/POS printer prints, Chinese font
or not. Barcodes go out as native GS k between image bands (every ESC/POS printer has them).
Also the PNG preview of a document (`render_image`), used by tests and the admin pages.
"""

from __future__ import annotations

import base64
import io

import qrcode
from PIL import Image, ImageDraw

from . import fonts
from .document import Block, Document, DocumentError
from .wrap import columns, wrap

ESC, GS = b"\x1b", b"\x1d"
INIT = ESC + b"@"
CUT = GS + b"V" + bytes([66, 0])  # GS V 66 0: feed to the cutter, then a partial cut
CUT_FEED = b"\n"  # a line after the last print so the cut does not touch it
BAND_ROWS = 255  # older printers take at most 255 rows (yL < 256) in one GS v 0
THRESHOLD = 160  # grey below this prints as a dot


def sizes(dot_width: int) -> dict[str, int]:
    """Font sizes in dots for the paper width: 58 mm paper keeps a readable size for elderly
    residents (about 15 characters a line), 80 mm gets about 21."""
    if dot_width >= 512:
        return {"text": 26, "small": 22, "title": 34, "big": 130, "margin": 8}
    return {"text": 24, "small": 20, "title": 30, "big": 110, "margin": 4}


def qr_image(payload: str, target_px: int) -> tuple[Image.Image, int]:
    """The QR code (error correction M, 4-module quiet zone) about `target_px` wide, and its
    module size in dots."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    modules = code.modules_count + 2 * code.border
    code.box_size = max(2, target_px // modules)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return image, code.box_size


def load_image(value: str) -> Image.Image:
    """An image block's picture: a file path or a data: URI with base64 PNG/JPEG."""
    try:
        if value.startswith("data:"):
            _header, _, encoded = value.partition(",")
            return Image.open(io.BytesIO(base64.b64decode(encoded))).convert("L")
        return Image.open(value).convert("L")
    except (OSError, ValueError) as error:
        raise DocumentError(f"image cannot be read: {error}") from error


class _Painter:
    """Draws blocks one under the other on strips of the printer's width."""

    def __init__(self, width: int, font_path: str):
        self.width = width
        self.font_path = font_path
        self.size = sizes(width)
        self.margin = self.size["margin"]
        self.inner = width - 2 * self.margin
        self.parts: list[Image.Image] = []

    def _strip(self, height: int) -> Image.Image:
        image = Image.new("L", (self.width, max(1, height)), 255)
        self.parts.append(image)
        return image

    def text(self, text: str, px: int, *, bold: bool = False, align: str = "left") -> None:
        font = fonts.load(self.font_path, px, bold)
        # A family without a bold file (SimHei, WenQuanYi) gets bold by a 1-dot stroke.
        stroke = 1 if bold and fonts.bold_path(self.font_path) is None else 0
        lines = wrap(text, self.inner - 2 * stroke, font.getlength)
        line_height = round(px * 1.35)
        strip = self._strip(line_height * len(lines) + 4)
        draw = ImageDraw.Draw(strip)
        for index, line in enumerate(lines):
            length = font.getlength(line)
            x = {
                "left": self.margin,
                "center": (self.width - length) / 2,
                "right": self.width - self.margin - length,
            }[align]
            y = index * line_height + 2
            draw.text((x, y), line, font=font, fill=0, stroke_width=stroke, stroke_fill=0)

    def row(self, label: str, value: str) -> None:
        px = self.size["text"]
        font = fonts.load(self.font_path, px)
        label = label + "："
        if font.getlength(label) + font.getlength(value) + 16 > self.inner:
            self.text(label + value, px)  # too long for one line: wrapped as a paragraph
            return
        strip = self._strip(round(px * 1.35) + 4)
        draw = ImageDraw.Draw(strip)
        draw.text((self.margin, 2), label, font=font, fill=0)
        draw.text((self.width - self.margin - font.getlength(value), 2), value, font=font, fill=0)

    def rule(self) -> None:
        strip = self._strip(14)
        ImageDraw.Draw(strip).line((self.margin, 7, self.width - self.margin, 7), fill=0, width=2)

    def picture(self, picture: Image.Image, gap_below: int = 0) -> None:
        strip = self._strip(picture.height + gap_below)
        strip.paste(picture, ((self.width - picture.width) // 2, 0))

    def block(self, block: Block) -> None:
        size = self.size
        if block.kind == "title":
            self.text(block.text, size["title"], bold=True, align="center")
        elif block.kind == "big":
            # As large as fits: a 4-character number on 58 mm paper must not wrap.
            fitting = int(self.inner / max(columns(block.text), 1) * 2 * 0.9)
            self.text(block.text, min(size["big"], fitting), bold=True, align="center")
        elif block.kind == "text":
            self.text(block.text, size["text"], bold=block.bold, align=block.align)
        elif block.kind == "row":
            self.row(block.text, block.value)
        elif block.kind == "rule":
            self.rule()
        elif block.kind == "qr":
            qr, module = qr_image(block.value, int(self.inner * 0.6))
            # Trim half of the bottom quiet zone: the paper below is white anyway, and the
            # caption then reads as belonging to the code.
            self.picture(qr.crop((0, 0, qr.width, qr.height - 2 * module)))
            if block.text:
                self.text(block.text, size["small"], align="center")
        elif block.kind == "image":
            picture = load_image(block.value)
            if picture.width > self.inner:
                height = round(picture.height * self.inner / picture.width)
                picture = picture.resize((self.inner, max(1, height)))
            # Photos and logos are dithered; the text strips are thresholded later.
            self.picture(picture.convert("1").convert("L"))
        elif block.kind == "feed":
            self._strip(24 * max(1, block.size))

    def image(self) -> Image.Image:
        height = sum(part.height for part in self.parts) or 1
        sheet = Image.new("L", (self.width, height), 255)
        y = 0
        for part in self.parts:
            sheet.paste(part, (0, y))
            y += part.height
        return sheet


def draw_blocks(blocks: list[Block], width: int, font_path: str) -> Image.Image:
    """Draw non-barcode, non-cut blocks on one white image of the printer's width."""
    painter = _Painter(width, font_path)
    for block in blocks:
        painter.block(block)
    return painter.image()


def raster_bytes(image: Image.Image) -> bytes:
    """GS v 0 m xL xH yL yH d1…dk: a 1-bit image, in bands of at most 255 rows.

    x = bytes per row (width / 8, rounded up), y = rows; a set bit is a black dot, most
    significant bit leftmost.
    """
    mono = image.convert("L").point(lambda value: 0 if value < THRESHOLD else 255, "1")
    width_bytes = (mono.width + 7) // 8
    out = bytearray()
    for top in range(0, mono.height, BAND_ROWS):
        rows = min(BAND_ROWS, mono.height - top)
        # crop() pads a width that is not a multiple of 8 with black: paste on white instead.
        band = Image.new("1", (width_bytes * 8, rows), 1)
        band.paste(mono.crop((0, top, mono.width, top + rows)), (0, 0))
        # Pillow's "1" mode packs 1 = white; ESC/POS wants 1 = black dot.
        data = bytes(b ^ 0xFF for b in band.tobytes())
        out += GS + b"v0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8, rows & 0xFF, 0])
        out += data
    return bytes(out)


def barcode_bytes(payload: str) -> bytes:
    """Native CODE128 (GS k 73, code set B) centred, 80 dots high, text below."""
    data = b"{B" + payload.encode("ascii")
    if len(data) > 255:
        raise DocumentError("barcode payload too long")
    return (
        ESC + b"a\x01"  # centre
        + GS + b"h\x50"  # height 80 dots
        + GS + b"w\x02"  # module width 2
        + GS + b"H\x02"  # human-readable text below
        + GS + b"k" + bytes([73, len(data)]) + data
        + b"\n" + ESC + b"a\x00"
    )  # fmt: skip


def render_raster(document: Document, dot_width: int, font_path: str = "") -> bytes:
    """ESC @, then image bands; barcodes and cuts as native commands between them."""
    path = fonts.find_font(font_path)
    out = bytearray(INIT)
    pending: list[Block] = []

    def flush() -> None:
        if pending:
            out.extend(raster_bytes(draw_blocks(pending, dot_width, path)))
            pending.clear()

    for block in document.blocks:
        if block.kind == "barcode":
            flush()
            out.extend(barcode_bytes(block.value))
        elif block.kind == "cut":
            flush()
            out.extend(CUT_FEED + CUT)
        else:
            pending.append(block)
    flush()
    return bytes(out)


def render_image(document: Document, dot_width: int, font_path: str = "") -> Image.Image:
    """The raster rendering as one greyscale image (previews, tests); barcodes left out."""
    path = fonts.find_font(font_path)
    blocks = [block for block in document.blocks if block.kind not in ("barcode", "cut")]
    return draw_blocks(blocks, dot_width, path)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
