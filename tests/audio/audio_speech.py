"""Real speech for the tests: espeak-ng speaks, PyAV re-encodes, and a word error rate."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

#: About 190 words; espeak-ng at 150 words a minute speaks it in a little over a minute.
DESCRIPTION = (
    "The picture shows a small red house beside a quiet river. "
    "A brown dog is sleeping on the green grass near the front door. "
    "Two children are playing with a yellow ball in the garden. "
    "Their mother is watching them from an open window on the first floor. "
    "Behind the house there are tall trees and a few white clouds in the blue sky. "
    "On the left side of the picture an old man is fishing from a wooden boat. "
    "The water is calm and reflects the light of the afternoon sun. "
    "A black cat is sitting on the roof and looking at the birds. "
    "There is a bicycle leaning against the fence and a basket of apples on the table. "
    "Near the river a woman in a long green coat is walking with her little son. "
    "The boy is holding a kite shaped like a bird. "
    "In the distance you can see a church with a tall tower and a clock. "
    "The road in front of the house is made of stones and it is wet after the rain. "
    "Some flowers grow in pots on the windows, most of them are red and white. "
    "The mood of the scene is peaceful and warm, like a summer day in the country."
)
KEYWORDS = ["house", "river", "dog", "children", "ball", "boat", "cat", "bicycle", "kite", "church"]


def require_espeak() -> str:
    """The espeak-ng program; a missing one skips locally and fails in CI."""
    program = shutil.which("espeak-ng")
    if program is None:
        message = "espeak-ng is not installed; apt-get install espeak-ng"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return program


def speak(text: str, path: Path, *, words_per_minute: int = 150) -> Path:
    """Write ``text`` spoken by espeak-ng to the WAV file ``path``."""
    command = [require_espeak(), "-w", str(path), "-s", str(words_per_minute), text]
    subprocess.run(command, check=True, capture_output=True)
    return path


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """Write float samples in [-1, 1] as 16-bit mono PCM."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


#: Stored format: (PyAV container name, encoder, sample rate).
ENCODINGS = {
    "webm": ("webm", "libopus", 48_000),
    "ogg": ("ogg", "libopus", 48_000),
    "mp3": ("mp3", "libmp3lame", 22_050),
    "m4a": ("ipod", "aac", 22_050),
}


def encode(wav: Path, audio_format: str) -> bytes:
    """The WAV file re-encoded as ``audio_format`` (webm, ogg, mp3, m4a), or as it is for wav."""
    if audio_format == "wav":
        return wav.read_bytes()
    import av

    container_format, codec, rate = ENCODINGS[audio_format]
    buffer = io.BytesIO()
    with av.open(str(wav)) as source, av.open(buffer, "w", format=container_format) as target:
        stream = target.add_stream(codec, rate=rate, layout="mono")
        encoder = stream.codec_context
        resampler = av.AudioResampler(format=encoder.format, layout="mono", rate=rate)
        frame_size = encoder.frame_size or 1024
        fifo = av.AudioFifo()
        for frame in source.decode(audio=0):
            for out in resampler.resample(frame):
                fifo.write(out)
            _drain(fifo, stream, target, frame_size)
        for out in resampler.resample(None):
            fifo.write(out)
        _drain(fifo, stream, target, frame_size, final=True)
        target.mux(stream.encode(None))
    return buffer.getvalue()


def _drain(fifo, stream, target, frame_size: int, *, final: bool = False) -> None:  # type: ignore[no-untyped-def]
    while fifo.samples >= frame_size:
        target.mux(stream.encode(fifo.read(frame_size)))
    if final and fifo.samples:
        target.mux(stream.encode(fifo.read()))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance on words."""
    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            substitution = previous[j - 1] + (ref_word != hyp_word)
            current.append(min(previous[j] + 1, current[j - 1] + 1, substitution))
        previous = current
    return previous[-1] / len(ref)
