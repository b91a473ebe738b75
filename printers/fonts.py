"""Finding a CJK font for raster prints: the configured one, else the hall PC's own."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

CANDIDATES = [
    # Windows hall PCs
    r"C:\Windows\Fonts\msyh.ttc",
    r"C:\Windows\Fonts\msyhbd.ttc",
    r"C:\Windows\Fonts\simhei.ttf",
    r"C:\Windows\Fonts\simsun.ttc",
    # Debian / Ubuntu (fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
]
BOLD_NEIGHBOURS = {
    "NotoSansCJK-Regular.ttc": "NotoSansCJK-Bold.ttc",
    "msyh.ttc": "msyhbd.ttc",
}


class FontNotFound(RuntimeError):
    pass


def find_font(configured: str = "") -> str:
    for path in [configured, os.environ.get("HALL_PRINT_FONT", ""), *CANDIDATES]:
        if path and Path(path).is_file():
            return path
    raise FontNotFound(
        "no CJK font found for printing: install fonts-noto-cjk (Linux) or name a font file "
        "in the printer's settings"
    )


@lru_cache(maxsize=64)
def load(path: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    if bold:
        sibling = BOLD_NEIGHBOURS.get(Path(path).name)
        if sibling and (Path(path).parent / sibling).is_file():
            path = str(Path(path).parent / sibling)
    # Index 0 of the Noto CJK collection is Japanese-first; index 2 is Simplified Chinese.
    index = 2 if Path(path).name.startswith("NotoSansCJK") else 0
    return ImageFont.truetype(path, size=size, index=index)
