"""Validation of what admins type (no Flask): each function returns clean values or raises
ValidationError naming the field, with a message in Chinese. Nothing is saved here."""

from __future__ import annotations

import ipaddress
import json
import re

from .errors import N_, ValidationError

PRINTER_KINDS = ("network", "usb", "serial", "file", "cups", "win32raw")
DOT_WIDTHS = (384, 512, 576)
ROLE = re.compile(r"^(kiosk|notice|window:\d{1,3})$")
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
HEX_ID = re.compile(r"^(0x)?[0-9A-Fa-f]{1,4}$")


def validate_printer(form) -> dict:
    name = form.get("name", "").strip()
    if not name:
        raise ValidationError(N_("请填写打印机名称"), field="name")
    if len(name) > 40:
        raise ValidationError(N_("名称不能超过 40 个字"), field="name")
    role = form.get("role", "").strip()
    if not ROLE.match(role):
        raise ValidationError(
            N_("用途应为 kiosk（取号机）、notice（公告）或 window:3（3号窗口）"), field="role"
        )
    kind = form.get("kind", "")
    if kind not in PRINTER_KINDS:
        raise ValidationError(N_("请选择连接方式"), field="kind")
    connection: dict = {"kind": kind}
    if kind == "network":
        host = form.get("host", "").strip()
        try:
            ipaddress.ip_address(host)
        except ValueError:
            # "192.168.1.999" looks like an address, so it is a mistyped one, not a name.
            if not HOSTNAME.match(host) or re.fullmatch(r"[\d.]+", host):
                raise ValidationError(
                    N_("IP 地址或主机名不正确，例如 192.168.1.50"), field="host"
                ) from None
        port = form.get("port", "9100").strip() or "9100"
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValidationError(N_("端口应为 1 到 65535 之间的数字，通常是 9100"), field="port")
        connection.update(host=host, port=int(port))
    elif kind == "usb":
        vendor, product = form.get("vendor_id", "").strip(), form.get("product_id", "").strip()
        if not HEX_ID.match(vendor) or not HEX_ID.match(product):
            raise ValidationError(
                N_("USB 厂商号和产品号应为十六进制，例如 0x0416 和 0x5011"), field="vendor_id"
            )
        connection.update(vendor_id=vendor, product_id=product)
    elif kind in ("serial", "file"):
        device = form.get("device", "").strip()
        if not device:
            raise ValidationError(N_("请填写设备路径，例如 COM3 或 /dev/usb/lp0"), field="device")
        connection.update({"device" if kind == "serial" else "path": device})
        if kind == "serial":
            baud = form.get("baudrate", "9600").strip() or "9600"
            if baud not in ("9600", "19200", "38400", "57600", "115200"):
                raise ValidationError(N_("波特率不正确"), field="baudrate")
            connection["baudrate"] = int(baud)
    else:
        printer_name = form.get("printer_name", "").strip()
        if not printer_name:
            raise ValidationError(N_("请填写系统中的打印机名称"), field="printer_name")
        connection["printer_name"] = printer_name
    try:
        dot_width = int(form.get("dot_width", ""))
    except ValueError:
        dot_width = 0
    if dot_width not in DOT_WIDTHS:
        raise ValidationError(
            N_("纸宽点数应为 384（58 毫米）、512（TM-T88V）或 576（80 毫米）"), field="dot_width"
        )
    mode = form.get("mode", "")
    if mode not in ("raster", "text"):
        raise ValidationError(N_("请选择打印方式"), field="mode")
    return {
        "name": name,
        "role": role,
        "connection": json.dumps(connection, ensure_ascii=False),
        "dot_width": dot_width,
        "mode": mode,
        "font_path": form.get("font_path", "").strip(),
        "enabled": form.get("enabled") == "on",
    }
