"""Finding and reading the files of an on-disk crowd data set (plain or gzipped)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from crowdlens.errors import NotFound


def find(root: Path, name: str, dataset: str, expected: Sequence[str]) -> Path:
    """``root/name`` or ``root/name.gz``; else :class:`NotFound` naming what was expected."""
    for candidate in (root / name, root / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise NotFound(
        f"{dataset}: expected {name} (or {name}.gz) in {root}; a {dataset} folder holds "
        f"{', '.join(expected)}. Pass the folder that contains them."
    )


def check_dir(root: Path | str, dataset: str) -> Path:
    """The path as a directory, or :class:`NotFound` if it is not one."""
    path = Path(root)
    if not path.is_dir():
        raise NotFound(f"{dataset}: expected a folder, got {str(path)!r} (no such directory)")
    return path


def read_text(path: Path) -> str:
    """The file's text, gunzipped when it ends in ``.gz``."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.read()
    return path.read_text(encoding="utf-8")


def read_matrix(path: Path) -> np.ndarray:
    """A whitespace-separated integer matrix (one row per line)."""
    return np.loadtxt(io.StringIO(read_text(path)), dtype=np.int64, ndmin=2)


def read_vector(path: Path) -> np.ndarray:
    """One integer per line."""
    return np.loadtxt(io.StringIO(read_text(path)), dtype=np.int64, ndmin=1)


def read_npy(path: Path) -> np.ndarray:
    """A ``.npy`` array, gunzipped when it ends in ``.gz``."""
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as handle:
            return np.asarray(np.load(io.BytesIO(handle.read())))
    return np.asarray(np.load(path))


def read_csv(path: Path, **options: object) -> pd.DataFrame:
    """A CSV or TSV file (pandas reads ``.gz`` itself)."""
    return pd.read_csv(path, **options)


def matrix_to_long(matrix: np.ndarray, missing: int = -1) -> pd.DataFrame:
    """An items × annotators answer matrix as a long table ``item, annotator, label``."""
    items, annotators = np.nonzero(matrix != missing)
    return pd.DataFrame(
        {"item": items, "annotator": annotators, "label": matrix[items, annotators]}
    )


def counts_to_long(counts: np.ndarray) -> pd.DataFrame:
    """Items × classes vote counts as a long table with one anonymous annotator per vote.

    Annotator ids are ``"<item>:<n>"``: no identity is shared across items, because count
    data has none.
    """
    items = np.repeat(np.arange(counts.shape[0]), counts.sum(axis=1))
    labels = np.concatenate([np.repeat(np.arange(counts.shape[1]), row) for row in counts])
    nth = np.concatenate([np.arange(n) for n in counts.sum(axis=1)])
    annotators = [f"{i}:{n}" for i, n in zip(items.tolist(), nth.tolist(), strict=True)]
    return pd.DataFrame({"item": items, "annotator": annotators, "label": labels})
