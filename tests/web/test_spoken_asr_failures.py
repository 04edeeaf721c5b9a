"""The transcriber failing or hanging: the worker's page is told to wait, nothing is lost.

The failing backends subclass the real ``Transcriber`` base class and hand over to Whisper
tiny.en once their failures are used up; the recording is real espeak-ng speech.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from audio_speech import encode, speak
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

from crowdlens.audio import RetryPolicy, Transcriber, Transcript, TranscriptionFailed, retry_clip
from crowdlens.audio.whisper import WhisperTranscriber
from crowdlens.store.tables import AudioClip
from crowdlens.web import WebOptions, create_app

SAID = "A big black dog is lying in front of a small red house by the river."
PROJECT = spoken_project(
    "asr", qc={"min_seconds": 3, "min_words": 5, "keywords": {"required": 2, "of": 10}}
)


class Unreliable(Transcriber):
    """Hangs on the first call, fails on the next ``failures - 1``, then asks Whisper."""

    name = "unreliable"

    def __init__(self, whisper: WhisperTranscriber, failures: int, hang_s: float = 4.0) -> None:
        self.whisper = whisper
        self.failures = failures
        self.hang_s = hang_s
        self.calls = 0
        self._lock = threading.Lock()

    def transcribe(self, path: Path) -> Transcript:
        with self._lock:
            self.calls += 1
            call = self.calls
        if call == 1 and self.failures:
            time.sleep(self.hang_s)
        if call <= self.failures:
            raise TranscriptionFailed("expected an answer from the speech server, got HTTP 503")
        return self.whisper.transcribe(path)


def _client(root: Path, transcriber: Transcriber) -> TestClient:
    home = make_spoken_home(root, PROJECT, images=1)
    policy = RetryPolicy(timeout_s=2.0, max_attempts=3, retry_in_s=0.2, stale_after_s=60)
    options = WebOptions(transcriber=transcriber, transcription_poll_s=0.2, transcription=policy)
    return TestClient(create_app(home, options), follow_redirects=False)


@pytest.fixture
def recording(tmp_path: Path) -> bytes:
    return encode(speak(SAID, tmp_path / "said.wav"), "webm")


@pytest.fixture
def flaky(tmp_path: Path, whisper: WhisperTranscriber) -> Iterator[tuple[TestClient, Unreliable]]:
    transcriber = Unreliable(whisper, failures=2)
    with _client(tmp_path / "flaky", transcriber) as client:
        yield client, transcriber


def test_a_timeout_and_a_failure_show_a_retry_message_then_the_transcript(
    flaky: tuple[TestClient, Unreliable], recording: bytes
) -> None:
    client, transcriber = flaky
    token = start_worker(client, "asr", "w1")
    item_id = item_id_of(client, token)
    clip_id = upload(client, token, item_id, recording).json()["clip_id"]
    seen: list[str] = []
    clip = wait_for_transcript(client, token, clip_id, timeout=60, seen=seen)
    assert clip["state"] == "done" and "house" in clip["transcript"].lower()
    assert any("attempt 1 of 3 (the transcriber took longer than 2 seconds)" in e for e in seen)
    assert any("attempt 2 of 3 (expected an answer from the speech server" in e for e in seen)
    assert all("Your recording is saved and will be retried automatically" in e for e in seen)
    assert transcriber.calls == 3
    response = submit_recording(client, token, item_id, clip_id, "after-retries")
    assert response.status_code == 303, response.text
    assert "Your completion code" in client.get(f"/w/a/{token}").text


def test_a_transcriber_that_keeps_failing_loses_nothing(
    tmp_path: Path,
    recording: bytes,
    whisper: WhisperTranscriber,
) -> None:
    transcriber = Unreliable(whisper, failures=99, hang_s=0.0)
    with _client(tmp_path / "down", transcriber) as client:
        token = start_worker(client, "asr", "w1")
        item_id = item_id_of(client, token)
        clip_id = upload(client, token, item_id, recording).json()["clip_id"]
        clip = wait_for_transcript(client, token, clip_id, timeout=30)
        assert clip["state"] == "failed"
        assert "Transcription failed 3 times" in clip["error"]
        assert "Your recording is saved" in clip["error"]
        refused = submit_recording(client, token, item_id, clip_id, "too-early")
        assert refused.status_code == 422
        assert "expected a transcript of your answer to “description”, got none" in refused.text
        state = client.app.state.crowdlens  # type: ignore[attr-defined]
        with state.database.session() as session:
            stored = session.get_one(AudioClip, clip_id)
            assert state.media.path(stored.media_key).read_bytes() == recording
            retry_clip(session, clip_id=clip_id)  # the requester retries once ASR is back
        transcriber.failures = 0
        state.wake_transcription()
        clip = wait_for_transcript(client, token, clip_id, timeout=60)
        assert clip["state"] == "done" and "dog" in clip["transcript"].lower()
