"""Line breaking for Chinese with Latin mixed in.

CJK characters may break anywhere; a Latin word or number is kept whole when it fits a line;
closing punctuation (，。、；：？！）」》 …) never starts a line and opening punctuation never ends
one (禁则), by moving one character across the break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

NO_LINE_START = set("，。、；：？！）」』》〉】〕…—·%,.;:?!)]}>")
NO_LINE_END = set("（「『《〈【〔([{<")
_TOKEN = re.compile(r"[A-Za-z0-9@._\-/:%+#&]+|\s+|.", re.S)


def columns(text: str) -> int:
    """Width in half-width columns (CJK and full-width = 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: float, measure: Callable[[str], float] = columns) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, measure))
    return lines


def _wrap_paragraph(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    if not text:
        return [""]
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(text):
        if measure(current + token) <= width:
            current += token
            continue
        if len(token) > 1 and not token.isspace() and measure(token) > width:
            for char in token:  # a word longer than a line breaks anywhere
                if measure(current + char) > width and current:
                    lines.append(current)
                    current = ""
                current += char
            continue
        if token.isspace():
            lines.append(current)
            current = ""
            continue
        if current:
            # 禁则: keep closing punctuation with the previous character.
            if token in NO_LINE_START and len(current) > 1:
                token = current[-1] + token
                current = current[:-1]
            elif current[-1] in NO_LINE_END and len(current) > 1:
                token = current[-1] + token
                current = current[:-1]
            lines.append(current.rstrip())
        current = token
    lines.append(current)
    return lines
