"""Where a printer of kind `file` may write (no Flask).

A `file` printer writes raw ESC/POS bytes to a path the admin types. Left open, an admin page
could point it at any file the server may write (instance/secret_key, the database) and print a
test page over it. So a file printer writes only inside one configured folder
(`PRINT_FILE_DIR`, default `instance/print-files/`) or to a line-printer device
(/dev/usb/lp0, /dev/lp0). The path is checked after resolving it (symlinks, `..`), when the
admin saves it and again every time the spool opens it, because a symlink can change later.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import N_, ValidationError

ROOT = Path(__file__).resolve().parent.parent
DEVICE = re.compile(r"^/dev/(usb/)?lp\d{1,2}$")

_folder = ROOT / "instance" / "print-files"


def configure(folder: str | Path) -> None:
    """Set the folder file printers may write in (the app factory calls this)."""
    global _folder
    _folder = Path(folder)
    _folder.mkdir(parents=True, exist_ok=True)


def folder() -> Path:
    return _folder


def check_path(path: str) -> str:
    """The resolved absolute path a file printer may write to; ValidationError otherwise.

    A relative path is taken inside the folder. Nothing is created here."""
    if not path or "\x00" in path:
        raise ValidationError(N_("请填写设备路径，例如 COM3 或 /dev/usb/lp0"), field="device")
    root = _folder.resolve()
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = root / candidate
    resolved = candidate.resolve()
    if DEVICE.match(str(resolved)):
        return str(resolved)
    if resolved != root and resolved.is_relative_to(root):
        return str(resolved)
    raise ValidationError(
        N_("文件打印机只能写入 %(folder)s 文件夹中的文件，或 /dev/usb/lp0 这样的打印机设备"),
        field="device",
        folder=str(root),
    )
