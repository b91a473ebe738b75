"""The document model of a print: a list of blocks, serializable to plain JSON for the spool."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

BLOCK_KINDS = ("title", "big", "text", "row", "rule", "qr", "barcode", "image", "feed", "cut")


@dataclass
class Block:
    kind: str
    text: str = ""
    value: str = ""  # right column of a row, QR/barcode payload, image path
    align: str = "left"  # left / center / right
    bold: bool = False
    size: int = 1  # QR module size hint / feed lines

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}")


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    name: str = ""  # what it is, for logs and the printers page ("ticket A012")

    # Builders return self so a template reads top to bottom.
    def title(self, text: str) -> Document:
        self.blocks.append(Block("title", text, align="center", bold=True))
        return self

    def big(self, text: str) -> Document:
        self.blocks.append(Block("big", text, align="center", bold=True))
        return self

    def text(self, text: str, *, align: str = "left", bold: bool = False) -> Document:
        self.blocks.append(Block("text", text, align=align, bold=bold))
        return self

    def row(self, label: str, value: str) -> Document:
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

    def image(self, path: str) -> Document:
        self.blocks.append(Block("image", "", path, align="center"))
        return self

    def feed(self, lines: int = 1) -> Document:
        self.blocks.append(Block("feed", size=lines))
        return self

    def cut(self) -> Document:
        self.blocks.append(Block("cut"))
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "blocks": [asdict(block) for block in self.blocks]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls([Block(**block) for block in data.get("blocks", [])], data.get("name", ""))

    @classmethod
    def from_json(cls, text: str) -> Document:
        return cls.from_dict(json.loads(text))
