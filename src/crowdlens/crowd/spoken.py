"""Spoken answers: a worker's recording for a ``text`` field with ``spoken: true``.

The recording is stored and measured by :mod:`crowdlens.audio` and transcribed in the
background; its transcript, never what the browser shows, becomes the field's answer when the
item is submitted. A recording belongs to one worker, item and field: the same bytes sent again
by that worker give the same clip, from anyone else (or for another picture) they are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crowdlens.audio import AudioLimits, AudioRejected, get_clip, store_audio
from crowdlens.crowd.progress import load_assignment
from crowdlens.errors import AnswerInvalid, Forbidden
from crowdlens.schema import LabelSchema, TextField
from crowdlens.store.db import Database
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import project_schema
from crowdlens.store.tables import AssignmentItem, AudioClip, Project

DEFAULT_MAX_AUDIO_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class Recording:
    """What the worker's page shows about one recording."""

    clip_id: int
    state: str
    duration_s: float
    transcript: str | None
    error: str | None
    created: bool = False


@dataclass(frozen=True)
class RecordingUpload:
    assignment_id: int
    annotator_id: int
    item_id: int
    field: str
    data: bytes


def store_recording(
    database: Database,
    media: MediaStore,
    upload: RecordingUpload,
    *,
    max_bytes: int = DEFAULT_MAX_AUDIO_BYTES,
) -> Recording:
    """Check and store a recording for one item of the worker's assignment, queued to transcribe.

    Raises :class:`AudioRejected` (422) with a message for the worker when it is too short,
    silent, too large, not audio, or someone else's recording.
    """
    with database.session() as session:
        assignment = load_assignment(
            session, assignment_id=upload.assignment_id, annotator_id=upload.annotator_id
        )
        if assignment.status != "leased":
            raise Forbidden(f"expected an open assignment, got one that is {assignment.status}")
        if session.get(AssignmentItem, (assignment.id, upload.item_id)) is None:
            raise Forbidden(f"expected an item of your assignment, got item {upload.item_id}")
        schema = project_schema(session.get_one(Project, assignment.project_id))
        spoken = spoken_field(schema, upload.field)
        limits = AudioLimits(min_seconds=min_seconds(schema, spoken), max_bytes=max_bytes)
        stored = store_audio(
            session, media=media, data=upload.data, limits=limits,
            project_id=assignment.project_id, item_id=upload.item_id,
            annotator_id=upload.annotator_id, field=upload.field,
        )  # fmt: skip
        _check_owner(stored.clip, upload)
        return _recording(stored.clip, created=stored.created)


def spoken_field(schema: LabelSchema, name: str) -> TextField:
    """The project's spoken text field ``name``, else :class:`AnswerInvalid`."""
    spoken = [f for f in schema.fields if isinstance(f, TextField) and f.spoken]
    for candidate in spoken:
        if candidate.name == name:
            return candidate
    names = ", ".join(f.name for f in spoken) or "none"
    raise AnswerInvalid(f"expected a spoken question of this project ({names}), got {name!r}")


def min_seconds(schema: LabelSchema, spoken: TextField) -> float:
    """The field's ``min_seconds``, else the project's ``qc.min_seconds``, else 0."""
    project = schema.qc.get("min_seconds")
    fallback = float(project) if isinstance(project, int | float) and project else 0.0
    return spoken.min_seconds or fallback


def _check_owner(clip: AudioClip, upload: RecordingUpload) -> None:
    mine = (clip.annotator_id, clip.item_id, clip.field) == (
        upload.annotator_id,
        upload.item_id,
        upload.field,
    )
    if not mine:
        raise AudioRejected(
            "expected a new recording of your own, got one that was already submitted "
            "(by someone else or for another picture); record your own description"
        )


def recording_state(session: Session, *, clip_id: int, annotator_id: int) -> Recording:
    """A recording's transcription state, for the worker who made it only."""
    clip = get_clip(session, clip_id=clip_id)
    if clip.annotator_id != annotator_id:
        raise Forbidden("expected one of your own recordings, got another worker's")
    return _recording(clip)


def _recording(clip: AudioClip, *, created: bool = False) -> Recording:
    return Recording(
        clip_id=clip.id,
        state=clip.state,
        duration_s=clip.duration_s,
        transcript=clip.transcript if clip.state == "done" else None,
        error=clip.error if clip.state != "done" else None,
        created=created,
    )


@dataclass(frozen=True)
class SpokenAnswers:
    """Transcripts standing in for the spoken fields' answers, with their recordings' lengths."""

    texts: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    signals: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, schema: LabelSchema, answers: Mapping[str, Any]) -> dict[str, Any]:
        """``answers`` with spoken fields taken from transcripts only (typing them is ignored)."""
        spoken = {f.name for f in schema.fields if isinstance(f, TextField) and f.spoken}
        return {**{k: v for k, v in answers.items() if k not in spoken}, **self.texts}


def spoken_answers(
    session: Session,
    schema: LabelSchema,
    *,
    annotator_id: int,
    item_id: int,
    recordings: Mapping[str, int],
) -> SpokenAnswers:
    """The transcripts of the recordings a submission names, checked to be this worker's own.

    A recording still being transcribed (or whose transcription failed) is refused with the
    state as the message, so the worker waits or records again; nothing is stored.
    """
    result = SpokenAnswers()
    for name, clip_id in recordings.items():
        spoken_field(schema, name)
        clip = get_clip(session, clip_id=clip_id)
        if (clip.annotator_id, clip.item_id, clip.field) != (annotator_id, item_id, name):
            raise Forbidden(f"expected your recording for this picture, got recording {clip_id}")
        if clip.state != "done":
            raise AnswerInvalid(_not_ready(name, clip))
        result.texts[name] = (clip.transcript or "").strip()
        result.seconds[name] = clip.duration_s
        result.signals.append(_recording_signal(name, clip))
    return result


def _not_ready(name: str, clip: AudioClip) -> str:
    if clip.state == "failed":
        return f"expected a transcript of your answer to “{name}”, got none: {clip.error}"
    return (
        f"expected a finished transcript of your answer to “{name}”, got one still "
        "transcribing; wait until the transcript appears, then submit"
    )


def _recording_signal(name: str, clip: AudioClip) -> dict[str, Any]:
    """Kept with the attempt (like paste counts): which recording it was, always passing."""
    return {
        "name": "recording",
        "field": name,
        "score": 1.0,
        "passed": True,
        "reason": f"recording {clip.id}: {clip.duration_s:.1f} s {clip.audio_format}",
        "signal": True,
        "clip_id": clip.id,
    }
