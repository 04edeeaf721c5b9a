"""Where a worker stands in an assignment: each item's state, the next item, the code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.crowd.leases import FINAL, aware
from crowdlens.errors import Forbidden, NotFound
from crowdlens.store.tables import Annotation, Assignment, AssignmentItem


@dataclass(frozen=True)
class ItemState:
    item_id: int
    position: int
    attempts: int
    final_status: str | None
    last_qc: tuple[dict[str, object], ...] = ()

    @property
    def done(self) -> bool:
        return self.final_status is not None


@dataclass(frozen=True)
class AssignmentView:
    assignment_id: int
    project_id: int
    annotator_id: int
    status: str
    expires_at: datetime
    completion_code: str | None
    external: dict[str, str]
    items: tuple[ItemState, ...]

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def next_item(self) -> ItemState | None:
        return next((item for item in self.items if not item.done), None)

    def has_item(self, item_id: int) -> bool:
        return any(item.item_id == item_id for item in self.items)


def load_assignment(session: Session, *, assignment_id: int, annotator_id: int) -> Assignment:
    """The assignment, only for the worker it belongs to."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound(f"expected an existing assignment, got id {assignment_id}")
    if assignment.annotator_id != annotator_id:
        raise Forbidden("expected your own assignment, got another worker's; use your own link")
    return assignment


def assignment_view(session: Session, *, assignment_id: int, annotator_id: int) -> AssignmentView:
    """The worker's view of their assignment (:class:`Forbidden` for anyone else's)."""
    assignment = load_assignment(session, assignment_id=assignment_id, annotator_id=annotator_id)
    return AssignmentView(
        assignment_id=assignment.id,
        project_id=assignment.project_id,
        annotator_id=assignment.annotator_id,
        status=assignment.status,
        expires_at=aware(assignment.expires_at),
        completion_code=assignment.completion_code,
        external={k: str(v) for k, v in (assignment.external or {}).items()},
        items=tuple(_item_states(session, assignment.id)),
    )


def _item_states(session: Session, assignment_id: int) -> list[ItemState]:
    positions = session.execute(
        select(AssignmentItem.item_id, AssignmentItem.position)
        .where(AssignmentItem.assignment_id == assignment_id)
        .order_by(AssignmentItem.position)
    ).all()
    annotations = session.scalars(
        select(Annotation).where(Annotation.assignment_id == assignment_id).order_by(Annotation.id)
    )
    by_item: dict[int, list[Annotation]] = {}
    for annotation in annotations:
        by_item.setdefault(annotation.item_id, []).append(annotation)
    return [_state(item_id, position, by_item.get(item_id, [])) for item_id, position in positions]


def _state(item_id: int, position: int, annotations: list[Annotation]) -> ItemState:
    final = next((a.status for a in annotations if a.status in FINAL), None)
    last_qc = tuple(annotations[-1].qc) if annotations else ()
    return ItemState(item_id, position, len(annotations), final, last_qc)
