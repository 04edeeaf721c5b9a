"""Versioned prompt templates, shipped as files ``prompts/<name>.v<N>.j2`` in this package.

A template's id (``binary.v1``) becomes part of the annotator's prompt version and of the
response-cache key: editing a prompt means adding ``binary.v2``, never changing ``v1``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from crowdlens.annotators.jsonschema import answers_schema
from crowdlens.errors import ConfigError
from crowdlens.schema import LabelField

PROMPT_DIR = Path(__file__).parent / "prompts"
PACKS = ("fields", "characters", "celeba40")
_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.j2$")
_MAX_VERSION_LENGTH = 60


@dataclass(frozen=True)
class Prompt:
    """A rendered user message, the template ids it came from, and the schema it asks for."""

    text: str
    template_ids: tuple[str, ...]
    schema: dict[str, Any]
    name: str


@cache
def available_templates() -> dict[str, list[int]]:
    """Template names and their versions, as shipped (read once per process)."""
    found: dict[str, list[int]] = {}
    for path in PROMPT_DIR.glob("*.j2"):
        match = _FILE.match(path.name)
        if match:
            found.setdefault(match["name"], []).append(int(match["version"]))
    return {name: sorted(versions) for name, versions in sorted(found.items())}


def template_id(name: str, version: int | None = None) -> str:
    """``name.vN`` for the given version, or the latest one shipped."""
    versions = available_templates().get(name)
    if not versions:
        raise ConfigError(
            f"expected a prompt template among {', '.join(available_templates())}, got {name!r}"
        )
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        raise ConfigError(f"prompt {name!r} has versions {versions}, got v{chosen}")
    return f"{name}.v{chosen}"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPT_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,  # plain text for a model, not HTML
    )


def render(template: str, **values: Any) -> str:
    """Render ``template`` (an id such as ``binary.v1``) with ``values``."""
    return _environment().get_template(f"{template}.j2").render(**values).strip()


def version_string(template_ids: Sequence[str], *extra: str) -> str:
    """A short, stable prompt version for the annotator record and the cache key."""
    parts = sorted(set(template_ids)) + [e for e in extra if e]
    joined = "+".join(parts)
    if len(joined) <= _MAX_VERSION_LENGTH:
        return joined
    digest = hashlib.sha256(joined.encode()).hexdigest()[:12]
    return f"{parts[0]}+…{digest}"[:_MAX_VERSION_LENGTH]


@cache
def system_prompt(version: int | None = None) -> tuple[str, str]:
    tid = template_id("system", version)
    return render(tid), tid


def fields_prompt(
    fields: Sequence[LabelField], *, instructions: str = "", pack: str = "fields"
) -> Prompt:
    """One message asking every field at once, in the style of ``pack``."""
    if pack not in PACKS:
        raise ConfigError(f"expected a prompt pack among {', '.join(PACKS)}, got {pack!r}")
    kind_ids = [template_id(field.kind) for field in fields]
    parts = [render(tid, field=field) for tid, field in zip(kind_ids, fields, strict=True)]
    schema = answers_schema(fields)
    pack_id = template_id(pack)
    text = render(
        pack_id,
        instructions=instructions,
        parts=parts,
        keys=[field.name for field in fields],
        schema_json=json.dumps(schema, ensure_ascii=False),
    )
    return Prompt(text, (pack_id, *kind_ids), schema, name="answers")
