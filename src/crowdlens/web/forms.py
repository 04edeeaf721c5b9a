"""HTML form fields → answers and browser signals, by field kind."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from crowdlens.schema import LabelSchema, TagsField, TextField

SIGNALS_FIELD = "_signals"
CLIP_SUFFIX = "__clip"


def answers_from_form(schema: LabelSchema, form: FormData) -> dict[str, Any]:
    """Answers as the schema expects them; an unanswered field is left out (QC names it)."""
    answers: dict[str, Any] = {}
    for field in schema.fields:
        if isinstance(field, TagsField):
            if f"{field.name}__shown" in form:
                answers[field.name] = [str(v) for v in form.getlist(field.name)]
            continue
        value = form.get(field.name)
        if isinstance(value, str) and value.strip():
            answers[field.name] = value
    return answers


def recordings_from_form(schema: LabelSchema, form: FormData) -> dict[str, int]:
    """Spoken field → the recording id the page put in ``<field>__clip`` (when there is one)."""
    recordings: dict[str, int] = {}
    for field in schema.fields:
        value = form.get(field.name + CLIP_SUFFIX)
        spoken = isinstance(field, TextField) and field.spoken
        if spoken and isinstance(value, str) and value.isdigit():
            recordings[field.name] = int(value)
    return recordings


def signals_from_form(form: FormData) -> dict[str, Any]:
    """What the page's script measured (paste counts); anything malformed is dropped."""
    raw = form.get(SIGNALS_FIELD)
    if not isinstance(raw, str) or len(raw) > 4096:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def form_values(schema: LabelSchema, form: FormData) -> dict[str, Any]:
    """What the worker had entered, to fill the form again after a QC failure."""
    values: dict[str, Any] = {}
    for field in schema.fields:
        if isinstance(field, TagsField):
            values[field.name] = [str(v) for v in form.getlist(field.name)]
        else:
            value = form.get(field.name)
            values[field.name] = value if isinstance(value, str) else ""
        clip = form.get(field.name + CLIP_SUFFIX)
        if isinstance(clip, str) and clip.isdigit():
            values[field.name + CLIP_SUFFIX] = clip
    return values
