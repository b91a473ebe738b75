"""The paper layer: a small document model for a print, templates that build documents from
plain values, two renderers (raster: Pillow in a CJK font, works on every ESC/POS printer;
text: GB18030 in Kanji mode with native QR, for Chinese-capable printers), connections through
python-escpos, the status query (DLE EOT) and a benchmark. Knows nothing of Flask or of the
database models. From a Python prompt, with no app running:

    >>> from printers import PrinterConfig, print_test_page, query_status
    >>> printer = PrinterConfig("取号机", {"kind": "network", "host": "192.168.1.50"})
    >>> query_status(printer).label
    '正常'
    >>> print_test_page(printer)

or `python -m printers --help`.
"""

from . import templates
from .config import PrinterConfig, PrinterError, PrinterStatus
from .document import Block, Document, DocumentError
from .printer import print_test_page, query_status, send
from .render import render

__all__ = [
    "Block",
    "Document",
    "DocumentError",
    "PrinterConfig",
    "PrinterError",
    "PrinterStatus",
    "print_test_page",
    "query_status",
    "render",
    "send",
    "templates",
]
