"""Storing a model's results as annotations, in small batches on the writer thread."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crowdlens.annotators.base import AnnotationResult
from crowdlens.annotators.requests import annotation_key
from crowdlens.annotators.services import StoreServices
from crowdlens.store import jobs
from crowdlens.store.tables import Annotation, Project, utcnow


class AnnotationWriter:
    """Buffers results and stores them a batch at a time without blocking the event loop.

    A batch is written when it holds ``batch_size`` results or ``interval_s`` has passed;
    one batch is in flight at a time. Results lost by a crash before their batch was written
    are answered again from the response cache on the next run, at no cost.
    """

    def __init__(
        self,
        services: StoreServices,
        *,
        project: Project,
        annotator_id: int,
        annotator_key: str,
        fields: list[str],
        job_id: int,
        batch_size: int = 64,
        interval_s: float = 0.25,
    ) -> None:
        self.services = services
        self.project = project
        self.annotator_id = annotator_id
        self.annotator_key = annotator_key
        self.fields = fields
        self.job_id = job_id
        self.batch_size = batch_size
        self.interval_s = interval_s
        self._buffer: list[AnnotationResult] = []
        self._last = time.monotonic()
        self._inflight: asyncio.Future[None] | None = None

    async def add(self, result: AnnotationResult) -> None:
        if result.stopped or result.abstained:
            return
        self._buffer.append(result)
        due = time.monotonic() - self._last >= self.interval_s
        if (len(self._buffer) >= self.batch_size or due) and not self._busy():
            self._start()

    async def close(self) -> None:
        """Write everything still buffered and wait for it."""
        if self._inflight is not None:
            await self._inflight
        if self._buffer:
            self._start()
            assert self._inflight is not None
            await self._inflight

    def _busy(self) -> bool:
        return self._inflight is not None and not self._inflight.done()

    def _start(self) -> None:
        if self._inflight is not None and self._inflight.done():
            self._inflight.result()
        batch, self._buffer = self._buffer, []
        self._last = time.monotonic()
        self._inflight = asyncio.ensure_future(
            self.services.writer.write(lambda session: self._store(session, batch))
        )

    def _store(self, session: Session, batch: Sequence[AnnotationResult]) -> None:
        store_results(
            session,
            batch,
            project=self.project,
            annotator_id=self.annotator_id,
            annotator_key=self.annotator_key,
            fields=self.fields,
            job_id=self.job_id,
        )


def store_results(
    session: Session,
    results: Sequence[AnnotationResult],
    *,
    project: Project,
    annotator_id: int,
    annotator_key: str,
    fields: list[str],
    job_id: int | None,
) -> None:
    """Insert ``results`` as annotations in one statement; a stored one is not stored again.

    The answers were validated by the backend against the project's schema already, so this
    bulk path skips :func:`crowdlens.store.annotations.add_annotation`'s per-row validation.
    """
    rows = [
        {
            "project_id": project.id,
            "item_id": result.item_id,
            "annotator_id": annotator_id,
            "idempotency_key": annotation_key(
                annotator_key, result.item_id, result.region_id, fields
            ),
            "qc": [],
            "attempt": 1,
            "created_at": utcnow(),
            **annotation_columns(result),
        }
        for result in results
    ]
    if rows:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(Annotation).on_conflict_do_nothing(index_elements=["idempotency_key"])
        session.execute(statement, rows)
    if job_id is not None:
        failed = sum(r.failed for r in results)
        jobs.advance_job(session, job_id=job_id, done=len(results) - failed, failed=failed)


def annotation_columns(result: AnnotationResult) -> dict[str, Any]:
    """The :class:`Annotation` columns for a model's result (answers, provenance, verdict)."""
    columns: dict[str, Any] = {
        "answers": result.answers if not result.failed else {},
        "confidence": result.confidence,
        "raw_response": result.raw_response,
        "cost_usd": result.cost_usd,
        "time_spent_s": result.seconds,
        "region_id": result.region_id,
        "status": "failed" if result.failed else "submitted",
    }
    reason = result.failure or "; ".join(dict.fromkeys(result.problems))
    if reason:
        columns["qc"] = [{"name": "model_output", "passed": False, "score": 0.0, "reason": reason}]
    return columns
