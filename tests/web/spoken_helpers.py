"""A home with a spoken-description project, and the steps a worker takes over HTTP."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select
from web_helpers import task_token

from crowdlens.schema import parse_schema
from crowdlens.settings import Settings, get_settings
from crowdlens.store.tables import Item
from crowdlens.workspace import open_workspace

KEYWORDS = ["house", "river", "dog", "children", "ball", "boat", "cat", "bicycle", "kite", "church"]


def spoken_project(name: str = "scenes", **overrides: Any) -> dict[str, Any]:
    """The DataLabeler task: talk about the picture; QC checks length, words and keywords."""
    return {
        "name": name,
        "title": "Describe the picture aloud",
        "instructions": "Talk about everything you see in the picture.",
        "redundancy": 3,
        "items_per_assignment": 1,
        "qc": {
            "min_words": 80,
            "min_seconds": 60,
            "keywords": {"required": 2, "of": 10},
            "gibberish": {},
            "language": {},
            "max_attempts": 3,
        },
        "fields": [
            {"name": "description", "kind": "text", "question": "What do you see?", "spoken": True}
        ],
        **overrides,
    }


def make_spoken_home(
    root: Path, *projects: dict[str, Any], images: int = 2, **settings: Any
) -> Settings:
    """A home on SQLite with ``projects``, each with ``images`` pictures whose manifest lists
    :data:`KEYWORDS`."""
    folder = root / "images"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(images):
        Image.new("RGB", (320, 240), (40 + 60 * i, 120, 200)).save(folder / f"scene{i}.png")
    home = root / "home"
    url = f"sqlite:///{root / 'crowdlens.db'}"
    with open_workspace(home, database_url=url) as ws:
        for project in projects:
            ws.create_project(parse_schema(project))
            ws.import_images(project["name"], [folder])
        with ws.database.session() as session:
            for item in session.scalars(select(Item)):
                item.meta = {**(item.meta or {}), "keywords": KEYWORDS}
    return get_settings(home=home, database_url=url, admin_password="pw", **settings)


def start_worker(client: Any, project: str, worker: str) -> str:
    """Consent as ``worker`` and return the assignment token."""
    page = client.get(f"/w/{project}?worker={worker}")
    start = re.search(r'name="start" value="([^"]+)"', page.text)
    assert start, page.text
    started = client.post(f"/w/{project}/start", data={"start": start.group(1), "consent": "yes"})
    assert started.status_code == 303, started.text
    return task_token(started.headers["location"])


def item_id_of(client: Any, token: str) -> int:
    page = client.get(f"/w/a/{token}")
    found = re.search(r'name="item_id" value="(\d+)"', page.text)
    assert found, page.text
    return int(found.group(1))


def upload(client: Any, token: str, item_id: int, data: bytes, field: str = "description") -> Any:
    return client.post(
        f"/w/a/{token}/audio",
        params={"item_id": item_id, "field": field},
        content=data,
        headers={"accept": "application/json", "content-type": "audio/webm"},
    )


def wait_for_transcript(
    client: Any, token: str, clip_id: int, *, timeout: float = 120.0, seen: list[str] | None = None
) -> dict[str, Any]:
    """Poll the page's JSON endpoint until the clip is done or failed; ``seen`` collects errors."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(
            f"/w/a/{token}/audio/{clip_id}", headers={"accept": "application/json"}
        ).json()
        if body.get("error") and seen is not None and body["error"] not in seen:
            seen.append(body["error"])
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"clip {clip_id} was not transcribed within {timeout} s")


def submit_recording(client: Any, token: str, item_id: int, clip_id: int, key: str) -> Any:
    page = client.get(f"/w/a/{token}")
    form_key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert form_key, page.text
    data = {"item_id": str(item_id), "key": key, "description__clip": str(clip_id)}
    return client.post(f"/w/a/{token}/submit", data=data)
