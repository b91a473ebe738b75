"""Staff photos for the window screens (挂牌上岗): checked, re-encoded and stored under the
instance folder. Re-encoding with Pillow drops whatever else the file carried (EXIF location,
scripts in SVG-like payloads) and keeps every photo small. No Flask here."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import N_, ValidationError

MAX_BYTES = 4 * 1024 * 1024
MAX_SIDE = 480


def check_photo(data: bytes, max_side: int = MAX_SIDE) -> Image.Image:
    """The photo as an RGB image no larger than MAX_SIDE, or ValidationError."""
    if not data:
        raise ValidationError(N_("请选择照片文件"), field="photo")
    if len(data) > MAX_BYTES:
        raise ValidationError(N_("照片不能超过 4 MB"), field="photo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise ValidationError(N_("照片应为 JPG 或 PNG 格式"), field="photo")
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side))
            return image
    except (UnidentifiedImageError, OSError):
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
