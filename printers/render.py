"""Rendering a document for one printer: picks the renderer the printer's mode names (raster:
printers.raster, text: printers.textmode) and turns a missing font into a PrinterError.

    render(document, config) -> bytes

The older call `render(document, "raster", 576, font_path)` is still accepted.
"""

from __future__ import annotations

from .config import PrinterConfig, PrinterError
from .document import Document
from .fonts import FontNotFound
from .raster import png_bytes, render_image, render_raster
from .textmode import render_text

__all__ = ["png_bytes", "render", "render_image", "render_raster", "render_text"]


def render(
    document: Document,
    config: PrinterConfig | str,
    dot_width: int | None = None,
    font_path: str = "",
) -> bytes:
    """The ESC/POS bytes of `document` for the printer `config` (mode, dot width, font)."""
    if isinstance(config, str):  # render(document, mode, dot_width, font_path)
        config = PrinterConfig(
            name="render", mode=config, dot_width=dot_width or 576, font_path=font_path
        )
    if config.mode == "text":
        return render_text(document, config.dot_width)
    try:
        return render_raster(document, config.dot_width, config.font_path)
    except FontNotFound as error:
        raise PrinterError(config.name, str(error)) from error
