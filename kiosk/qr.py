"""QR codes for pages: inline SVG (crisp at any screen size, no image request)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(payload: str, *, label: str = "") -> Markup:
    code = qrcode.QRCode(
        border=4,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        image_factory=qrcode.image.svg.SvgPathFillImage,
    )
    code.add_data(payload)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    # Drop the fixed mm size so CSS decides; keep the viewBox.
    svg = svg.replace('width="', 'data-w="', 1).replace('height="', 'data-h="', 1)
    aria = f' role="img" aria-label="{Markup.escape(label)}"' if label else ""
    return Markup(svg.replace("<svg ", f'<svg class="qr"{aria} ', 1))
