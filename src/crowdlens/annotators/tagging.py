"""Strategies for ``tags`` fields beyond asking directly.

- ``yes-no``: one question per label of the vocabulary: does it apply?
- ``two-stage`` (TagLLM): for each group of the vocabulary, ask for candidate labels; then
  check every candidate against its definition in one disambiguation question.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crowdlens.annotators.answering import CallFn, Exchange, ask_json
from crowdlens.annotators.base import AnnotationRequest
from crowdlens.annotators.calls import CallSpec
from crowdlens.annotators.jsonschema import answers_schema
from crowdlens.annotators.prompts import render, template_id, version_string
from crowdlens.errors import AnswerInvalid
from crowdlens.schema import BinaryField, LabelField, LabelSchema, TagLabel, TagsField


def template_ids(strategy: str) -> list[str]:
    if strategy == "yes-no":
        return [template_id("tags_yesno")]
    if strategy == "two-stage":
        return [template_id("tags_candidates"), template_id("tags_disambiguate")]
    return [template_id("tags")]


@dataclass
class Asker:
    """Everything needed to ask one image's questions in several calls."""

    call: CallFn
    request: AnnotationRequest
    image: dict[str, Any]
    image_params: str
    system: dict[str, Any]

    async def ask(self, template: str, field: LabelField, **values: Any) -> Exchange:
        """Ask the question of ``template`` whose answer is the one ``field``."""
        schema = LabelSchema(name="step", fields=[field])
        json_schema = answers_schema([field])
        text = render(
            template,
            instructions=self.request.schema.instructions,
            schema_json=json.dumps(json_schema, ensure_ascii=False),
            **values,
        )
        user = {"role": "user", "content": [{"type": "text", "text": text}, self.image]}
        spec = CallSpec(
            messages=[self.system, user],
            schema=json_schema,
            schema_name=field.name,
            prompt_version=version_string([template]),
            image_sha256=self.request.image_sha256,
            image_params=self.image_params,
        )
        return await ask_json(self.call, spec, schema, [field])


async def run(strategy: str, asker: Asker, field: TagsField) -> Exchange:
    """The answer to one tags field by ``strategy`` (``yes-no`` or ``two-stage``)."""
    if strategy == "yes-no":
        return await yes_no(asker, field)
    return await two_stage(asker, field)


async def yes_no(asker: Asker, field: TagsField) -> Exchange:
    template = template_id("tags_yesno")
    question = BinaryField(name="applies")
    steps = await _all(asker.ask(template, question, label=label) for label in field.labels)
    chosen = [
        label.name
        for label, step in zip(field.labels, steps, strict=True)
        if step.answers.get("applies")
    ]
    return _combine(asker.request.schema, field, chosen, steps)


async def two_stage(asker: Asker, field: TagsField) -> Exchange:
    generate = template_id("tags_candidates")
    groups = field.groups
    steps = await _all(
        _candidates(asker, generate, group, names) for group, names in groups.items()
    )
    candidates = {name for step in steps for name in step.answers.get("candidates", [])}
    labels = [label for label in field.labels if label.name in candidates]
    if not labels:
        return _combine(asker.request.schema, field, [], steps)
    check = TagsField(name="applies", labels=[TagLabel(name=label.name) for label in labels])
    final = await asker.ask(template_id("tags_disambiguate"), check, labels=labels)
    return _combine(asker.request.schema, field, final.answers.get("applies", []), [*steps, final])


async def _all(asks: Iterable[Awaitable[Exchange]]) -> list[Exchange]:
    """Every ask's exchange; if one raises, all of them finish first, then the first error."""
    outcomes = await asyncio.gather(*asks, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [o for o in outcomes if isinstance(o, Exchange)]


async def _candidates(asker: Asker, template: str, group: str, names: list[str]) -> Exchange:
    question = TagsField(name="candidates", labels=[TagLabel(name=n) for n in names])
    return await asker.ask(template, question, group=group, labels=names)


def _combine(
    schema: LabelSchema, field: TagsField, chosen: Sequence[str], steps: Sequence[Exchange]
) -> Exchange:
    combined = Exchange(replies=[reply for step in steps for reply in step.replies])
    problems = [problem for step in steps for problem in step.problems.values()]
    if problems:
        combined.problems[field.name] = f"field {field.name!r}: " + "; ".join(problems[:3])
        return combined
    try:
        combined.answers = schema.validate_answers({field.name: list(chosen)}, partial=True)
    except AnswerInvalid as exc:
        combined.problems[field.name] = str(exc)
    return combined
