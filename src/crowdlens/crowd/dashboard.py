"""What the admin dashboard shows: progress, QC pass rate, workers, cost, and one item in full."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.errors import NotFound
from crowdlens.store.items import get_item
from crowdlens.store.status import ProjectStatus, project_status
from crowdlens.store.tables import Annotation, Annotator, Consensus, Item, Project

PASSING = ("submitted", "accepted")


@dataclass
class WorkerRow:
    annotator_id: int
    worker_id: str
    platform: str
    blocked: bool
    attempts: int = 0
    answers: int = 0
    passed: int = 0
    seconds: list[float] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempts if self.attempts else 0.0

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds)


@dataclass(frozen=True)
class Dashboard:
    status: ProjectStatus
    redundancy: int
    human_attempts: int
    human_passed: int
    workers: list[WorkerRow]

    @property
    def qc_pass_rate(self) -> float:
        return self.human_passed / self.human_attempts if self.human_attempts else 0.0


def project_dashboard(session: Session, *, project: Project) -> Dashboard:
    """Counts for the project page; QC pass rate is passing attempts over all human attempts."""
    query = (
        select(Annotation.status, Annotation.time_spent_s, Annotator)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.project_id == project.id, Annotator.kind == "human")
    )
    workers: dict[int, WorkerRow] = {}
    for status, seconds, annotator in session.execute(query):
        row = workers.setdefault(annotator.id, _worker_row(annotator))
        _count(row, status, seconds)
    rows = sorted(workers.values(), key=lambda r: (-r.answers, r.worker_id))
    return Dashboard(
        status=project_status(session, project=project),
        redundancy=int(project.config.get("redundancy", 1)),
        human_attempts=sum(r.attempts for r in rows),
        human_passed=sum(r.passed for r in rows),
        workers=rows,
    )


def _worker_row(annotator: Annotator) -> WorkerRow:
    return WorkerRow(
        annotator.id,
        annotator.worker_id or annotator.key,
        annotator.platform or "",
        annotator.blocked,
    )


def _count(row: WorkerRow, status: str, seconds: float | None) -> None:
    row.attempts += 1
    if status in PASSING:
        row.passed += 1
    if status in (*PASSING, "rejected"):
        row.answers += 1
    if seconds is not None:
        row.seconds.append(seconds)


@dataclass(frozen=True)
class AnnotationRow:
    annotation: Annotation
    annotator: Annotator

    @property
    def who(self) -> str:
        a = self.annotator
        return a.worker_id or a.key if a.kind == "human" else f"{a.model} ({a.backend})"


@dataclass(frozen=True)
class ItemDetail:
    item: Item
    annotations: list[AnnotationRow]
    consensus: dict[str, Consensus]
    votes: dict[str, list[tuple[str, int]]]


def item_detail(session: Session, *, project: Project, item_id: int) -> ItemDetail:
    """Every annotation of one item, people and models, with the consensus and a vote tally."""
    item = get_item(session, item_id=item_id)
    if item.project_id != project.id:
        raise NotFound(f"expected an item of project {project.name!r}, got item {item_id}")
    query = (
        select(Annotation, Annotator)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.item_id == item_id)
        .order_by(Annotator.kind, Annotation.id)
    )
    rows = [AnnotationRow(a, who) for a, who in session.execute(query)]
    consensus = session.scalars(select(Consensus).where(Consensus.item_id == item_id))
    return ItemDetail(item, rows, {c.field: c for c in consensus}, _votes(rows))


def _votes(rows: list[AnnotationRow]) -> dict[str, list[tuple[str, int]]]:
    """How many passing answers gave each value, per field (text answers are not tallied)."""
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.annotation.status not in PASSING:
            continue
        for name, value in row.annotation.answers.items():
            for vote in _vote_values(value):
                tally[name][vote] += 1
    return {name: counts.most_common() for name, counts in tally.items()}


def _vote_values(value: Any) -> list[str]:
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, str) and len(value.split()) <= 3:
        return [value]
    return []


def annotation_records(session: Session, *, project: Project) -> list[dict[str, Any]]:
    """All annotations of a project as plain records (the admin's JSONL export).

    Each record carries its item's stored consensus: field → value, confidence, method.
    """
    consensus = item_consensus(session, project=project)
    query = (
        select(Annotation, Annotator, Item)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .join(Item, Item.id == Annotation.item_id)
        .where(Annotation.project_id == project.id)
        .order_by(Annotation.id)
    )
    return [
        {
            "annotation_id": a.id,
            "item_id": item.id,
            "item_sha256": item.sha256,
            "source_name": item.source_name,
            "annotator": who.key,
            "kind": who.kind,
            "status": a.status,
            "attempt": a.attempt,
            "answers": a.answers,
            "qc": a.qc,
            "time_spent_s": a.time_spent_s,
            "cost_usd": a.cost_usd,
            "created_at": a.created_at.isoformat(),
            "consensus": consensus.get(item.id, {}),
        }
        for a, who, item in session.execute(query)
    ]


def item_consensus(session: Session, *, project: Project) -> dict[int, dict[str, Any]]:
    """Stored consensus by item and field: ``{item: {field: {value, confidence, method}}}``."""
    query = select(Consensus).where(Consensus.project_id == project.id)
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in session.scalars(query):
        found[row.item_id][row.field] = {
            "value": row.value.get("value"),
            "confidence": row.confidence,
            "method": row.method,
        }
    return dict(found)
