"""A project with plain item rows (the engine needs no image files), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from crowd_helpers import MakeProject, make_schema

from crowdlens.store.db import Database
from crowdlens.store.items import add_items
from crowdlens.store.projects import create_project


@pytest.fixture
def make_project(database: Database) -> MakeProject:
    """``make_project(n_items, redundancy=…, items_per_assignment=…, qc=…)`` → item ids."""

    def make(n_items: int, **settings: Any) -> list[int]:
        rows = [
            {
                "sha256": f"{i:064x}",
                "media_key": f"x/{i}.png",
                "mime_type": "image/png",
                "width": 4,
                "height": 4,
                "byte_size": 10,
                "source_name": f"{i}.png",
            }
            for i in range(n_items)
        ]
        with database.session() as session:
            project = create_project(session, schema=make_schema(**settings))
            return [item.id for item in add_items(session, project_id=project.id, rows=rows)]

    return make
