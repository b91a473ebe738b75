"""A small benchmark of the paper layer: bytes, render time and send time of one document in
each print mode, for scripts/bench.py. Measures; asserts nothing.
"""

from __future__ import annotations

import dataclasses
import statistics
import time

from .config import MODES, PrinterConfig
from .document import Document
from .printer import send
from .render import render


def measure(
    printer_config: PrinterConfig, document: Document, repeats: int = 10
) -> dict[str, dict[str, float]]:
    """For each mode (raster, text): {"bytes", "render_ms", "send_ms"} (medians of `repeats`).

    Sending goes to `printer_config`'s connection for real (a printer, emupos, or a loopback
    sink): every repeat prints. The first render of each mode warms the font cache and is not
    counted."""
    results: dict[str, dict[str, float]] = {}
    for mode in MODES:
        config = dataclasses.replace(printer_config, mode=mode)
        data = render(document, config)
        render_times, send_times = [], []
        for _ in range(max(1, repeats)):
            started = time.perf_counter()
            data = render(document, config)
            render_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            send(data, config)
            send_times.append(time.perf_counter() - started)
        results[mode] = {
            "bytes": len(data),
            "render_ms": statistics.median(render_times) * 1000,
            "send_ms": statistics.median(send_times) * 1000,
        }
    return results
