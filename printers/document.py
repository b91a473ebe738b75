"""The document model of a print: an ordered list of blocks (title, big number, text, key/value
row, rule, QR code, barcode, image, feed, cut), serializable to plain JSON-able dicts so the
spool can keep documents in the database. Renderers (printers.render) turn a document into
ESC/POS bytes; templates (printers.templates) build documents from plain values.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

BLOCK_KINDS = ("title", "big", "text", "row", "rule", "qr", "barcode", "image", "feed", "cut")
ALIGNS = ("left", "center", "right")


class DocumentError(ValueError):
    """A document that cannot be built or read back (a programming or data error, not a
    printer fault: retrying will not help)."""


@dataclass
class Block:
    """One block. Field use by kind:

    - title, big, text: `text` (text also `align`, `bold`)
    - row: `text` is the label, `value` the right-hand value
    - qr: `value` the payload, `text` an optional caption, `size` the module size hint
    - barcode: `value` the CODE128 payload (ASCII)
    - image: `value` a file path or a `data:image/png;base64,…` URI
    - feed: `size` lines
    """

    kind: str
    text: str = ""
    value: str = ""
    align: str = "left"
    bold: bool = False
    size: int = 1

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise DocumentError(f"unknown block kind {self.kind!r}")
        if self.align not in ALIGNS:
            raise DocumentError(f"unknown alignment {self.align!r}")
        if self.kind == "barcode" and not self.value.isascii():
            raise DocumentError("a CODE128 barcode holds ASCII only")


_BLOCK_FIELDS = {f.name for f in fields(Block)}


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    name: str = ""  # what it is, for logs and the printers page ("ticket A012")

    # Builders return self so a template reads top to bottom.
    def title(self, text: str) -> Document:
        self.blocks.append(Block("title", text, align="center", bold=True))
        return self

    def big(self, text: str) -> Document:
        """A large number (the ticket number), centred."""
        self.blocks.append(Block("big", text, align="center", bold=True))
        return self

    def text(self, text: str, *, align: str = "left", bold: bool = False) -> Document:
        self.blocks.append(Block("text", text, align=align, bold=bold))
        return self

    def row(self, label: str, value: str) -> Document:
        """Label on the left, value on the right (wrapped under the label when too long)."""
        self.blocks.append(Block("row", label, value))
        return self

    def rule(self) -> Document:
        self.blocks.append(Block("rule"))
        return self

    def qr(self, payload: str, *, caption: str = "", size: int = 6) -> Document:
        self.blocks.append(Block("qr", caption, payload, align="center", size=size))
        return self

    def barcode(self, payload: str) -> Document:
        self.blocks.append(Block("barcode", "", payload, align="center"))
        return self

    def image(self, path_or_data_uri: str) -> Document:
        self.blocks.append(Block("image", "", path_or_data_uri, align="center"))
        return self

    def feed(self, lines: int = 1) -> Document:
        self.blocks.append(Block("feed", size=lines))
        return self

    def mark_reprint(self, text: str) -> Document:
        """Put a bold line at the very top (a slip printed again after an interruption says so,
        so nobody holds two identical tickets without knowing)."""
        self.blocks.insert(0, Block("text", text, align="center", bold=True))
        return self

    def cut(self) -> Document:
        self.blocks.append(Block("cut"))
        return self

    # --- plain data, for the spool ------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "blocks": [asdict(block) for block in self.blocks]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        try:
            blocks = []
            for raw in data.get("blocks", []):
                unknown = set(raw) - _BLOCK_FIELDS
                if unknown:
                    raise DocumentError(f"unknown block fields {sorted(unknown)}")
                blocks.append(Block(**raw))
            return cls(blocks, str(data.get("name", "")))
        except (TypeError, AttributeError) as error:
            raise DocumentError(f"not a document: {error}") from error

    @classmethod
    def from_json(cls, text: str) -> Document:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise DocumentError(f"not a document: {error}") from error
        if not isinstance(data, dict):
            raise DocumentError("not a document: expected a JSON object")
        return cls.from_dict(data)
