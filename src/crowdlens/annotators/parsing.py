"""Forgiving, pure parsing of what a model wrote into a JSON object.

Models wrap JSON in code fences, add a sentence after it, or stop mid-object when they run
out of tokens. :func:`parse_json_object` copes with all three; on garbage it returns no value
and the reason, and never raises.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
_CLOSERS = {"{": "}", "[": "]"}


@dataclass(frozen=True)
class Parsed:
    """A JSON object, or None with the reason; ``repaired`` when truncation was closed."""

    value: dict[str, Any] | None
    reason: str | None = None
    repaired: bool = False


def strip_fences(text: str) -> str:
    """The inside of the first fenced code block, or ``text`` unchanged."""
    match = _FENCE.search(text)
    return match.group(1).strip() if match else text.strip()


def parse_json_object(text: str | None) -> Parsed:
    """The first JSON object in ``text``: fenced, followed by prose, or cut short."""
    if text is None or not text.strip():
        return Parsed(None, "the model returned an empty answer")
    body = strip_fences(text)
    start = body.find("{")
    if start < 0:
        return Parsed(None, f"expected a JSON object, got text {_clip(text)}")
    value = _decode_prefix(body[start:])
    if value is not None:
        return Parsed(value)
    repaired = _decode_prefix(close_truncated(body[start:]))
    if repaired is not None:
        return Parsed(repaired, repaired=True)
    return Parsed(None, f"expected a JSON object, got malformed JSON {_clip(text)}")


def _decode_prefix(text: str) -> dict[str, Any] | None:
    try:
        value, _end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def close_truncated(text: str) -> str:
    """Close the strings, arrays and objects left open when ``text`` was cut short."""
    stack, in_string, escaped = _scan(text)
    if escaped:
        text = text[:-1]
    repaired = text + ('"' if in_string else "")
    repaired = _drop_dangling(repaired, in_object=bool(stack) and stack[-1] == "{")
    return repaired + "".join(_CLOSERS[opener] for opener in reversed(stack))


def _scan(text: str) -> tuple[list[str], bool, bool]:
    stack: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in _CLOSERS:
            stack.append(char)
        elif char in "}]" and stack:
            stack.pop()
    return stack, in_string, escaped


_TRAILING_COMMA = re.compile(r"\s*,\s*$")
_OPEN_PAIR = re.compile(r'(?<=[{,])\s*"(?:[^"\\]|\\.)*"\s*(?::\s*([A-Za-z]*))?\s*$')
_LITERALS = {"true", "false", "null"}


def _drop_dangling(text: str, *, in_object: bool) -> str:
    """Remove a trailing comma, or a key whose value was cut off, before closing."""
    while True:
        trimmed = _TRAILING_COMMA.sub("", text)
        pair = _OPEN_PAIR.search(trimmed) if in_object else None
        if pair and pair.group(1) not in _LITERALS:
            trimmed = trimmed[: pair.start()]
        if trimmed == text:
            return text
        text = trimmed


def _clip(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[:limit] + "…")
