"""Box consensus: match boxes across annotators by IoU, fuse them, vote their labels.

Input is a long table with one box per row: ``item, annotator, x0, y0, x1, y1, label``.
Per item, boxes are visited from the most reliable annotator down; a box joins the group whose
fused box overlaps it most (IoU ≥ ``iou_threshold``) unless that group already has a box from
the same annotator, else it starts a new group. A group's coordinates are the reliability-
weighted mean of its boxes, its label the reliability-weighted vote, its support the number of
annotators in it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crowdlens.aggregate._encode import check_columns
from crowdlens.errors import AnswerInvalid, ConfigError

BOX_COLUMNS = ("item", "annotator", "x0", "y0", "x1", "y1", "label")
RESULT_COLUMNS = ["item", "x0", "y0", "x1", "y1", "label", "support", "confidence", "annotators"]


def iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Intersection over union of one ``[x0, y0, x1, y1]`` box with each row of ``others``."""
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    union = area + areas - inter
    return np.asarray(np.divide(inter, union, out=np.zeros_like(inter), where=union > 0))


@dataclass
class _Group:
    coords: list[np.ndarray] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    labels: list[Hashable] = field(default_factory=list)
    annotators: list[Hashable] = field(default_factory=list)

    def add(self, coords: np.ndarray, weight: float, label: Hashable, annotator: Hashable) -> None:
        self.coords.append(coords)
        self.weights.append(weight)
        self.labels.append(label)
        self.annotators.append(annotator)

    def fused(self) -> np.ndarray:
        weights = np.asarray(self.weights)
        if weights.sum() <= 0:
            weights = np.ones_like(weights)
        return np.asarray(np.average(np.stack(self.coords), axis=0, weights=weights))

    def vote(self) -> tuple[Hashable, float]:
        tally = (
            pd.Series(self.weights, index=pd.Index(self.labels, dtype=object))
            .groupby(level=0)
            .sum()
        )
        total = float(tally.sum())
        return tally.idxmax(), float(tally.max() / total) if total > 0 else 0.0


def _check_boxes(boxes: pd.DataFrame) -> None:
    check_columns(boxes, BOX_COLUMNS, "boxes")
    coords = boxes[["x0", "y0", "x1", "y1"]].to_numpy(dtype=float)
    bad = (coords[:, 2] <= coords[:, 0]) | (coords[:, 3] <= coords[:, 1])
    if bad.any():
        raise AnswerInvalid(
            f"boxes: expected x1 > x0 and y1 > y0, got {int(bad.sum())} box(es) that are not"
        )


def _group_item(
    table: pd.DataFrame, reliability: Mapping[Hashable, float], threshold: float
) -> list[_Group]:
    weight = table["annotator"].map(lambda a: float(reliability.get(a, 1.0)))
    ordered = table.assign(weight_=weight).sort_values("weight_", ascending=False, kind="stable")
    groups: list[_Group] = []
    for row in ordered.itertuples(index=False):
        coords = np.array([row.x0, row.y0, row.x1, row.y1], dtype=float)
        target = _best_group(groups, coords, row.annotator, threshold)
        if target is None:
            target = _Group()
            groups.append(target)
        target.add(coords, row.weight_, row.label, row.annotator)
    return groups


def _best_group(
    groups: list[_Group], coords: np.ndarray, annotator: Hashable, threshold: float
) -> _Group | None:
    open_groups = [g for g in groups if annotator not in g.annotators]
    if not open_groups:
        return None
    overlaps = iou(coords, np.stack([g.fused() for g in open_groups]))
    best = int(np.argmax(overlaps))
    return open_groups[best] if overlaps[best] >= threshold else None


def fuse_boxes(
    boxes: pd.DataFrame,
    reliability: Mapping[Hashable, float] | pd.Series | None = None,
    iou_threshold: float = 0.5,
    min_support: int = 1,
) -> pd.DataFrame:
    """Consensus boxes per item: ``item, x0, y0, x1, y1, label, support, confidence, annotators``.

    ``reliability`` maps annotator → weight (e.g. an aggregator's ``skills_``; default 1 each).
    Boxes seen by fewer than ``min_support`` annotators are dropped.
    """
    if not 0.0 < iou_threshold <= 1.0:
        raise ConfigError(f"iou_threshold: expected 0 < value <= 1, got {iou_threshold}")
    _check_boxes(boxes)
    weights = dict(reliability.items()) if reliability is not None else {}
    rows = []
    for item, table in boxes.groupby("item", sort=False):
        for group in _group_item(table, weights, iou_threshold):
            if len(group.annotators) >= min_support:
                rows.append(_row(item, group))
    result = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    return result.sort_values(
        ["item", "support"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)


def _row(item: Hashable, group: _Group) -> dict[str, object]:
    x0, y0, x1, y1 = group.fused().tolist()
    label, confidence = group.vote()
    return {
        "item": item,
        "x0": x0,
        "y0": y0,
        "x1": x1,
        "y1": y1,
        "label": label,
        "support": len(group.annotators),
        "confidence": confidence,
        "annotators": tuple(group.annotators),
    }
