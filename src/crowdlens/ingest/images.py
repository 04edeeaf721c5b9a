"""Validate one image file for real: size limit, full decode, pixel limit, EXIF orientation."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from crowdlens.errors import ImageRejected
from crowdlens.store.media import sha256_hex

#: Formats we accept, with the MIME type and file suffix we store them under.
FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
    "GIF": ("image/gif", ".gif"),
    "BMP": ("image/bmp", ".bmp"),
    "TIFF": ("image/tiff", ".tif"),
}
EXIF_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 50_000_000


@dataclass(frozen=True)
class PreparedImage:
    """The bytes to store for one image (already upright) and what we know about them."""

    data: bytes
    sha256: str
    mime_type: str
    suffix: str
    width: int
    height: int


def prepare_image(path: Path, limits: ImageLimits) -> PreparedImage:
    """Read and check ``path``; raise :class:`ImageRejected` with the reason when it is unusable."""
    data = _read_limited(path, limits.max_bytes)
    return prepare_image_bytes(data, limits)


def prepare_image_bytes(data: bytes, limits: ImageLimits) -> PreparedImage:
    """As :func:`prepare_image` for bytes already in memory (an upload)."""
    if not data:
        raise ImageRejected("empty file (0 bytes)")
    if len(data) > limits.max_bytes:
        raise ImageRejected(_too_big(len(data), limits.max_bytes))
    image = _decode(data, limits)
    if image.getexif().get(EXIF_ORIENTATION, 1) not in (0, 1):
        upright = ImageOps.exif_transpose(image)
        data = _encode_png(upright)
        return PreparedImage(data, sha256_hex(data), "image/png", ".png", *upright.size)
    mime_type, suffix = FORMATS[str(image.format)]
    return PreparedImage(data, sha256_hex(data), mime_type, suffix, *image.size)


def _read_limited(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageRejected(_too_big(size, max_bytes))
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageRejected(
            "no such file; check the path (manifest paths are relative to it)"
        ) from None
    except OSError as exc:
        raise ImageRejected(f"cannot read the file ({exc.strerror})") from None


def _decode(data: bytes, limits: ImageLimits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            _check_header(image, limits)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_too_many_pixels(None, limits.max_pixels)) from None
    except UnidentifiedImageError:
        raise ImageRejected(
            "not an image file Pillow can read; expected JPEG, PNG, WebP, GIF, BMP or TIFF"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"corrupt or truncated image ({exc}); re-export the file") from None
    return image


def _check_header(image: Image.Image, limits: ImageLimits) -> None:
    if image.format not in FORMATS:
        raise ImageRejected(f"unsupported format {image.format}; convert it to PNG, JPEG or WebP")
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageRejected(_too_many_pixels((width, height), limits.max_pixels))


def _encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _too_big(size: int, limit: int) -> str:
    return (
        f"file too large ({size / 1e6:.1f} MB, limit {limit / 1e6:.1f} MB); "
        "shrink it or raise CROWDLENS_MAX_IMAGE_BYTES"
    )


def _too_many_pixels(size: tuple[int, int] | None, limit: int) -> str:
    dims = f"{size[0]}×{size[1]} pixels" if size else "decompression bomb"
    return (
        f"image too large ({dims}, limit {limit:,} pixels); "
        "downscale it or raise CROWDLENS_MAX_IMAGE_PIXELS"
    )
