"""Spoken answers over HTTP against the real app: upload, measure, transcribe, check, resubmit.

Speech is espeak-ng; the transcriber is Whisper tiny.en (faster-whisper) run by the app's
lifespan worker. The long description is uploaded and transcribed once for the module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from audio_speech import DESCRIPTION, encode, speak, word_error_rate, words, write_wav
from fastapi.testclient import TestClient
from spoken_helpers import (
    item_id_of,
    make_spoken_home,
    spoken_project,
    start_worker,
    submit_recording,
    upload,
    wait_for_transcript,
)
from sqlalchemy import func, select

from crowdlens.audio import RetryPolicy
from crowdlens.audio.whisper import WhisperTranscriber
from crowdlens.store.db import Database
from crowdlens.store.media import sha256_hex
from crowdlens.store.tables import Annotation, AudioClip
from crowdlens.textqc.verdict import STOPWORDS
from crowdlens.web import WebOptions, create_app

MAX_WER = 0.20
FAST_RETRY = RetryPolicy(timeout_s=30, max_attempts=3, retry_in_s=0.2, stale_after_s=60)
#: Short spoken answers: a few seconds, 2 of 10 keywords needed.
SNAPS = spoken_project(
    "snaps",
    qc={"min_seconds": 3, "min_words": 5, "keywords": {"required": 2, "of": 10}, "max_attempts": 3},
)
ONE_KEYWORD = "A big black dog is lying on the green grass in the sun."
TWO_KEYWORDS = "A big black dog is lying in front of a small red house by the river."


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="module")
def client(
    tmp_path_factory: pytest.TempPathFactory, whisper: WhisperTranscriber
) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("spoken")
    home = make_spoken_home(root, spoken_project(), SNAPS, images=2)
    options = WebOptions(transcriber=whisper, transcription_poll_s=0.5, transcription=FAST_RETRY)
    with TestClient(create_app(home, options), follow_redirects=False) as test_client:
        yield test_client


def database(client: TestClient) -> Database:
    db: Database = client.app.state.crowdlens.database  # type: ignore[attr-defined]
    return db


_workers = itertools.count(1)


def new_worker(client: TestClient, project: str = "scenes") -> tuple[str, int]:
    token = start_worker(client, project, f"speaker{next(_workers)}")
    return token, item_id_of(client, token)


@dataclass(frozen=True)
class Described:
    token: str
    item_id: int
    clip: dict[str, Any]
    again: dict[str, Any]
    data: bytes


@pytest.fixture(scope="module")
def described(client: TestClient, speech: Path) -> Described:
    """A 60+ s spoken description in the browser's format, uploaded (twice) and transcribed."""
    data = encode(speak(DESCRIPTION, speech / "description.wav"), "webm")
    token, item_id = new_worker(client)
    response = upload(client, token, item_id, data)
    assert response.status_code == 200, response.text
    first = response.json()
    again = upload(client, token, item_id, data).json()
    clip = wait_for_transcript(client, token, first["clip_id"])
    return Described(token, item_id, {**clip, "created": first["created"]}, again, data)


def test_a_long_description_is_transcribed_within_the_wer_bound(described: Described) -> None:
    clip = described.clip
    assert clip["state"] == "done" and clip["duration_s"] > 60
    error = word_error_rate(DESCRIPTION, clip["transcript"])
    print(f"WER over HTTP (webm/opus, Whisper tiny.en): {error:.3f}")
    assert error <= MAX_WER
    content = {w for w in words(DESCRIPTION) if w not in STOPWORDS}
    heard = set(words(clip["transcript"]))
    assert len(content & heard) / len(content) >= 0.8


def test_the_same_audio_twice_is_stored_once(client: TestClient, described: Described) -> None:
    assert described.clip["created"] is True
    assert described.again["clip_id"] == described.clip["clip_id"]
    assert described.again["created"] is False
    other_token, other_item = new_worker(client)
    copied = upload(client, other_token, other_item, described.data)
    assert copied.status_code == 422
    assert "expected a new recording of your own" in copied.json()["detail"]
    with database(client).session() as session:
        query = select(func.count()).where(AudioClip.sha256 == sha256_hex(described.data))
        assert session.scalar(query) == 1


def test_the_transcript_is_the_answer_and_passing_gives_the_code(
    client: TestClient, described: Described
) -> None:
    clip_id = described.clip["clip_id"]
    response = submit_recording(client, described.token, described.item_id, clip_id, "long-1")
    assert response.status_code == 303, response.text
    assert "Your completion code" in client.get(f"/w/a/{described.token}").text
    with database(client).session() as session:
        query = select(Annotation).where(Annotation.item_id == described.item_id)
        stored = session.scalars(query).one()
        assert stored.status == "submitted"
        assert stored.answers["description"] == described.clip["transcript"]
        names = {v["name"] for v in stored.qc}
    assert {"min_duration", "min_words", "keyword_coverage", "recording"} <= names


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        pytest.param("short", 422, "expected a recording of at least 60 seconds, got", id="10s"),
        pytest.param("silence", 422, "expected speech in the recording, got silence", id="silent"),
        pytest.param("text", 422, "a webm/opus, ogg, wav, mp3 or m4a", id="not-audio"),
        pytest.param("huge", 413, "expected a request body of at most", id="oversized"),
    ],
)
def test_bad_recordings_are_refused_with_a_message(
    client: TestClient, speech: Path, make: str, status: int, message: str
) -> None:
    token, item_id = new_worker(client)
    before = _clip_count(client)
    response = upload(client, token, item_id, _bad_recording(make, speech))
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert _clip_count(client) == before


def _clip_count(client: TestClient) -> int:
    with database(client).session() as session:
        return int(session.scalar(select(func.count()).select_from(AudioClip)) or 0)


def _bad_recording(kind: str, folder: Path) -> bytes:
    if kind == "short":
        text = "A red house stands by the river. A brown dog sleeps on the grass near the door."
        wav = speak(text, folder / "short.wav", words_per_minute=80)  # about ten seconds
        return wav.read_bytes()
    if kind == "silence":
        noise = np.random.default_rng(0).normal(0, 10 ** (-70 / 20), 70 * 16_000)
        return write_wav(folder / "silence.wav", noise).read_bytes()
    if kind == "text":
        return b"RIFF\x24\x00\x00\x00WAVEfmt " + b"this is not sound at all " * 100
    return b"\0" * (26 * 1024 * 1024)


def test_one_keyword_fails_with_the_reason_and_two_pass(client: TestClient, speech: Path) -> None:
    token, item_id = new_worker(client, "snaps")
    first = _say(client, token, item_id, speech, ONE_KEYWORD, "one")
    page = submit_recording(client, token, item_id, first["clip_id"], "kw-1")
    assert page.status_code == 200, page.text
    alert = page.text[page.text.find("qc-alert") :][:900]
    assert "You mentioned 1 of 10 main things in the picture; at least 2 are needed" in alert, alert
    assert "2 more tries" in page.text
    second = _say(client, token, item_id, speech, TWO_KEYWORDS, "two")
    done = submit_recording(client, token, item_id, second["clip_id"], "kw-2")
    assert done.status_code == 303, done.text
    assert "Your completion code" in client.get(f"/w/a/{token}").text
    with database(client).session() as session:
        query = select(Annotation.status, Annotation.answers).where(Annotation.item_id == item_id)
        attempts = session.execute(query.order_by(Annotation.id)).all()
    assert [status for status, _ in attempts] == ["failed", "submitted"]
    assert "dog" in attempts[0][1]["description"].lower()


def _say(
    client: TestClient, token: str, item_id: int, folder: Path, text: str, name: str
) -> dict[str, Any]:
    data = encode(speak(text, folder / f"{name}.wav"), "ogg")
    stored = upload(client, token, item_id, data)
    assert stored.status_code == 200, stored.text
    clip = wait_for_transcript(client, token, stored.json()["clip_id"])
    assert clip["state"] == "done", clip
    return clip


def test_someone_elses_or_an_unknown_recording_cannot_be_submitted(client: TestClient) -> None:
    token, item_id = new_worker(client, "snaps")
    page = submit_recording(client, token, item_id, 999_999, "missing")
    assert page.status_code == 404
    assert "expected an existing audio clip id, got 999999" in page.text
