"""One chat-completions call through the official ``openai`` async client.

Every call goes through the response cache, the rate limiter, the spending guard and the
retry loop here, whatever the prompt strategy that asked for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

import openai

from crowdlens.annotators.base import CallServices
from crowdlens.annotators.jsonschema import response_format
from crowdlens.annotators.limits import RateLimiter, backoff_delay, retry_after_seconds
from crowdlens.annotators.openai_config import OpenAIConfig
from crowdlens.errors import ConfigError, ModelUnavailable

RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APITimeoutError)
IMAGE_TOKENS_GUESS = 800


class CallFailed(Exception):
    """One call gave no usable response; the item fails with this reason, the batch goes on."""


class BudgetStop(Exception):
    """The spending limit is reached: no new paid call is made."""


@dataclass(frozen=True)
class Reply:
    """What the model wrote, its token usage and cost, and whether it came from the cache."""

    text: str | None
    refusal: str | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    cached: bool
    finish_reason: str | None = None

    def to_cache(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "refusal": self.refusal,
            "usage": {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens},
            "cost_usd": self.cost_usd,
            "finish_reason": self.finish_reason,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Reply:
        usage = data.get("usage") or {}
        return cls(
            text=data.get("text"),
            refusal=data.get("refusal"),
            input_tokens=int(usage.get("input_tokens", 0)),
            output_tokens=int(usage.get("output_tokens", 0)),
            cost_usd=float(data.get("cost_usd", 0.0)),
            cached=True,
            finish_reason=data.get("finish_reason"),
        )


@dataclass(frozen=True)
class CallSpec:
    """A request to make: messages, the JSON schema wanted, and what identifies it."""

    messages: list[dict[str, Any]]
    schema: dict[str, Any]
    schema_name: str
    prompt_version: str
    image_sha256: str | None = None
    image_params: str = ""

    def text_chars(self) -> int:
        return sum(len(json.dumps(m.get("content"))) for m in self.messages if _is_text(m))


def _is_text(message: dict[str, Any]) -> bool:
    return isinstance(message.get("content"), str)


class Caller:
    """Makes calls for one run: one client, one limiter, one concurrency bound."""

    def __init__(self, config: OpenAIConfig, services: CallServices) -> None:
        self.config = config
        self.services = services
        self.client = openai.AsyncOpenAI(
            api_key=config.api_key(),
            base_url=config.base_url,
            timeout=config.timeout_s,
            max_retries=0,
        )
        self.limiter = RateLimiter(rpm=config.rpm, tpm=config.tpm)
        self.slots = asyncio.Semaphore(config.max_concurrency)
        self.rng = random.Random()

    async def close(self) -> None:
        await self.client.close()

    def cache_key(self, spec: CallSpec) -> str:
        """sha256 over everything that determines the answer; image data by its sha256."""
        identity = {
            "endpoint": self.config.base_url.rstrip("/"),
            "model": self.config.model,
            "prompt_version": spec.prompt_version,
            "image": [spec.image_sha256, spec.image_params],
            "messages": [_without_image_data(m) for m in spec.messages],
            "schema": spec.schema,
            "params": self._params(spec),
        }
        canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def _params(self, spec: CallSpec) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.config.temperature is not None:
            params["temperature"] = self.config.temperature
        if self.config.max_tokens is not None:
            params["max_tokens"] = self.config.max_tokens
        fmt = response_format(spec.schema_name, spec.schema, self.config.structured_output)
        if fmt is not None:
            params["response_format"] = fmt
        return params

    async def call(self, spec: CallSpec) -> Reply:
        """The reply to ``spec``: from the cache when known, else from the server (paid)."""
        key = self.cache_key(spec)
        cached = await self.services.cache_get(key)
        if cached is not None:
            return Reply.from_cache(cached)
        if not self.services.reserve():
            raise BudgetStop("the spending limit is reached")
        try:
            reply = await self._call_with_retries(spec)
        except BaseException:
            self.services.release()
            raise
        meta = {
            "endpoint": self.config.base_url,
            "model": self.config.model,
            "prompt_version": spec.prompt_version,
            "image_sha256": spec.image_sha256,
        }
        detail = {"model": self.config.model, "cache_key": key, **reply.to_cache()["usage"]}
        await self.services.paid(
            key, meta=meta, response=reply.to_cache(), amount_usd=reply.cost_usd, detail=detail
        )
        return reply

    async def _call_with_retries(self, spec: CallSpec) -> Reply:
        estimate = spec.text_chars() // 4 + (self.config.max_tokens or 256)
        estimate += IMAGE_TOKENS_GUESS if spec.image_sha256 else 0
        attempt = 0
        while True:
            attempt += 1
            ticket = await self.limiter.acquire(estimate)
            try:
                async with self.slots:
                    reply = await self._create(spec)
            except (*RETRYABLE, openai.APIConnectionError) as exc:
                if attempt > self.config.max_retries:
                    raise _give_up(exc, self.config, attempt) from None
                await asyncio.sleep(self._delay(exc, attempt))
                continue
            except openai.APIStatusError as exc:
                raise _status_error(exc, self.config) from None
            ticket.correct(reply.input_tokens + reply.output_tokens)
            return reply

    def _delay(self, exc: Exception, attempt: int) -> float:
        response = getattr(exc, "response", None)
        if response is not None:
            asked = retry_after_seconds(dict(response.headers))
            if asked is not None:
                return asked
        return backoff_delay(
            attempt, base=self.config.backoff_base_s, cap=self.config.backoff_cap_s, rng=self.rng
        )

    async def _create(self, spec: CallSpec) -> Reply:
        # Messages and parameters go in ``extra_body``, which the client sends as it is:
        # its typed transforms would otherwise walk every message and the JSON Schema on
        # every request, the largest cost of a call on the client side.
        completion = await self.client.chat.completions.create(
            model=self.config.model,
            messages=[],
            extra_body={"messages": spec.messages, **self._params(spec)},
        )
        return _reply(completion, self.config)


def _reply(completion: Any, config: OpenAIConfig) -> Reply:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise CallFailed("the server answered without any choice")
    message = choices[0].message
    usage = getattr(completion, "usage", None)
    input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
    output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    return Reply(
        text=message.content,
        refusal=getattr(message, "refusal", None),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=config.cost(input_tokens, output_tokens),
        cached=False,
        finish_reason=choices[0].finish_reason,
    )


def _without_image_data(message: dict[str, Any]) -> dict[str, Any]:
    content = message.get("content")
    if not isinstance(content, list):
        return message
    parts = [{"type": "image_url"} if part.get("type") == "image_url" else part for part in content]
    return {**message, "content": parts}


def _give_up(exc: Exception, config: OpenAIConfig, attempts: int) -> Exception:
    if isinstance(exc, openai.APIConnectionError) and not isinstance(exc, openai.APITimeoutError):
        return ModelUnavailable(
            f"cannot reach the model server at {config.base_url} after {attempts} attempts "
            f"({exc}); check that the server is running and that base_url is right"
        )
    what = _describe_error(exc)
    return CallFailed(f"gave up after {attempts} attempts: {what}")


def _status_error(exc: openai.APIStatusError, config: OpenAIConfig) -> Exception:
    if exc.status_code in (401, 403):
        variable = config.api_key_env or "an API key variable (api_key_env)"
        return ConfigError(
            f"the server at {config.base_url} refused the API key (HTTP {exc.status_code}); "
            f"expected a valid key in {variable}: set it to a key that this server accepts"
        )
    if exc.status_code == 404:
        return ConfigError(
            f"the server at {config.base_url} has no model {config.model!r} or no "
            "chat-completions endpoint (HTTP 404); check the model name and that base_url "
            "ends in /v1"
        )
    return CallFailed(_describe_error(exc))


def _describe_error(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message") if isinstance(body.get("message"), str) else exc.message
        return f"HTTP {exc.status_code}: {_short(str(message))}"
    return _short(str(exc))


def _short(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
