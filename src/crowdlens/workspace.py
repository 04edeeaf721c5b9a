"""The Python API: one crowdlens home (settings, database, media) and what you can do with it.

    import crowdlens
    with crowdlens.open_workspace("crowdlens-data") as ws:
        ws.create_project(crowdlens.load_preset("characters"))
        report = ws.import_images("characters", ["chars/manifest.csv"])

Each method calls the same library function the CLI and the web API call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from crowdlens.consensus import ConsensusReport, aggregate_project
from crowdlens.ingest import ImageLimits, ImportReport, import_images
from crowdlens.schema import LabelSchema, load_schema
from crowdlens.settings import Settings, get_settings
from crowdlens.store.db import Database, open_database
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import create_project, get_project, list_projects, project_schema
from crowdlens.store.status import ProjectStatus, project_status


class Workspace:
    """A crowdlens home opened for work; the database is migrated to the latest schema."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database: Database = open_database(settings.resolved_database_url)
        self.media = MediaStore(settings.resolved_media_dir)

    def create_project(self, schema: LabelSchema | str | Path) -> LabelSchema:
        """Create a project from a schema or a YAML file; a name in use is a Conflict."""
        if not isinstance(schema, LabelSchema):
            schema = load_schema(schema)
        with self.database.session() as session:
            create_project(session, schema=schema)
        return schema

    def project_names(self) -> list[str]:
        with self.database.session() as session:
            return [project.name for project in list_projects(session)]

    def schema(self, project: str) -> LabelSchema:
        with self.database.session() as session:
            return project_schema(get_project(session, name=project))

    def import_images(
        self,
        project: str,
        paths: Sequence[str | Path],
        *,
        on_total: Callable[[int], None] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import folders, image files and CSV/JSONL manifests; see docs/import.md."""
        limits = ImageLimits(self.settings.max_image_bytes, self.settings.max_image_pixels)
        return import_images(
            self.database,
            self.media,
            project=project,
            paths=paths,
            limits=limits,
            on_total=on_total,
            progress=progress,
        )

    def status(self, project: str) -> ProjectStatus:
        with self.database.session() as session:
            return project_status(session, project=get_project(session, name=project))

    def aggregate(
        self, project: str, *, method: str = "ds", force: bool = False
    ) -> ConsensusReport:
        """Write consensus for every field; fields whose answers did not change are skipped."""
        with self.database.session() as session:
            found = get_project(session, name=project)
            return aggregate_project(session, project=found, method=method, force=force)

    def close(self) -> None:
        self.database.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_workspace(home: str | Path | None = None, **overrides: object) -> Workspace:
    """Open the crowdlens home at ``home`` (default ``CROWDLENS_HOME`` or ./crowdlens-data)."""
    if home is not None:
        overrides["home"] = Path(home)
    return Workspace(get_settings(**overrides))
