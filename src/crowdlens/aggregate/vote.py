"""Majority vote and weighted majority vote."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from crowdlens.aggregate._base import Aggregator
from crowdlens.aggregate._encode import Observations, normalize_rows
from crowdlens.errors import ConfigError

TieRule = Literal["frequent", "first", "random"]
TIE_RULES = ("frequent", "first", "random")


def break_ties(
    probas: np.ndarray, order: np.ndarray, rule: TieRule, seed: int | None = 0
) -> np.ndarray:
    """Index of the winning class per row, ties broken by ``rule``.

    ``frequent``: the tied class with the highest ``order`` score (the class chosen most often in
    the whole table), then the first class; ``first``: the first tied class in class order;
    ``random``: a tied class drawn uniformly with ``seed``.
    """
    top = probas >= probas.max(axis=1, keepdims=True) - 1e-12
    if rule == "first":
        return np.asarray(np.argmax(top, axis=1))
    if rule == "random":
        noise = np.random.default_rng(seed).random(probas.shape)
        return np.asarray(np.argmax(np.where(top, noise, -1.0), axis=1))
    rank = np.argsort(np.argsort(-order, kind="stable"), kind="stable")
    return np.asarray(np.argmin(np.where(top, rank, rank.size + 1), axis=1))


def _check_tie_rule(rule: str) -> None:
    if rule not in TIE_RULES:
        raise ConfigError(f"on_tie: expected one of {list(TIE_RULES)}, got {rule!r}")


class MajorityVote(Aggregator):
    """Each answer is one vote; the class with most votes wins.

    ``probas_`` holds the vote shares. Tie rule (``on_tie``): ``"frequent"`` (default) gives a
    tied item the class chosen most often across the whole table, and if that ties too, the first
    class in sorted order; ``"first"`` takes the first tied class in sorted order; ``"random"``
    draws one of the tied classes with ``seed``. Soft labels count as fractional votes.
    """

    def __init__(
        self,
        on_tie: TieRule = "first",
        seed: int | None = 0,
        classes: Sequence[Hashable] | None = None,
    ) -> None:
        _check_tie_rule(on_tie)
        self.on_tie = on_tie
        self.seed = seed
        self.classes = classes

    def _fit_encoded(self, obs: Observations, gold: pd.Series | None) -> np.ndarray:
        votes = obs.votes()
        self._order = votes.sum(axis=0)
        return normalize_rows(votes)

    def _set_result(self, obs: Observations, probas: np.ndarray) -> None:
        super()._set_result(obs, probas)
        if len(probas):
            winner = break_ties(probas, self._order, self.on_tie, self.seed)
            picked = np.asarray(obs.classes.take(winner), dtype=object)
            self.labels_ = pd.Series(picked, index=self.labels_.index, name="label")


def annotator_weights(obs: Observations, labels: np.ndarray) -> np.ndarray:
    """Per annotator, the weighted share of answers that equal ``labels`` (class index per item)."""
    hit = (obs.label == labels[obs.item]) * obs.weight
    agree = np.bincount(obs.annotator, weights=hit, minlength=obs.n_annotators)
    total = np.bincount(obs.annotator, weights=obs.weight, minlength=obs.n_annotators)
    return np.divide(agree, total, out=np.zeros_like(agree), where=total > 0)


class WeightedMajorityVote(MajorityVote):
    """Votes weighted per annotator.

    With ``weights`` given (annotator → weight; unknown annotators get ``default_weight``), those
    are used. Without, each annotator's weight is its agreement with the plain majority vote
    (the "Wawa" scheme). Fitted ``skills_``: the weight of every annotator.
    """

    skills_: pd.Series

    def __init__(
        self,
        weights: Mapping[Hashable, float] | None = None,
        default_weight: float = 1.0,
        on_tie: TieRule = "first",
        seed: int | None = 0,
        classes: Sequence[Hashable] | None = None,
    ) -> None:
        super().__init__(on_tie=on_tie, seed=seed, classes=classes)
        self.weights = weights
        self.default_weight = default_weight

    def _fit_encoded(self, obs: Observations, gold: pd.Series | None) -> np.ndarray:
        self._order = obs.votes().sum(axis=0)
        skills = self._skills(obs)
        self.skills_ = pd.Series(skills, index=pd.Index(obs.annotators, name="annotator"))
        self.skills_.name = "skill"
        k = obs.n_classes
        weighted = obs.weight * skills[obs.annotator]
        flat = np.bincount(obs.item * k + obs.label, weights=weighted, minlength=obs.n_items * k)
        return normalize_rows(flat.reshape(obs.n_items, k))

    def _skills(self, obs: Observations) -> np.ndarray:
        if self.weights is not None:
            given = pd.Series(dict(self.weights), dtype=float)
            found = given.reindex(obs.annotators).fillna(self.default_weight)
            return np.asarray(found.to_numpy(dtype=float))
        mv = break_ties(normalize_rows(obs.votes()), self._order, self.on_tie, self.seed)
        return annotator_weights(obs, mv)
