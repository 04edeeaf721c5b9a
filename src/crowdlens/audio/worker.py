"""Background transcription: one pass over due clips, and an asyncio worker for the web app.

``transcribe_pending`` is a plain function (the CLI, a cron job and the tests call it);
``TranscriptionWorker`` runs it in a thread from an asyncio task until stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from crowdlens.audio.clips import ClaimedClip, claim_pending, record_failure, record_transcript
from crowdlens.audio.transcribers import Transcriber, Transcript
from crowdlens.errors import CrowdlensError
from crowdlens.store.db import Database
from crowdlens.store.media import MediaStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How long one attempt may take, how often to try, and the pause between tries."""

    timeout_s: float = 300.0
    max_attempts: int = 3
    retry_in_s: float = 30.0
    stale_after_s: float = 900.0


@dataclass
class PassReport:
    """What one pass did: clip ids transcribed, queued again, and given up on."""

    done: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return len(self.done) + len(self.retrying) + len(self.failed)


def transcribe_pending(
    database: Database,
    media: MediaStore,
    transcriber: Transcriber,
    *,
    limit: int | None = None,
    policy: RetryPolicy | None = None,
) -> PassReport:
    """Transcribe due clips one at a time until none is due (or ``limit`` were handled)."""
    policy = policy or RetryPolicy()
    report = PassReport()
    while limit is None or report.handled < limit:
        claimed = claim_pending(database, limit=1, stale_after_s=policy.stale_after_s)
        if not claimed:
            break
        _transcribe_one(database, media, transcriber, claimed[0], policy, report)
    return report


def _transcribe_one(
    database: Database,
    media: MediaStore,
    transcriber: Transcriber,
    claimed: ClaimedClip,
    policy: RetryPolicy,
    report: PassReport,
) -> None:
    path = media.path(claimed.media_key)
    try:
        transcript = _with_timeout(lambda: transcriber.transcribe(path), policy.timeout_s)
    except (CrowdlensError, OSError, TimeoutError) as exc:
        _fail(database, claimed, _reason(exc, policy), policy, report)
        return
    with database.session() as session:
        if record_transcript(session, claimed=claimed, transcript=transcript):
            report.done.append(claimed.id)


def _fail(
    database: Database,
    claimed: ClaimedClip,
    reason: str,
    policy: RetryPolicy,
    report: PassReport,
) -> None:
    log.warning("transcription of audio clip %s failed: %s", claimed.id, reason)
    with database.session() as session:
        state = record_failure(
            session,
            claimed=claimed,
            reason=reason,
            max_attempts=policy.max_attempts,
            retry_in_s=policy.retry_in_s,
        )
    if state == "failed":
        report.failed.append(claimed.id)
    elif state == "pending":
        report.retrying.append(claimed.id)


def _reason(exc: BaseException, policy: RetryPolicy) -> str:
    if isinstance(exc, TimeoutError):
        return f"the transcriber took longer than {policy.timeout_s:g} seconds"
    if isinstance(exc, OSError):
        return f"the stored recording could not be read: {exc.strerror or exc}"
    return str(exc)


def _with_timeout(call: Callable[[], Transcript], timeout_s: float) -> Transcript:
    """Run ``call`` in a daemon thread; raise ``TimeoutError`` if it is not back in time.

    A backend that hangs cannot be killed from Python; its thread is left to finish on its own
    and its late result is ignored (the clip's attempt number no longer matches).
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="crowdlens-transcribe", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise TimeoutError(f"no transcript after {timeout_s:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


class TranscriptionWorker:
    """Transcribes pending clips in the background of an asyncio app until stopped.

    In a FastAPI lifespan::

        worker = TranscriptionWorker(database, media, get_transcriber("whisper"))
        await worker.start()
        yield
        await worker.stop()

    Call :meth:`wake` after storing a clip to start on it without waiting for the next poll.
    """

    def __init__(
        self,
        database: Database,
        media: MediaStore,
        transcriber: Transcriber,
        *,
        poll_s: float = 2.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.database = database
        self.media = media
        self.transcriber = transcriber
        self.poll_s = poll_s
        self.policy = policy or RetryPolicy()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="crowdlens-transcription")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self, *, grace_s: float = 5.0) -> None:
        """Stop after the clip in hand (waiting up to ``grace_s``); an unfinished clip is
        picked up again after ``policy.stale_after_s`` by the next worker."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_s)
        except TimeoutError:
            self._task.cancel()
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            try:
                report = await asyncio.to_thread(self._one_clip)
            except CrowdlensError as exc:
                log.error("transcription worker: %s", exc)
                report = PassReport()
            if report.handled == 0 and not self._stopping:
                await self._sleep()

    def _one_clip(self) -> PassReport:
        return transcribe_pending(
            self.database, self.media, self.transcriber, limit=1, policy=self.policy
        )

    async def _sleep(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_s)
        self._wake.clear()
