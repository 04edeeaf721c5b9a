"""Where images come from: folders (recursive), single files, and CSV/JSONL manifests.

A manifest names one image per row. CSV columns: ``file`` (required, relative to the manifest's
folder), ``external_id``, ``gold.<field>`` (a known answer), ``meta.<key>``; any other column is
metadata too. JSONL rows are objects with ``file``, ``external_id``, ``gold`` and ``meta``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crowdlens.errors import ConfigError

MANIFEST_SUFFIXES = {".csv", ".jsonl", ".ndjson"}


@dataclass(frozen=True)
class ImportSource:
    """One image to import, with what a manifest said about it."""

    path: Path
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    gold: dict[str, Any] = field(default_factory=dict)
    origin: str = ""

    @property
    def label(self) -> str:
        """How reports name this source: the file, and the manifest line it came from."""
        return f"{self.path} ({self.origin})" if self.origin else str(self.path)


def collect_sources(paths: list[Path]) -> tuple[list[ImportSource], list[tuple[str, str]]]:
    """Expand folders and manifests into sources; paths that do not exist come back as skips."""
    sources: list[ImportSource] = []
    missing: list[tuple[str, str]] = []
    for path in map(Path, paths):
        if path.is_dir():
            sources.extend(ImportSource(p) for p in _walk(path))
        elif path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file():
            sources.extend(read_manifest(path))
        elif path.is_file():
            sources.append(ImportSource(path))
        else:
            missing.append((str(path), "no such file or folder; check the path"))
    return sources, missing


def _walk(folder: Path) -> list[Path]:
    files = (p for p in folder.rglob("*") if p.is_file())
    return sorted(
        p
        for p in files
        if not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and p.suffix.lower() not in MANIFEST_SUFFIXES
    )


def read_manifest(path: Path) -> list[ImportSource]:
    """Read a CSV or JSONL manifest; one without a ``file`` column is a :class:`ConfigError`."""
    rows = _csv_rows(path) if path.suffix.lower() == ".csv" else _jsonl_rows(path)
    return [_source_from_row(path, line, row) for line, row in rows]


def _csv_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if "file" not in columns:
            raise ConfigError(
                f"{path}: expected a 'file' column in the manifest header, "
                f"got {', '.join(columns) or 'no header'}"
            )
        return [(index + 2, _nest_csv_row(row)) for index, row in enumerate(reader)]


def _nest_csv_row(row: dict[str, str]) -> dict[str, Any]:
    nested: dict[str, Any] = {"meta": {}, "gold": {}}
    for column, value in row.items():
        if column is None or value is None:
            continue
        group, _, key = column.partition(".")
        if group in ("gold", "meta") and key:
            if value.strip():
                nested[group][key] = value
        elif column in ("file", "external_id"):
            nested[column] = value.strip() or None
        elif value.strip():
            nested["meta"][column] = value
    return nested


def _jsonl_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{line_number}: expected a JSON object, {exc}") from None
            if not isinstance(row, dict) or "file" not in row:
                raise ConfigError(f"{path}:{line_number}: expected an object with a 'file' key")
            rows.append((line_number, _nest_json_row(row)))
    return rows


def _nest_json_row(row: dict[str, Any]) -> dict[str, Any]:
    meta = dict(row.get("meta") or {})
    meta.update({k: v for k, v in row.items() if k not in ("file", "external_id", "meta", "gold")})
    external_id = row.get("external_id")
    return {
        "file": row["file"],
        "external_id": None if external_id is None else str(external_id),
        "meta": meta,
        "gold": dict(row.get("gold") or {}),
    }


def _source_from_row(manifest: Path, line: int, row: dict[str, Any]) -> ImportSource:
    file = Path(str(row.get("file") or ""))
    return ImportSource(
        path=file if file.is_absolute() else manifest.parent / file,
        external_id=row.get("external_id"),
        meta=row["meta"],
        gold=row["gold"],
        origin=f"{manifest.name} line {line}",
    )
