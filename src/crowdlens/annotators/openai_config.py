"""Settings of the ``openai`` backend: one OpenAI-compatible model described as data.

The same class serves OpenAI, vLLM, Ollama, LM Studio and llama.cpp servers; only these
values differ (see docs/models.md for one worked example each).
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crowdlens.errors import ConfigError

StructuredMode = Literal["json_schema", "json_object", "none"]
TagsStrategy = Literal["direct", "yes-no", "two-stage"]


DEFAULT_KEY_ENV = "OPENAI_API_KEY"
FALLBACK_KEY_ENV = "CROWDLENS_OPENAI_API_KEY"


class OpenAIConfig(BaseModel):
    """An OpenAI-compatible chat-completions model and how crowdlens may use it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1, description="Model name as the server knows it.")
    base_url: str = Field(default="https://api.openai.com/v1", description="Ends in /v1.")
    api_key_env: str | None = Field(
        default=DEFAULT_KEY_ENV, description="Variable holding the key; null: no key needed."
    )
    vision: bool = Field(default=True, description="Whether the model accepts images.")
    structured_output: StructuredMode = "json_schema"
    input_usd_per_million: float = Field(default=0.0, ge=0)
    output_usd_per_million: float = Field(default=0.0, ge=0)
    max_concurrency: int = Field(default=8, ge=1, le=1024)
    rpm: float | None = Field(default=None, gt=0, description="Requests per minute at most.")
    tpm: float | None = Field(default=None, gt=0, description="Tokens per minute at most.")
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=5, ge=0, le=20)
    backoff_base_s: float = Field(default=0.5, ge=0)
    backoff_cap_s: float = Field(default=30.0, ge=0)
    max_image_side: int = Field(default=768, ge=16, le=8192)
    image_format: Literal["jpeg", "png"] = "jpeg"
    temperature: float | None = Field(default=0.0, ge=0, le=2)
    max_tokens: int | None = Field(default=1024, ge=1)
    prompt: str = Field(default="fields", description="Prompt pack: fields, characters, celeba40.")
    tags_strategy: TagsStrategy = "direct"

    def api_key(self) -> str:
        """The key from the configured variable; a clear message when it is not set.

        With the default variable ``OPENAI_API_KEY`` unset, crowdlens's own setting
        ``CROWDLENS_OPENAI_API_KEY`` is used instead.
        """
        if self.api_key_env is None:
            return "not-needed"
        value = os.environ.get(self.api_key_env, "").strip()
        if not value and self.api_key_env == DEFAULT_KEY_ENV:
            value = os.environ.get(FALLBACK_KEY_ENV, "").strip()
        if not value:
            raise ConfigError(
                f"expected an API key in the environment variable {self.api_key_env}, "
                f"got none; set it (export {self.api_key_env}=...) or, for a local server "
                "that needs no key, configure api_key_env: null"
            )
        return value

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """USD for one call's token usage."""
        return (
            input_tokens * self.input_usd_per_million + output_tokens * self.output_usd_per_million
        ) / 1_000_000
