"""Training examples for backends that learn: items whose human answer is known.

An item's label for a field comes from its consensus when one is stored, otherwise from
the majority of accepted human annotations.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.annotators.base import TrainingExample
from crowdlens.store.items import list_items
from crowdlens.store.media import MediaStore
from crowdlens.store.tables import Annotation, Annotator, Consensus, Project


def training_examples(
    session: Session, media: MediaStore, *, project: Project, fields: Sequence[str]
) -> list[TrainingExample]:
    """One example per item with a known human answer to at least one of ``fields``."""
    known = _consensus(session, project.id, fields)
    for item_id, answers in _accepted_majority(session, project.id, fields).items():
        for name, value in answers.items():
            known[item_id].setdefault(name, value)
    items = {item.id: item for item in list_items(session, project_id=project.id)}
    return [
        TrainingExample(
            item_id=item_id,
            load_image=_loader(media, items[item_id].media_key),
            answers=answers,
            source_name=items[item_id].source_name,
        )
        for item_id, answers in sorted(known.items())
        if answers and item_id in items
    ]


def _loader(media: MediaStore, key: str) -> Callable[[], bytes]:
    return lambda: media.read(key)


def _consensus(
    session: Session, project_id: int, fields: Sequence[str]
) -> defaultdict[int, dict[str, Any]]:
    known: defaultdict[int, dict[str, Any]] = defaultdict(dict)
    query = select(Consensus).where(
        Consensus.project_id == project_id, Consensus.field.in_(list(fields))
    )
    for row in session.scalars(query):
        known[row.item_id][row.field] = row.value.get("value")
    return known


def _accepted_majority(
    session: Session, project_id: int, fields: Sequence[str]
) -> dict[int, dict[str, Any]]:
    query = (
        select(Annotation.item_id, Annotation.answers)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(
            Annotation.project_id == project_id,
            Annotation.status == "accepted",
            Annotator.kind == "human",
            Annotation.region_id.is_(None),
        )
    )
    votes: defaultdict[tuple[int, str], Counter[str]] = defaultdict(Counter)
    for item_id, answers in session.execute(query):
        for name in fields:
            if name in answers:
                votes[(item_id, name)][json.dumps(answers[name], sort_keys=True)] += 1
    majority: defaultdict[int, dict[str, Any]] = defaultdict(dict)
    for (item_id, name), counter in votes.items():
        majority[item_id][name] = json.loads(counter.most_common(1)[0][0])
    return dict(majority)
