"""Submitting one item's answers: validate, run QC, store once, finish the assignment.

A submission carries a key chosen when the form was shown; sending the same key again (a double
click, a retried request) returns the first outcome and stores nothing new. A QC failure is
stored as a ``failed`` attempt with the reasons; the worker fixes and resubmits until the
project's ``qc.max_attempts``, whose failure is stored ``rejected`` and ends the item.
Spoken fields are answered by their recordings' transcripts (:mod:`crowdlens.crowd.spoken`); a
worker falling below the gold threshold is blocked; a passed answer may make its item ready for
merging (:mod:`crowdlens.crowd.ready`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crowdlens.crowd.codes import new_code
from crowdlens.crowd.gold import failed_gold
from crowdlens.crowd.leases import FINAL, aware
from crowdlens.crowd.locking import single_writer
from crowdlens.crowd.progress import assignment_view, load_assignment
from crowdlens.crowd.qc_inputs import item_context
from crowdlens.crowd.ready import mark_if_ready
from crowdlens.crowd.review import block_worker
from crowdlens.crowd.signals import paste_verdicts
from crowdlens.crowd.spoken import spoken_answers
from crowdlens.errors import Conflict, Forbidden, Gone, RateLimited
from crowdlens.qc import max_attempts, run_qc
from crowdlens.schema import LabelSchema
from crowdlens.store.annotations import add_annotation, find_by_idempotency_key
from crowdlens.store.db import IMMEDIATE, Database
from crowdlens.store.projects import project_schema
from crowdlens.store.tables import (
    Annotation,
    Annotator,
    Assignment,
    AssignmentItem,
    CostEntry,
    Item,
    Project,
    utcnow,
)


@dataclass(frozen=True)
class RateLimit:
    """At most ``submissions`` per worker within ``window`` (counted in the database)."""

    submissions: int = 60
    window: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class Submission:
    assignment_id: int
    annotator_id: int
    item_id: int
    answers: Mapping[str, Any]
    key: str
    signals: Mapping[str, Any] = field(default_factory=dict)
    recordings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmitOutcome:
    """What happened to one submission; the same key always gives the same outcome."""

    annotation_id: int
    item_id: int
    status: str
    attempt: int
    attempts_left: int
    verdicts: tuple[dict[str, Any], ...]
    completion_code: str | None

    @property
    def passed(self) -> bool:
        return self.status in ("submitted", "accepted")

    @property
    def reasons(self) -> list[str]:
        return [str(v["reason"]) for v in self.verdicts if not v.get("passed", True)]


def submit_answers(
    database: Database,
    submission: Submission,
    *,
    rate_limit: RateLimit | None = None,
    now: datetime | None = None,
) -> SubmitOutcome:
    """Store one item's answers for the worker's assignment and return what happened."""
    now = now or utcnow()
    with single_writer(database), database.session() as session:
        session.connection(execution_options=IMMEDIATE)
        assignment = load_assignment(
            session, assignment_id=submission.assignment_id, annotator_id=submission.annotator_id
        )
        key = f"web:{assignment.id}:{submission.item_id}:{submission.key}"
        repeated = find_by_idempotency_key(session, key=key)
        if repeated is not None:
            return _outcome(session, repeated, assignment)
        _check_can_submit(session, assignment, submission.item_id, now)
        final = _final_annotation(session, assignment.id, submission.item_id)
        if final is not None:
            return _outcome(session, final, assignment)
        _check_rate(session, submission.annotator_id, rate_limit or RateLimit(), now)
        annotation = _store(session, assignment, submission, key, now)
        _finish_if_complete(session, assignment, now)
        return _outcome(session, annotation, assignment)


def _check_can_submit(
    session: Session, assignment: Assignment, item_id: int, now: datetime
) -> None:
    annotator = session.get_one(Annotator, assignment.annotator_id)
    if annotator.blocked:
        raise Forbidden("expected a worker in good standing, got a blocked worker id")
    member = session.get(AssignmentItem, (assignment.id, item_id))
    if member is None:
        raise Forbidden(
            f"expected an item of your assignment, got item {item_id}; answer the items shown"
        )
    if assignment.status == "leased" and aware(assignment.expires_at) <= now:
        raise Gone(
            "expected a live assignment, got one whose time ran out; "
            "open the task link again to get a new batch"
        )
    if assignment.status not in ("leased", "submitted"):
        raise Conflict(f"expected an open assignment, got one that is {assignment.status}")


def _final_annotation(session: Session, assignment_id: int, item_id: int) -> Annotation | None:
    query = select(Annotation).where(
        Annotation.assignment_id == assignment_id,
        Annotation.item_id == item_id,
        Annotation.status.in_(FINAL),
    )
    return session.scalars(query.order_by(Annotation.id)).first()


def _check_rate(session: Session, annotator_id: int, limit: RateLimit, now: datetime) -> None:
    query = select(func.count()).where(
        Annotation.annotator_id == annotator_id, Annotation.created_at > now - limit.window
    )
    if int(session.scalar(query) or 0) >= limit.submissions:
        seconds = int(limit.window.total_seconds())
        raise RateLimited(
            f"expected at most {limit.submissions} submissions in {seconds} s, got more; "
            "slow down and submit again in a minute"
        )


def _store(
    session: Session, assignment: Assignment, submission: Submission, key: str, now: datetime
) -> Annotation:
    project = session.get_one(Project, assignment.project_id)
    schema = project_schema(project)
    spoken = spoken_answers(
        session, schema, annotator_id=assignment.annotator_id, item_id=submission.item_id,
        recordings=submission.recordings,
    )  # fmt: skip
    answers = schema.validate_answers(spoken.merge(schema, submission.answers), partial=True)
    context = item_context(
        session, schema=schema, item=session.get_one(Item, submission.item_id),
        annotator_id=assignment.annotator_id, signals=submission.signals, seconds=spoken.seconds,
    )  # fmt: skip
    result = run_qc(schema, answers, context)
    verdicts = result.to_json() + paste_verdicts(answers, submission.signals) + spoken.signals
    attempt = _attempts(session, assignment.id, submission.item_id) + 1
    status = _status(result.passed, attempt, max_attempts(schema), verdicts)
    annotation = add_annotation(
        session,
        project=project,
        item_id=submission.item_id,
        annotator_id=assignment.annotator_id,
        answers=answers,
        partial=True,
        idempotency_key=key,
        assignment_id=assignment.id,
        status=status,
        attempt=attempt,
        qc=verdicts,
        time_spent_s=_time_spent(session, assignment, now),
        created_at=now,
    )
    _after_store(session, schema, annotation)
    return annotation


def _status(passed: bool, attempt: int, allowed: int, verdicts: list[dict[str, Any]]) -> str:
    """``submitted`` when QC passed; ``failed`` with tries left; else ``rejected``.

    Falling below the gold threshold ends the item at once: trying again would only let the
    worker guess the known answer.
    """
    if passed:
        return "submitted"
    return "rejected" if attempt >= allowed or failed_gold(verdicts) else "failed"


def _after_store(session: Session, schema: LabelSchema, annotation: Annotation) -> None:
    session.flush()
    if failed_gold(annotation.qc):
        block_worker(session, annotator_id=annotation.annotator_id)
    elif annotation.status == "submitted":
        mark_if_ready(session, schema=schema, item_id=annotation.item_id)


def _attempts(session: Session, assignment_id: int, item_id: int) -> int:
    query = select(func.count()).where(
        Annotation.assignment_id == assignment_id, Annotation.item_id == item_id
    )
    return int(session.scalar(query) or 0)


def _time_spent(session: Session, assignment: Assignment, now: datetime) -> float:
    """Seconds since the lease began or this worker's previous submission in it, on the server."""
    query = select(func.max(Annotation.created_at)).where(Annotation.assignment_id == assignment.id)
    previous = session.scalar(query)
    start = max(
        aware(assignment.leased_at), aware(previous) if previous else aware(assignment.leased_at)
    )
    return max(0.0, (now - start).total_seconds())


def _finish_if_complete(session: Session, assignment: Assignment, now: datetime) -> None:
    """Issue the completion code once every item has a final answer, and book the reward."""
    session.flush()
    view = assignment_view(
        session, assignment_id=assignment.id, annotator_id=assignment.annotator_id
    )
    if view.next_item is not None or assignment.completion_code or assignment.status == "revoked":
        return
    assignment.status = "submitted"
    assignment.submitted_at = now
    assignment.completion_code = new_code()
    reward = project_schema(session.get_one(Project, assignment.project_id)).reward_usd
    if reward:
        session.add(
            CostEntry(
                project_id=assignment.project_id,
                annotator_id=assignment.annotator_id,
                kind="human_reward",
                amount_usd=reward,
                detail={"assignment_id": assignment.id},
            )
        )


def _outcome(session: Session, annotation: Annotation, assignment: Assignment) -> SubmitOutcome:
    schema = project_schema(session.get_one(Project, assignment.project_id))
    left = 0 if annotation.status in FINAL else max_attempts(schema) - annotation.attempt
    return SubmitOutcome(
        annotation_id=annotation.id,
        item_id=annotation.item_id,
        status=annotation.status,
        attempt=annotation.attempt,
        attempts_left=left,
        verdicts=tuple(annotation.qc),
        completion_code=assignment.completion_code,
    )
