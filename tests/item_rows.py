"""Item rows for storage tests that need items in the database but no image files."""

from __future__ import annotations


def placeholder_item_row(sha: str) -> dict[str, object]:
    """Columns of an item whose sha256 is ``sha`` repeated 64 times (``sha`` is one hex digit)."""
    return {
        "sha256": sha * 64,
        "media_key": f"{sha}.png",
        "mime_type": "image/png",
        "width": 4,
        "height": 4,
        "byte_size": 10,
        "external_id": f"ext-{sha}",
        "source_name": f"{sha}.png",
    }
