"""Gold items: items with known answers (``Item.gold``), mixed into batches and scored per worker.

With ``qc.gold.rate`` set, gold items leave the regular pool (they never count toward an item's
redundancy) and each new batch gets gold items the worker has not seen, so that on average
``rate`` of what a worker answers is gold. The ``gold`` QC rule scores each answer against the
known one; a worker whose accuracy falls below ``block_below`` is blocked.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.crowd.leases import seen_item_ids
from crowdlens.schema import LabelSchema
from crowdlens.store.tables import Annotation, Item
from crowdlens.textqc import score_gold_item

_RNG = random.SystemRandom()


def gold_rate(schema: LabelSchema) -> float:
    """``qc.gold.rate`` in [0, 0.9], or 0 when gold is not configured."""
    settings = schema.qc.get("gold")
    rate = settings.get("rate", 0.0) if isinstance(settings, dict) else 0.0
    return min(0.9, max(0.0, float(rate))) if isinstance(rate, int | float) else 0.0


def gold_item_ids(session: Session, *, project_id: int) -> list[int]:
    """The project's items that have known answers, in id order."""
    rows = session.execute(select(Item.id, Item.gold).where(Item.project_id == project_id))
    return sorted(item_id for item_id, gold in rows if gold)


def regular_items(
    session: Session, *, project_id: int, schema: LabelSchema, candidates: Sequence[int]
) -> list[int]:
    """``candidates`` without gold items when gold is mixed in at a rate (else unchanged)."""
    if not gold_rate(schema):
        return list(candidates)
    gold = set(gold_item_ids(session, project_id=project_id))
    return [i for i in candidates if i not in gold]


def mix_gold(
    session: Session,
    *,
    project_id: int,
    annotator_id: int,
    schema: LabelSchema,
    chosen: list[int],
    rng: random.Random = _RNG,
) -> list[int]:
    """``chosen`` with unseen gold items inserted at random places, about ``rate`` of the batch."""
    rate = gold_rate(schema)
    if not rate or not chosen:
        return chosen
    seen = seen_item_ids(session, project_id=project_id, annotator_id=annotator_id)
    pool = [i for i in gold_item_ids(session, project_id=project_id) if i not in seen]
    wanted = len(chosen) * rate / (1 - rate)
    count = min(len(pool), int(wanted) + (rng.random() < wanted - int(wanted)))
    batch = list(chosen)
    for item_id in rng.sample(pool, count):
        batch.insert(rng.randint(0, len(batch)), item_id)
    return batch


def gold_history(
    session: Session, *, project_id: int, annotator_id: int, exclude_item: int | None = None
) -> list[float]:
    """This worker's score on each gold item they answered (their latest attempt of each)."""
    query = (
        select(Annotation.item_id, Annotation.answers, Item.gold)
        .join(Item, Item.id == Annotation.item_id)
        .where(Annotation.project_id == project_id, Annotation.annotator_id == annotator_id)
        .order_by(Annotation.id)
    )
    latest = {
        item_id: (answers, gold)
        for item_id, answers, gold in session.execute(query)
        if gold and item_id != exclude_item
    }
    return [score_gold_item(answers or {}, gold) for answers, gold in latest.values()]


def failed_gold(verdicts: Sequence[dict[str, object]]) -> bool:
    """Whether the ``gold_check`` verdict among ``verdicts`` failed (the worker falls short)."""
    return any(v.get("name") == "gold_check" and not v.get("passed") for v in verdicts)
