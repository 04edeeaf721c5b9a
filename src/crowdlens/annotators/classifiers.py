"""Calibrated classifiers for one field each: binary, choice, or tags (one per label).

Each classifier gets its own confidence threshold, chosen like SageMaker Ground Truth's
automated labelling: the lowest confidence at which its out-of-fold predictions reach the
target accuracy, over at least a quarter of the training items (and at least ``MIN_SUPPORT``).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from crowdlens.schema import LabelField, TagsField

Matrix = NDArray[np.float64]
NEVER = math.inf
MIN_SUPPORT = 10


@dataclass(frozen=True)
class Targets:
    """What "confident" means: a target accuracy and a floor on the probability."""

    accuracy: float
    min_confidence: float
    folds: int
    seed: int


@dataclass
class LabelModel:
    """A classifier over ``classes`` with its threshold (or the one label all examples had)."""

    classes: list[Any]
    estimator: Any | None
    threshold: float
    cv_accuracy: float
    coverage: float
    n: int

    def proba(self, vector: Matrix) -> tuple[Any, float]:
        """The most likely label and its probability."""
        if self.estimator is None:
            return self.classes[0], 1.0
        probabilities = self.estimator.predict_proba(vector)[0]
        best = int(np.argmax(probabilities))
        return self.estimator.classes_[best], float(probabilities[best])


@dataclass
class FieldModel:
    """What was learned for one field; tags fields hold one :class:`LabelModel` per label."""

    kind: str
    labels: dict[str, LabelModel] = field(default_factory=dict)

    def predict(self, vector: Matrix) -> tuple[Any | None, float]:
        """The answer and its confidence; None when a classifier is below its threshold."""
        if self.kind != "tags":
            model = self.labels[""]
            value, confidence = model.proba(vector)
            value = bool(value) if self.kind == "binary" else str(value)
            return (value if confidence >= model.threshold else None), confidence
        chosen, confidence, sure = [], 1.0, True
        for name, model in self.labels.items():
            present, probability = model.proba(vector)
            confidence = min(confidence, probability)
            sure = sure and probability >= model.threshold
            if present:
                chosen.append(name)
        return (chosen if sure else None), confidence

    def report(self) -> dict[str, Any]:
        models = list(self.labels.values())
        scores = [m.cv_accuracy for m in models if not math.isnan(m.cv_accuracy)]
        return {
            "kind": self.kind,
            "examples": models[0].n,
            "cv_accuracy": round(float(np.mean(scores)), 4) if scores else None,
            "expected_coverage": round(float(min(m.coverage for m in models)), 4),
        }


def train_field(
    field: LabelField, matrix: Matrix, answers: list[Any], targets: Targets
) -> FieldModel | None:
    """A model for ``field`` from labelled rows, or None when all answers are the same."""
    if isinstance(field, TagsField):
        model = FieldModel("tags")
        for label in field.vocabulary:
            present: list[Any] = [label in (answer or []) for answer in answers]
            model.labels[label] = train_labels(matrix, present, targets)
        return model
    target: list[Any] = [bool(a) if field.kind == "binary" else str(a) for a in answers]
    if len(set(target)) < 2:
        return None
    return FieldModel(field.kind, {"": train_labels(matrix, target, targets)})


def train_labels(matrix: Matrix, target: list[Any], targets: Targets) -> LabelModel:
    """A calibrated logistic regression on standardized features, with its threshold."""
    counts = Counter(target)
    if len(counts) < 2:
        return LabelModel([target[0]], None, 0.0, 1.0, 1.0, len(target))
    y = np.array(target)
    smallest = min(counts.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        confidence, correct = _out_of_fold(matrix, y, min(targets.folds, smallest), targets.seed)
        estimator = _calibrated(min(3, smallest)).fit(matrix, y)
    threshold, coverage = choose_threshold(confidence, correct, targets)
    accuracy = float(correct.mean()) if correct.size else float("nan")
    return LabelModel(sorted(counts, key=str), estimator, threshold, accuracy, coverage, len(y))


def choose_threshold(
    confidence: NDArray[np.float64], correct: NDArray[np.bool_], targets: Targets
) -> tuple[float, float]:
    """The lowest confidence whose answers reach the target accuracy, and their share."""
    if confidence.size == 0:
        return NEVER, 0.0
    order = np.argsort(-confidence)
    hits = np.cumsum(correct[order])
    counts = np.arange(1, len(order) + 1)
    support = max(MIN_SUPPORT, math.ceil(0.25 * len(order)))
    good = (hits / counts >= targets.accuracy) & (counts >= support)
    if not good.any():
        return NEVER, 0.0
    last = int(np.flatnonzero(good)[-1])
    threshold = max(targets.min_confidence, float(confidence[order][last]))
    return threshold, float((confidence >= threshold).mean())


def _base() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))


def _calibrated(folds: int) -> Any:
    if folds < 2:
        return _base()
    return CalibratedClassifierCV(_base(), method="sigmoid", cv=folds)


def _out_of_fold(
    matrix: Matrix, y: NDArray[Any], folds: int, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Confidence and correctness of each item's prediction by a model that did not see it."""
    if folds < 2:
        return np.zeros(0), np.zeros(0, dtype=bool)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    # A stratified split leaves the rarest class at least this many examples to train on; the
    # calibration inside needs two of each class per fold, else it runs uncalibrated.
    smallest = min(Counter(y.tolist()).values())
    inner = min(3, smallest - math.ceil(smallest / folds))
    probabilities = cross_val_predict(
        _calibrated(inner), matrix, y, cv=splitter, method="predict_proba"
    )
    classes = np.array(sorted(set(y.tolist()), key=str))
    predicted = classes[np.argmax(probabilities, axis=1)]
    return probabilities.max(axis=1), predicted == y
