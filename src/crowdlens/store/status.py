"""What a project holds: items, answers per field from people and from models, cost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crowdlens.store.items import count_items
from crowdlens.store.projects import project_schema
from crowdlens.store.tables import Annotation, Annotator, CostEntry, Item, Project


@dataclass(frozen=True)
class FieldCounts:
    field: str
    kind: str
    human_answers: int
    model_answers: int


@dataclass(frozen=True)
class ProjectStatus:
    project: str
    items: int
    items_with_gold: int
    annotations_by_status: dict[str, int]
    fields: list[FieldCounts] = field(default_factory=list)
    cost_usd: float = 0.0

    @property
    def annotations(self) -> int:
        return sum(self.annotations_by_status.values())


def project_status(session: Session, *, project: Project) -> ProjectStatus:
    """Count a project's items and its answers per field, split into people and models."""
    schema = project_schema(project)
    by_status: Counter[str] = Counter()
    answers: Counter[tuple[str, str]] = Counter()
    query = (
        select(Annotation.status, Annotator.kind, Annotation.answers)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.project_id == project.id)
        .execution_options(yield_per=1000)
    )
    for status, kind, answered in session.execute(query):
        by_status[status] += 1
        if status != "failed":
            answers.update((name, kind) for name in answered)
    counts = [
        FieldCounts(f.name, f.kind, answers[(f.name, "human")], answers[(f.name, "model")])
        for f in schema.fields
    ]
    return ProjectStatus(
        project=project.name,
        items=count_items(session, project_id=project.id),
        items_with_gold=_items_with_gold(session, project_id=project.id),
        annotations_by_status=dict(by_status),
        fields=counts,
        cost_usd=_total_cost(session, project_id=project.id),
    )


def _items_with_gold(session: Session, *, project_id: int) -> int:
    golds = session.scalars(select(Item.gold).where(Item.project_id == project_id))
    return sum(1 for gold in golds if gold)


def _total_cost(session: Session, *, project_id: int) -> float:
    query = select(func.coalesce(func.sum(CostEntry.amount_usd), 0.0)).where(
        CostEntry.project_id == project_id
    )
    return float(session.scalar(query) or 0.0)
