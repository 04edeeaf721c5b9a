"""Decoding recordings: formats, measured duration, silence, damaged files, limits."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from audio_speech import encode, word_error_rate
from PIL import Image

from crowdlens.audio import AudioLimits, AudioRejected, check_audio, probe_audio
from crowdlens.audio.decode import check_size

FORMATS = [
    pytest.param("wav", "pcm_s16le", id="wav-pcm"),
    pytest.param("webm", "opus", id="webm-opus"),
    pytest.param("ogg", "opus", id="ogg-opus"),
    pytest.param("mp3", "mp3", id="mp3"),
    pytest.param("m4a", "aac", id="m4a-aac"),
]


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as handle:
        return handle.getnframes() / handle.getframerate()


@pytest.mark.parametrize(("audio_format", "codec"), FORMATS)
def test_each_accepted_format_decodes_to_its_real_duration(
    long_wav: Path, audio_format: str, codec: str
) -> None:
    info = probe_audio(encode(long_wav, audio_format))
    assert info.audio_format == audio_format
    assert info.codec.startswith(codec)
    assert info.duration_s == pytest.approx(_wav_seconds(long_wav), abs=0.1)
    assert 60 < info.duration_s < 90
    assert info.speech_s > 40


def test_duration_comes_from_samples_not_the_header(long_wav: Path) -> None:
    """A WAV header that claims ten times more frames than there are does not fool it."""
    data = bytearray(long_wav.read_bytes())
    claimed = int.from_bytes(data[40:44], "little") * 10
    data[40:44] = min(claimed, 2**32 - 1).to_bytes(4, "little")
    assert probe_audio(bytes(data)).duration_s == pytest.approx(_wav_seconds(long_wav), abs=0.1)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 200, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def _flac(wav: Path) -> bytes:
    import av

    buffer = io.BytesIO()
    with av.open(str(wav)) as source, av.open(buffer, "w", format="flac") as target:
        stream = target.add_stream("flac", rate=22_050, layout="mono")
        for frame in source.decode(audio=0):
            frame.pts = None
            target.mux(stream.encode(frame))
        target.mux(stream.encode(None))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda wav: b"", "damaged file", id="empty"),
        pytest.param(lambda wav: b"\x13\x37" * 4000, "damaged file", id="random-bytes"),
        pytest.param(lambda wav: b"just some text\n" * 100, "damaged file", id="text"),
        pytest.param(lambda wav: _png(), "png_pipe file", id="png-image"),
        pytest.param(lambda wav: wav.read_bytes()[:44], "no audio samples", id="wav-header-only"),
        pytest.param(lambda wav: b"RIFF" + b"\x00" * 4000, "damaged file", id="fake-riff"),
        pytest.param(_flac, "flac file", id="flac-not-accepted"),
    ],
)
def test_non_audio_and_damaged_files_are_refused_with_a_message(
    short_wav: Path, make, expected: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AudioRejected, match=expected) as caught:
        probe_audio(make(short_wav))
    assert "webm/opus, ogg, wav, mp3 or m4a" in str(caught.value)


def test_truncated_webm_keeps_what_decodes_or_is_refused(long_wav: Path) -> None:
    """Half of an upload: either refused, or measured as the shorter clip it really is."""
    data = encode(long_wav, "webm")
    try:
        info = probe_audio(data[: len(data) // 2])
    except AudioRejected as exc:
        assert "expected" in str(exc)
    else:
        assert 20 < info.duration_s < 45


@pytest.mark.parametrize(
    ("clip", "limits", "expected"),
    [
        pytest.param("short_wav", AudioLimits(min_seconds=60), "at least 60 seconds", id="10s<60s"),
        pytest.param("long_wav", AudioLimits(max_seconds=30), "at most 30 seconds", id="too-long"),
        pytest.param("silent_wav", AudioLimits(min_seconds=60), "got silence", id="silence"),
    ],
)
def test_recordings_that_break_a_limit_are_refused(
    request: pytest.FixtureRequest, clip: str, limits: AudioLimits, expected: str
) -> None:
    info = probe_audio(request.getfixturevalue(clip).read_bytes())
    with pytest.raises(AudioRejected, match=expected):
        check_audio(info, limits)


def test_short_clip_is_about_ten_seconds(short_wav: Path) -> None:
    assert 7 < probe_audio(short_wav.read_bytes()).duration_s < 13


def test_long_speech_passes_the_limits(long_wav: Path) -> None:
    check_audio(probe_audio(encode(long_wav, "webm")), AudioLimits(min_seconds=60))


@pytest.mark.parametrize(
    ("size", "refused"),
    [pytest.param(1024, False, id="1KiB"), pytest.param(3 * 1024 * 1024, True, id="3MiB>2MiB")],
)
def test_size_limit(size: int, refused: bool) -> None:
    limits = AudioLimits(max_bytes=2 * 1024 * 1024)
    if refused:
        with pytest.raises(AudioRejected, match=r"at most 2 MiB, got 3\.0 MiB"):
            check_size(size, limits)
    else:
        check_size(size, limits)


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        pytest.param("a red house", "a red house", 0.0, id="same"),
        pytest.param("a red house", "a red mouse", 1 / 3, id="one-substitution"),
        pytest.param("a red house", "a house", 1 / 3, id="one-deletion"),
        pytest.param("a red house", "a big red house", 1 / 3, id="one-insertion"),
        pytest.param("A red, house.", "a red house", 0.0, id="case-and-punctuation"),
        pytest.param("a red house", "", 1.0, id="nothing-heard"),
    ],
)
def test_word_error_rate(reference: str, hypothesis: str, expected: float) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)
