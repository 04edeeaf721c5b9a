"""The worker pages follow the project's routing policy (model_first) on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from web_helpers import PROJECT, task_token

from crowdlens.schema import parse_schema
from crowdlens.settings import Settings
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_model
from crowdlens.store.items import list_items
from crowdlens.store.projects import get_project
from crowdlens.store.tables import AssignmentItem
from crowdlens.workspace import open_workspace

ROUTED = {
    **PROJECT,
    "name": "routed",
    "redundancy": 3,
    "items_per_assignment": 4,
    "policy": {"name": "model_first", "field": "bright", "threshold": 0.9},
}


def routed_project(settings: Settings, tmp_path: Path) -> list[int]:
    """The ``routed`` project on the same images; a model sure of items 0 and 1 only."""
    with open_workspace(settings.home, database_url=settings.database_url) as ws:
        ws.create_project(parse_schema(ROUTED))
        ws.import_images("routed", [tmp_path / "images"])
        with ws.database.session() as session:
            project = get_project(session, name="routed")
            items = [item.id for item in list_items(session, project_id=project.id)]
            model = get_or_create_model(session, backend="t", model="m", prompt_version="v1")
            for item, sure in zip(items, (0.99, 0.97, 0.6), strict=False):
                add_annotation(
                    session, project=project, item_id=item, annotator_id=model.id,
                    answers={"bright": True}, partial=True, confidence={"bright": sure},
                )  # fmt: skip
    return items


def test_the_worker_gets_only_items_the_model_is_unsure_of(
    client: TestClient, settings: Settings, tmp_path: Path
) -> None:
    items = routed_project(settings, tmp_path)
    page = client.get("/w/routed?worker=w1")
    start = re.search(r'name="start" value="([^"]+)"', page.text)
    assert start, page.text
    started = client.post("/w/routed/start", data={"start": start.group(1), "consent": "yes"})
    assert started.status_code == 303, started.text
    task = client.get(f"/w/a/{task_token(started.headers['location'])}").text
    assert "Picture 1 of 2" in task
    with (
        open_workspace(settings.home, database_url=settings.database_url) as ws,
        ws.database.session() as session,
    ):
        given = set(session.scalars(select(AssignmentItem.item_id)))
    assert given == {items[2], items[3]}
