"""Recordings on the worker page: upload one for a spoken question, then poll its transcript.

Both answer JSON (errors too, as ``{"error", "detail"}``): the page's script calls them.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from crowdlens.crowd.spoken import RecordingUpload, recording_state, store_recording
from crowdlens.web.state import State
from crowdlens.web.tokens import read_assignment_token

router = APIRouter(prefix="/w/a/{token}/audio", include_in_schema=False)


class RecordingPublic(BaseModel):
    """A recording as the worker's page shows it."""

    clip_id: int
    state: str
    duration_s: float
    transcript: str | None
    error: str | None
    created: bool = False


@router.post("")
async def upload(
    token: str, item_id: int, field: str, request: Request, state: State
) -> RecordingPublic:
    """Store the request body as the recording for ``field`` of ``item_id``; queue it."""
    ref = read_assignment_token(state.secret_key, token)
    data = await request.body()
    upload = RecordingUpload(ref.assignment_id, ref.annotator_id, item_id, field, data)
    recording = await run_in_threadpool(
        store_recording, state.database, state.media, upload,
        max_bytes=state.settings.max_audio_bytes,
    )  # fmt: skip
    state.wake_transcription()
    return RecordingPublic(**asdict(recording))


@router.get("/{clip_id}")
def status(token: str, clip_id: int, state: State) -> RecordingPublic:
    """Where the recording's transcription stands: pending, transcribing, done or failed."""
    ref = read_assignment_token(state.secret_key, token)
    with state.database.session() as session:
        recording = recording_state(session, clip_id=clip_id, annotator_id=ref.annotator_id)
    return RecordingPublic(**asdict(recording))
