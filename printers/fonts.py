"""Finding and loading a CJK font for raster prints: the font file named in the printer's
settings first, then $HALL_PRINT_FONT, then the hall PC's own fonts (Windows: Microsoft YaHei,
SimHei, SimSun; Linux: Noto Sans CJK, WenQuanYi; macOS: PingFang). In a font collection (.ttc)
the Simplified Chinese face is chosen, so 关/直/门 have their mainland shapes.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

log = logging.getLogger(__name__)

_WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
CANDIDATES = [
    # Windows hall PCs
    str(_WINDOWS_FONTS / "msyh.ttc"),
    str(_WINDOWS_FONTS / "msyh.ttf"),
    str(_WINDOWS_FONTS / "simhei.ttf"),
    str(_WINDOWS_FONTS / "simsun.ttc"),
    # Debian / Ubuntu (fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei); Fedora
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
]
# Bold sibling files; without one, bold text is drawn with a stroke.
BOLD_SIBLINGS = {
    "NotoSansCJK-Regular.ttc": "NotoSansCJK-Bold.ttc",
    "NotoSerifCJK-Regular.ttc": "NotoSerifCJK-Bold.ttc",
    "msyh.ttc": "msyhbd.ttc",
    "msyh.ttf": "msyhbd.ttf",
}
_SIMPLIFIED_MARKERS = (" SC", " GB", "Simplified", "SC ")


class FontNotFound(RuntimeError):
    """No CJK font could be found; the message says what to install or configure."""


def find_font(configured: str = "") -> str:
    """The path of the font to draw with: the configured one if it exists, else the first
    candidate present on this PC."""
    if configured and not Path(configured).is_file():
        log.warning("configured print font %s not found: using the system's CJK font", configured)
    for path in [configured, os.environ.get("HALL_PRINT_FONT", ""), *CANDIDATES]:
        if path and Path(path).is_file():
            return path
    raise FontNotFound(
        "no Chinese (CJK) font found for printing: install fonts-noto-cjk (Debian/Ubuntu) or "
        "fonts-wqy-microhei, or name a .ttf/.ttc font file in the printer's settings "
        "(on Windows, C:\\Windows\\Fonts\\msyh.ttc or simhei.ttf)"
    )


def bold_path(path: str) -> str | None:
    """The bold sibling of a font file, when the family ships one."""
    sibling = BOLD_SIBLINGS.get(Path(path).name)
    if sibling and (Path(path).parent / sibling).is_file():
        return str(Path(path).parent / sibling)
    return None


@lru_cache(maxsize=32)
def face_index(path: str) -> int:
    """Index of the Simplified Chinese face of a collection (0 for a single font)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    for index in range(16):
        try:
            family, _style = ImageFont.truetype(path, size=12, index=index).getname()
        except OSError:
            break
        if family and any(marker in family for marker in _SIMPLIFIED_MARKERS):
            return index
    return 0


@lru_cache(maxsize=64)
def load(path: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The font at `size` pixels; `bold` uses the bold sibling file when there is one."""
    if bold:
        path = bold_path(path) or path
    return ImageFont.truetype(path, size=size, index=face_index(path))
