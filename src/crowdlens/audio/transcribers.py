"""Transcription backends: a base class, the result type, and a registry by entry points.

Built-in backends register in ``pyproject.toml`` under ``crowdlens.transcribers`` exactly as
a third-party package would::

    [project.entry-points."crowdlens.transcribers"]
    whisper = "crowdlens.audio.whisper:WhisperTranscriber"
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

from crowdlens.errors import ConfigError

GROUP = "crowdlens.transcribers"


@dataclass(frozen=True)
class Transcript:
    """What a backend heard: the text, the language it detected (or was told) and who heard it."""

    text: str
    language: str | None
    backend: str


class Transcriber(ABC):
    """Turns one audio file into a :class:`Transcript`; raise ``TranscriptionFailed`` on failure.

    ``transcribe`` is blocking; :class:`~crowdlens.audio.worker.TranscriptionWorker` runs it in
    a thread. Heavy libraries are imported on first use, not when the class is built.
    """

    name: ClassVar[str] = ""

    @abstractmethod
    def transcribe(self, path: Path) -> Transcript:
        """Transcribe the audio file at ``path``."""

    def describe(self) -> str:
        """A short label of backend and model, stored with each transcript."""
        return self.name


def available_transcribers() -> dict[str, type[Transcriber]]:
    """Every registered backend by name (importing only the modules that define them)."""
    found: dict[str, type[Transcriber]] = {}
    for entry in entry_points(group=GROUP):
        cls = entry.load()
        if not (isinstance(cls, type) and issubclass(cls, Transcriber)):
            raise ConfigError(
                f"expected entry point {entry.name!r} in {GROUP} to be a Transcriber class, "
                f"got {cls!r}; fix the package that registers it"
            )
        found[entry.name] = cls
    return found


def get_transcriber(name: str, **options: Any) -> Transcriber:
    """Build the backend registered as ``name`` with its options (model, base_url, …)."""
    backends = available_transcribers()
    if name not in backends:
        known = ", ".join(sorted(backends)) or "none (pip install 'crowdlens[audio]')"
        raise ConfigError(f"expected a transcription backend in {known}, got {name!r}")
    try:
        return backends[name](**options)
    except TypeError as exc:
        raise ConfigError(
            f"transcriber {name!r}: {exc}; see docs/audio.md for its options"
        ) from None
