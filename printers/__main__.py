"""`python -m printers`: ask a printer its status, print the test page, or save a PNG preview of
the test page, with no hall server running.

    python -m printers status --network 192.168.1.50
    python -m printers test-page --network 192.168.1.50:9100 --width 576 --mode raster
    python -m printers test-page --usb 0x0416:0x5011 --width 384
    python -m printers preview --width 384 --out test-page.png
"""

from __future__ import annotations

import argparse
import logging
import sys

from .config import COMMON_DOT_WIDTHS, MODES, PrinterConfig, PrinterError
from .printer import print_test_page, query_status
from .raster import render_image
from .templates import test_page


def connection_from(args: argparse.Namespace) -> dict:
    if args.network:
        host, _, port = args.network.partition(":")
        return {"kind": "network", "host": host, "port": int(port or 9100)}
    if args.usb:
        vendor, _, product = args.usb.partition(":")
        return {"kind": "usb", "vendor_id": vendor, "product_id": product}
    if args.serial:
        return {"kind": "serial", "device": args.serial, "baudrate": args.baudrate}
    if args.file:
        return {"kind": "file", "path": args.file}
    if args.cups:
        return {"kind": "cups", "printer_name": args.cups}
    if args.win32raw:
        return {"kind": "win32raw", "printer_name": args.win32raw}
    return {"kind": "dummy"}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="python -m printers",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("command", choices=("status", "test-page", "preview"))
    where = main.add_mutually_exclusive_group()
    where.add_argument("--network", metavar="HOST[:PORT]", help="network printer (port 9100)")
    where.add_argument("--usb", metavar="VID:PID", help="USB ids in hex, e.g. 0x0416:0x5011")
    where.add_argument("--serial", metavar="DEVICE", help="serial port, e.g. COM3")
    where.add_argument("--file", metavar="PATH", help="device file, e.g. /dev/usb/lp0")
    where.add_argument("--cups", metavar="NAME", help="raw CUPS queue")
    where.add_argument("--win32raw", metavar="NAME", help="Windows printer name (raw)")
    main.add_argument("--baudrate", type=int, default=9600)
    main.add_argument("--name", default="打印机", help="printer name for messages")
    main.add_argument(
        "--width", type=int, default=576, help=f"dots per line, usually {COMMON_DOT_WIDTHS}"
    )
    main.add_argument("--mode", choices=MODES, default="raster")
    main.add_argument("--font", default="", help="CJK font file for raster mode")
    main.add_argument("--timeout", type=float, default=4.0, help="seconds (at most 5)")
    main.add_argument("--out", default="test-page.png", help="preview: PNG file to write")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = PrinterConfig(
        name=args.name,
        connection=connection_from(args),
        dot_width=args.width,
        mode=args.mode,
        font_path=args.font,
        timeout=args.timeout,
    )
    if args.command == "preview":
        document = test_page(printer_name=config.name, dot_width=config.dot_width, mode="raster")
        render_image(document, config.dot_width, config.font_path).save(args.out)
        sys.stdout.write(f"{args.out}\n")
        return 0
    if config.kind == "dummy":
        sys.stderr.write("name a printer: --network, --usb, --serial, --file, --cups, --win32raw\n")
        return 2
    if args.command == "status":
        status = query_status(config)
        sys.stdout.write(f"{status.state} {status.label} {status.detail}".rstrip() + "\n")
        return 0 if status.can_print else 1
    try:
        sent = print_test_page(config)
    except PrinterError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    sys.stdout.write(f"sent {sent} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
