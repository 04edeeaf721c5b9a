"""Live routing: a project's policy as the assignment engine's priority hook.

The project YAML names the policy (``policy: {name: reannotate_disagreements, field: smiling}``).
Before a claim, :func:`plan_route` reads the routed fields' answers from the store (one query for
the item ids and one per routed field, whatever the number of items), builds the policy's
:class:`~crowdlens.policy.PolicyState` — people's votes per item and class; every model's answers
as soft labels, its stored confidence on the class it chose and the rest spread evenly — and asks
the policy which items need more people. The :class:`RoutePlan` it returns maps each of those
items to its *cap*: the people who may hold or have answered it (answers so far plus requests),
most urgent first. The engine locks candidates in that order and recounts each item's load
against its cap under the lock, so concurrent claims never hand out more than the policy asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.crowd import Priority
from crowdlens.crowd.leases import item_loads
from crowdlens.policy import Policy, PolicyState, make_policy
from crowdlens.schema import LabelSchema, PolicyConfig
from crowdlens.store.annotations import answer_rows
from crowdlens.store.db import Database
from crowdlens.store.projects import get_project, project_schema
from crowdlens.store.tables import Item, Project, utcnow

#: Confidence of a model answer stored without one, unless the policy says otherwise.
MODEL_CONFIDENCE = 0.8
#: ``model_first``'s threshold when the YAML gives none.
MODEL_FIRST_THRESHOLD = 0.95


@dataclass(frozen=True)
class RoutePlan:
    """Items that need more people → cap (people who may hold or answer it), most urgent first."""

    policy: str
    caps: dict[int, int]

    def __call__(self, candidates: Sequence[int]) -> dict[int, int]:
        """The engine's priority hook: the wanted candidates in urgency order, with their caps."""
        allowed = set(candidates)
        return {item: cap for item, cap in self.caps.items() if item in allowed}


def route_priority(database: Database, *, project: str) -> Priority | None:
    """The project's policy as ``claim_assignment(priority=…)``; ``None`` when it names none."""
    with database.session() as session:
        return plan_route(session, project=get_project(session, name=project))


def plan_route(session: Session, *, project: Project) -> RoutePlan | None:
    """What the project's policy wants asked now; ``None`` for a project without a policy."""
    schema = project_schema(project)
    config = schema.policy
    if config is None:
        return None
    query = select(Item.id).where(Item.project_id == project.id).order_by(Item.id)
    items = pd.Index(list(session.scalars(query)), name="item")
    tables = {
        name: pd.DataFrame(
            answer_rows(session, project_id=project.id, field=name),
            columns=["item", "annotator", "kind", "label", "confidence"],
        )
        for name in config.fields
    }
    policy = build_policy(config, schema)
    confidence = config.model_confidence or MODEL_CONFIDENCE
    per_field = [
        field_caps(policy, policy_state(answers, items, field_classes(schema, name), confidence))
        for name, answers in tables.items()
    ]
    caps = merge_caps(per_field)
    if config.name == "budgeted":
        caps = within_budget(session, project.id, caps, int(config.budget or 0))
    return RoutePlan(config.name, caps)


def within_budget(
    session: Session, project_id: int, caps: dict[int, int], budget: int
) -> dict[int, int]:
    """Only as many items with room as the budget has left after answers and live leases."""
    loads = item_loads(session, project_id=project_id, now=utcnow())
    room = max(budget - sum(loads.values()), 0)
    open_ = [item for item, cap in caps.items() if loads[item] < cap]
    return {item: caps[item] for item in open_[:room]}


def build_policy(config: PolicyConfig, schema: LabelSchema) -> Policy:
    """The policy the YAML names, with its defaults (``fixed`` asks ``redundancy`` people)."""
    settings: dict[str, Any] = config.settings()
    if config.name == "fixed":
        settings.setdefault("k", schema.redundancy)
    elif config.name == "model_first":
        settings.setdefault("threshold", MODEL_FIRST_THRESHOLD)
    return make_policy(config.name, **settings)


def field_classes(schema: LabelSchema, name: str) -> list[Any]:
    """The answer values of a routed field, in a fixed order."""
    field = schema.field(name)
    return list(field.classes) if field.kind == "choice" else [False, True]


def policy_state(
    answers: pd.DataFrame, items: pd.Index, classes: list[Any], model_confidence: float
) -> PolicyState:
    """People's vote counts and the models' soft labels for ``items`` from a long answer table."""
    columns = pd.Index(classes)
    answers = answers[columns.get_indexer(answers["label"]) >= 0]
    answers = answers[items.get_indexer(answers["item"]) >= 0]
    people = answers[answers["kind"] == "human"]
    votes = np.zeros((len(items), len(columns)))
    np.add.at(votes, (items.get_indexer(people["item"]), columns.get_indexer(people["label"])), 1)
    models = answers[answers["kind"] == "model"]
    probas = {
        str(annotator): soft_labels(rows, columns, model_confidence)
        for annotator, rows in models.groupby("annotator", sort=True)
    }
    return PolicyState(pd.DataFrame(votes, index=items, columns=columns), probas)


def soft_labels(rows: pd.DataFrame, classes: pd.Index, default: float) -> pd.DataFrame:
    """One model's answers as items × classes: its confidence on its answer, the rest even."""
    rows = rows.drop_duplicates("item", keep="last")
    sure = pd.to_numeric(rows["confidence"], errors="coerce").fillna(default).clip(0.0, 1.0)
    k = len(classes)
    probs = np.repeat(((1.0 - sure.to_numpy()) / max(k - 1, 1))[:, None], k, axis=1)
    probs[np.arange(len(rows)), classes.get_indexer(rows["label"])] = sure.to_numpy()
    return pd.DataFrame(probs, index=rows["item"].to_numpy(), columns=classes)


def field_caps(policy: Policy, state: PolicyState) -> pd.Series:
    """Per requested item, people so far plus people requested, in the policy's order."""
    requests = policy.next_requests(state)
    return requests + state.n_human.reindex(requests.index).astype(int)


def merge_caps(per_field: list[pd.Series]) -> dict[int, int]:
    """Several routed fields: an item's largest cap, ranked by its most urgent position."""
    if not per_field:
        return {}
    ranked = pd.concat(
        [pd.DataFrame({"cap": s.to_numpy(), "rank": np.arange(len(s))}, s.index) for s in per_field]
    )
    best = ranked.groupby(level=0).agg(cap=("cap", "max"), rank=("rank", "min"))
    best = best.sort_values("rank", kind="stable")
    return {int(item): int(cap) for item, cap in best["cap"].items()}
