"""Who a worker is, read from the parameters a platform puts on the entry URL.

Mechanical Turk sends ``workerId``, ``assignmentId``, ``hitId`` and ``turkSubmitTo``; Prolific
sends ``PROLIFIC_PID``, ``STUDY_ID`` and ``SESSION_ID``; a plain link carries ``worker``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from crowdlens.errors import AnswerInvalid

WORKER_ID = re.compile(r"^[A-Za-z0-9_.@:-]{1,128}$")
MTURK_PREVIEW = "ASSIGNMENT_ID_NOT_AVAILABLE"
_MTURK_KEYS = ("assignmentId", "hitId", "turkSubmitTo")
_PROLIFIC_KEYS = ("STUDY_ID", "SESSION_ID")


@dataclass(frozen=True)
class WorkerIdentity:
    """A worker on a platform, plus the platform's ids for this piece of work."""

    platform: str
    worker_id: str
    external: dict[str, str] = field(default_factory=dict)


def identity_from_params(params: Mapping[str, str]) -> WorkerIdentity | None:
    """The worker named by entry-URL ``params``, or None when no worker id is given.

    Raises :class:`AnswerInvalid` for an id with characters no platform uses.
    """
    if params.get("workerId"):
        return _identity("mturk", params["workerId"], params, _MTURK_KEYS)
    if params.get("PROLIFIC_PID"):
        return _identity("prolific", params["PROLIFIC_PID"], params, _PROLIFIC_KEYS)
    if params.get("worker"):
        return _identity("web", params["worker"], params, ())
    return None


def is_mturk_preview(params: Mapping[str, str]) -> bool:
    """MTurk shows the task before a worker accepts it, with this placeholder assignment id."""
    return params.get("assignmentId") == MTURK_PREVIEW


def _identity(
    platform: str, worker_id: str, params: Mapping[str, str], keys: tuple[str, ...]
) -> WorkerIdentity:
    worker_id = worker_id.strip()
    if not WORKER_ID.match(worker_id):
        raise AnswerInvalid(
            "expected a worker id of 1-128 letters, digits or _.@:- characters, "
            f"got {worker_id[:40]!r}; check the link you were given"
        )
    external = {k: str(params[k])[:300] for k in keys if params.get(k)}
    return WorkerIdentity(platform, worker_id, external)
