"""Line breaking for Chinese text with Latin words and numbers mixed in (both renderers).

- A CJK character may break anywhere.
- A Latin word, number, URL or phone number is kept whole when it fits a line; a longer one is
  broken between characters.
- Closing punctuation (，。、；：？！）」》…) does not start a line and opening punctuation
  (（「《…) does not end one (禁则): the last piece of the previous line moves down with it.
- A space at a break is dropped; other spaces are kept.

`measure` gives the width of a string: half-width columns for the text renderer, the font's
advance in dots for the raster renderer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Callable

NO_LINE_START = frozenset("，。、；：？！）」』》〉】〕…—·～%,.;:?!)]}>％")
NO_LINE_END = frozenset("（「『《〈【〔([{<")
# A Latin "word": letters, digits and the joiners of URLs, phone numbers, times and amounts.
_TOKEN = re.compile(r"[A-Za-z0-9@._\-/:%+#&=?~']+|\s+|.", re.S)


def columns(text: str) -> int:
    """Width in half-width columns (CJK and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: float, measure: Callable[[str], float] = columns) -> list[str]:
    """Break `text` into lines no wider than `width`; "\\n" starts a new line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, measure))
    return lines


def _wrap_paragraph(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    if not text:
        return [""]
    lines: list[str] = []
    current: list[str] = []
    pending = deque(_TOKEN.findall(text))
    while pending:
        token = pending.popleft()
        if measure("".join(current) + token) <= width:
            current.append(token)
            continue
        if token.isspace():  # break at the space and drop it
            lines.append("".join(current).rstrip())
            current = []
            continue
        if len(token) > 1 and measure(token) > width:
            # Longer than a line on its own: fill this line, then go on character by character.
            for char in token:
                if current and measure("".join(current) + char) > width:
                    lines.append("".join(current).rstrip())
                    current = []
                current.append(char)
            continue
        if not current:  # a single character wider than the line: it gets a line of its own
            lines.append(token)
            continue
        carry = _kinsoku_carry(current, token, width, measure)
        lines.append("".join(current).rstrip())
        current = [*carry, token]
    if current or not lines:
        lines.append("".join(current).rstrip())
    return lines


def _kinsoku_carry(
    current: list[str], token: str, width: float, measure: Callable[[str], float]
) -> list[str]:
    """Pieces to move from the end of `current` to the next line so that the next line does not
    start with closing punctuation and this one does not end with opening punctuation.
    `current` is shortened in place; it always keeps at least one piece."""
    while len(current) > 1 and current[-1].isspace():
        current.pop()  # a space at the break is dropped anyway
    carry: list[str] = []
    while len(current) > 1 and (
        (carry[0] if carry else token)[0] in NO_LINE_START or current[-1][-1] in NO_LINE_END
    ):
        if measure("".join([current[-1], *carry, token])) > width:
            break  # moving more would not fit either
        carry.insert(0, current.pop())
    return carry
