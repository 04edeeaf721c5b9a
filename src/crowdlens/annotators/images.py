"""Images for models: crop a region, shrink to a maximum side, re-encode, wrap as a data URL."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageOps

from crowdlens.annotators.base import Region
from crowdlens.errors import ImageRejected

FORMATS = {"jpeg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}


def prepare_image(
    data: bytes,
    *,
    max_side: int,
    region: Region | None = None,
    image_format: str = "jpeg",
    quality: int = 90,
) -> tuple[bytes, str]:
    """The bytes and MIME type a model is sent: cropped, shrunk, in ``image_format``."""
    image = _open(data)
    if region is not None:
        image = crop(image, region)
    image = shrink(image, max_side)
    pil_format, mime = FORMATS[image_format]
    buffer = io.BytesIO()
    if pil_format == "JPEG":
        image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue(), mime


def _open(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, ValueError) as exc:
        raise ImageRejected(f"expected an image Pillow can read, got an error: {exc}") from None
    return image if image.mode in ("RGB", "RGBA", "L") else image.convert("RGBA")


def crop(image: Image.Image, region: Region) -> Image.Image:
    """The part of ``image`` inside ``region``, clamped to the image."""
    left = max(0, round(region.x))
    top = max(0, round(region.y))
    right = min(image.width, round(region.x + region.w))
    bottom = min(image.height, round(region.y + region.h))
    if right <= left or bottom <= top:
        raise ImageRejected(
            f"expected a region inside the {image.width}×{image.height} image, "
            f"got x={region.x}, y={region.y}, w={region.w}, h={region.h}"
        )
    return image.crop((left, top, right, bottom))


def shrink(image: Image.Image, max_side: int) -> Image.Image:
    """``image`` scaled down (never up) so that its longer side is at most ``max_side``."""
    if max(image.size) <= max_side:
        return image
    scale = max_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
