"""Text utilities on an OpenAI-compatible model: keywords for an image, rewriting a crowd
worker's description, merging several descriptions into one.

They share the backend's cache, rate limits, retries and costs::

    async with TextTools(config, services) as tools:
        words = await tools.keywords(image_bytes)
        clean = await tools.rewrite("um so there is like a red car", image=image_bytes)
        merged = await tools.merge([caption_1, caption_2, caption_3])
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from crowdlens.annotators.answering import read_reply, repair_spec
from crowdlens.annotators.base import CallServices, Capabilities, NoServices
from crowdlens.annotators.calls import Caller, CallFailed, CallSpec
from crowdlens.annotators.images import data_url, prepare_image
from crowdlens.annotators.jsonschema import object_schema
from crowdlens.annotators.openai_config import OpenAIConfig
from crowdlens.annotators.prompts import render, system_prompt, template_id, version_string
from crowdlens.store.media import sha256_hex

Check = Callable[[Any], str | None]


class TextTools:
    """Keywords, rewrite and merge on one model; use as an async context manager."""

    def __init__(
        self, config: OpenAIConfig | dict[str, Any], services: CallServices | None = None
    ) -> None:
        self.config = config if isinstance(config, OpenAIConfig) else OpenAIConfig(**config)
        self.caller = Caller(self.config, services or NoServices())

    async def __aenter__(self) -> TextTools:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.caller.close()

    async def keywords(self, image: bytes, *, count: int = 10) -> list[str]:
        """``count`` keywords for ``image``, most important first."""
        schema = {"type": "array", "items": {"type": "string"}}
        value = await self._ask(
            "keywords", "keywords", schema, image, _keywords(count), count=count
        )
        return [str(word).strip() for word in value][:count]

    async def rewrite(self, text: str, *, image: bytes | None = None) -> str:
        """A crowd worker's description cleaned up, keeping only what is about the image."""
        return str(await self._ask("rewrite", "text", {"type": "string"}, image, _text, text=text))

    async def merge(self, texts: Sequence[str], *, image: bytes | None = None) -> str:
        """One description keeping every distinct detail of ``texts``."""
        if not texts:
            raise ValueError("expected at least one description to merge, got none")
        schema = {"type": "string"}
        return str(await self._ask("merge", "text", schema, image, _text, texts=list(texts)))

    async def _ask(
        self,
        template: str,
        key: str,
        value_schema: dict[str, Any],
        image: bytes | None,
        check: Check,
        **values: Any,
    ) -> Any:
        tid = template_id(template)
        Capabilities(vision=self.config.vision).check(
            [], with_image=image is not None, who=self._who()
        )
        spec = self._spec(tid, key, value_schema, image, render(tid, **values))
        reply = await self.caller.call(spec)
        problem, value = _checked(reply_value(reply, key), check)
        if problem is None:
            return value
        reply = await self.caller.call(repair_spec(spec, reply, {key: problem}))
        problem, value = _checked(reply_value(reply, key), check)
        if problem is not None:
            raise CallFailed(f"{template}: {problem}")
        return value

    def _who(self) -> str:
        return f"openai model {self.config.model!r}"

    def _spec(
        self, tid: str, key: str, value_schema: dict[str, Any], image: bytes | None, text: str
    ) -> CallSpec:
        content: list[dict[str, Any]] = [{"type": "text", "text": text}]
        digest = None
        if image is not None:
            data, mime = prepare_image(image, max_side=self.config.max_image_side)
            content.append({"type": "image_url", "image_url": {"url": data_url(data, mime)}})
            digest = sha256_hex(image)
        system, system_id = system_prompt()
        return CallSpec(
            messages=[{"role": "system", "content": system}, {"role": "user", "content": content}],
            schema=object_schema({key: value_schema}),
            schema_name=tid.split(".")[0],
            prompt_version=version_string([system_id, tid]),
            image_sha256=digest,
            image_params=f"full|{self.config.max_image_side}|jpeg",
        )


def reply_value(reply: Any, key: str) -> tuple[Any, str]:
    value, reason = read_reply(reply)
    if value is None:
        return None, reason
    if key not in value:
        return None, f"expected a JSON object with key {key!r}, got keys {sorted(value)}"
    return value[key], ""


def _checked(found: tuple[Any, str], check: Check) -> tuple[str | None, Any]:
    value, reason = found
    if value is None:
        return reason or "no answer", None
    problem = check(value)
    return problem, value


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    return f"expected non-empty text, got {json.dumps(value)[:60]}"


def _keywords(count: int) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"expected a list of {count} keywords, got {json.dumps(value)[:60]}"
        if len(value) < count:
            return f"expected {count} keywords, got {len(value)}"
        return None

    return check
