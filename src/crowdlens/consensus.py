"""Consensus in the store: read a project's answers, aggregate each field, write the result.

This is the one place where aggregation meets the database (``crowdlens.aggregate`` itself
computes on tables only). Per field kind:

* ``binary`` and ``choice``: the chosen aggregator (``mv``, ``wmv``, ``ds``, ``onecoin``,
  ``glad``) over people and models together; confidence is the winning class's probability.
* ``tags``: one yes/no problem per tag (:func:`crowdlens.aggregate.tags_to_binary`), the tags
  whose consensus is yes; confidence is the least certain tag's probability.
* ``text``: the offline extractive merge; confidence is the share of answers supporting the
  most supported sentence.
* ``boxes``: every annotator's boxes matched across annotators by IoU and fused
  (:func:`crowdlens.aggregate.fuse_boxes`); the value is the list of fused boxes, each with its
  label, ``support`` (how many annotators drew it) and label confidence; the item's confidence is
  the mean share of annotators supporting each box (1.0 when everyone drew nothing).

Re-running is incremental: each consensus row keeps a digest of the answers it was computed from
(annotation id, annotator, label and confidence of every counted answer), and a field whose
digests all match the current answers — same items, same method — is skipped. A new answer, a
rejected one, or a rejected one resubmitted (same count, new annotation) re-runs the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.aggregate import (
    GLAD,
    Aggregator,
    DawidSkene,
    MajorityVote,
    OneCoinDawidSkene,
    WeightedMajorityVote,
    fuse_boxes,
    merge_texts,
    tags_to_binary,
)
from crowdlens.aggregate.boxes import BOX_COLUMNS
from crowdlens.errors import ConfigError
from crowdlens.store.annotations import answer_rows
from crowdlens.store.projects import project_schema
from crowdlens.store.tables import Consensus, Project

METHODS: dict[str, Callable[[], Aggregator]] = {
    "mv": MajorityVote,
    "wmv": WeightedMajorityVote,
    "ds": DawidSkene,
    "onecoin": OneCoinDawidSkene,
    "glad": GLAD,
}


@dataclass
class ConsensusReport:
    """What one run did, per field: items written, or why a field was skipped."""

    method: str
    written: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _aggregator(method: str) -> Aggregator:
    if method not in METHODS:
        raise ConfigError(f"method: expected one of {sorted(METHODS)}, got {method!r}")
    return METHODS[method]()


def aggregate_project(
    session: Session, *, project: Project, method: str = "ds", force: bool = False
) -> ConsensusReport:
    """Write consensus for every field of ``project``; unchanged fields are skipped."""
    aggregator = _aggregator(method)
    report = ConsensusReport(method=method)
    for spec in project_schema(project).fields:
        answers = pd.DataFrame(
            answer_rows(session, project_id=project.id, field=spec.name),
            columns=["item", "annotator", "kind", "label", "confidence", "annotation"],
        )
        if answers.empty:
            report.skipped[spec.name] = "no answers yet"
        elif not force and _unchanged(session, project.id, spec.name, answers, method):
            report.skipped[spec.name] = "unchanged since the last run"
        else:
            rows = _consensus_rows(spec.kind, answers, aggregator)
            report.written[spec.name] = _write(session, project.id, spec.name, rows, method)
    return report


def _unchanged(
    session: Session, project_id: int, name: str, answers: pd.DataFrame, method: str
) -> bool:
    query = select(Consensus.item_id, Consensus.value, Consensus.method).where(
        Consensus.project_id == project_id, Consensus.field == name
    )
    stored = {item: (value.get("answers"), m) for item, value, m in session.execute(query)}
    digests = answer_digests(answers)
    return len(stored) == len(digests) and all(
        stored.get(item) == (digest, method) for item, digest in digests.items()
    )


def answer_digests(answers: pd.DataFrame) -> dict[int, str]:
    """Per item, a digest of its answers: what its consensus was computed from."""
    digests = {}
    for item, rows in answers.groupby("item", sort=False):
        parts = sorted(
            json.dumps([int(a), int(who), label, conf], default=str, sort_keys=True)
            for a, who, label, conf in rows[["annotation", "annotator", "label", "confidence"]]
            .astype(object)
            .itertuples(index=False)
        )
        digests[int(item)] = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return digests


Row = tuple[int, object, float, int, str]


def _consensus_rows(kind: str, answers: pd.DataFrame, aggregator: Aggregator) -> list[Row]:
    counts = answers.groupby("item").size()
    digests = answer_digests(answers)
    if kind == "tags":
        values, confidence = _tags(answers, aggregator)
    elif kind == "text":
        values, confidence = _text(answers)
    elif kind == "boxes":
        values, confidence = _boxes(answers)
    else:
        aggregator.fit(answers[["item", "annotator", "label"]])
        values, confidence = aggregator.labels_, aggregator.confidence_
    return [
        (int(item), _plain(values[item]), float(confidence[item]), int(counts[item]), digests[item])
        for item in values.index
    ]


def _tags(answers: pd.DataFrame, aggregator: Aggregator) -> tuple[pd.Series, pd.Series]:
    yes: dict[str, pd.Series] = {}
    sure: list[pd.Series] = []
    for tag, table in tags_to_binary(answers[["item", "annotator", "label"]]).items():
        aggregator.fit(table)
        yes[str(tag)] = aggregator.labels_.astype(bool)
        sure.append(aggregator.confidence_)
    frame = pd.DataFrame(yes)
    values = pd.Series({i: sorted(t for t in frame.columns if frame.at[i, t]) for i in frame.index})
    return values, pd.concat(sure, axis=1).min(axis=1)


def _text(answers: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    values, confidence = {}, {}
    for item, table in answers.groupby("item", sort=False):
        texts = [str(t) for t in table["label"].tolist()]
        merged = merge_texts(texts)
        values[item] = merged.text
        top = merged.sentences[0].support if merged.sentences else 0
        confidence[item] = top / max(len(texts), 1)
    return pd.Series(values, dtype=object), pd.Series(confidence, dtype=float)


def _boxes(answers: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    drawn = pd.DataFrame(
        [
            {
                "item": item,
                "annotator": who,
                "x0": b["x"],
                "y0": b["y"],
                "x1": b["x"] + b["w"],
                "y1": b["y"] + b["h"],
                "label": b["label"],
            }
            for item, who, boxes in answers[["item", "annotator", "label"]].itertuples(index=False)
            for b in boxes
        ],
        columns=list(BOX_COLUMNS),
    )
    fused = fuse_boxes(drawn) if not drawn.empty else drawn.assign(support=[], confidence=[])
    annotators = answers.groupby("item")["annotator"].nunique()
    values, confidence = {}, {}
    for item, n in annotators.items():
        mine = fused[fused["item"] == item]
        values[item] = [_fused_box(row) for row in mine.to_dict("records")]
        confidence[item] = float((mine["support"] / n).mean()) if len(mine) else 1.0
    return pd.Series(values, dtype=object), pd.Series(confidence, dtype=float)


def _fused_box(row: dict[str, Any]) -> dict[str, object]:
    return {
        "x": float(row["x0"]),
        "y": float(row["y0"]),
        "w": float(row["x1"] - row["x0"]),
        "h": float(row["y1"] - row["y0"]),
        "label": row["label"],
        "support": int(row["support"]),
        "confidence": float(row["confidence"]),
    }


def _plain(value: object) -> object:
    """numpy scalars as plain Python values, so they store as JSON."""
    return value.item() if hasattr(value, "item") else value


def _write(
    session: Session,
    project_id: int,
    name: str,
    rows: Iterable[Row],
    method: str,
) -> int:
    query = select(Consensus).where(Consensus.project_id == project_id, Consensus.field == name)
    existing = {c.item_id: c for c in session.scalars(query)}
    written = 0
    for item_id, value, confidence, n, digest in rows:
        row = existing.get(item_id) or Consensus(project_id=project_id, item_id=item_id, field=name)
        row.value, row.confidence, row.method, row.n_annotations = (
            {"value": value, "answers": digest},
            confidence,
            method,
            n,
        )
        session.add(row)
        written += 1
        existing.pop(item_id, None)
    for stale in existing.values():  # every answer of the item was rejected since
        session.delete(stale)
    return written


def read_consensus(session: Session, *, project: Project) -> pd.DataFrame:
    """Stored consensus as a table: ``item, field, value, confidence, method, n_annotations``."""
    query = (
        select(Consensus)
        .where(Consensus.project_id == project.id)
        .order_by(Consensus.item_id, Consensus.field)
    )
    rows = [
        (c.item_id, c.field, c.value.get("value"), c.confidence, c.method, c.n_annotations)
        for c in session.scalars(query)
    ]
    columns = ["item", "field", "value", "confidence", "method", "n_annotations"]
    return pd.DataFrame(rows, columns=columns)
