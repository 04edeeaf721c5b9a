"""GLAD (Whitehill et al., 2009): annotator ability and item easiness, fitted by EM.

An annotator ``a`` answers item ``i`` correctly with probability ``σ(α_a β_i)``, and otherwise
picks one of the other ``K - 1`` classes uniformly. ``α`` is the annotator's ability (negative for
an adversarial one), ``β_i = exp(b_i) > 0`` the item's easiness. The E step is one weighted
bincount; the M step takes a few alternating Fisher-scoring steps on ``α`` and ``b`` under
unit Gaussian priors, warm-started from the previous values.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, log_expit

from crowdlens.aggregate._base import Aggregator
from crowdlens.aggregate._encode import Observations, gold_codes, normalize_rows
from crowdlens.aggregate.dawid_skene import clamp, class_priors
from crowdlens.errors import ConfigError


@dataclass(frozen=True)
class GladParams:
    """Annotator abilities ``alpha`` and item log-easiness ``log_beta``."""

    alpha: np.ndarray
    log_beta: np.ndarray


def glad_e_step(
    obs: Observations, params: GladParams, priors: np.ndarray
) -> tuple[np.ndarray, float]:
    """Posterior of the true class per item under GLAD, and the log-likelihood."""
    k = obs.n_classes
    x = params.alpha[obs.annotator] * np.exp(params.log_beta[obs.item])
    log_right = log_expit(x)
    log_wrong = log_expit(-x) - np.log(max(k - 1, 1))
    base = np.bincount(obs.item, weights=obs.weight * log_wrong, minlength=obs.n_items)
    bonus = np.bincount(
        obs.item * k + obs.label,
        weights=obs.weight * (log_right - log_wrong),
        minlength=obs.n_items * k,
    ).reshape(obs.n_items, k)
    logits = bonus + base[:, None] + np.log(priors)[None, :]
    top = logits.max(axis=1, keepdims=True)
    exp = np.exp(logits - top)
    total = exp.sum(axis=1, keepdims=True)
    return exp / total, float(np.sum(np.log(total) + top))


def glad_q(
    params: GladParams, obs: Observations, right: np.ndarray, prior_mean: tuple[float, float]
) -> float:
    """Expected complete log-likelihood of the answers plus the unit Gaussian priors.

    ``right`` is, per observation, the posterior probability that its label is the true class;
    ``prior_mean`` holds the means of the priors on ``alpha`` and on ``log beta``.
    """
    x = params.alpha[obs.annotator] * np.exp(params.log_beta[obs.item])
    value = float(np.dot(obs.weight, log_expit(x) - (1 - right) * x))
    value -= 0.5 * float(np.sum((params.alpha - prior_mean[0]) ** 2))
    return value - 0.5 * float(np.sum((params.log_beta - prior_mean[1]) ** 2))


def _scoring_step(
    value: np.ndarray,
    index: np.ndarray,
    slope: np.ndarray,
    obs: Observations,
    right: np.ndarray,
    x: np.ndarray,
    mean: float,
) -> np.ndarray:
    """One Fisher-scoring step on one block of parameters; ``slope`` is ∂x/∂value per answer."""
    sigma = expit(x)
    grad = np.bincount(index, weights=obs.weight * (right - sigma) * slope, minlength=value.size)
    info = np.bincount(
        index, weights=obs.weight * sigma * (1 - sigma) * slope**2, minlength=value.size
    )
    step = (grad - (value - mean)) / (info + 1.0)
    return np.asarray(value + np.clip(step, -2.0, 2.0))


def glad_m_step(
    obs: Observations,
    posteriors: np.ndarray,
    params: GladParams,
    steps: int,
    prior_mean: tuple[float, float] = (1.0, 1.0),
) -> GladParams:
    """Alternating Fisher-scoring steps on abilities and log-easiness, from the current values."""
    right = posteriors[obs.item, obs.label]
    alpha, log_beta = params.alpha, params.log_beta
    for _ in range(steps):
        beta = np.exp(log_beta)[obs.item]
        x = alpha[obs.annotator] * beta
        alpha = _scoring_step(alpha, obs.annotator, beta, obs, right, x, prior_mean[0])
        x = alpha[obs.annotator] * beta
        log_beta = _scoring_step(log_beta, obs.item, x, obs, right, x, prior_mean[1])
    return GladParams(alpha=alpha, log_beta=log_beta)


class GLAD(Aggregator):
    """GLAD aggregation: who is good (``skills_``) and which items are easy (``easiness_``).

    Starts from (soft) majority vote; ``m_steps`` Fisher-scoring steps per M step; stops after
    ``max_iter`` EM iterations or when the log-likelihood improves by less than ``tol`` per
    item. Priors: ``alpha ~ N(1, 1)`` and ``log beta ~ N(log_easiness_prior, 1)``. Class
    priors stay uniform unless ``fit_priors`` is true (then they are re-estimated with
    ``smoothing`` pseudo-items per class). ``gold`` passed to :meth:`fit` clamps known items.
    """

    skills_: pd.Series
    easiness_: pd.Series
    priors_: pd.Series
    n_iter_: int

    def __init__(
        self,
        max_iter: int = 100,
        tol: float = 1e-5,
        m_steps: int = 5,
        fit_priors: bool = False,
        log_easiness_prior: float = 1.0,
        smoothing: float = 1.0,
        classes: Sequence[Hashable] | None = None,
    ) -> None:
        if max_iter < 1 or tol < 0 or m_steps < 1:
            raise ConfigError(
                "expected max_iter >= 1, tol >= 0 and m_steps >= 1, "
                f"got max_iter={max_iter}, tol={tol}, m_steps={m_steps}"
            )
        self.max_iter = max_iter
        self.tol = tol
        self.m_steps = m_steps
        self.fit_priors = fit_priors
        self.log_easiness_prior = log_easiness_prior
        self.smoothing = smoothing
        self.classes = classes

    def _fit_encoded(self, obs: Observations, gold: pd.Series | None) -> np.ndarray:
        known = gold_codes(gold, obs)
        posteriors = clamp(normalize_rows(obs.votes()), known)
        params = GladParams(
            np.ones(obs.n_annotators), np.full(obs.n_items, self.log_easiness_prior)
        )
        prior_mean = (1.0, self.log_easiness_prior)
        priors = np.full(obs.n_classes, 1.0 / obs.n_classes)
        previous = -np.inf
        for n_iter in range(1, self.max_iter + 1):
            self.n_iter_ = n_iter
            params = glad_m_step(obs, posteriors, params, self.m_steps, prior_mean)
            if self.fit_priors:
                priors = class_priors(posteriors, self.smoothing)
            posteriors, log_likelihood = glad_e_step(obs, params, priors)
            posteriors = clamp(posteriors, known)
            if self.tol > 0 and log_likelihood - previous < self.tol * obs.n_items:
                break
            previous = log_likelihood
        self._keep(obs, params, priors)
        return posteriors

    def _keep(self, obs: Observations, params: GladParams, priors: np.ndarray) -> None:
        self.skills_ = pd.Series(params.alpha, index=pd.Index(obs.annotators, name="annotator"))
        self.skills_.name = "skill"
        self.easiness_ = pd.Series(
            np.exp(params.log_beta), index=pd.Index(obs.items, name="item"), name="easiness"
        )
        self.priors_ = pd.Series(priors, index=obs.classes, name="prior")
