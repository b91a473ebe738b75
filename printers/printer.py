"""Talking to printers: opening a connection through python-escpos with a capability profile
that knows the paper's dot width, the status query (DLE EOT), sending, and the test page.

- Connections are opened explicitly, with the config's short timeout (python-escpos's Network
  default of 60 s would freeze a kiosk). A network printer's socket is connected here and
  handed to python-escpos: its `Network.open()` drops the socket of a failed connect without
  closing it (a ResourceWarning, and a leaked descriptor per retry of an offline printer).
- Every library or OS error becomes one `PrinterError` naming the printer.
- Large jobs are written in chunks, so the timeout means "no progress for that long" rather
  than "the whole notice within 4 s" (a slow 58 mm printer takes ~35 KB/s of raster).
"""

from __future__ import annotations

import copy
import logging
import socket
from typing import Any

from escpos.capabilities import Profile

from .config import PrinterConfig, PrinterError, PrinterStatus
from .document import Document
from .render import render

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
STATUS_TIMEOUT = 2.0  # a printer answers DLE EOT in milliseconds; silence means "no status"
CHUNK = 4096
NO_STATUS_KINDS = ("file", "cups", "win32raw", "dummy")  # write-only connections


class DotWidthProfile(Profile):
    """python-escpos's default capability profile plus the paper's dot width.

    The default profile has no `media.width.pixels`, so python-escpos complains ("The
    media.width.pixel field of the printer profile is not set") and cannot centre or check
    images. The data is copied per instance: profile classes share one dict.
    """

    def __init__(self, dot_width: int, dpi: int | None = None) -> None:
        super().__init__()
        data = copy.deepcopy(Profile.profile_data)
        data["media"] = {
            "dpi": dpi or (180 if dot_width == 512 else 203),
            "width": {"pixels": dot_width, "mm": round(dot_width / 8, 1)},
        }
        self.profile_data = data
        self.features = data["features"]  # Profile() would start with none
        self.columns = dot_width // 12  # Font A


def make_profile(dot_width: int) -> DotWidthProfile:
    return DotWidthProfile(dot_width)


def _hex(value: Any) -> int:
    return value if isinstance(value, int) else int(str(value), 16)


def _create(config: PrinterConfig):
    """The python-escpos printer object (not yet opened)."""
    params = config.connection
    profile = make_profile(config.dot_width)
    kind = config.kind
    if kind == "network":
        from escpos.printer import Network

        return Network(
            params["host"], port=int(params.get("port", 9100)), timeout=config.timeout,
            profile=profile,
        )  # fmt: skip
    if kind == "usb":
        from escpos.printer import Usb

        extra = {key: _hex(params[key]) for key in ("in_ep", "out_ep") if key in params}
        return Usb(
            _hex(params["vendor_id"]), _hex(params["product_id"]),
            timeout=int(config.timeout * 1000), profile=profile, **extra,
        )  # fmt: skip
    if kind == "serial":
        from escpos.printer import Serial

        return Serial(
            devfile=params["device"], baudrate=int(params.get("baudrate", 9600)),
            timeout=config.timeout, profile=profile,
        )  # fmt: skip
    if kind == "file":
        from escpos.printer import File

        return File(devfile=params["path"], profile=profile)
    if kind == "cups":
        from escpos.printer import CupsPrinter

        extra = {key: params[key] for key in ("host", "port") if key in params}
        return CupsPrinter(printer_name=params["printer_name"], profile=profile, **extra)
    if kind == "win32raw":
        from escpos.printer import Win32Raw

        return Win32Raw(printer_name=params["printer_name"], profile=profile)
    from escpos.printer import Dummy

    return Dummy(profile=profile)


def open_connection(config: PrinterConfig):
    """An opened python-escpos printer for `config`; the caller closes it (`close`)."""
    printer = None
    try:
        printer = _create(config)
        if config.kind == "network":
            params = config.connection
            address = (params["host"], int(params.get("port", 9100)))
            printer.device = socket.create_connection(address, timeout=config.timeout)
        elif config.kind != "dummy":
            printer.open(raise_not_found=True)
        return printer
    except KeyError as missing:
        raise PrinterError(config.name, f"connection setting {missing} is missing") from None
    except Exception as error:  # every library/OS error becomes PrinterError
        if printer is not None:
            close(printer)
        log.info("cannot connect to %s (%s): %s", config.name, config.describe(), error)
        raise PrinterError(config.name, f"cannot connect ({config.describe()}): {error}") from error


def close(printer) -> None:
    """Close a connection, best effort. A network socket is closed here: python-escpos's
    `Network.close()` logs through the root logger, which configures logging as a side effect
    in a program that has not."""
    device = getattr(printer, "_device", None)
    try:
        if isinstance(device, socket.socket):
            try:
                device.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the printer already closed its side
            device.close()
        else:
            printer.close()
    except Exception:  # closing a broken connection is best effort
        log.debug("closing printer failed", exc_info=True)
    if hasattr(printer, "_device"):
        printer._device = None  # closed: python-escpos's __del__ must not close it again


def _status_byte(printer, n: int) -> int | None:
    """The one-byte reply to DLE EOT n, or None when the printer does not answer."""
    try:
        reply = printer.query_status(DLE_EOT + bytes([n]))
    except Exception:  # noqa: BLE001 - silence or a closed port: no status, not an error
        return None
    return reply[-1] if reply else None


def decode_status(online: int | None, cause: int | None, paper: int | None) -> PrinterStatus:
    """The state from the DLE EOT 1 (printer), 2 (offline cause) and 4 (roll paper) bytes."""
    if online is None:
        return PrinterStatus("unknown", "no status reply")
    if cause is not None and cause & 0x04:
        return PrinterStatus("cover_open")
    if (paper is not None and paper & 0x60 == 0x60) or (cause is not None and cause & 0x20):
        return PrinterStatus("paper_out")
    if online & 0x08:
        return PrinterStatus("offline", "the printer reports itself offline")
    if paper is not None and paper & 0x0C == 0x0C:
        return PrinterStatus("paper_low")
    return PrinterStatus("ok")


def status_of_open(printer, timeout: float = STATUS_TIMEOUT) -> PrinterStatus:
    """Ask an opened printer DLE EOT 1, 2 and 4 (real-time: answered even while it is
    blocked by a fault, and without disturbing a job)."""
    device = getattr(printer, "_device", None)
    if isinstance(device, socket.socket):
        device.settimeout(timeout)
    online = _status_byte(printer, 1)
    if online is None:
        return decode_status(None, None, None)
    return decode_status(online, _status_byte(printer, 2), _status_byte(printer, 4))


def query_status(config: PrinterConfig) -> PrinterStatus:
    """The printer's state. Not reachable → offline; reached but no answer → unknown.

    Ask before sending: a printer with a fault takes the data anyway and holds it until the
    fault clears (emupos does; so do most printers with a buffer), so a send "succeeds"."""
    if config.kind in NO_STATUS_KINDS:
        return PrinterStatus("unknown", "this connection cannot report status")
    try:
        printer = open_connection(config)
    except PrinterError as error:
        return PrinterStatus("offline", error.message)
    try:
        status = status_of_open(printer, min(config.timeout, STATUS_TIMEOUT))
    finally:
        close(printer)
    log.debug("status of %s: %s", config.name, status)
    return status


def _write(printer, data: bytes) -> None:
    device = getattr(printer, "_device", None)
    if isinstance(device, socket.socket):
        for start in range(0, len(data), CHUNK):
            device.sendall(data[start : start + CHUNK])
    else:
        printer._raw(data)


def send(document: Document | bytes, config: PrinterConfig) -> int:
    """Render (a Document) and send the bytes; returns the number of bytes sent.

    Does not ask the status first: callers that must not lose a print (the spool) call
    `query_status` before. Raises PrinterError."""
    data = document if isinstance(document, bytes | bytearray) else render(document, config)
    printer = open_connection(config)
    try:
        _write(printer, bytes(data))
        if hasattr(printer, "flush"):
            printer.flush()
    except Exception as error:
        log.warning("sending to %s failed: %s", config.name, error)
        raise PrinterError(config.name, f"sending failed: {error}") from error
    finally:
        close(printer)
    log.info("sent %d bytes to %s (%s)", len(data), config.name, config.describe())
    return len(data)


def print_test_page(config: PrinterConfig) -> int:
    """Print the test page (paper width, mode, Chinese sample, big number, QR, barcode).

    >>> from printers import PrinterConfig, print_test_page
    >>> print_test_page(PrinterConfig("取号机", {"kind": "network", "host": "192.168.1.50"}))
    """
    from .templates import test_page

    return send(
        test_page(printer_name=config.name, dot_width=config.dot_width, mode=config.mode), config
    )
