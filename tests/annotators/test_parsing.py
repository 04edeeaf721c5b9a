"""Pure parsing of model output: fences, trailing text, truncation, garbage."""

from __future__ import annotations

from typing import Any

import pytest

from crowdlens.annotators.parsing import close_truncated, parse_json_object, strip_fences


@pytest.mark.parametrize(
    ("text", "value", "repaired"),
    [
        ('{"a": 1}', {"a": 1}, False),
        ('```json\n{"a": 1}\n```', {"a": 1}, False),
        ('```\n{"a": [1, 2]}\n```\nDone.', {"a": [1, 2]}, False),
        ('Sure! {"a": true} Anything else? {', {"a": True}, False),
        ('{"a": "x", "b": "hel', {"a": "x", "b": "hel"}, True),
        ('{"a": "x", "b', {"a": "x"}, True),
        ('{"a": "x", "b":', {"a": "x"}, True),
        ('{"a": "x",', {"a": "x"}, True),
        ('{"a": tr', {}, True),
        ('{"a": true', {"a": True}, True),
        ('{"tags": ["x", "y', {"tags": ["x", "y"]}, True),
        ('{"tags": ["x",', {"tags": ["x"]}, True),
        ('{"q": "say \\"hi', {"q": 'say "hi'}, True),
        ('{"a": {"b": 1, "c": [1, 2', {"a": {"b": 1, "c": [1, 2]}}, True),
        ('```json\n{"a": "cut', {"a": "cut"}, True),
    ],
    ids=[
        "plain",
        "fenced",
        "fenced-then-prose",
        "prose-around",
        "cut-in-string-value",
        "cut-in-key",
        "cut-after-colon",
        "cut-after-comma",
        "cut-in-literal",
        "cut-after-literal",
        "cut-in-array-string",
        "cut-after-array-comma",
        "cut-after-escaped-quote",
        "nested",
        "unclosed-fence",
    ],
)
def test_parse_json_object(text: str, value: dict[str, Any], repaired: bool) -> None:
    parsed = parse_json_object(text)
    assert (parsed.value, parsed.repaired, parsed.reason) == (value, repaired, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "empty answer"),
        ("   ", "empty answer"),
        ("I cannot see an image.", "expected a JSON object, got text 'I cannot see"),
        ("[1, 2, 3]", "expected a JSON object, got text '[1, 2, 3]'"),
        ('{"a": 1 "b": 2}', "expected a JSON object, got malformed JSON"),
    ],
    ids=["none", "blank", "prose", "array", "malformed"],
)
def test_garbage_gives_no_value_and_a_reason(text: str | None, reason: str) -> None:
    parsed = parse_json_object(text)
    assert parsed.value is None
    assert parsed.reason is not None and reason in parsed.reason


def test_close_truncated_closes_in_reverse_order() -> None:
    assert close_truncated('{"a": [{"b": "c') == '{"a": [{"b": "c"}]}'


def test_strip_fences_leaves_unfenced_text() -> None:
    assert strip_fences('  {"a": 1}  ') == '{"a": 1}'
