"""The cost ledger: one line per thing that cost money (model tokens, rewards, fees)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from crowdlens.store.tables import CostEntry, utcnow

COST_KINDS = ("model_tokens", "human_reward", "fee")


def record_cost(
    session: Session,
    *,
    project_id: int,
    kind: str,
    amount_usd: float,
    annotator_id: int | None = None,
    annotation_id: int | None = None,
    job_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> CostEntry:
    """Add one ledger line and return it (flushed, so it has an id)."""
    _check(kind, amount_usd)
    entry = CostEntry(
        project_id=project_id,
        kind=kind,
        amount_usd=float(amount_usd),
        annotator_id=annotator_id,
        annotation_id=annotation_id,
        job_id=job_id,
        detail=detail or {},
    )
    session.add(entry)
    session.flush()
    return entry


def add_costs(session: Session, *, entries: list[dict[str, Any]]) -> None:
    """Add many ledger lines (dicts of :func:`record_cost` arguments) in one statement."""
    if not entries:
        return
    rows = []
    for entry in entries:
        _check(entry["kind"], entry["amount_usd"])
        rows.append({"detail": {}, "created_at": utcnow(), **entry})
    session.execute(insert(CostEntry), rows)


def _check(kind: str, amount_usd: float) -> None:
    if kind not in COST_KINDS:
        raise ValueError(f"expected a cost kind in {', '.join(COST_KINDS)}, got {kind!r}")
    if amount_usd < 0:
        raise ValueError(f"expected a cost of 0 or more, got {amount_usd!r}")


def total_cost(
    session: Session, *, project_id: int, kind: str | None = None, job_id: int | None = None
) -> float:
    """Money spent on a project, optionally of one kind or within one job."""
    query = select(func.coalesce(func.sum(CostEntry.amount_usd), 0.0)).where(
        CostEntry.project_id == project_id
    )
    if kind is not None:
        query = query.where(CostEntry.kind == kind)
    if job_id is not None:
        query = query.where(CostEntry.job_id == job_id)
    return float(session.execute(query).scalar_one())
