"""Stored recordings and their transcription state, as keyword-only functions over the store.

A clip moves ``pending`` → ``transcribing`` → ``done``. A failed or timed-out attempt goes
back to ``pending`` (retried after a pause) until ``max_attempts``, then ``failed``. The state
lives in the database, so a restarted server picks up where the last one stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crowdlens.audio.decode import AudioLimits, check_audio, check_size, probe_audio
from crowdlens.audio.transcribers import Transcript
from crowdlens.errors import Conflict, NotFound
from crowdlens.store.db import IMMEDIATE, Database
from crowdlens.store.media import MediaStore, sha256_hex
from crowdlens.store.tables import AudioClip, utcnow

STATES = ("pending", "transcribing", "done", "failed")


@dataclass(frozen=True)
class StoredAudio:
    """The clip a recording is stored as, and whether this call stored it (``False``: seen)."""

    clip: AudioClip
    created: bool


@dataclass(frozen=True)
class ClaimedClip:
    """A clip this caller now transcribes; ``attempt`` guards against a stale second worker."""

    id: int
    media_key: str
    attempt: int


def store_audio(
    session: Session,
    *,
    media: MediaStore,
    data: bytes,
    limits: AudioLimits | None = None,
    project_id: int | None = None,
    item_id: int | None = None,
    annotator_id: int | None = None,
    field: str | None = None,
) -> StoredAudio:
    """Check, store and queue a recording; the same bytes twice give the same clip."""
    limits = limits or AudioLimits()
    check_size(len(data), limits)
    sha256 = sha256_hex(data)
    existing = _by_sha256(session, sha256)
    if existing is not None:
        return StoredAudio(existing, created=False)
    info = probe_audio(data, silence_dbfs=limits.silence_dbfs)
    check_audio(info, limits)
    key, _ = media.put(data, suffix=info.suffix, sha256=sha256)
    clip = AudioClip(
        sha256=sha256,
        media_key=key,
        audio_format=info.audio_format,
        byte_size=len(data),
        duration_s=info.duration_s,
        speech_s=info.speech_s,
        project_id=project_id,
        item_id=item_id,
        annotator_id=annotator_id,
        field=field,
        state="pending",
        attempts=0,
    )
    return _insert_once(session, clip)


def _by_sha256(session: Session, sha256: str) -> AudioClip | None:
    return session.scalars(select(AudioClip).where(AudioClip.sha256 == sha256)).first()


def _insert_once(session: Session, clip: AudioClip) -> StoredAudio:
    """Insert ``clip``; if another request stored the same bytes meanwhile, return that one."""
    try:
        with session.begin_nested():
            session.add(clip)
    except IntegrityError:
        existing = _by_sha256(session, clip.sha256)
        if existing is None:
            raise
        return StoredAudio(existing, created=False)
    return StoredAudio(clip, created=True)


def get_clip(session: Session, *, clip_id: int) -> AudioClip:
    clip = session.get(AudioClip, clip_id)
    if clip is None:
        raise NotFound(f"expected an existing audio clip id, got {clip_id}")
    return clip


def claim_pending(
    database: Database,
    *,
    limit: int = 1,
    stale_after_s: float = 900.0,
    now: datetime | None = None,
) -> list[ClaimedClip]:
    """Atomically move up to ``limit`` due clips to ``transcribing`` and return them.

    Due means pending and past its retry pause, or ``transcribing`` for longer than
    ``stale_after_s`` (its worker died). Two workers never claim the same clip: SQLite takes
    the write lock first, PostgreSQL skips rows another transaction has locked.
    """
    now = now or utcnow()
    with database.session() as session:
        session.connection(execution_options=IMMEDIATE)
        clips = session.scalars(_due_query(now, stale_after_s, limit)).all()
        for clip in clips:
            clip.state = "transcribing"
            clip.attempts += 1
            clip.claimed_at = now
        return [ClaimedClip(c.id, c.media_key, c.attempts) for c in clips]


def _due_query(now: datetime, stale_after_s: float, limit: int) -> Select[AudioClip]:
    pending = and_(
        AudioClip.state == "pending",
        or_(AudioClip.next_attempt_at.is_(None), AudioClip.next_attempt_at <= now),
    )
    abandoned = and_(
        AudioClip.state == "transcribing",
        AudioClip.claimed_at <= now - timedelta(seconds=stale_after_s),
    )
    return (
        select(AudioClip)
        .where(or_(pending, abandoned))
        .order_by(AudioClip.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def record_transcript(session: Session, *, claimed: ClaimedClip, transcript: Transcript) -> bool:
    """Store the transcript of a claimed clip; ``False`` if the claim was lost meanwhile."""
    clip = _still_claimed(session, claimed)
    if clip is None:
        return False
    clip.state = "done"
    clip.transcript = transcript.text
    clip.language = transcript.language
    clip.backend = transcript.backend
    clip.error = None
    clip.next_attempt_at = None
    return True


def record_failure(
    session: Session,
    *,
    claimed: ClaimedClip,
    reason: str,
    max_attempts: int = 3,
    retry_in_s: float = 30.0,
) -> str | None:
    """Note a failed attempt: back to ``pending`` after a pause, or ``failed`` after the last.

    Returns the new state, or ``None`` if the claim was lost meanwhile.
    """
    clip = _still_claimed(session, claimed)
    if clip is None:
        return None
    if clip.attempts >= max_attempts:
        clip.state = "failed"
        clip.error = (
            f"Transcription failed {clip.attempts} times ({reason}). Your recording is saved; "
            "please wait for the requester to retry it, or record again."
        )
    else:
        clip.state = "pending"
        clip.next_attempt_at = utcnow() + timedelta(seconds=retry_in_s)
        clip.error = (
            f"Transcription did not work on attempt {clip.attempts} of {max_attempts} "
            f"({reason}). Your recording is saved and will be retried automatically."
        )
    return clip.state


def _still_claimed(session: Session, claimed: ClaimedClip) -> AudioClip | None:
    clip = get_clip(session, clip_id=claimed.id)
    if clip.state != "transcribing" or clip.attempts != claimed.attempt:
        return None
    return clip


def retry_clip(session: Session, *, clip_id: int) -> AudioClip:
    """Queue a ``failed`` clip again, with a fresh count of attempts."""
    clip = get_clip(session, clip_id=clip_id)
    if clip.state != "failed":
        raise Conflict(f"expected a failed clip to retry, got clip {clip_id} in state {clip.state}")
    clip.state = "pending"
    clip.attempts = 0
    clip.next_attempt_at = None
    return clip


def count_by_state(session: Session) -> dict[str, int]:
    """How many clips are in each state (every state listed, zero included)."""
    counts = dict.fromkeys(STATES, 0)
    query = select(AudioClip.state, func.count()).group_by(AudioClip.state)
    for clip_state, n in session.execute(query):
        counts[clip_state] = n
    return counts
