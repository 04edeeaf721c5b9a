"""Content-addressed file storage for images and audio: ``ab/cd/<sha256><ext>`` under a root."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MediaStore:
    """Bytes stored under their sha256; writes are atomic, rewriting the same bytes is free."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def key_for(sha256: str, suffix: str) -> str:
        return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"expected a media key inside the media folder, got {key!r}")
        return path

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, data: bytes, *, suffix: str, sha256: str | None = None) -> tuple[str, bool]:
        """Store ``data``; return its key and whether this call created the file."""
        key = self.key_for(sha256 or sha256_hex(data), suffix)
        target = self.path(key)
        if target.is_file():
            return key, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key, True

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
