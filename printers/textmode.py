"""The text renderer, for Chinese-capable printers: ESC/POS text with Chinese as GB18030
inside Kanji mode (FS & … FS .), the printer's own QR code (GS ( k), character size (GS !)
for the title and the big number. A ticket is a few hundred bytes instead of tens of
kilobytes of raster image, but what it looks like depends on the printer's built-in font.

No FS C (select Kanji code system) is sent: on Chinese models GB18030/GBK is the only system,
and on Japanese models FS C 0 would select JIS, which garbles Chinese anyway.
"""

from __future__ import annotations

import qrcode
from PIL import Image

from .document import Block, Document, DocumentError
from .raster import CUT, CUT_FEED, INIT, barcode_bytes, load_image, raster_bytes
from .wrap import columns, wrap

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
KANJI_ON, KANJI_OFF = FS + b"&", FS + b"."
ALIGN = {"left": 0, "center": 1, "right": 2}
FONT_A_DOTS = 12  # width of a half-width Font A character; a Chinese character is 24
QR_MAX_BYTES = 7089 - 3
QR_ERROR_LEVELS = {"L": 48, "M": 49, "Q": 50, "H": 51}


def character_size(width: int, height: int) -> bytes:
    """GS ! n: width and height magnification 1…8 (n = (width-1) << 4 | (height-1))."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError("magnification is 1 to 8")
    return GS + b"!" + bytes([(width - 1) << 4 | (height - 1)])


NORMAL_SIZE = character_size(1, 1)


def _printable(text: str) -> str:
    """Drop control characters: text from a form must not smuggle ESC/POS commands in."""
    return "".join(ch if ch >= " " and ch != "\x7f" else " " for ch in text)


def kanji(text: str) -> bytes:
    """ASCII as is; each run of other characters as GB18030 inside FS & … FS ."""
    out = bytearray()
    run = ""
    for char in _printable(text):
        if char.isascii():
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
    """GS ( k, QR code (cn 49): fn 165 model 2, fn 167 module size, fn 169 error correction,
    fn 180 store the data (pL pH = data length + 3), fn 181 print."""
    data = payload.encode("utf-8")
    if not data or len(data) > QR_MAX_BYTES:
        raise DocumentError(f"QR payload of {len(data)} bytes cannot be printed")
    if not 1 <= module_size <= 16:
        raise DocumentError("QR module size is 1 to 16")
    store = len(data) + 3

    def function(fn: int, *parameters: int) -> bytes:
        length = 2 + len(parameters)
        return GS + b"(k" + bytes([length & 0xFF, length >> 8, 49, fn, *parameters])

    return (
        function(65, 50, 0)  # fn 165: model 2
        + function(67, module_size)  # fn 167: module size in dots
        + function(69, QR_ERROR_LEVELS[error_level])  # fn 169: error correction level
        + GS + b"(k" + bytes([store & 0xFF, store >> 8, 49, 80, 48]) + data  # fn 180: store
        + function(81, 48)  # fn 181: print
    )  # fmt: skip


def qr_module_size(payload: str, dot_width: int, preferred: int = 6) -> int:
    """The largest module size up to `preferred` at which the code stays within 70 % of the
    paper (the printer picks the QR version itself; this one is the same or one larger)."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload.encode("utf-8"), optimize=0)
    code.make(fit=True)
    modules = code.modules_count + 4  # one version's margin for the printer's own encoder
    return max(1, min(preferred, int(dot_width * 0.7) // modules, 16))


class _Writer:
    def __init__(self, dot_width: int):
        self.dot_width = dot_width
        self.columns = dot_width // FONT_A_DOTS
        self.out = bytearray(INIT)

    def line(self, text: str, *, align: str = "left", bold: bool = False, size: int = 1) -> None:
        """Wrapped text; `size` magnifies width and height alike."""
        limit = self.columns // size
        for part in wrap(text, limit):
            self.out += ESC + b"a" + bytes([ALIGN[align]])
            self.out += character_size(size, size) if size > 1 else b""
            self.out += ESC + b"E\x01" if bold else b""
            self.out += kanji(part)
            self.out += ESC + b"E\x00" if bold else b""
            self.out += NORMAL_SIZE if size > 1 else b""
            self.out += b"\n"

    def block(self, block: Block) -> None:
        if block.kind == "title":
            self.line(block.text, align="center", bold=True, size=2)
        elif block.kind == "big":
            # The largest magnification (up to 4) at which the number fits one line.
            fitting = self.columns // max(columns(block.text), 1)
            self.line(block.text, align="center", bold=True, size=max(1, min(4, fitting)))
        elif block.kind == "text":
            self.line(block.text, align=block.align, bold=block.bold)
        elif block.kind == "row":
            label = block.text + "："
            gap = self.columns - columns(label) - columns(block.value)
            self.line(label + " " * gap + block.value if gap >= 2 else label + block.value)
        elif block.kind == "rule":
            self.out += ESC + b"a\x00" + b"-" * self.columns + b"\n"
        elif block.kind == "qr":
            module = qr_module_size(block.value, self.dot_width, max(1, block.size))
            self.out += ESC + b"a\x01" + qr_native(block.value, module)
            if block.text:
                self.line(block.text, align="center")
            self.out += ESC + b"a\x00"
        elif block.kind == "barcode":
            self.out += barcode_bytes(block.value)
        elif block.kind == "image":
            picture = load_image(block.value)
            if picture.width > self.dot_width:
                height = round(picture.height * self.dot_width / picture.width)
                picture = picture.resize((self.dot_width, max(1, height)))
            # Centred on a full-width canvas: printers differ on whether ESC a moves GS v 0.
            canvas = Image.new("L", (self.dot_width, picture.height), 255)
            canvas.paste(
                picture.convert("1").convert("L"), ((self.dot_width - picture.width) // 2, 0)
            )
            self.out += raster_bytes(canvas)
        elif block.kind == "feed":
            self.out += ESC + b"d" + bytes([min(255, max(1, block.size))])
        elif block.kind == "cut":
            self.out += CUT_FEED + CUT


def render_text(document: Document, dot_width: int) -> bytes:
    writer = _Writer(dot_width)
    for block in document.blocks:
        writer.block(block)
    return bytes(writer.out)
