"""Routing policies: who answers what next.

A policy looks at a :class:`PolicyState` — per item, the human votes so far and the models'
class probabilities — and answers two questions:

* ``next_requests(state)``: which items need more human answers, and how many, most urgent
  first (a Series item → count, only positive counts);
* ``consensus(state)``: items × classes probabilities of the current best label.

Policies hold no store and no randomness; the assignment engine calls them live, and
:mod:`crowdlens.studies.simulate` calls the same code offline on recorded crowd data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import optimize

from crowdlens.errors import ConfigError


@dataclass(frozen=True)
class PolicyState:
    """Human votes (items × classes counts) and model probabilities (name → items × classes)."""

    votes: pd.DataFrame
    model_probas: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def n_human(self) -> pd.Series:
        """Human answers so far, per item."""
        return self.votes.sum(axis=1)

    def has_model(self) -> np.ndarray:
        """Per item (aligned with ``votes``), whether any model answered it."""
        present = [self.votes.index.isin(p.index) for p in self.model_probas.values()]
        return np.logical_or.reduce(present) if present else np.zeros(len(self.votes), bool)

    def models(self) -> list[np.ndarray]:
        """Model probabilities aligned with ``votes``; rows a model did not answer are NaN."""
        return [
            p.reindex(index=self.votes.index, columns=self.votes.columns).to_numpy(dtype=float)
            for p in self.model_probas.values()
        ]


class Policy(Protocol):
    """What the assignment engine and the simulator need from a policy."""

    def next_requests(self, state: PolicyState) -> pd.Series: ...

    def consensus(self, state: PolicyState) -> pd.DataFrame: ...


def one_coin_confusion(n_classes: int, accuracy: float) -> np.ndarray:
    """True × given matrix: right with ``accuracy``, else a uniform other class."""
    if not 0.0 < accuracy < 1.0 or n_classes < 2:
        raise ConfigError(
            f"expected 0 < accuracy < 1 and at least 2 classes, got {accuracy} and {n_classes}"
        )
    conf = np.full((n_classes, n_classes), (1.0 - accuracy) / (n_classes - 1))
    np.fill_diagonal(conf, accuracy)
    return conf


def posterior(
    votes: np.ndarray, prior: np.ndarray | None, confusion: np.ndarray, weight: float = 1.0
) -> np.ndarray:
    """``prior × Π_answers confusion[:, label] ** weight``, normalised per item (log space).

    A ``weight`` below 1 tempers the human evidence: people's errors concentrate on hard
    items, so their answers are less independent than the product assumes.
    """
    log_prior = np.zeros_like(votes, dtype=float) if prior is None else np.log(prior + 1e-12)
    logits = log_prior + weight * (votes @ np.log(confusion + 1e-12).T)
    logits -= logits.max(axis=1, keepdims=True)
    out = np.exp(logits)
    return np.asarray(out / out.sum(axis=1, keepdims=True))


def combine_models(models: list[np.ndarray]) -> np.ndarray | None:
    """Per item, the mean of the models that answered it (uniform where none did).

    ``None`` without models. Rows a model did not answer are NaN (see ``PolicyState.models``).
    """
    if not models:
        return None
    stacked = np.stack(models)
    count = (~np.isnan(stacked[..., 0])).sum(axis=0)[:, None]
    mean = np.nansum(stacked, axis=0) / np.maximum(count, 1)
    return np.asarray(np.where(count > 0, mean, 1.0 / stacked.shape[2]))


def models_disagree(models: list[np.ndarray]) -> np.ndarray:
    """Per item, whether the top classes of the models that answered it differ."""
    if len(models) < 2:
        return np.zeros(models[0].shape[0] if models else 0, dtype=bool)
    stacked = np.stack(models)
    answered = ~np.isnan(stacked[..., 0])
    tops = np.nan_to_num(stacked, nan=-1.0).argmax(axis=2)
    highest = np.where(answered, tops, -1).max(axis=0)
    lowest = np.where(answered, tops, stacked.shape[2]).min(axis=0)
    return np.asarray((answered.sum(axis=0) >= 2) & (highest != lowest))


def _requests(index: pd.Index, counts: np.ndarray, urgency: np.ndarray) -> pd.Series:
    """Positive counts as a Series ordered by descending urgency."""
    order = np.argsort(-urgency, kind="stable")
    series = pd.Series(counts[order].astype(int), index=index[order], name="requests")
    return series[series > 0]


@dataclass(frozen=True)
class BayesPolicy:
    """Shared consensus: model prior × human confusion likelihood (tempered by ``human_weight``)."""

    human_confusion: np.ndarray | None = None
    human_accuracy: float = 0.9
    human_weight: float = 1.0

    def confusion(self, n_classes: int) -> np.ndarray:
        if self.human_confusion is None:
            return one_coin_confusion(n_classes, self.human_accuracy)
        conf = np.asarray(self.human_confusion, dtype=float)
        if conf.shape != (n_classes, n_classes):
            raise ConfigError(
                f"human_confusion: expected shape {(n_classes,) * 2}, got {conf.shape}"
            )
        return conf

    def probabilities(self, state: PolicyState) -> np.ndarray:
        votes = state.votes.to_numpy(dtype=float)
        prior = combine_models(state.models())
        return posterior(votes, prior, self.confusion(votes.shape[1]), self.human_weight)

    def consensus(self, state: PolicyState) -> pd.DataFrame:
        return pd.DataFrame(
            self.probabilities(state), index=state.votes.index, columns=state.votes.columns
        )


@dataclass(frozen=True)
class Fixed(BayesPolicy):
    """Every item gets ``k`` human answers (models, if any, only break ties via the consensus)."""

    k: int = 3

    def next_requests(self, state: PolicyState) -> pd.Series:
        missing = np.maximum(self.k - state.n_human.to_numpy(), 0)
        return _requests(state.votes.index, missing, missing.astype(float))


@dataclass(frozen=True)
class ModelFirst(BayesPolicy):
    """Models answer everything; people only where the consensus is unsure or models disagree.

    One more human answer is requested while the top posterior is below ``threshold`` or the
    models' top classes differ (until ``max_human`` answers), least sure items first.
    """

    threshold: float = 0.95
    max_human: int = 5

    def next_requests(self, state: PolicyState) -> pd.Series:
        probs = self.probabilities(state)
        unsure = probs.max(axis=1) < self.threshold
        unsure |= models_disagree(state.models()) & (state.n_human.to_numpy() == 0)
        open_ = unsure & (state.n_human.to_numpy() < self.max_human)
        return _requests(state.votes.index, open_.astype(int), 1.0 - probs.max(axis=1))


@dataclass(frozen=True)
class ReannotateDisagreements:
    """The CelebA procedure: one person checks the model; on disagreement one more decides.

    Consensus is the majority of the model's top class and the people's answers; when all
    differ, the model's answer stands. An item no model answered gets plain two-then-tiebreak
    voting: two people, and a third when they differ.
    """

    def next_requests(self, state: PolicyState) -> pd.Series:
        votes = state.votes.to_numpy()
        n = votes.sum(axis=1)
        model_top = self._model_top(state)
        first = votes.argmax(axis=1)
        split = (model_top < 0) & (n == 2) & (votes.max(axis=1) < 2)
        needs = (n == 0) | ((n == 1) & (first != model_top)) | split
        return _requests(state.votes.index, needs.astype(int), needs.astype(float))

    def consensus(self, state: PolicyState) -> pd.DataFrame:
        votes = state.votes.to_numpy(dtype=float)
        model_top = self._model_top(state)
        ballot = votes.copy()
        has_model = model_top >= 0
        ballot[np.flatnonzero(has_model), model_top[has_model]] += 1.0 + 1e-6
        ballot /= np.maximum(ballot.sum(axis=1, keepdims=True), 1e-12)
        return pd.DataFrame(ballot, index=state.votes.index, columns=state.votes.columns)

    @staticmethod
    def _model_top(state: PolicyState) -> np.ndarray:
        combined = combine_models(state.models())
        if combined is None:
            return np.full(len(state.votes), -1)
        return np.where(state.has_model(), combined.argmax(axis=1), -1)


@dataclass(frozen=True)
class Budgeted(BayesPolicy):
    """Spend at most ``budget`` human answers in all, on the least certain items first.

    Each call asks for one more answer on up to ``batch`` items (all remaining budget when
    ``batch`` is 0), ranked by ``1 - top posterior``; items already certain beyond
    ``stop_at`` get none.
    """

    budget: int = 0
    batch: int = 0
    stop_at: float = 0.9999

    def next_requests(self, state: PolicyState) -> pd.Series:
        remaining = self.budget - int(state.n_human.sum())
        if remaining <= 0:
            return _requests(
                state.votes.index, np.zeros(len(state.votes)), np.zeros(len(state.votes))
            )
        probs = self.probabilities(state)
        doubt = 1.0 - probs.max(axis=1)
        limit = remaining if self.batch <= 0 else min(remaining, self.batch)
        chosen = np.zeros(len(doubt), dtype=int)
        ranked = np.argsort(-doubt, kind="stable")[:limit]
        chosen[ranked[doubt[ranked] > 1.0 - self.stop_at]] = 1
        return _requests(state.votes.index, chosen, doubt)


def fixed(k: int, **kwargs: object) -> Fixed:
    """``k`` human answers per item."""
    if k < 0:
        raise ConfigError(f"fixed(k): expected k >= 0, got {k}")
    return Fixed(k=k, **kwargs)  # type: ignore[arg-type]


def model_first(threshold: float, **kwargs: object) -> ModelFirst:
    """People only where the model-plus-people posterior is below ``threshold``."""
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"model_first(threshold): expected 0 < threshold <= 1, got {threshold}")
    return ModelFirst(threshold=threshold, **kwargs)  # type: ignore[arg-type]


def reannotate_disagreements() -> ReannotateDisagreements:
    """The CelebA re-annotation procedure."""
    return ReannotateDisagreements()


def budgeted(budget: int, **kwargs: object) -> Budgeted:
    """At most ``budget`` human answers in total, least certain items first."""
    if budget < 0:
        raise ConfigError(f"budgeted(budget): expected budget >= 0, got {budget}")
    return Budgeted(budget=budget, **kwargs)  # type: ignore[arg-type]


POLICIES: dict[str, Callable[..., Policy]] = {
    "fixed": fixed,
    "model_first": model_first,
    "reannotate_disagreements": reannotate_disagreements,
    "budgeted": budgeted,
}


def make_policy(name: str, **settings: Any) -> Policy:
    """A policy by the name a project's YAML gives it, with that policy's settings."""
    if name not in POLICIES:
        raise ConfigError(
            f"policy: expected one of {', '.join(POLICIES)}, got {name!r}; check its spelling"
        )
    return POLICIES[name](**settings)


def estimate_confusion(
    votes: pd.DataFrame, reference: pd.Series, smoothing: float = 1.0
) -> np.ndarray:
    """Human true × given confusion from vote counts on items with a reference label.

    The reference can be gold or, to avoid gold altogether, the full crowd's majority vote on a
    calibration set. ``smoothing`` pseudo-answers are added to the diagonal-free cells evenly.
    """
    common = votes.index.intersection(reference.dropna().index)
    k = votes.shape[1]
    truth = votes.columns.get_indexer(pd.Index(reference[common].to_numpy()))
    counts = np.zeros((k, k))
    np.add.at(counts, truth, votes.loc[common].to_numpy(dtype=float))
    counts += smoothing / k
    return np.asarray(counts / counts.sum(axis=1, keepdims=True))


def fit_human_weight(
    model_probas: pd.DataFrame,
    votes: pd.DataFrame,
    confusion: np.ndarray,
    reference: pd.Series,
    grid: np.ndarray | None = None,
) -> float:
    """The ``human_weight`` that best predicts ``reference`` from the model and one answer.

    For every calibration item, one human answer is drawn from its recorded ``votes`` (in
    expectation); the weight maximising the mean log posterior of the reference label wins.
    """
    common = votes.index.intersection(reference.dropna().index).intersection(model_probas.index)
    counts = votes.loc[common].to_numpy(dtype=float)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    log_prior = np.log(model_probas.loc[common].to_numpy(dtype=float) + 1e-12)
    target = votes.columns.get_indexer(pd.Index(reference[common].to_numpy()))
    log_conf = np.log(confusion + 1e-12)
    candidates = np.linspace(0.05, 1.5, 30) if grid is None else grid
    scores = [_expected_log_posterior(log_prior, shares, log_conf, target, w) for w in candidates]
    return float(candidates[int(np.argmax(scores))])


def _expected_log_posterior(
    log_prior: np.ndarray,
    shares: np.ndarray,
    log_conf: np.ndarray,
    target: np.ndarray,
    weight: float,
) -> float:
    rows = np.arange(len(target))
    total = 0.0
    for label in range(log_conf.shape[1]):
        logits = log_prior + weight * log_conf[:, label][None, :]
        logits -= logits.max(axis=1, keepdims=True)
        log_post = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        total += float(np.sum(shares[:, label] * log_post[rows, target]))
    return total / max(len(target), 1)


def fit_temperature(probas: pd.DataFrame, reference: pd.Series) -> float:
    """The temperature ``T`` minimising the log-loss of ``softmax(log p / T)`` on ``reference``."""
    common = probas.index.intersection(reference.dropna().index)
    logp = np.log(probas.loc[common].to_numpy(dtype=float) + 1e-12)
    target = probas.columns.get_indexer(pd.Index(reference[common].to_numpy()))

    def loss(log_t: float) -> float:
        scaled = logp / np.exp(log_t)
        scaled -= scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        return float(np.mean(log_norm - scaled[np.arange(len(target)), target]))

    found = optimize.minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(found.x))


def apply_temperature(probas: pd.DataFrame, temperature: float) -> pd.DataFrame:
    """``softmax(log p / T)`` row-wise."""
    scaled = np.log(probas.to_numpy(dtype=float) + 1e-12) / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    out = np.exp(scaled)
    return pd.DataFrame(
        out / out.sum(axis=1, keepdims=True), index=probas.index, columns=probas.columns
    )
