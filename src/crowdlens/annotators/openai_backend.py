"""The ``openai`` backend: any OpenAI-compatible chat-completions server, configured as data."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Iterator, Sequence
from contextlib import aclosing
from typing import Any, ClassVar

from crowdlens.annotators import tagging
from crowdlens.annotators.answering import ask_json, raw_text
from crowdlens.annotators.base import (
    AnnotationRequest,
    AnnotationResult,
    CallServices,
    Capabilities,
    ModelAnnotator,
)
from crowdlens.annotators.calls import BudgetStop, Caller, CallFailed, CallSpec, Reply
from crowdlens.annotators.images import data_url, prepare_image
from crowdlens.annotators.openai_config import OpenAIConfig
from crowdlens.annotators.prompts import Prompt, fields_prompt, system_prompt, version_string
from crowdlens.errors import ImageRejected
from crowdlens.schema import LabelField, LabelSchema, TagsField


class OpenAIAnnotator(ModelAnnotator):
    """One class for OpenAI, vLLM, Ollama, LM Studio and llama.cpp: only the config differs."""

    backend: ClassVar[str] = "openai"
    config_model: ClassVar[type[OpenAIConfig]] = OpenAIConfig

    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config
        self._prompts: dict[tuple[int, tuple[str, ...]], tuple[LabelSchema, Prompt]] = {}

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            vision=self.config.vision,
            structured_output=self.config.structured_output == "json_schema",
        )

    @property
    def model_name(self) -> str:
        return self.config.model

    def prompt_version(self, fields: Sequence[LabelField]) -> str:
        direct = self._direct_fields(fields)
        ids = [system_prompt()[1]]
        if direct:
            ids += fields_prompt(direct, pack=self.config.prompt).template_ids
        if len(direct) < len(fields):
            ids += tagging.template_ids(self.config.tags_strategy)
        return version_string(ids)

    def params(self) -> dict[str, Any]:
        keep = ("base_url", "structured_output", "max_image_side", "image_format")
        params = {name: getattr(self.config, name) for name in keep}
        params |= {"temperature": self.config.temperature, "tags": self.config.tags_strategy}
        return params

    def _direct_fields(self, fields: Sequence[LabelField]) -> list[LabelField]:
        if self.config.tags_strategy == "direct":
            return list(fields)
        return [f for f in fields if not isinstance(f, TagsField)]

    async def annotate(
        self, requests: Sequence[AnnotationRequest], services: CallServices
    ) -> AsyncGenerator[AnnotationResult, None]:
        checked: set[tuple[str, ...]] = set()
        for request in requests:
            names = tuple(f.name for f in request.fields)
            if names not in checked:
                self.check(request.fields, with_image=True)
                checked.add(names)
        caller = Caller(self.config, services)
        try:
            async with aclosing(_bounded(self._answer, requests, caller)) as results:
                async for result in results:
                    yield result
        finally:
            await caller.close()

    async def _answer(self, request: AnnotationRequest, caller: Caller) -> AnnotationResult:
        started = time.perf_counter()
        result = AnnotationResult(item_id=request.item_id)
        result.region_id = request.region.id if request.region else None
        replies: list[Reply] = []
        try:
            await self._ask_all(request, caller, result, replies)
        except BudgetStop:
            result.failure = "stopped: the spending limit is reached"
            result.stopped = True
        except (CallFailed, ImageRejected) as exc:
            result.failure = str(exc)
        _settle(result, replies, time.perf_counter() - started)
        return result

    async def _ask_all(
        self,
        request: AnnotationRequest,
        caller: Caller,
        result: AnnotationResult,
        replies: list[Reply],
    ) -> None:
        image = await asyncio.to_thread(self._image_part, request)
        image_params = self._image_params(request)
        direct = self._direct_fields(request.fields)
        if direct:
            spec = self._fields_spec(request, direct, image, image_params)
            exchange = await ask_json(caller.call, spec, request.schema, direct)
            _merge(result, replies, exchange.answers, exchange.problems, exchange.replies)
        for field in request.fields:
            if isinstance(field, TagsField) and all(field is not d for d in direct):
                ask = tagging.Asker(caller.call, request, image, image_params, self._system())
                exchange = await tagging.run(self.config.tags_strategy, ask, field)
                _merge(result, replies, exchange.answers, exchange.problems, exchange.replies)

    def _system(self) -> dict[str, Any]:
        return {"role": "system", "content": system_prompt()[0]}

    def _fields_spec(
        self,
        request: AnnotationRequest,
        fields: list[LabelField],
        image: dict[str, Any],
        image_params: str,
    ) -> CallSpec:
        prompt = self._prompt_for(request.schema, fields)
        user = {"role": "user", "content": [{"type": "text", "text": prompt.text}, image]}
        return CallSpec(
            messages=[self._system(), user],
            schema=prompt.schema,
            schema_name=prompt.name,
            prompt_version=version_string([system_prompt()[1], *prompt.template_ids]),
            image_sha256=request.image_sha256,
            image_params=image_params,
        )

    def _prompt_for(self, schema: LabelSchema, fields: list[LabelField]) -> Prompt:
        """The rendered prompt, once per schema and set of fields (items of a run share it)."""
        key = (id(schema), tuple(f.name for f in fields))
        if key not in self._prompts:
            prompt = fields_prompt(
                fields, instructions=schema.instructions, pack=self.config.prompt
            )
            self._prompts[key] = (schema, prompt)  # holding the schema keeps its id unique
        return self._prompts[key][1]

    def _image_part(self, request: AnnotationRequest) -> dict[str, Any]:
        data, mime = prepare_image(
            request.load_image(),
            max_side=self.config.max_image_side,
            region=request.region,
            image_format=self.config.image_format,
        )
        return {"type": "image_url", "image_url": {"url": data_url(data, mime)}}

    def _image_params(self, request: AnnotationRequest) -> str:
        region = request.region
        box = f"{region.x},{region.y},{region.w},{region.h}" if region else "full"
        return f"{box}|{self.config.max_image_side}|{self.config.image_format}"


def _merge(
    result: AnnotationResult,
    replies: list[Reply],
    answers: dict[str, Any],
    problems: dict[str, str],
    new_replies: list[Reply],
) -> None:
    result.answers.update(answers)
    result.problems.extend(problems.values())
    replies.extend(new_replies)


def _settle(result: AnnotationResult, replies: list[Reply], seconds: float) -> None:
    result.calls = len(replies)
    result.cached_calls = sum(r.cached for r in replies)
    result.cost_usd = sum(r.cost_usd for r in replies)
    result.spent_usd = sum(r.cost_usd for r in replies if not r.cached)
    result.raw_response = raw_text(replies)
    result.seconds = seconds
    if result.failure is None and not result.answers:
        result.failure = "; ".join(dict.fromkeys(result.problems)) or "no answer"


async def _bounded(
    answer: Any, requests: Sequence[AnnotationRequest], caller: Caller
) -> AsyncGenerator[AnnotationResult, None]:
    """Run ``answer`` over ``requests`` with a bounded number in flight; yield as they finish."""
    window = caller.config.max_concurrency
    queue: Iterator[AnnotationRequest] = iter(requests)
    pending: set[asyncio.Task[AnnotationResult]] = set()
    try:
        while True:
            while len(pending) < window and (request := next(queue, None)) is not None:
                pending.add(asyncio.ensure_future(answer(request, caller)))
            if not pending:
                return
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            errors = [task.exception() for task in done if task.exception() is not None]
            if errors:
                raise errors[0]  # type: ignore[misc]
            for task in done:
                yield task.result()
    finally:
        # Calls already sent are let finish rather than cancelled: the server may have charged
        # for them, and finishing records their response in the cache and their cost in the
        # ledger, so a rerun gets them free. Each is bounded by the request timeout; a second
        # Ctrl-C stops at once.
        await asyncio.gather(*pending, return_exceptions=True)
