"""The demo project: generated characters imported into the ``characters`` preset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crowdlens.demo.characters import make_characters
from crowdlens.ingest import ImageLimits, ImportReport, import_images
from crowdlens.presets import load_preset
from crowdlens.store.db import Database
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import create_project, find_project

DEMO_PRESET = "characters"


@dataclass(frozen=True)
class DemoResult:
    project: str
    created: bool
    manifest: Path
    report: ImportReport


def build_demo_project(
    database: Database,
    media: MediaStore,
    *,
    out: Path,
    n: int = 24,
    seed: int = 0,
    limits: ImageLimits | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Draw ``n`` characters into ``out`` and import them with their gold; safe to run again."""
    schema = load_preset(DEMO_PRESET)
    manifest = make_characters(n, out, seed=seed)
    with database.session() as session:
        created = find_project(session, name=schema.name) is None
        if created:
            create_project(session, schema=schema)
    report = import_images(
        database, media, project=schema.name, paths=[manifest], limits=limits, progress=progress
    )
    return DemoResult(project=schema.name, created=created, manifest=manifest, report=report)
