"""Printers: their description, connections through python-escpos, status and sending.

Every library or OS error becomes one `PrinterError` naming the printer. Connections are opened
explicitly with a short timeout (python-escpos's Network default of 60 s would freeze a kiosk).
"""

from __future__ import annotations

import copy
import logging
import socket
from dataclasses import dataclass, field
from typing import Any

from .document import Document
from .fonts import FontNotFound
from .render import render

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 4.0
DLE_EOT = b"\x10\x04"
KINDS = ("network", "usb", "serial", "file", "cups", "win32raw", "dummy")


class PrinterError(Exception):
    def __init__(self, printer: str, message: str) -> None:
        super().__init__(f"{printer}: {message}")
        self.printer = printer
        self.message = message


@dataclass
class PrinterConfig:
    name: str
    connection: dict[str, Any] = field(default_factory=lambda: {"kind": "dummy"})
    dot_width: int = 576  # 384 for 58 mm, 512 for TM-T88V, 576 for most 80 mm printers
    mode: str = "raster"  # raster / text
    font_path: str = ""
    timeout: float = DEFAULT_TIMEOUT

    @property
    def kind(self) -> str:
        return str(self.connection.get("kind", "network"))


STATE_LABELS = {
    "ok": "正常",
    "paper_out": "缺纸",
    "paper_low": "纸将用完",
    "cover_open": "纸仓盖打开",
    "offline": "离线",
    "unknown": "未知",
}


@dataclass(frozen=True)
class PrinterStatus:
    state: str  # ok / paper_out / paper_low / cover_open / offline / unknown
    detail: str = ""

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def can_print(self) -> bool:
        return self.state in ("ok", "paper_low", "unknown")


def _set_width(printer, dot_width: int) -> None:
    """Give the capability profile its dot width (python-escpos's default profile has none
    and warns "media.width.pixel … not set" when it draws images)."""
    profile = printer.profile
    profile.profile_data = copy.deepcopy(profile.profile_data)
    profile.profile_data.setdefault("media", {}).setdefault("width", {})["pixel"] = dot_width


def open_connection(config: PrinterConfig):
    """An opened python-escpos printer object for `config` (the caller closes it)."""
    params = {k: v for k, v in config.connection.items() if k != "kind"}
    printer = None
    try:
        if config.kind == "network":
            from escpos.printer import Network

            printer = Network(
                params["host"],
                port=int(params.get("port", 9100)),
                timeout=config.timeout,
            )
        elif config.kind == "usb":
            from escpos.printer import Usb

            printer = Usb(
                int(str(params["vendor_id"]), 16),
                int(str(params["product_id"]), 16),
                timeout=int(config.timeout * 1000),
            )
        elif config.kind == "serial":
            from escpos.printer import Serial

            printer = Serial(
                params["device"],
                baudrate=int(params.get("baudrate", 9600)),
                timeout=config.timeout,
            )
        elif config.kind == "file":
            from escpos.printer import File

            printer = File(params["path"])
        elif config.kind == "cups":
            from escpos.printer import CupsPrinter

            printer = CupsPrinter(params["printer_name"])
        elif config.kind == "win32raw":
            from escpos.printer import Win32Raw

            printer = Win32Raw(params["printer_name"])
        elif config.kind == "dummy":
            from escpos.printer import Dummy

            printer = Dummy()
        else:
            raise PrinterError(config.name, f"unknown connection kind {config.kind!r}")
        _set_width(printer, config.dot_width)
        if config.kind == "network":
            # Connect ourselves: python-escpos's Network.open() drops the socket of a failed
            # connect without closing it (a leaked file descriptor per retry of an offline
            # printer, over days).
            sock = socket.create_connection(
                (params["host"], int(params.get("port", 9100))), timeout=config.timeout
            )
            printer.device = sock
        elif config.kind != "dummy":
            printer.open(raise_not_found=True)
        return printer
    except PrinterError:
        raise
    except KeyError as missing:
        raise PrinterError(config.name, f"connection setting {missing} is missing") from None
    except Exception as error:  # noqa: BLE001 - every library/OS error becomes PrinterError
        if printer is not None:
            _close(printer)  # python-escpos leaves the socket of a failed connect open
        raise PrinterError(config.name, f"cannot connect: {error}") from error


def _status_byte(printer, n: int) -> int | None:
    try:
        reply = printer.query_status(DLE_EOT + bytes([n]))
    except Exception:  # noqa: BLE001 - a printer that does not answer status is not an error
        return None
    return reply[0] if reply else None


def _status_of_open(printer) -> PrinterStatus:
    online = _status_byte(printer, 1)
    if online is None:
        return PrinterStatus("unknown", "no status reply")
    cause = _status_byte(printer, 2)
    paper = _status_byte(printer, 4)
    if cause is not None and cause & 0x04:
        return PrinterStatus("cover_open")
    if paper is not None and paper & 0x60 == 0x60:
        return PrinterStatus("paper_out")
    if cause is not None and cause & 0x20:
        return PrinterStatus("paper_out")
    if online & 0x08:
        return PrinterStatus("offline", "printer reports offline")
    if paper is not None and paper & 0x0C == 0x0C:
        return PrinterStatus("paper_low")
    return PrinterStatus("ok")


def query_status(config: PrinterConfig) -> PrinterStatus:
    """Ask the printer (DLE EOT 1, 2, 4). Connection failure → offline; no answer → unknown."""
    if config.kind in ("file", "cups", "win32raw", "dummy"):
        return PrinterStatus("unknown", "this connection cannot report status")
    try:
        printer = open_connection(config)
    except PrinterError as error:
        return PrinterStatus("offline", error.message)
    try:
        return _status_of_open(printer)
    finally:
        _close(printer)


def _close(printer) -> None:
    try:
        printer.close()
    except Exception:  # noqa: BLE001
        log.debug("closing printer failed", exc_info=True)


def send(document: Document | bytes, config: PrinterConfig) -> int:
    """Render (if needed) and send; returns the number of bytes sent."""
    try:
        data = (
            document
            if isinstance(document, bytes)
            else render(document, config.mode, config.dot_width, config.font_path)
        )
    except FontNotFound as error:
        raise PrinterError(config.name, str(error)) from error
    printer = open_connection(config)
    try:
        printer._raw(data)
        if config.kind == "dummy":
            config.connection["output"] = printer.output
        log.info("sent %d bytes to %s", len(data), config.name)
        return len(data)
    except Exception as error:  # noqa: BLE001
        raise PrinterError(config.name, f"sending failed: {error}") from error
    finally:
        _close(printer)


def print_test_page(config: PrinterConfig) -> int:
    from .templates import test_page

    return send(
        test_page(printer_name=config.name, dot_width=config.dot_width, mode=config.mode), config
    )
