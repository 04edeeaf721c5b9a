"""Errors of the audio capability, as branches of the one tree in :mod:`crowdlens.errors`."""

from __future__ import annotations

from crowdlens.errors import AnswerInvalid, CrowdlensError


class AudioRejected(AnswerInvalid):
    """A recording crowdlens refuses to store; the message tells the worker what to change."""


class TranscriptionFailed(CrowdlensError):
    """A transcription backend that failed, timed out or is not installed."""

    status_code = 503
