"""How many answers each item has or is about to get, and what a worker has already seen.

An item's *load* is its human answers that count (submitted or accepted) plus the live leases
on it that have no final answer yet. An item with load below the project's redundancy is open.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import Exists, and_, exists, func, select
from sqlalchemy.orm import Session

from crowdlens.store.tables import Annotation, Annotator, Assignment, AssignmentItem, Item

#: Annotation statuses that count toward an item's redundancy.
COUNTED = ("submitted", "accepted")
#: Statuses that end an item inside an assignment (the worker cannot try it again).
FINAL = ("submitted", "accepted", "rejected")


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything crowdlens stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def item_loads(
    session: Session, *, project_id: int, now: datetime, item_ids: Collection[int] | None = None
) -> Counter[int]:
    """Counted answers plus unanswered live leases, by item id."""
    answered = (
        select(Annotation.item_id, func.count())
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.project_id == project_id, Annotation.status.in_(COUNTED))
        .where(Annotator.kind == "human")
        .group_by(Annotation.item_id)
    )
    leased = (
        select(AssignmentItem.item_id, func.count())
        .join(Assignment, Assignment.id == AssignmentItem.assignment_id)
        .where(Assignment.project_id == project_id, Assignment.status == "leased")
        .where(Assignment.expires_at > now, ~_has_final_answer())
        .group_by(AssignmentItem.item_id)
    )
    if item_ids is not None:
        answered = answered.where(Annotation.item_id.in_(item_ids))
        leased = leased.where(AssignmentItem.item_id.in_(item_ids))
    loads: Counter[int] = Counter()
    for query in (answered, leased):
        loads.update({int(row[0]): int(row[1]) for row in session.execute(query)})
    return loads


def _has_final_answer() -> Exists:
    return exists().where(
        and_(
            Annotation.assignment_id == AssignmentItem.assignment_id,
            Annotation.item_id == AssignmentItem.item_id,
            Annotation.status.in_(FINAL),
        )
    )


def seen_item_ids(session: Session, *, project_id: int, annotator_id: int) -> set[int]:
    """Items this worker was ever given or answered in the project (never shown twice)."""
    given = (
        select(AssignmentItem.item_id)
        .join(Assignment, Assignment.id == AssignmentItem.assignment_id)
        .where(Assignment.project_id == project_id, Assignment.annotator_id == annotator_id)
    )
    answered = select(Annotation.item_id).where(
        Annotation.project_id == project_id, Annotation.annotator_id == annotator_id
    )
    return set(session.scalars(given)) | set(session.scalars(answered))


def open_item_ids(
    session: Session, *, project_id: int, annotator_id: int, redundancy: int, now: datetime
) -> list[int]:
    """Items this worker may be given now, in id order (a priority hook may reorder them)."""
    seen = seen_item_ids(session, project_id=project_id, annotator_id=annotator_id)
    loads = item_loads(session, project_id=project_id, now=now)
    ids = session.scalars(select(Item.id).where(Item.project_id == project_id).order_by(Item.id))
    return [i for i in ids if i not in seen and loads[i] < redundancy]
