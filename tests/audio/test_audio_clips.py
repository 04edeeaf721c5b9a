"""Stored clips and durable transcription, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from asr_server import AsrServer
from audio_speech import encode

from crowdlens.audio import (
    AudioLimits,
    AudioRejected,
    RetryPolicy,
    Transcriber,
    Transcript,
    TranscriptionWorker,
    claim_pending,
    count_by_state,
    get_clip,
    record_transcript,
    retry_clip,
    store_audio,
    transcribe_pending,
)
from crowdlens.audio.openai_asr import OpenAITranscriber
from crowdlens.audio.whisper import WhisperTranscriber
from crowdlens.store.db import Database
from crowdlens.store.media import MediaStore

NO_PAUSE = RetryPolicy(timeout_s=60, max_attempts=2, retry_in_s=0)


class SlowTranscriber(Transcriber):
    """A backend that hangs longer than any timeout the tests set."""

    name = "slow"

    def transcribe(self, path: Path) -> Transcript:
        time.sleep(3)
        return Transcript(text="too late", language="en", backend=self.name)


def _store(database: Database, media: MediaStore, data: bytes, **limits: float) -> int:
    with database.session() as session:
        return store_audio(session, media=media, data=data, limits=AudioLimits(**limits)).clip.id


def _clip(database: Database, clip_id: int):  # type: ignore[no-untyped-def]
    with database.session() as session:
        return get_clip(session, clip_id=clip_id)


def _media_files(media: MediaStore) -> list[Path]:
    return [p for p in media.root.rglob("*") if p.is_file()]


def test_same_audio_twice_is_stored_once(
    database: Database, media: MediaStore, short_wav: Path
) -> None:
    data = encode(short_wav, "webm")
    with database.session() as session:
        first = store_audio(session, media=media, data=data, item_id=None, field="caption")
    with database.session() as session:
        second = store_audio(session, media=media, data=data)
    assert (first.created, second.created) == (True, False)
    assert first.clip.id == second.clip.id
    assert len(_media_files(media)) == 1
    assert first.clip.media_key.endswith(".webm")
    assert first.clip.state == "pending"
    assert 7 < first.clip.duration_s < 13


@pytest.mark.parametrize(
    ("clip", "limits", "message"),
    [
        pytest.param("short_wav", {"min_seconds": 60}, "at least 60 seconds", id="too-short"),
        pytest.param("silent_wav", {}, "got silence", id="silence"),
        pytest.param("short_wav", {"max_bytes": 1000}, "at most 0 MiB", id="oversized"),
    ],
)
def test_refused_recordings_leave_nothing_behind(
    request: pytest.FixtureRequest,
    database: Database,
    media: MediaStore,
    clip: str,
    limits: dict[str, float],
    message: str,
) -> None:
    data = request.getfixturevalue(clip).read_bytes()
    with pytest.raises(AudioRejected, match=message):
        _store(database, media, data, **limits)
    with database.session() as session:
        assert sum(count_by_state(session).values()) == 0
    assert _media_files(media) == []


def test_claims_are_atomic_across_threads(
    database: Database, media: MediaStore, short_wav: Path
) -> None:
    ids = {_store(database, media, encode(short_wav, fmt)) for fmt in ("wav", "ogg", "mp3")}
    claimed: list[int] = []
    barrier = threading.Barrier(6)

    def claim() -> None:
        barrier.wait()
        claimed.extend(c.id for c in claim_pending(database, limit=1))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(ids)
    assert claim_pending(database) == []


def test_backend_failure_keeps_the_clip_and_retries(
    database: Database, media: MediaStore, short_wav: Path, whisper: WhisperTranscriber
) -> None:
    clip_id = _store(database, media, encode(short_wav, "ogg"))
    with AsrServer(lambda path: whisper.transcribe(path).text) as server:
        backend = OpenAITranscriber(base_url=server.base_url, model="tiny.en")
        server.mode = "error"
        report = transcribe_pending(database, media, backend, policy=NO_PAUSE, limit=1)
        clip = _clip(database, clip_id)
        assert report.retrying == [clip_id]
        assert clip.state == "pending"
        assert "attempt 1 of 2" in clip.error and "the GPU fell over" in clip.error
        assert "will be retried automatically" in clip.error

        transcribe_pending(database, media, backend, policy=NO_PAUSE, limit=1)
        assert _clip(database, clip_id).state == "failed"
        assert media.exists(clip.media_key)

        with database.session() as session:
            retry_clip(session, clip_id=clip_id)
        server.mode = "ok"
        report = transcribe_pending(database, media, backend, policy=NO_PAUSE)
    clip = _clip(database, clip_id)
    assert report.done == [clip_id]
    assert (clip.state, clip.error, clip.backend) == ("done", None, "openai:tiny.en")
    assert "river" in clip.transcript.lower()
    assert [r["model"] for r in server.requests] == ["tiny.en"] * 3


def test_timeout_leaves_the_clip_retryable(
    database: Database, media: MediaStore, short_wav: Path, whisper: WhisperTranscriber
) -> None:
    clip_id = _store(database, media, short_wav.read_bytes())
    policy = RetryPolicy(timeout_s=0.3, max_attempts=3, retry_in_s=0)
    report = transcribe_pending(database, media, SlowTranscriber(), policy=policy, limit=1)
    clip = _clip(database, clip_id)
    assert report.retrying == [clip_id]
    assert clip.state == "pending"
    assert "took longer than 0.3 seconds" in clip.error

    transcribe_pending(database, media, whisper, policy=NO_PAUSE)
    assert _clip(database, clip_id).state == "done"


def test_retry_waits_for_its_pause(database: Database, media: MediaStore, short_wav: Path) -> None:
    _store(database, media, short_wav.read_bytes())
    policy = RetryPolicy(timeout_s=0.2, retry_in_s=3600)
    transcribe_pending(database, media, SlowTranscriber(), policy=policy)
    assert claim_pending(database) == []


def test_a_restart_resumes_an_abandoned_clip(
    database: Database, media: MediaStore, short_wav: Path, whisper: WhisperTranscriber
) -> None:
    clip_id = _store(database, media, short_wav.read_bytes())
    (crashed,) = claim_pending(database)  # a worker took it, then the server died
    assert transcribe_pending(database, media, whisper).handled == 0  # still leased

    report = transcribe_pending(database, media, whisper, policy=RetryPolicy(stale_after_s=0))
    assert report.done == [clip_id]
    late = Transcript(text="from the dead worker", language="en", backend="whisper")
    with database.session() as session:
        assert record_transcript(session, claimed=crashed, transcript=late) is False
    clip = _clip(database, clip_id)
    assert clip.attempts == 2
    assert "dog" in clip.transcript.lower()


def test_worker_transcribes_in_the_background_until_stopped(
    sqlite_database: Database, media: MediaStore, short_wav: Path, whisper: WhisperTranscriber
) -> None:
    async def scenario() -> str:
        worker = TranscriptionWorker(sqlite_database, media, whisper, poll_s=30)
        await worker.start()
        clip_id = _store(sqlite_database, media, encode(short_wav, "m4a"))
        worker.wake()  # without it the next poll would be 30 s away
        for _ in range(200):
            clip = _clip(sqlite_database, clip_id)
            if clip.state == "done":
                break
            await asyncio.sleep(0.1)
        await worker.stop()
        assert not worker.running
        return str(clip.state)

    assert asyncio.run(scenario()) == "done"
