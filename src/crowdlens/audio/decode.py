"""Decode a recording with PyAV: its format, real duration and loudness, from the samples.

Nothing here trusts what the browser or the container claims: the duration is the number of
decoded samples divided by the sample rate, and the format is what FFmpeg recognises.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from crowdlens.audio.errors import AudioRejected

SAMPLE_RATE = 16_000
FRAME_SECONDS = 0.03
#: FFmpeg's container names, and the file suffix crowdlens stores each under.
FORMATS = {
    "wav": "wav",
    "ogg": "ogg",
    "matroska,webm": "webm",
    "mp3": "mp3",
    "mov,mp4,m4a,3gp,3g2,mj2": "m4a",
}
ACCEPTED = "webm/opus, ogg, wav, mp3 or m4a"


@dataclass(frozen=True)
class AudioInfo:
    """What decoding a recording found out."""

    audio_format: str
    codec: str
    duration_s: float
    speech_s: float
    rms_dbfs: float
    peak_dbfs: float

    @property
    def suffix(self) -> str:
        return f".{self.audio_format}"


@dataclass(frozen=True)
class AudioLimits:
    """What a recording must satisfy to be stored. ``silence_dbfs`` is the speech level."""

    max_bytes: int = 25 * 1024 * 1024
    min_seconds: float = 0.0
    max_seconds: float = 15 * 60.0
    silence_dbfs: float = -45.0
    min_speech_s: float = 1.0


def probe_audio(data: bytes, *, silence_dbfs: float = -45.0) -> AudioInfo:
    """Decode ``data`` fully and measure it; raise :class:`AudioRejected` if it is not audio."""
    audio_format, codec, samples = decode_samples(data)
    return AudioInfo(
        audio_format=audio_format,
        codec=codec,
        duration_s=round(len(samples) / SAMPLE_RATE, 3),
        speech_s=round(speech_seconds(samples, silence_dbfs=silence_dbfs), 3),
        rms_dbfs=dbfs(float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0),
        peak_dbfs=dbfs(float(np.max(np.abs(samples))) if len(samples) else 0.0),
    )


def decode_samples(data: bytes) -> tuple[str, str, NDArray[np.float32]]:
    """The stored format name, the codec and the mono 16 kHz float samples of ``data``."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            audio_format = _accepted_format(container.format.name)
            if not container.streams.audio:
                raise _not_audio("a file with an audio stream", "no audio stream")
            if container.streams.video:
                raise _not_audio("an audio-only recording", "a file with video")
            stream = container.streams.audio[0]
            codec = stream.codec_context.name
            samples = _resampled(container, stream)
    except AudioRejected:
        raise
    except (av.FFmpegError, ValueError, EOFError) as exc:
        raise _not_audio("a recording that can be decoded", f"a damaged file ({exc})") from None
    if not len(samples):
        raise _not_audio("a recording with sound in it", "a file with no audio samples")
    return audio_format, codec, samples


def _resampled(container: object, stream: object) -> NDArray[np.float32]:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[NDArray[np.float32]] = []
    for frame in container.decode(stream):  # type: ignore[attr-defined]
        chunks.extend(_plane(out) for out in resampler.resample(frame))
    chunks.extend(_plane(out) for out in resampler.resample(None))
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def _plane(frame: object) -> NDArray[np.float32]:
    array = frame.to_ndarray()  # type: ignore[attr-defined]
    return np.asarray(array, dtype=np.float32).reshape(-1)


def _accepted_format(name: str) -> str:
    if name not in FORMATS:
        raise _not_audio(f"a {ACCEPTED} recording", f"a {name} file")
    return FORMATS[name]


def _not_audio(expected: str, got: str) -> AudioRejected:
    return AudioRejected(
        f"expected {expected}, got {got}; record again, or upload a {ACCEPTED} file"
    )


def speech_seconds(samples: NDArray[np.float32], *, silence_dbfs: float = -45.0) -> float:
    """Seconds of 30 ms frames whose loudness is above ``silence_dbfs``."""
    size = int(FRAME_SECONDS * SAMPLE_RATE)
    usable = len(samples) // size * size
    if usable == 0:
        return 0.0
    frames = samples[:usable].reshape(-1, size)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    threshold = 10 ** (silence_dbfs / 20)
    return float(np.count_nonzero(rms > threshold) * FRAME_SECONDS)


def dbfs(level: float) -> float:
    """A linear level (1.0 = full scale) in decibels; silence is -120 dB."""
    return round(20 * float(np.log10(max(level, 1e-6))), 1)


def check_audio(info: AudioInfo, limits: AudioLimits) -> None:
    """Raise :class:`AudioRejected` with the reason when a decoded recording is not usable."""
    if info.duration_s < limits.min_seconds:
        raise AudioRejected(
            f"expected a recording of at least {limits.min_seconds:g} seconds, got "
            f"{info.duration_s:.1f} seconds; keep talking until the timer passes "
            f"{limits.min_seconds:g} seconds"
        )
    if info.duration_s > limits.max_seconds:
        raise AudioRejected(
            f"expected a recording of at most {limits.max_seconds:g} seconds, got "
            f"{info.duration_s:.1f} seconds; record a shorter answer"
        )
    if info.speech_s < limits.min_speech_s or info.peak_dbfs < limits.silence_dbfs:
        raise AudioRejected(
            f"expected speech in the recording, got silence (loudest {info.peak_dbfs:.0f} dBFS, "
            f"{info.speech_s:.1f} s above {limits.silence_dbfs:g} dBFS); check that the "
            "microphone is on and not muted, then record again"
        )


def check_size(size: int, limits: AudioLimits) -> None:
    """Raise :class:`AudioRejected` for an upload bigger than ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise AudioRejected(
            f"expected a recording of at most {limits.max_bytes // (1024 * 1024)} MiB, got "
            f"{size / (1024 * 1024):.1f} MiB; record a shorter answer or upload a compressed "
            "file (webm, ogg, mp3 or m4a)"
        )
