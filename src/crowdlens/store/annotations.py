"""Repository functions for annotations: one annotator's answers for one item."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crowdlens.store.projects import project_schema
from crowdlens.store.tables import Annotation, Annotator, Project

STATUSES = ("submitted", "accepted", "rejected", "failed")


def add_annotation(
    session: Session,
    *,
    project: Project,
    item_id: int,
    annotator_id: int,
    answers: dict[str, Any],
    partial: bool = False,
    idempotency_key: str | None = None,
    **provenance: Any,
) -> Annotation:
    """Validate ``answers`` against the project's schema and store them.

    ``provenance`` holds the other :class:`Annotation` columns (raw_response, confidence,
    time_spent_s, cost_usd, status, qc, attempt, assignment_id, region_id). With an
    ``idempotency_key`` a repeated call returns the first annotation instead of a second one.
    A ``failed`` annotation (a model that gave no usable answer) is stored unvalidated.
    """
    if idempotency_key is not None:
        existing = find_by_idempotency_key(session, key=idempotency_key)
        if existing is not None:
            return existing
    if provenance.get("status") != "failed":
        answers = project_schema(project).validate_answers(answers, partial=partial)
    annotation = Annotation(
        project_id=project.id,
        item_id=item_id,
        annotator_id=annotator_id,
        answers=answers,
        idempotency_key=idempotency_key,
        **provenance,
    )
    try:
        with session.begin_nested():
            session.add(annotation)
    except IntegrityError:
        existing = find_by_idempotency_key(session, key=idempotency_key or "")
        if existing is None:
            raise
        return existing
    return annotation


def find_by_idempotency_key(session: Session, *, key: str) -> Annotation | None:
    query = select(Annotation).where(Annotation.idempotency_key == key)
    return session.scalars(query).one_or_none()


def list_annotations(
    session: Session,
    *,
    project_id: int,
    item_id: int | None = None,
    statuses: tuple[str, ...] | None = None,
) -> list[Annotation]:
    query = select(Annotation).where(Annotation.project_id == project_id)
    if item_id is not None:
        query = query.where(Annotation.item_id == item_id)
    if statuses is not None:
        query = query.where(Annotation.status.in_(statuses))
    return list(session.scalars(query.order_by(Annotation.id)))


def answer_rows(
    session: Session,
    *,
    project_id: int,
    field: str,
    statuses: tuple[str, ...] = ("submitted", "accepted"),
) -> list[dict[str, Any]]:
    """One row per answer to ``field``: item, annotator, annotator kind, label, confidence, and
    the annotation's id (``annotation``).

    This is the long table the aggregators and agreement studies take.
    """
    query = (
        select(
            Annotation.id,
            Annotation.item_id,
            Annotation.annotator_id,
            Annotator.kind,
            Annotation.answers,
            Annotation.confidence,
        )
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.project_id == project_id, Annotation.status.in_(statuses))
        .order_by(Annotation.id)
    )
    return [
        {
            "item": item,
            "annotator": annotator,
            "kind": kind,
            "label": answers[field],
            "confidence": (confidence or {}).get(field),
            "annotation": annotation,
        }
        for annotation, item, annotator, kind, answers, confidence in session.execute(query)
        if field in answers
    ]


def set_annotation_status(
    session: Session, *, annotation_id: int, status: str, reason: str | None = None
) -> Annotation:
    """Accept, reject or fail an annotation; a reason is kept with its QC verdicts."""
    if status not in STATUSES:
        raise ValueError(f"expected a status in {STATUSES}, got {status!r}")
    annotation = session.get_one(Annotation, annotation_id)
    annotation.status = status
    if reason:
        annotation.qc = [
            *annotation.qc,
            {
                "name": "review",
                "passed": status != "rejected",
                "score": 0.0 if status == "rejected" else 1.0,
                "reason": reason,
            },
        ]
    return annotation
