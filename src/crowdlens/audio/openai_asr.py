"""The ``openai`` backend: any server with an OpenAI-compatible ``/v1/audio/transcriptions``.

OpenAI itself, a vLLM or LocalAI server, or a llama.cpp whisper server: configure it by
``base_url``, ``model`` and the name of the environment variable holding the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from crowdlens.audio.errors import TranscriptionFailed
from crowdlens.audio.transcribers import Transcriber, Transcript


class OpenAITranscriber(Transcriber):
    """Sends the file as multipart form data with the official ``openai`` client."""

    name = "openai"

    def __init__(
        self,
        *,
        base_url: str | None = None,
        model: str = "whisper-1",
        api_key_env: str = "OPENAI_API_KEY",
        api_key: str | None = None,
        language: str | None = "en",
        timeout_s: float = 120.0,
        max_retries: int = 0,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.api_key_env = api_key_env
        self.api_key = api_key
        self.language = language
        self.timeout_s = timeout_s
        self.max_retries = max_retries

    def describe(self) -> str:
        return f"openai:{self.model}"

    def transcribe(self, path: Path) -> Transcript:
        import openai

        client = self._client(openai)
        extra: dict[str, Any] = {"language": self.language} if self.language else {}
        try:
            with path.open("rb") as handle:
                result = client.audio.transcriptions.create(model=self.model, file=handle, **extra)
        except openai.APIError as exc:
            raise TranscriptionFailed(
                f"the transcription server at {client.base_url} failed: {_short(exc)}"
            ) from exc
        text = getattr(result, "text", None)
        if not isinstance(text, str):
            raise TranscriptionFailed(
                f"expected a JSON body with a 'text' string from {client.base_url}, got {result!r}"
            )
        language = getattr(result, "language", None) or self.language
        return Transcript(text=text.strip(), language=language, backend=self.describe())

    def _client(self, openai: Any) -> Any:
        key = self.api_key or os.environ.get(self.api_key_env)
        if not key:
            if self.base_url is None:
                raise TranscriptionFailed(
                    f"expected an API key in ${self.api_key_env}, got none; export "
                    f"{self.api_key_env}=… or set base_url to a local server"
                )
            key = "not-needed"
        return openai.OpenAI(
            base_url=self.base_url,
            api_key=key,
            timeout=self.timeout_s,
            max_retries=self.max_retries,
        )


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
