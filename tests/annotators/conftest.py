"""Fixtures for model annotators: a local chat-completions server and a small project."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))

from chat_server import ChatServer

from crowdlens.schema import LabelSchema, parse_schema
from crowdlens.store.db import Database
from crowdlens.store.items import add_items
from crowdlens.store.media import MediaStore, sha256_hex
from crowdlens.store.projects import create_project

COLOURS = {"red": (220, 30, 30), "green": (30, 180, 30), "blue": (30, 30, 220)}


def png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48), salt: int = 0) -> bytes:
    """A real PNG of one colour; ``salt`` changes one pixel so that images differ."""
    image = Image.new("RGB", size, colour)
    image.putpixel((0, 0), (salt % 256, salt // 256 % 256, 7))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Project:
    name: str
    database: Database
    media: MediaStore
    colours: dict[int, str]


def colour_schema() -> LabelSchema:
    return parse_schema(
        {
            "name": "colours",
            "instructions": "Look at the colour of the picture.",
            "fields": [
                {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue"]},
                {"name": "is_red", "kind": "binary", "definition": "The picture is red."},
                {"name": "tones", "kind": "tags", "labels": ["red", "green", "blue"]},
                {"name": "describe", "kind": "text", "question": "What do you see?"},
            ],
        }
    )


def make_project(
    database: Database, media: MediaStore, colours: list[str], schema: LabelSchema | None = None
) -> Project:
    schema = schema or colour_schema()
    rows = []
    for index, name in enumerate(colours):
        data = png(COLOURS[name], salt=index)
        digest = sha256_hex(data)
        key, _ = media.put(data, suffix=".png", sha256=digest)
        rows.append(
            {
                "sha256": digest, "media_key": key, "mime_type": "image/png",
                "width": 64, "height": 48, "byte_size": len(data),
                "source_name": f"{index:03d}-{name}.png",
            }
        )  # fmt: skip
    with database.session() as session:
        project = create_project(session, schema=schema)
        items = add_items(session, project_id=project.id, rows=rows)
        by_id = {item.id: colours[i] for i, item in enumerate(items)}
    return Project(schema.name, database, media, by_id)


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    with ChatServer() as server:
        yield server


@pytest.fixture
def colour_project(sqlite_database: Database, media: MediaStore) -> Project:
    return make_project(sqlite_database, media, ["red", "green", "blue", "red"])
