"""Shared pieces of the crowd tests: the project's fields, a good answer, worker identities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crowdlens.crowd import WorkerIdentity
from crowdlens.schema import LabelSchema, parse_schema

FIELDS: list[dict[str, Any]] = [
    {"name": "round", "kind": "binary"},
    {"name": "colour", "kind": "choice", "classes": ["red", "green", "blue"]},
    {"name": "describe", "kind": "text", "question": "What do you see?", "min_words": 3},
]
GOOD = {"round": "yes", "colour": "red", "describe": "a red round shape"}

MakeProject = Callable[..., list[int]]


def make_schema(**settings: Any) -> LabelSchema:
    return parse_schema({"name": "shapes", "fields": FIELDS, **settings})


def worker(name: str, **external: str) -> WorkerIdentity:
    return WorkerIdentity("web", name, dict(external))
