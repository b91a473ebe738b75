"""The paper layer: a small document model for a print, templates that build documents, two
renderers (raster: Pillow in a CJK font, works on every ESC/POS printer; text: GB18030 in
Kanji mode with native QR, for Chinese-capable printers), connections through python-escpos and
the status query (DLE EOT). Knows nothing of Flask or of the database models.

    >>> from printers import PrinterConfig, print_test_page
    >>> print_test_page(PrinterConfig(name="取号机", connection={"kind": "network",
    ...                                "host": "192.168.1.50"}))
"""

from .document import Document
from .printer import PrinterConfig, PrinterError, PrinterStatus, print_test_page, query_status, send
from .render import render

__all__ = [
    "Document",
    "PrinterConfig",
    "PrinterError",
    "PrinterStatus",
    "print_test_page",
    "query_status",
    "render",
    "send",
]
