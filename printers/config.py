"""What describes a printer and what comes back from one: `PrinterConfig` (name, connection
kind and parameters, dot width, print mode, font, timeout), `PrinterStatus` (state with its
Chinese label) and the one error type, `PrinterError`, that carries the printer's name.
Plain values only, so the app can build a config from its database row and a script from a
dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT = 4.0
MAX_TIMEOUT = 5.0  # a kiosk must never wait longer than this on a printer
# Connection kinds and the parameters each one takes (besides "kind").
KINDS: dict[str, tuple[str, ...]] = {
    "network": ("host", "port"),  # port defaults to 9100
    "usb": ("vendor_id", "product_id", "in_ep", "out_ep"),  # ids as hex strings or ints
    "serial": ("device", "baudrate"),  # COM3, /dev/ttyUSB0; baudrate defaults to 9600
    "file": ("path",),  # a device file such as /dev/usb/lp0
    "cups": ("printer_name", "host", "port"),  # a raw CUPS queue
    "win32raw": ("printer_name",),  # a Windows printer, raw (needs pywin32)
    "dummy": (),  # nothing is sent anywhere (tests, previews)
}
MODES = ("raster", "text")
# Paper: 58 mm → 384 dots, 80 mm → 576 dots (203 dpi); Epson TM-T88V (180 dpi) → 512 dots.
COMMON_DOT_WIDTHS = (384, 512, 576)


class PrinterError(Exception):
    """Any failure to reach or use a printer, named after the printer."""

    def __init__(self, printer: str, message: str) -> None:
        super().__init__(f"{printer}: {message}")
        self.printer = printer
        self.message = message


@dataclass
class PrinterConfig:
    """A printer as the paper layer sees it.

    connection: {"kind": "network", "host": "192.168.1.50", "port": 9100}, or
    {"kind": "usb", "vendor_id": "0x0416", "product_id": "0x5011"}, {"kind": "serial",
    "device": "COM3", "baudrate": 9600}, {"kind": "file", "path": "/dev/usb/lp0"},
    {"kind": "cups", "printer_name": "receipt"}, {"kind": "win32raw", "printer_name": "XP-80C"}.
    """

    name: str
    connection: dict[str, Any] = field(default_factory=lambda: {"kind": "dummy"})
    dot_width: int = 576
    mode: str = "raster"  # raster: works everywhere; text: Chinese-capable printers, fewer bytes
    font_path: str = ""  # raster mode: a CJK font file; empty = the PC's own
    timeout: float = DEFAULT_TIMEOUT  # seconds for connecting, each write and status replies

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown connection kind {self.kind!r} (one of {', '.join(KINDS)})")
        if self.mode not in MODES:
            raise ValueError(f"unknown print mode {self.mode!r} (raster or text)")
        if not 64 <= int(self.dot_width) <= 2048 or int(self.dot_width) % 8:
            raise ValueError(f"dot width {self.dot_width} is not a multiple of 8 in 64…2048")
        if not 0 < float(self.timeout) <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be more than 0 and at most {MAX_TIMEOUT} s")
        self.dot_width = int(self.dot_width)
        self.timeout = float(self.timeout)

    @property
    def kind(self) -> str:
        return str(self.connection.get("kind", "network"))

    def describe(self) -> str:
        """Where the printer is, for logs and error messages ("network 192.168.1.50:9100")."""
        params = self.connection
        if self.kind == "network":
            return f"network {params.get('host')}:{params.get('port', 9100)}"
        if self.kind == "usb":
            return f"usb {params.get('vendor_id')}:{params.get('product_id')}"
        detail = params.get("device") or params.get("path") or params.get("printer_name") or ""
        return f"{self.kind} {detail}".strip()


STATE_LABELS = {
    "ok": "正常",
    "paper_low": "纸将用完",
    "paper_out": "缺纸",
    "cover_open": "纸仓盖打开",
    "offline": "离线",
    "unknown": "未知",
}


@dataclass(frozen=True)
class PrinterStatus:
    """The printer's answer to DLE EOT, or what not reaching it means.

    state: ok / paper_low / paper_out / cover_open / offline / unknown. `unknown` is a printer
    that was reached but does not report status (a device file, CUPS, or a printer that ignores
    DLE EOT): printing is attempted.
    """

    state: str
    detail: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATE_LABELS:
            raise ValueError(f"unknown printer state {self.state!r}")

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def can_print(self) -> bool:
        return self.state in ("ok", "paper_low", "unknown")
