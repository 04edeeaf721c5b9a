"""The openai backend's parts on their own: JSON Schema, prompts, images, limits, registry."""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import random
import time
from email.utils import formatdate

import pytest
from PIL import Image

from conftest import colour_schema
from crowdlens.annotators import backend_names, create_annotator, load_backend
from crowdlens.annotators.base import Capabilities, Region
from crowdlens.annotators.images import data_url, prepare_image
from crowdlens.annotators.jsonschema import answers_schema, response_format
from crowdlens.annotators.limits import RateLimiter, backoff_delay, retry_after_seconds
from crowdlens.annotators.openai_backend import OpenAIAnnotator
from crowdlens.annotators.prompts import (
    available_templates,
    fields_prompt,
    template_id,
    version_string,
)
from crowdlens.errors import ConfigError, ImageRejected
from crowdlens.presets import load_preset
from crowdlens.schema import parse_schema


def test_answers_schema_covers_every_kind_in_strict_form() -> None:
    schema = parse_schema(
        {
            "name": "all",
            "fields": [
                {"name": "b", "kind": "binary"},
                {"name": "c", "kind": "choice", "classes": ["x", "y"]},
                {"name": "t", "kind": "tags", "labels": ["p", "q"]},
                {"name": "s", "kind": "text", "question": "Why?"},
                {"name": "r", "kind": "boxes", "classes": ["cat", "dog"]},
            ],
        }
    )
    got = answers_schema(schema.fields)
    assert got["required"] == ["b", "c", "t", "s", "r"]
    assert got["additionalProperties"] is False
    assert [got["properties"][k]["type"] for k in "bctsr"] == [
        "boolean", "string", "array", "string", "array",
    ]  # fmt: skip
    assert got["properties"]["t"]["items"]["enum"] == ["p", "q"]
    box = got["properties"]["r"]["items"]
    assert box["required"] == ["x", "y", "w", "h", "label"] and box["additionalProperties"] is False


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("json_schema", "json_schema"), ("json_object", "json_object"), ("none", None)],
    ids=["schema", "object", "none"],
)
def test_response_format_modes(mode: str, kind: str | None) -> None:
    fmt = response_format("answers", {"type": "object"}, mode)
    assert (fmt or {}).get("type") == kind


def test_every_field_kind_and_pack_has_a_versioned_template() -> None:
    shipped = available_templates()
    for name in ["binary", "choice", "tags", "text", "boxes", "system", "fields", "characters"]:
        assert 1 in shipped[name]
    for name in ["celeba40", "tags_yesno", "tags_candidates", "tags_disambiguate"]:
        assert name in shipped
    for name in ["keywords", "rewrite", "merge"]:
        assert name in shipped
    with pytest.raises(ConfigError, match="versions"):
        template_id("binary", 99)


def test_celeba40_asks_all_forty_attributes_in_one_prompt() -> None:
    schema = load_preset("celeba40")
    prompt = fields_prompt(schema.fields, pack="celeba40")
    assert len(prompt.schema["required"]) == 40
    assert "exactly these 40 keys" in prompt.text
    assert prompt.template_ids[0] == "celeba40.v1"


def test_characters_pack_asks_the_three_questions() -> None:
    schema = load_preset("characters")
    texts = [f for f in schema.fields if f.kind == "text"]
    prompt = fields_prompt(texts, pack="characters")
    assert [f.name for f in texts] == ["physical", "clothing", "look"]
    for field in texts:
        assert field.question in prompt.text  # type: ignore[union-attr]


def test_prompt_versions_are_short_and_stable() -> None:
    assert version_string(["b.v1", "a.v1", "a.v1"]) == "a.v1+b.v1"
    long = version_string([f"template_{i}.v1" for i in range(20)])
    assert len(long) <= 60 and long == version_string([f"template_{i}.v1" for i in range(20)])


def _png(size: tuple[int, int], colour: tuple[int, int, int] = (200, 0, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("size", "max_side", "expected"),
    [((400, 200), 100, (100, 50)), ((50, 80), 100, (50, 80)), ((1000, 1000), 64, (64, 64))],
    ids=["landscape-shrunk", "small-kept", "square-shrunk"],
)
def test_images_shrink_never_grow(
    size: tuple[int, int], max_side: int, expected: tuple[int, int]
) -> None:
    data, mime = prepare_image(_png(size), max_side=max_side, image_format="png")
    with Image.open(io.BytesIO(data)) as image:
        assert (mime, image.size) == ("image/png", expected)


def test_a_region_outside_the_image_is_refused() -> None:
    with pytest.raises(ImageRejected, match="expected a region inside the 40×20 image"):
        prepare_image(_png((40, 20)), max_side=64, region=Region(x=50, y=0, w=10, h=10))


def test_unreadable_bytes_are_refused() -> None:
    with pytest.raises(ImageRejected, match="expected an image Pillow can read"):
        prepare_image(b"not an image", max_side=64)


def test_data_url_round_trips() -> None:
    url = data_url(b"\x00\x01", "image/png")
    assert url == "data:image/png;base64," + base64.b64encode(b"\x00\x01").decode()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"Retry-After": formatdate(1_000_010, usegmt=True)}, 10.0),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
    ids=["seconds", "fraction", "milliseconds", "http-date", "unparseable", "absent"],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(headers, now=1_000_000) == expected


def test_backoff_grows_exponentially_with_jitter_and_a_cap() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (10, 30.0)]:
        delays = [backoff_delay(attempt, base=0.5, cap=30.0, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1


def test_rate_limiter_spaces_requests_evenly() -> None:
    async def measure() -> list[float]:
        limiter = RateLimiter(rpm=1200)
        stamps = []
        for _ in range(6):
            await limiter.acquire()
            stamps.append(time.monotonic())
        return stamps

    stamps = asyncio.run(measure())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert all(gap >= 0.045 for gap in gaps)


def test_rate_limiter_waits_for_tokens_in_the_window() -> None:
    now = [0.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def scenario() -> None:
        limiter = RateLimiter(tpm=1000, clock=lambda: now[0], sleep=fake_sleep)
        ticket = await limiter.acquire(600)
        ticket.correct(900)
        await limiter.acquire(50)
        assert not slept
        await limiter.acquire(200)

    asyncio.run(scenario())
    assert slept and sum(slept) == pytest.approx(60.0)


def test_capabilities_refuse_clearly() -> None:
    schema = colour_schema()
    text_only = Capabilities(vision=False)
    assert "without vision" in (text_only.refusal(schema.fields, with_image=True, who="m") or "")
    assert text_only.refusal(schema.fields, with_image=False, who="m") is None
    choices_only = Capabilities(field_kinds=frozenset({"choice"}))
    reason = choices_only.refusal(schema.fields, with_image=True, who="m") or ""
    assert "got kind binary, tags, text" in reason


def test_builtins_register_through_entry_points() -> None:
    assert "openai" in backend_names()
    assert load_backend("openai") is OpenAIAnnotator
    annotator = create_annotator({"backend": "openai", "model": "m", "api_key_env": None})
    assert isinstance(annotator, OpenAIAnnotator) and annotator.model_name == "m"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"model": "m"}, "expected a 'backend' name"),
        ({"backend": "nope"}, "expected a model backend among"),
        ({"backend": "openai"}, "model: Field required"),
        ({"backend": "openai", "model": "m", "rpm": -1}, "rpm"),
        ({"backend": "openai", "model": "m", "colour": 1}, "colour: Extra inputs"),
    ],
    ids=["no-backend", "unknown-backend", "no-model", "negative-rpm", "unknown-setting"],
)
def test_bad_configs_are_explained(config: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        create_annotator(config)
