"""Server-drawn SVG charts: well-formed, self-contained (nothing loaded from outside), black and
white with a value on every bar and point, and a message when there is nothing to draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from kiosk import charts

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [node.text for node in ET.fromstring(svg).iter(f"{SVG}text")]


def test_bar_chart_writes_every_value_and_stays_black_and_white():
    svg = charts.bar_chart("每日取号数", ["1", "2", "3"], [5, 0, 12], unit="张")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "每日取号数"
    assert {"5", "12", "张"} <= set(texts(svg))
    assert len(root.findall(f".//{SVG}rect[@stroke='#000']")) == 2  # two bars, outlined
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    colours = {value for value in svg.split('"') if value.startswith("#")}
    assert colours <= {"#000", "#fff", "#999"}


def test_line_chart_leaves_gaps_and_says_when_empty():
    svg = charts.line_chart("满意率", ["1", "2", "3"], [Decimal("66.7"), None, Decimal("100")])
    assert "66.7" in texts(svg) and "100" in texts(svg)
    assert ET.fromstring(svg).find(f".//{SVG}polyline") is None  # no line across the gap
    empty = charts.line_chart("满意率", ["1", "2"], [None, None], empty_text="本期无人评价")
    assert "本期无人评价" in texts(empty)
    assert "没有数据" in texts(charts.bar_chart("x", [], [], empty_text="没有数据"))
