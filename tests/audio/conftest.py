"""Audio fixtures: spoken clips and the Whisper tiny.en backend, made once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from audio_speech import DESCRIPTION, speak, write_wav


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def long_wav(speech_dir: Path) -> Path:
    """A spoken description of a little over a minute."""
    return speak(DESCRIPTION, speech_dir / "description.wav")


@pytest.fixture(scope="session")
def short_wav(speech_dir: Path) -> Path:
    """About ten seconds of speech."""
    text = "A red house stands by the river. A brown dog sleeps on the grass near the door."
    return speak(text, speech_dir / "short.wav", words_per_minute=110)


@pytest.fixture(scope="session")
def silent_wav(speech_dir: Path) -> Path:
    """Seventy seconds of near silence: a faint hiss well below speech level."""
    noise = np.random.default_rng(0).normal(0, 10 ** (-70 / 20), 70 * 16_000)
    return write_wav(speech_dir / "silence.wav", noise)
