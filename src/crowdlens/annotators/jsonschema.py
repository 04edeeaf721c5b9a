"""JSON Schema for a model's answer, derived from the project's label fields.

The schema stays within the subset that OpenAI's strict structured outputs accept (every
property required, ``additionalProperties: false``, no ``uniqueItems``), which vLLM, Ollama,
LM Studio and llama.cpp also understand.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crowdlens.schema import BinaryField, BoxesField, ChoiceField, LabelField, TagsField


def field_schema(field: LabelField) -> dict[str, Any]:
    """The JSON Schema of one field's answer."""
    if isinstance(field, BinaryField):
        return {"type": "boolean", "description": field.definition or field.help or field.name}
    if isinstance(field, ChoiceField):
        return {"type": "string", "enum": list(field.classes)}
    if isinstance(field, TagsField):
        return {"type": "array", "items": {"type": "string", "enum": field.vocabulary}}
    if isinstance(field, BoxesField):
        return {"type": "array", "items": _box_schema(field.classes)}
    return {"type": "string", "description": field.question}


def _box_schema(classes: list[str]) -> dict[str, Any]:
    number = {"type": "number"}
    return {
        "type": "object",
        "properties": {
            "x": number,
            "y": number,
            "w": number,
            "h": number,
            "label": {"type": "string", "enum": list(classes)},
        },
        "required": ["x", "y", "w", "h", "label"],
        "additionalProperties": False,
    }


def object_schema(properties: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An object with exactly these properties, all required."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def answers_schema(fields: Sequence[LabelField]) -> dict[str, Any]:
    """One object answering every field: ``{field name: answer}``."""
    return object_schema({field.name: field_schema(field) for field in fields})


def response_format(name: str, schema: dict[str, Any], mode: str) -> dict[str, Any] | None:
    """The ``response_format`` request parameter for a structured-output ``mode``.

    ``json_schema``: the server enforces the schema; ``json_object``: the server only
    guarantees JSON; ``none``: the prompt alone asks for JSON (JSON-in-text).
    """
    if mode == "json_schema":
        return {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": schema, "strict": True},
        }
    if mode == "json_object":
        return {"type": "json_object"}
    return None
