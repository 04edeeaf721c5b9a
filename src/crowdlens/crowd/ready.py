"""Marking an item ready for merging once it has enough passed text answers.

After ``qc.ready_after`` (default: the project's redundancy) people's answers to a text field
of an item have passed QC, the item's ``meta.ready_for_merge`` records, by field, how many
there are. The aggregation side merges those items (e.g. three captions into one).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.crowd.leases import COUNTED
from crowdlens.qc import ready_after
from crowdlens.schema import LabelSchema, TextField
from crowdlens.store.tables import Annotation, Annotator, Item

READY_KEY = "ready_for_merge"


def mark_if_ready(session: Session, *, schema: LabelSchema, item_id: int) -> dict[str, int]:
    """Record in ``item.meta`` the text fields of ``item_id`` that have enough passed answers.

    Returns the fields now ready with their counts (empty when none is).
    """
    needed = ready_after(schema)
    counts = passed_text_counts(session, schema=schema, item_id=item_id)
    ready = {name: n for name, n in counts.items() if n >= needed}
    item = session.get_one(Item, item_id)
    meta: dict[str, Any] = dict(item.meta or {})
    if ready and meta.get(READY_KEY) != ready:
        item.meta = {**meta, READY_KEY: ready}
    return ready


def passed_text_counts(session: Session, *, schema: LabelSchema, item_id: int) -> dict[str, int]:
    """How many people's passed answers each text field of the item has."""
    names = [f.name for f in schema.fields if isinstance(f, TextField)]
    query = (
        select(Annotation.answers)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.item_id == item_id, Annotation.status.in_(COUNTED))
        .where(Annotator.kind == "human")
    )
    counts = dict.fromkeys(names, 0)
    for answers in session.scalars(query):
        for name in names:
            text = (answers or {}).get(name)
            counts[name] += isinstance(text, str) and bool(text.strip())
    return counts


def items_ready_for_merge(session: Session, *, project_id: int) -> dict[int, dict[str, int]]:
    """Item id → the fields ready for merging, for every marked item of the project."""
    rows = session.execute(select(Item.id, Item.meta).where(Item.project_id == project_id))
    return {item_id: dict(meta[READY_KEY]) for item_id, meta in rows if (meta or {}).get(READY_KEY)}
