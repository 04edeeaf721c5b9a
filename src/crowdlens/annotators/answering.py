"""Asking a model for JSON answers: parse, validate against the schema, repair once."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from crowdlens.annotators.calls import CallSpec, Reply
from crowdlens.annotators.parsing import parse_json_object
from crowdlens.errors import AnswerInvalid
from crowdlens.schema import LabelField, LabelSchema

CallFn = Callable[[CallSpec], Awaitable[Reply]]
REPAIR_MESSAGE = (
    "Your answer could not be used: {problems}. Reply again with one JSON object that "
    "matches the JSON Schema, with every key present, and nothing else."
)


@dataclass
class Exchange:
    """What came back from one or two calls (first try, then repair) for a set of fields."""

    answers: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)


def check_fields(
    schema: LabelSchema, fields: Sequence[LabelField], value: dict[str, Any] | None, reason: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Valid answers and per-field problems; ``value`` None means nothing parsed (``reason``)."""
    if value is None:
        return {}, {f.name: reason for f in fields}
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for one in fields:
        raw = value.get(one.name)
        if raw is None:
            problems[one.name] = f"field {one.name!r}: expected an answer, got none"
            continue
        try:
            answers.update(schema.validate_answers({one.name: raw}, partial=True))
        except AnswerInvalid as exc:
            problems[one.name] = str(exc)
    return answers, problems


def read_reply(reply: Reply) -> tuple[dict[str, Any] | None, str]:
    """The parsed JSON object of a reply, or None and why not."""
    if reply.refusal:
        return None, f"the model refused: {reply.refusal}"
    parsed = parse_json_object(reply.text)
    if parsed.value is None:
        return None, parsed.reason or "no answer"
    return parsed.value, ""


async def ask_json(
    call: CallFn, spec: CallSpec, schema: LabelSchema, fields: Sequence[LabelField]
) -> Exchange:
    """Ask once; if some answers are missing or invalid, ask once more with the problems."""
    exchange = Exchange()
    reply = await call(spec)
    exchange.replies.append(reply)
    value, reason = read_reply(reply)
    exchange.answers, exchange.problems = check_fields(schema, fields, value, reason)
    if not exchange.problems:
        return exchange
    retry = repair_spec(spec, reply, exchange.problems)
    second = await call(retry)
    exchange.replies.append(second)
    value, reason = read_reply(second)
    failing = [f for f in fields if f.name in exchange.problems]
    fixed, still = check_fields(schema, failing, value, reason)
    exchange.answers.update(fixed)
    exchange.problems = still
    return exchange


def repair_spec(spec: CallSpec, reply: Reply, problems: dict[str, str]) -> CallSpec:
    """The conversation so far plus a message naming what was wrong."""
    listed = "; ".join(sorted(set(problems.values())))
    messages = [
        *spec.messages,
        {"role": "assistant", "content": reply.text or reply.refusal or ""},
        {"role": "user", "content": REPAIR_MESSAGE.format(problems=listed)},
    ]
    return CallSpec(
        messages=messages,
        schema=spec.schema,
        schema_name=spec.schema_name,
        prompt_version=spec.prompt_version + "+repair",
        image_sha256=spec.image_sha256,
        image_params=spec.image_params,
    )


def raw_text(replies: Sequence[Reply]) -> str | None:
    """What to keep as the annotation's raw response: the text, or a JSON list of texts."""
    texts = [r.text if r.text is not None else f"[refusal] {r.refusal}" for r in replies]
    if not texts:
        return None
    return texts[0] if len(texts) == 1 else json.dumps(texts, ensure_ascii=False)
