"""Shared pieces of the web tests: a home with a real project and images, and the app on it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from crowdlens.schema import parse_schema
from crowdlens.settings import Settings, get_settings
from crowdlens.workspace import open_workspace

ADMIN_PASSWORD = "correct horse battery staple"
ADMIN_TOKEN = "tok-3f9c2a7e1b5d4c8a9e0f"
COLOURS = [
    (200, 40, 40),
    (40, 160, 60),
    (40, 80, 200),
    (230, 200, 40),
    (120, 40, 160),
    (20, 20, 20),
]

PROJECT: dict[str, Any] = {
    "name": "shapes",
    "title": "Shapes and colours",
    "instructions": "Look at the square.\nAnswer every question about it.",
    "redundancy": 1,
    "items_per_assignment": 2,
    "reward_usd": 0.1,
    "qc": {"max_attempts": 3},
    "fields": [
        {"name": "bright", "kind": "binary", "definition": "The colour is light, not dark."},
        {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue", "other"]},
        {
            "name": "parts",
            "kind": "tags",
            "groups": [
                {"name": "outline", "labels": ["edge", "corner"]},
                {"name": "inside", "labels": ["dot", "stripe", "plain"]},
            ],
        },
        {"name": "describe", "kind": "text", "question": "Describe the picture.", "min_words": 4},
    ],
}


def make_home(home: Path, database_url: str, images: Path, n: int = 4) -> Settings:
    """A crowdlens home with the ``shapes`` project and ``n`` real PNG squares."""
    from PIL import Image

    images.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        Image.new("RGB", (320, 240), COLOURS[i % len(COLOURS)]).save(images / f"sq{i}.png")
    settings = get_settings(
        home=home,
        database_url=database_url,
        admin_password=ADMIN_PASSWORD,
        admin_token=ADMIN_TOKEN,
    )
    with open_workspace(home, database_url=database_url) as ws:
        ws.create_project(parse_schema(PROJECT))
        ws.import_images("shapes", [images])
    return settings


def task_token(location: str) -> str:
    match = re.search(r"/w/a/([^/?#]+)", location)
    assert match, location
    return match.group(1)
