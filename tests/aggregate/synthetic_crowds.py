"""Synthetic crowds with known worker quality, made by the tests themselves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Crowd:
    answers: pd.DataFrame
    truth: pd.Series
    confusions: np.ndarray  # [worker, true, given]


def make_crowd(
    accuracies: list[float],
    n_items: int = 400,
    n_classes: int = 3,
    per_item: int | None = None,
    seed: int = 0,
) -> Crowd:
    """Workers right with the given accuracy, wrong answers spread uniformly."""
    rng = np.random.default_rng(seed)
    acc = np.asarray(accuracies)
    k, n_workers = n_classes, acc.size
    conf = np.repeat(((1 - acc) / (k - 1))[:, None, None], k, axis=1).repeat(k, axis=2)
    conf[:, np.arange(k), np.arange(k)] = acc[:, None]
    truth = rng.integers(0, k, n_items)
    rows = []
    for item in range(n_items):
        workers = np.arange(n_workers)
        if per_item is not None:
            workers = rng.choice(n_workers, size=per_item, replace=False)
        for w in workers:
            rows.append((item, f"w{w}", int(rng.choice(k, p=conf[w, truth[item]]))))
    answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    return Crowd(answers, pd.Series(truth, name="truth"), conf)


def varied_crowd() -> Crowd:
    """Two good workers and three near-random ones: weighting matters."""
    return make_crowd([0.9, 0.85, 0.4, 0.35, 0.35], n_items=500, seed=1)


def accuracy(labels: pd.Series, truth: pd.Series) -> float:
    return float((labels.reindex(truth.index) == truth).mean())
