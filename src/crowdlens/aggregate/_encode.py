"""Turn long answer tables into integer-coded observations that the aggregators share.

Every aggregator reads one long table with the columns ``item, annotator, label``. A model may
also enter with its class probabilities: a *soft* table with the columns
``item, annotator, label, prob``, one row per class. Both become weighted observations
``(item, annotator, label, weight)``: a hard answer has weight 1, a soft answer spreads weight 1
over the classes. The item × (annotator, label) matrix of weights is the one object the EM
algorithms multiply with.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from crowdlens.errors import AnswerInvalid

COLUMNS = ("item", "annotator", "label")
SOFT_COLUMNS = ("item", "annotator", "label", "prob")


@dataclass(frozen=True)
class Observations:
    """Answers coded as integers: item, annotator and label index plus a weight per row."""

    items: pd.Index
    annotators: pd.Index
    classes: pd.Index
    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    weight: np.ndarray

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)

    def matrix(self) -> sparse.csr_matrix:
        """Items × (annotator, label) weights; column ``a * K + l``."""
        cols = self.annotator * self.n_classes + self.label
        shape = (self.n_items, self.n_annotators * self.n_classes)
        return sparse.csr_matrix((self.weight, (self.item, cols)), shape=shape)

    def votes(self) -> np.ndarray:
        """Items × classes sum of weights: the (soft) vote count of each class."""
        k = self.n_classes
        flat = np.bincount(
            self.item * k + self.label, weights=self.weight, minlength=self.n_items * k
        )
        return flat.reshape(self.n_items, k)


def check_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`AnswerInvalid` unless ``df`` is a DataFrame with ``columns``."""
    if not isinstance(df, pd.DataFrame):
        raise AnswerInvalid(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnswerInvalid(
            f"{what}: expected columns {list(columns)}, got {list(df.columns)} (missing {missing})"
        )


def _check_probs(soft: pd.DataFrame) -> None:
    prob = soft["prob"].to_numpy(dtype=float)
    if np.any(~np.isfinite(prob)) or np.any(prob < 0):
        raise AnswerInvalid("soft labels: expected probabilities >= 0, got negative or NaN values")
    sums = soft.groupby(["item", "annotator"], sort=False)["prob"].sum().to_numpy(dtype=float)
    if np.any(np.abs(sums - 1.0) > 1e-3):
        raise AnswerInvalid(
            "soft labels: expected the probabilities of one (item, annotator) to sum to 1, "
            f"got sums between {sums.min():.3g} and {sums.max():.3g}"
        )


def _sorted_index(values: Iterable[Hashable]) -> pd.Index:
    unique = pd.unique(pd.Series(list(values), dtype=object))
    try:
        return pd.Index(sorted(unique), dtype=object)
    except TypeError:
        return pd.Index(unique, dtype=object)


def encode(
    answers: pd.DataFrame,
    soft: pd.DataFrame | None = None,
    classes: Sequence[Hashable] | None = None,
    extra_labels: Iterable[Hashable] = (),
) -> Observations:
    """Code hard answers and optional soft answers as one set of weighted observations."""
    check_columns(answers, COLUMNS, "answers")
    hard = answers[list(COLUMNS)].dropna()
    parts = [hard.assign(prob=1.0)]
    if soft is not None:
        check_columns(soft, SOFT_COLUMNS, "soft labels")
        _check_probs(soft)
        parts.append(soft[list(SOFT_COLUMNS)].dropna())
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    class_index = _class_index(table["label"], classes, extra_labels)
    return _code(table, class_index)


def _class_index(
    labels: pd.Series, classes: Sequence[Hashable] | None, extra: Iterable[Hashable]
) -> pd.Index:
    seen = pd.unique(labels)
    if classes is None:
        return _sorted_index([*seen.tolist(), *extra])
    index = pd.Index(list(classes), dtype=object)
    unknown = sorted({str(v) for v in seen.tolist() if v not in set(index)})
    if unknown:
        raise AnswerInvalid(f"answers: expected labels in {list(index)}, got {unknown[:5]}")
    return index


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(values)
    return np.asarray(codes), pd.Index(np.asarray(uniques, dtype=object), dtype=object)


def _code(table: pd.DataFrame, classes: pd.Index) -> Observations:
    item, items = _factorize(table["item"])
    annotator, annotators = _factorize(table["annotator"])
    label_codes, seen = _factorize(table["label"])
    mapping = classes.get_indexer(seen)
    return Observations(
        items=items,
        annotators=annotators,
        classes=classes,
        item=item,
        annotator=annotator,
        label=mapping[label_codes] if len(seen) else label_codes,
        weight=table["prob"].to_numpy(dtype=float),
    )


def gold_codes(gold: pd.Series | None, obs: Observations) -> np.ndarray:
    """Per item, the class index of a known gold label, or -1 where none is known."""
    codes = np.full(obs.n_items, -1)
    if gold is None or len(gold) == 0:
        return codes
    known = gold.dropna()
    known = known[known.index.isin(obs.items)]
    labels = obs.classes.get_indexer(pd.Index(known.to_numpy(), dtype=object))
    if np.any(labels < 0):
        raise AnswerInvalid(f"gold: expected labels in {list(obs.classes)}, got unknown ones")
    codes[obs.items.get_indexer(known.index)] = labels
    return codes


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; an all-zero row becomes uniform."""
    sums = matrix.sum(axis=1, keepdims=True)
    uniform = np.full_like(matrix, 1.0 / max(matrix.shape[1], 1))
    return np.asarray(np.divide(matrix, sums, out=uniform, where=sums > 0))


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))
