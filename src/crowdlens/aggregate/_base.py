"""The scikit-learn style shell every aggregator shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from typing import Self

import numpy as np
import pandas as pd

from crowdlens.aggregate._encode import COLUMNS, Observations, check_columns, encode


class Aggregator(ABC):
    """Answers → one label per item with a probability per class.

    Subclasses implement :meth:`_fit_encoded`, which returns an items × classes matrix of
    probabilities, and may set their own fitted attributes (``skills_``, ``confusions_``).
    Labels are the most probable class; ties go to the class that comes first in ``classes_``
    (sorted order unless ``classes`` was given).
    """

    classes: Sequence[Hashable] | None = None
    labels_: pd.Series
    probas_: pd.DataFrame
    classes_: pd.Index

    def fit(
        self,
        answers: pd.DataFrame,
        soft: pd.DataFrame | None = None,
        gold: pd.Series | None = None,
    ) -> Self:
        """Fit on a long table ``item, annotator, label`` (and optional soft labels)."""
        check_columns(answers, COLUMNS, "answers")
        extra = [] if gold is None else gold.dropna().tolist()
        obs = encode(answers, soft=soft, classes=self.classes, extra_labels=extra)
        self.classes_ = obs.classes
        if obs.n_items == 0:
            self._set_empty(obs)
            return self
        probas = self._fit_encoded(obs, gold)
        self._set_result(obs, probas)
        return self

    def fit_predict(
        self,
        answers: pd.DataFrame,
        soft: pd.DataFrame | None = None,
        gold: pd.Series | None = None,
    ) -> pd.Series:
        """Fit and return the label of every item (a Series indexed by item)."""
        return self.fit(answers, soft=soft, gold=gold).labels_

    def fit_predict_proba(
        self,
        answers: pd.DataFrame,
        soft: pd.DataFrame | None = None,
        gold: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Fit and return items × classes probabilities."""
        return self.fit(answers, soft=soft, gold=gold).probas_

    @property
    def confidence_(self) -> pd.Series:
        """Probability of the chosen label, per item."""
        return self.probas_.max(axis=1).rename("confidence")

    @abstractmethod
    def _fit_encoded(self, obs: Observations, gold: pd.Series | None) -> np.ndarray:
        """Items × classes probabilities from the encoded observations."""

    def _set_result(self, obs: Observations, probas: np.ndarray) -> None:
        items = pd.Index(obs.items, name="item")
        self.probas_ = pd.DataFrame(probas, index=items, columns=obs.classes)
        self.probas_.columns.name = "label"
        winner = np.argmax(probas, axis=1) if probas.size else np.zeros(len(probas), dtype=int)
        picked = obs.classes.take(winner)
        self.labels_ = pd.Series(np.asarray(picked, dtype=object), index=items, name="label")

    def _set_empty(self, obs: Observations) -> None:
        self._set_result(obs, np.zeros((0, obs.n_classes)))

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_") and k[0] != "_"
        )
        return f"{type(self).__name__}({params})"
