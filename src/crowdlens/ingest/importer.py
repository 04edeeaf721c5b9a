"""Import sources into a project in batches: media first, then rows, undone together on failure.

Each batch is one transaction. Files a failed batch created are deleted again, so an item never
exists without its file and no file is left behind without its item. Re-importing the same
images is idempotent: items are unique per project by sha256.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crowdlens.errors import AnswerInvalid, ImageRejected
from crowdlens.ingest.images import ImageLimits, PreparedImage, prepare_image
from crowdlens.ingest.sources import ImportSource, collect_sources
from crowdlens.schema import LabelSchema
from crowdlens.store.db import Database
from crowdlens.store.items import add_items, items_by_sha256
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import get_project, project_schema
from crowdlens.store.tables import Item

BATCH_SIZE = 500
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Skipped:
    source: str
    reason: str


@dataclass
class ImportReport:
    """What an import did; every file that was not imported is in ``skipped`` with its reason."""

    project: str
    added: int = 0
    existing: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.added + self.existing + self.duplicates + len(self.skipped)


@dataclass(frozen=True)
class _Ready:
    source: ImportSource
    image: PreparedImage
    gold: dict[str, Any]


def import_images(
    database: Database,
    media: MediaStore,
    *,
    project: str,
    paths: Sequence[str | Path],
    limits: ImageLimits | None = None,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import folders, files and manifests into ``project``; see the module docstring."""
    limits = limits or ImageLimits()
    with database.session() as session:
        found = get_project(session, name=project)
        project_id, schema = found.id, project_schema(found)
    sources, missing = collect_sources([Path(p) for p in paths])
    report = ImportReport(project=project, skipped=[Skipped(s, r) for s, r in missing])
    if on_total:
        on_total(len(sources))
    seen: set[str] = set()
    for batch in _batches(sources, BATCH_SIZE):
        ready = _prepare_batch(batch, schema, limits, report)
        fresh = _drop_repeats(ready, seen, report)
        _store_batch(database, media, project_id, fresh, report)
        if progress:
            progress(len(batch))
    return report


def _batches(sources: list[ImportSource], size: int) -> Iterator[list[ImportSource]]:
    for start in range(0, len(sources), size):
        yield sources[start : start + size]


def _prepare_batch(
    batch: list[ImportSource], schema: LabelSchema, limits: ImageLimits, report: ImportReport
) -> list[_Ready]:
    ready = []
    for source in batch:
        try:
            gold = _validate_gold(source, schema)
            ready.append(_Ready(source, prepare_image(source.path, limits), gold))
        except (ImageRejected, AnswerInvalid) as exc:
            report.skipped.append(Skipped(source.label, str(exc)))
    return ready


def _validate_gold(source: ImportSource, schema: LabelSchema) -> dict[str, Any]:
    """Known answers from a manifest, parsed (CSV cells are text) and checked against the schema."""
    gold = {}
    for name, value in source.gold.items():
        schema_field = schema.field(name)
        if isinstance(value, str):
            gold[name] = schema_field.parse_text(value)
        else:
            gold[name] = schema_field.validate_answer(value)
    return gold


def _drop_repeats(ready: list[_Ready], seen: set[str], report: ImportReport) -> list[_Ready]:
    fresh = []
    for entry in ready:
        if entry.image.sha256 in seen:
            report.duplicates += 1
            continue
        seen.add(entry.image.sha256)
        fresh.append(entry)
    return fresh


def _store_batch(
    database: Database,
    media: MediaStore,
    project_id: int,
    batch: list[_Ready],
    report: ImportReport,
) -> None:
    created: list[str] = []
    try:
        with database.session() as session:
            existing = items_by_sha256(
                session, project_id=project_id, sha256s=[e.image.sha256 for e in batch]
            )
            new = [e for e in batch if e.image.sha256 not in existing]
            rows = [_item_row(media, entry, created) for entry in new]
            add_items(session, project_id=project_id, rows=rows)
            updated = sum(
                _refresh(existing[e.image.sha256], e) for e in batch if e.image.sha256 in existing
            )
    except BaseException:
        for key in created:
            media.delete(key)
        raise
    report.added += len(new)
    report.existing += len(batch) - len(new)
    report.updated += updated


def _item_row(media: MediaStore, entry: _Ready, created: list[str]) -> dict[str, Any]:
    image = entry.image
    key, is_new = media.put(image.data, suffix=image.suffix, sha256=image.sha256)
    if is_new:
        created.append(key)
    return {
        "sha256": image.sha256,
        "media_key": key,
        "mime_type": image.mime_type,
        "width": image.width,
        "height": image.height,
        "byte_size": len(image.data),
        "external_id": entry.source.external_id,
        "source_name": entry.source.path.name[:300],
        "meta": entry.source.meta,
        "gold": entry.gold,
    }


def _refresh(item: Item, entry: _Ready) -> bool:
    """Merge new manifest metadata and known answers into an existing item."""
    meta = {**item.meta, **entry.source.meta}
    gold = {**item.gold, **entry.gold}
    external_id = entry.source.external_id or item.external_id
    if (meta, gold, external_id) == (item.meta, item.gold, item.external_id):
        return False
    item.meta, item.gold, item.external_id = meta, gold, external_id
    return True
