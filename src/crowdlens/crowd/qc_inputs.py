"""Gather from the store what the QC rules compare one submission against.

Keywords come from the item's manifest (``meta.keywords``), else from a model's keyword utility
stored as ``meta.model_keywords``; without either the ``keywords`` rule falls back to words the
other passed answers share. Only other people's answers are peers: a worker's own earlier
attempts never count as copies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.crowd.gold import gold_history
from crowdlens.crowd.leases import COUNTED
from crowdlens.qc import ItemContext
from crowdlens.schema import LabelSchema, TextField
from crowdlens.store.tables import Annotation, Item

KEYWORD_KEYS = ("keywords", "model_keywords")


def item_context(
    session: Session,
    *,
    schema: LabelSchema,
    item: Item,
    annotator_id: int,
    signals: Mapping[str, Any],
    seconds: Mapping[str, float],
) -> ItemContext:
    """The :class:`ItemContext` for ``annotator_id``'s answer to ``item``."""
    accepted, others = _peer_texts(session, schema, item.id, annotator_id)
    gold = dict(item.gold or {}) if "gold" in schema.qc else {}
    return ItemContext(
        keywords=item_keywords(item.meta or {}),
        accepted=accepted,
        others=others,
        seconds=dict(seconds),
        pasted_chars=_pasted(signals),
        gold=gold,
        gold_history=_history(session, item, annotator_id) if gold else (),
    )


def item_keywords(meta: Mapping[str, Any]) -> list[str]:
    """The first list of strings under ``keywords`` or ``model_keywords``."""
    for key in KEYWORD_KEYS:
        value = meta.get(key)
        if isinstance(value, list) and value:
            return [str(v) for v in value if str(v).strip()]
    return []


def _peer_texts(
    session: Session, schema: LabelSchema, item_id: int, annotator_id: int
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    names = [f.name for f in schema.fields if isinstance(f, TextField)]
    accepted: dict[str, list[str]] = {n: [] for n in names}
    others: dict[str, list[str]] = {n: [] for n in names}
    if not names:
        return accepted, others
    query = select(Annotation.status, Annotation.answers).where(
        Annotation.item_id == item_id, Annotation.annotator_id != annotator_id
    )
    for status, answers in session.execute(query):
        for name in names:
            text = (answers or {}).get(name)
            if isinstance(text, str) and text.strip():
                (accepted if status in COUNTED else others)[name].append(text)
    return accepted, others


def _pasted(signals: Mapping[str, Any]) -> dict[str, Sequence[int]]:
    pasted = signals.get("pasted_chars")
    if not isinstance(pasted, Mapping):
        return {}
    return {str(k): [v] for k, v in pasted.items() if isinstance(v, int) and v > 0}


def _history(session: Session, item: Item, annotator_id: int) -> list[float]:
    return gold_history(
        session, project_id=item.project_id, annotator_id=annotator_id, exclude_item=item.id
    )
