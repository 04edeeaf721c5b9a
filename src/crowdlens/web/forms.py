"""HTML form fields → answers and browser signals, by field kind."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from crowdlens.schema import LabelSchema, TagsField

SIGNALS_FIELD = "_signals"


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
    return values
