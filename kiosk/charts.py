"""Charts for the reports, drawn on the server as inline SVG: no JavaScript library and nothing
from the internet. Black strokes, hatched bars and a value written on every bar or point, so a
chart stays readable when printed in black and white. No Flask here."""

from __future__ import annotations

import itertools
from decimal import Decimal
from html import escape

_ids = itertools.count(1)

FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\""


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal | float):
        text = f"{value:.1f}"
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _nice_max(values: list[float]) -> float:
    """The top of the axis: four steps of a round size, so every grid line is a round number."""
    top = max([v for v in values if v is not None] or [0])
    if top <= 0:
        return 4.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top <= step * 4:
            return float(step * 4)
    return float(top)


def _frame(title: str, width: int, height: int, body: list[str], summary: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="16" font-weight="bold" '
        f"{FONT}>{escape(title)}</text>" + "".join(body) + "</svg>"
    )


def _axes(left, top, plot_w, plot_h, y_max, unit) -> list[str]:
    parts = []
    for i in range(5):
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="#999" stroke-width="0.6" stroke-dasharray="3 3"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="13" {FONT}>'
            f"{_number(round(value, 1) if value % 1 else int(value))}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#000"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#000"/>'
        f'<text x="{left - 6}" y="{top - 14}" text-anchor="end" font-size="13" {FONT}>'
        f"{escape(unit)}</text>"
    )
    return parts


def _label_step(count: int, plot_w: float) -> int:
    return max(1, int(count * 40 // max(plot_w, 1)) + 1)


def bar_chart(
    title: str,
    labels: list[str],
    values: list,
    *,
    unit: str = "",
    width: int = 520,
    height: int = 260,
    empty_text: str = "",
) -> str:
    """Vertical bars, hatched, each with its value on top."""
    chart = next(_ids)
    left, top, right, bottom = 48, 48, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) if v is not None else None for v in values]
    y_max = _nice_max(numbers)
    body = [
        f'<defs><pattern id="hatch{chart}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2"/></pattern></defs>'
    ]
    body += _axes(left, top, plot_w, plot_h, y_max, unit)
    if not labels or all(v in (None, 0) for v in numbers):
        body.append(
            f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle" font-size="14" '
            f"{FONT}>{escape(empty_text)}</text>"
        )
    slot = plot_w / max(len(labels), 1)
    step = _label_step(len(labels), plot_w)
    for index, (label, value) in enumerate(zip(labels, numbers, strict=False)):
        x = left + index * slot
        if value:
            bar_h = plot_h * value / y_max
            body.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{top + plot_h - bar_h:.1f}" '
                f'width="{slot * 0.7:.1f}" height="{bar_h:.1f}" fill="url(#hatch{chart})" '
                f'stroke="#000" stroke-width="1"/>'
            )
            if slot >= 16:
                body.append(
                    f'<text x="{x + slot / 2:.1f}" y="{top + plot_h - bar_h - 4:.1f}" '
                    f'text-anchor="middle" font-size="13" {FONT}>{_number(values[index])}</text>'
                )
        if index % step == 0:
            body.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'font-size="13" {FONT}>{escape(str(label))}</text>'
            )
    summary = "; ".join(f"{label}: {_number(v)}" for label, v in zip(labels, values, strict=False))
    return _frame(title, width, height, body, summary)


def line_chart(
    title: str,
    labels: list[str],
    values: list,
    *,
    unit: str = "%",
    y_max: float | None = 100.0,
    width: int = 520,
    height: int = 260,
    empty_text: str = "",
) -> str:
    """A black line with square markers; gaps where a value is missing (nobody rated)."""
    left, top, right, bottom = 48, 48, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) if v is not None else None for v in values]
    top_value = y_max or _nice_max(numbers)
    body = _axes(left, top, plot_w, plot_h, top_value, unit)
    slot = plot_w / max(len(labels), 1)
    points: list[list[tuple[float, float]]] = [[]]
    step = _label_step(len(labels), plot_w)
    for index, (label, value) in enumerate(zip(labels, numbers, strict=False)):
        x = left + index * slot + slot / 2
        if index % step == 0:
            body.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="13" '
                f"{FONT}>{escape(str(label))}</text>"
            )
        if value is None:
            if points[-1]:
                points.append([])
            continue
        y = top + plot_h - plot_h * value / top_value
        points[-1].append((x, y))
        body.append(
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#000"/>'
            f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" font-size="12" {FONT}>'
            f"{_number(values[index])}</text>"
        )
    for run in points:
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            body.append(f'<polyline points="{path}" fill="none" stroke="#000" stroke-width="2"/>')
    if not any(v is not None for v in numbers):
        body.append(
            f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle" font-size="14" '
            f"{FONT}>{escape(empty_text)}</text>"
        )
    summary = "; ".join(f"{label}: {_number(v)}" for label, v in zip(labels, values, strict=False))
    return _frame(title, width, height, body, summary)
