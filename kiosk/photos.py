"""Staff photos for the window screens (挂牌上岗): checked, re-encoded and stored under the
instance folder. Re-encoding with Pillow drops whatever else the file carried (EXIF location,
scripts in SVG-like payloads) and keeps every photo small. No Flask here."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import N_, ValidationError

MAX_BYTES = 4 * 1024 * 1024
MAX_SIDE = 480
# Checked from the header before any pixel is decoded (issue 18: an 11 KB PNG of 100
# megapixels was accepted and grew the server by 500 MB for good; one of 400 megapixels hit
# Pillow's decompression-bomb error, a 500). 30 megapixels covers any phone or camera photo.
MAX_PIXELS = 30_000_000
MAX_EDGE = 12_000


def _too_large() -> ValidationError:
    return ValidationError(
        N_("图片尺寸过大（最多 %(count)s 万像素），请缩小后再上传"),
        field="photo",
        count=MAX_PIXELS // 10_000,
    )


def check_photo(data: bytes, max_side: int = MAX_SIDE) -> Image.Image:
    """The photo as an RGB image no larger than MAX_SIDE, or ValidationError."""
    if not data:
        raise ValidationError(N_("请选择照片文件"), field="photo")
    if len(data) > MAX_BYTES:
        raise ValidationError(N_("照片不能超过 4 MB"), field="photo")
    try:
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels at open; the size is checked just below anyway.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise _too_large() from None
    except (UnidentifiedImageError, OSError):
        raise ValidationError(N_("无法识别的图片文件"), field="photo") from None
    try:
        with opened as image:
            if image.format not in ("JPEG", "PNG"):
                raise ValidationError(N_("照片应为 JPG 或 PNG 格式"), field="photo")
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_EDGE:
                raise _too_large()
            if image.format == "JPEG":
                image.draft("RGB", (max_side * 2, max_side * 2))  # decode at a reduced scale
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side))
            return image
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(N_("无法识别的图片文件"), field="photo") from None


def store_photo(
    data: bytes, folder: Path, staff_id: int, *, prefix: str = "staff", max_side: int = MAX_SIDE
) -> str:
    """Validate, re-encode and store; returns the file name relative to `folder`."""
    image = check_photo(data, max_side)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{staff_id}.jpg"
    temporary = folder / (name + ".tmp")
    image.save(temporary, "JPEG", quality=85)
    temporary.replace(folder / name)
    return name
