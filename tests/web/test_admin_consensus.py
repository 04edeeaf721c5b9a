"""Consensus written by ``aggregate_project`` shows on the admin item page and in the export."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from test_admin_pages import finish_batch, log_in

from crowdlens.consensus import aggregate_project
from crowdlens.settings import Settings
from crowdlens.store.db import open_database
from crowdlens.store.projects import get_project


def test_the_item_page_and_the_export_read_the_stored_consensus(
    client: TestClient, settings: Settings
) -> None:
    items = finish_batch(client, "w1", "a red square on a plain background")
    database = open_database(settings.resolved_database_url)
    with database.session() as session:
        report = aggregate_project(
            session, project=get_project(session, name="shapes"), method="ds"
        )
    database.dispose()
    assert report.written["colour"] == 2
    log_in(client)
    page = client.get(f"/admin/p/shapes/items/{items[0]}").text
    assert "red" in page and ">ds<" in page
    lines = client.get("/admin/p/shapes/export.jsonl").text.splitlines()
    records = [json.loads(line) for line in lines]
    colour = records[0]["consensus"]["colour"]
    assert colour["value"] == "red" and colour["method"] == "ds"
    assert 0.5 < colour["confidence"] <= 1.0
    assert set(records[0]["consensus"]) == {"bright", "colour", "parts", "describe"}
