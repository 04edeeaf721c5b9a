"""Dawid–Skene expectation maximisation, with full and one-coin confusion models.

The answers are an items × (annotator, label) sparse matrix ``S`` of weights (1 per hard answer,
class probabilities for a soft answer). With ``T`` the items × classes posterior of the true class:

* M step: ``counts = Sᵀ T`` holds, per (annotator, given label) row and true-class column, the
  expected number of times that annotator gave that label for that true class. Normalised over
  the given label it is the annotator's confusion matrix.
* E step: ``log T ∝ log prior + S · log π`` — one sparse product for all items.

Both are small pure functions below; the classes only run the loop and keep the results.
Smoothing is empirical Bayes: every annotator's confusion row gets ``smoothing`` pseudo-answers
spread like the pooled confusion matrix of all annotators, so that an annotator seen a few
times looks like the crowd rather than like a perfect or a useless worker.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from crowdlens.aggregate._base import Aggregator
from crowdlens.aggregate._encode import Observations, gold_codes, normalize_rows
from crowdlens.errors import ConfigError

_TINY = 1e-12


@dataclass(frozen=True)
class EMResult:
    """Where an EM run ended."""

    posteriors: np.ndarray
    log_conf: np.ndarray
    priors: np.ndarray
    log_likelihood: float
    n_iter: int


def clamp(posteriors: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Rows with a known gold class (``gold >= 0``) become one-hot on it."""
    known = gold >= 0
    if not known.any():
        return posteriors
    out = posteriors.copy()
    out[known] = 0.0
    out[np.flatnonzero(known), gold[known]] = 1.0
    return out


def expected_counts(s_t: sparse.csr_matrix, posteriors: np.ndarray, k: int) -> np.ndarray:
    """Annotators × given label × true class expected answer counts (``Sᵀ T``)."""
    flat = np.asarray(s_t @ posteriors)
    return flat.reshape(-1, k, posteriors.shape[1])


def full_confusion(counts: np.ndarray, smoothing: float) -> np.ndarray:
    """Confusion matrices as [annotator, given, true], each true-class column summing to 1.

    ``smoothing`` pseudo-answers per (annotator, true class) follow the pooled confusion matrix.
    """
    pooled = counts.sum(axis=0)
    pooled = (pooled + _TINY) / (pooled + _TINY).sum(axis=0, keepdims=True)
    smoothed = counts + smoothing * pooled[None, :, :] + _TINY
    return np.asarray(smoothed / smoothed.sum(axis=1, keepdims=True))


def one_coin_confusion(counts: np.ndarray, smoothing: float) -> np.ndarray:
    """One skill per annotator: right with probability ``s``, else uniformly wrong."""
    k = counts.shape[1]
    right = np.trace(counts, axis1=1, axis2=2)
    total = counts.sum(axis=(1, 2))
    pooled = (right.sum() + _TINY) / (total.sum() + _TINY)
    skill = (right + smoothing * pooled) / (total + smoothing + _TINY)
    skill = np.clip(skill, 1e-6, 1 - 1e-6)
    wrong = (1.0 - skill) / max(k - 1, 1)
    conf = np.repeat(wrong[:, None, None], k, axis=1).repeat(k, axis=2)
    conf[:, np.arange(k), np.arange(k)] = skill[:, None]
    return conf


def class_priors(posteriors: np.ndarray, smoothing: float) -> np.ndarray:
    """Class frequencies from the posteriors, with ``smoothing`` pseudo-items per class."""
    counts = posteriors.sum(axis=0) + smoothing
    return np.asarray(counts / counts.sum())


def e_step(
    s: sparse.csr_matrix, log_conf: np.ndarray, priors: np.ndarray
) -> tuple[np.ndarray, float]:
    """Posteriors of the true class per item, and the data log-likelihood."""
    k = priors.size
    logits = np.asarray(s @ log_conf.reshape(-1, k)) + np.log(priors + _TINY)[None, :]
    top = logits.max(axis=1, keepdims=True)
    exp = np.exp(logits - top)
    total = exp.sum(axis=1, keepdims=True)
    log_likelihood = float(np.sum(np.log(total) + top))
    return exp / total, log_likelihood


class DawidSkene(Aggregator):
    """Dawid & Skene (1979): one confusion matrix per annotator, fitted by EM.

    Starts from (soft) majority vote. Stops after ``max_iter`` iterations or when the
    log-likelihood improves by less than ``tol`` per item (``tol=0`` runs every iteration).
    ``gold`` passed to :meth:`fit` (item → label) clamps those items to their known label.

    Fitted: ``labels_``, ``probas_``, ``confusions_`` (rows: annotator and true label; columns:
    given label), ``priors_``, ``n_iter_``, ``log_likelihood_``.
    """

    confusions_: pd.DataFrame
    priors_: pd.Series
    n_iter_: int
    log_likelihood_: float

    def __init__(
        self,
        max_iter: int = 100,
        tol: float = 1e-5,
        smoothing: float = 3.0,
        classes: Sequence[Hashable] | None = None,
    ) -> None:
        if max_iter < 0 or tol < 0 or smoothing < 0:
            raise ConfigError(
                "expected max_iter >= 0, tol >= 0 and smoothing >= 0, "
                f"got max_iter={max_iter}, tol={tol}, smoothing={smoothing}"
            )
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing
        self.classes = classes

    def _confusion(self, counts: np.ndarray) -> np.ndarray:
        return full_confusion(counts, self.smoothing)

    def _fit_encoded(self, obs: Observations, gold: pd.Series | None) -> np.ndarray:
        result = self._run_em(obs, gold_codes(gold, obs))
        self._keep(obs, result)
        return result.posteriors

    def _run_em(self, obs: Observations, gold: np.ndarray) -> EMResult:
        s = obs.matrix()
        s_t = s.T.tocsr()
        k = obs.n_classes
        posteriors = clamp(normalize_rows(obs.votes()), gold)
        previous = -np.inf
        log_conf, priors, log_likelihood, n_iter = np.zeros(0), np.ones(k) / k, -np.inf, 0
        while n_iter < max(self.max_iter, 1):
            n_iter += 1
            log_conf = np.log(self._confusion(expected_counts(s_t, posteriors, k)))
            priors = class_priors(posteriors, self.smoothing)
            posteriors, log_likelihood = e_step(s, log_conf, priors)
            posteriors = clamp(posteriors, gold)
            if self.tol > 0 and log_likelihood - previous < self.tol * obs.n_items:
                break
            previous = log_likelihood
        return EMResult(posteriors, log_conf, priors, log_likelihood, n_iter)

    def _keep(self, obs: Observations, result: EMResult) -> None:
        k = obs.n_classes
        conf = np.exp(result.log_conf).transpose(0, 2, 1).reshape(-1, k)
        rows = pd.MultiIndex.from_product(
            [obs.annotators, obs.classes], names=["annotator", "true"]
        )
        self.confusions_ = pd.DataFrame(
            conf, index=rows, columns=pd.Index(obs.classes, name="label")
        )
        self.priors_ = pd.Series(result.priors, index=obs.classes, name="prior")
        self.n_iter_ = result.n_iter
        self.log_likelihood_ = result.log_likelihood


class OneCoinDawidSkene(DawidSkene):
    """Dawid–Skene with one skill per annotator: right with probability ``s``, else wrong uniformly.

    Far fewer parameters than full confusion matrices, so it holds up when each annotator
    answers only a few items. Fitted ``skills_`` in addition to :class:`DawidSkene`'s state.
    """

    skills_: pd.Series

    def _confusion(self, counts: np.ndarray) -> np.ndarray:
        return one_coin_confusion(counts, self.smoothing)

    def _keep(self, obs: Observations, result: EMResult) -> None:
        super()._keep(obs, result)
        skills = np.exp(result.log_conf[:, 0, 0]) if obs.n_classes else np.zeros(0)
        self.skills_ = pd.Series(skills, index=pd.Index(obs.annotators, name="annotator"))
        self.skills_.name = "skill"
