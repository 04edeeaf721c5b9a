"""The assignment engine: lease a batch of open items to one worker, atomically.

Claiming holds SQLite's write lock from the start of its transaction (``BEGIN IMMEDIATE``); on
PostgreSQL it locks the chosen item rows with ``FOR UPDATE SKIP LOCKED`` and recounts their
load after the lock, so two workers claiming at once never over-fill an item.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.crowd.gold import mix_gold, regular_items
from crowdlens.crowd.identity import WorkerIdentity
from crowdlens.crowd.leases import aware, item_loads, open_item_ids
from crowdlens.crowd.locking import single_writer
from crowdlens.errors import Forbidden, NotFound
from crowdlens.schema import LabelSchema
from crowdlens.store.annotators import get_or_create_human
from crowdlens.store.db import IMMEDIATE, Database
from crowdlens.store.projects import get_project, project_schema
from crowdlens.store.tables import Annotator, Assignment, AssignmentItem, Item, Project, utcnow

#: Orders candidate item ids, most wanted first; it may drop ids it never wants asked. It may
#: also return a mapping item id → cap (most wanted first): the most people who may hold or
#: have answered the item, below the project's redundancy (a routing policy's limits).
Priority = Callable[[Sequence[int]], Sequence[int] | Mapping[int, int]]
DEFAULT_LEASE = timedelta(minutes=30)


class NoWorkAvailable(NotFound):
    """Every item has enough answers (or is leased), or this worker has seen them all."""


@dataclass(frozen=True)
class Claim:
    """A worker's assignment, new or resumed."""

    assignment_id: int
    annotator_id: int
    project: str
    item_ids: tuple[int, ...]
    expires_at: datetime
    resumed: bool


def claim_assignment(
    database: Database,
    *,
    project: str,
    worker: WorkerIdentity,
    lease: timedelta = DEFAULT_LEASE,
    priority: Priority | None = None,
    now: datetime | None = None,
) -> Claim:
    """Resume the worker's live assignment in ``project`` or lease a new batch of open items.

    Raises :class:`Forbidden` for a blocked worker and :class:`NoWorkAvailable` when nothing is
    open for this worker.
    """
    now = now or utcnow()
    with single_writer(database), database.session() as session:
        session.connection(execution_options=IMMEDIATE)
        row = get_project(session, name=project)
        annotator = get_or_create_human(
            session, platform=worker.platform, worker_id=worker.worker_id
        )
        _check_not_blocked(annotator)
        resumed = _resumable(session, row.id, annotator.id, worker, now)
        if resumed is not None:
            return _claim(session, resumed, project, resumed=True)
        schema = project_schema(row)
        item_ids = _choose_items(session, row, annotator.id, schema, now, priority)
        assignment = _lease(session, row.id, annotator.id, item_ids, (now, now + lease), worker)
        return _claim(session, assignment, project, resumed=False)


def _check_not_blocked(annotator: Annotator) -> None:
    if annotator.blocked:
        raise Forbidden(
            "expected a worker in good standing, got a blocked worker id; "
            "contact the requester if you think this is a mistake"
        )


def _resumable(
    session: Session, project_id: int, annotator_id: int, worker: WorkerIdentity, now: datetime
) -> Assignment | None:
    """The same platform assignment (MTurk reload), else a live lease of this worker."""
    query = select(Assignment).where(
        Assignment.project_id == project_id, Assignment.annotator_id == annotator_id
    )
    mine = list(session.scalars(query.order_by(Assignment.id.desc())))
    platform_id = worker.external.get("assignmentId") or worker.external.get("SESSION_ID")
    for assignment in mine:
        external = assignment.external or {}
        if platform_id and platform_id in (
            external.get("assignmentId"),
            external.get("SESSION_ID"),
        ):
            return assignment
    live = [a for a in mine if a.status == "leased" and aware(a.expires_at) > now]
    return live[0] if live else None


def _choose_items(
    session: Session,
    project: Project,
    annotator_id: int,
    schema: LabelSchema,
    now: datetime,
    priority: Priority | None,
) -> list[int]:
    candidates = open_item_ids(
        session,
        project_id=project.id,
        annotator_id=annotator_id,
        redundancy=schema.redundancy,
        now=now,
    )
    candidates = regular_items(session, project_id=project.id, schema=schema, candidates=candidates)
    ranked = priority(candidates) if priority else candidates
    caps = ranked if isinstance(ranked, Mapping) else {}
    chosen = _lock_and_pick(session, project.id, list(ranked), schema, now, caps)
    chosen = mix_gold(
        session, project_id=project.id, annotator_id=annotator_id, schema=schema, chosen=chosen
    )
    if not chosen:
        raise NoWorkAvailable(
            f"expected open items in project {project.name!r}, got none for this worker: "
            "every item has its answers or is being answered; try again later"
        )
    return chosen


def _lock_and_pick(
    session: Session,
    project_id: int,
    ordered: list[int],
    schema: LabelSchema,
    now: datetime,
    caps: Mapping[int, int],
) -> list[int]:
    """Lock candidates in priority order, skipping rows another claim holds, then recount."""
    wanted = schema.items_per_assignment
    redundancy = schema.redundancy
    chosen: list[int] = []
    for start in range(0, len(ordered), wanted):
        chunk = ordered[start : start + wanted]
        lock = select(Item.id).where(Item.id.in_(chunk)).with_for_update(skip_locked=True)
        locked = set(session.scalars(lock))
        loads = item_loads(session, project_id=project_id, now=now, item_ids=locked)
        fresh = [
            i for i in chunk if i in locked and loads[i] < min(redundancy, caps.get(i, redundancy))
        ]
        chosen.extend(fresh[: wanted - len(chosen)])
        if len(chosen) >= wanted:
            break
    return chosen


def _lease(
    session: Session,
    project_id: int,
    annotator_id: int,
    item_ids: list[int],
    window: tuple[datetime, datetime],
    worker: WorkerIdentity,
) -> Assignment:
    assignment = Assignment(
        project_id=project_id,
        annotator_id=annotator_id,
        status="leased",
        leased_at=window[0],
        expires_at=window[1],
        external={"platform": worker.platform, **worker.external},
    )
    session.add(assignment)
    session.flush()
    session.add_all(
        AssignmentItem(assignment_id=assignment.id, item_id=item_id, position=position)
        for position, item_id in enumerate(item_ids)
    )
    session.flush()
    return assignment


def _claim(session: Session, assignment: Assignment, project: str, *, resumed: bool) -> Claim:
    return Claim(
        assignment_id=assignment.id,
        annotator_id=assignment.annotator_id,
        project=project,
        item_ids=tuple(assignment_item_ids(session, assignment_id=assignment.id)),
        expires_at=aware(assignment.expires_at),
        resumed=resumed,
    )


def assignment_item_ids(session: Session, *, assignment_id: int) -> list[int]:
    query = select(AssignmentItem.item_id).where(AssignmentItem.assignment_id == assignment_id)
    return list(session.scalars(query.order_by(AssignmentItem.position)))
