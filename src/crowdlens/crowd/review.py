"""Admin actions on the crowd: approve or reject an answer (with a reason), block a worker."""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.errors import AnswerInvalid, Conflict
from crowdlens.store.annotations import set_annotation_status
from crowdlens.store.annotators import get_annotator, set_blocked
from crowdlens.store.tables import Annotation, Assignment

Decision = Literal["approve", "reject"]


def review_annotation(
    session: Session, *, annotation_id: int, decision: str, reason: str = ""
) -> Annotation:
    """Approve (``accepted``) or reject an answer; a rejection needs a reason for the worker.

    A rejected answer no longer counts toward redundancy, so its item returns to the pool.
    """
    reason = reason.strip()[:500]
    if decision not in ("approve", "reject"):
        raise AnswerInvalid(f"expected a decision approve or reject, got {decision!r}")
    if decision == "reject" and not reason:
        raise AnswerInvalid("expected a reason for the rejection, got none; say what was wrong")
    annotation = session.get(Annotation, annotation_id)
    if annotation is None or annotation.status == "failed":
        raise Conflict(f"expected a final answer to review, got annotation {annotation_id}")
    status = "accepted" if decision == "approve" else "rejected"
    return set_annotation_status(session, annotation_id=annotation_id, status=status, reason=reason)


def block_worker(session: Session, *, annotator_id: int) -> int:
    """Block a person: no new work, no submissions; their live leases are revoked.

    Returns how many leases were revoked (their items return to the pool at once).
    """
    annotator = get_annotator(session, annotator_id=annotator_id)
    if annotator.kind != "human":
        raise AnswerInvalid(f"expected a human worker to block, got a {annotator.kind} annotator")
    set_blocked(session, annotator_id=annotator_id)
    leases = session.scalars(
        select(Assignment).where(
            Assignment.annotator_id == annotator_id, Assignment.status == "leased"
        )
    )
    revoked = 0
    for assignment in leases:
        assignment.status = "revoked"
        revoked += 1
    return revoked
