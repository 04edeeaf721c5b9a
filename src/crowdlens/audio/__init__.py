"""Spoken answers: store recordings by content, measure them, transcribe them in the background.

See docs/audio.md. Heavy libraries (PyAV, faster-whisper, openai) load on first use.
"""

from __future__ import annotations

from crowdlens.audio.clips import (
    ClaimedClip,
    StoredAudio,
    claim_pending,
    count_by_state,
    get_clip,
    record_failure,
    record_transcript,
    retry_clip,
    store_audio,
)
from crowdlens.audio.decode import AudioInfo, AudioLimits, check_audio, probe_audio
from crowdlens.audio.errors import AudioRejected, TranscriptionFailed
from crowdlens.audio.transcribers import (
    Transcriber,
    Transcript,
    available_transcribers,
    get_transcriber,
)
from crowdlens.audio.worker import PassReport, RetryPolicy, TranscriptionWorker, transcribe_pending

__all__ = [
    "AudioInfo",
    "AudioLimits",
    "AudioRejected",
    "ClaimedClip",
    "PassReport",
    "RetryPolicy",
    "StoredAudio",
    "Transcriber",
    "Transcript",
    "TranscriptionFailed",
    "TranscriptionWorker",
    "available_transcribers",
    "check_audio",
    "claim_pending",
    "count_by_state",
    "get_clip",
    "get_transcriber",
    "probe_audio",
    "record_failure",
    "record_transcript",
    "retry_clip",
    "store_audio",
    "transcribe_pending",
]
