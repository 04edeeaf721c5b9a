"""Replay a recorded crowd data set under a routing policy.

Human answers are drawn, in a random order fixed by the seed, from the answers recorded for
each item; model answers are the recorded model probabilities. The policy asks for more human
answers round by round until it is satisfied or an item's recorded answers run out. The result
is a cost curve: accuracy against the mean number of human answers used per item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crowdlens.datasets import CrowdDataset
from crowdlens.errors import ConfigError
from crowdlens.policy import Policy, PolicyState


@dataclass(frozen=True)
class Pools:
    """Per item, the recorded human labels (class indices) in one shuffled order; -1 pads."""

    items: pd.Index
    labels: np.ndarray
    sizes: np.ndarray
    n_classes: int


@dataclass(frozen=True)
class Replay:
    """One replay: labels chosen, human answers used per item, accuracy against gold."""

    labels: pd.Series
    human_answers: pd.Series
    accuracy: float
    rounds: int

    @property
    def human_per_item(self) -> float:
        return float(self.human_answers.mean())


def shuffled_pools(dataset: CrowdDataset, items: pd.Index, seed: int) -> Pools:
    """Each item's recorded labels in a random order (one generator per seed)."""
    answers = dataset.answers[dataset.answers["item"].isin(items)]
    rng = np.random.default_rng(seed)
    order = answers.assign(_key=rng.random(len(answers))).sort_values(["item", "_key"])
    position = items.get_indexer(order["item"])
    sizes = np.bincount(position, minlength=len(items))
    rank = np.arange(len(order)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    labels = np.full((len(items), max(int(sizes.max(initial=0)), 1)), -1)
    labels[position, rank] = order["label"].to_numpy(dtype=int)
    return Pools(items, labels, sizes, len(dataset.classes))


def replay(
    dataset: CrowdDataset,
    policy: Policy,
    seed: int = 0,
    models: Sequence[str] = (),
    items: pd.Index | None = None,
    max_rounds: int = 1000,
) -> Replay:
    """Run ``policy`` on ``dataset`` (optionally only ``items``) with the named models."""
    index = pd.Index(dataset.gold.index if items is None else items)
    pools = shuffled_pools(dataset, index, seed)
    probas = _model_probas(dataset, models, index)
    taken = np.zeros(len(index), dtype=int)
    votes = np.zeros((len(index), pools.n_classes))
    rounds = 0
    while rounds < max_rounds:
        state = _state(votes, index, probas)
        wanted = _wanted(policy.next_requests(state), index, pools.sizes - taken)
        if not wanted.any():
            break
        _draw(pools, votes, taken, wanted)
        rounds += 1
    labels = policy.consensus(_state(votes, index, probas)).idxmax(axis=1)
    gold = dataset.gold.reindex(index)
    used = pd.Series(taken, index=index, name="human_answers")
    return Replay(labels, used, float((labels == gold).mean()), rounds)


def _model_probas(
    dataset: CrowdDataset, models: Sequence[str], index: pd.Index
) -> dict[str, pd.DataFrame]:
    missing = [m for m in models if m not in dataset.model_probas]
    if missing:
        raise ConfigError(
            f"simulate: expected models from {sorted(dataset.model_probas)}, got {missing}"
        )
    return {m: dataset.model_probas[m].reindex(index) for m in models}


def _state(votes: np.ndarray, index: pd.Index, probas: Mapping[str, pd.DataFrame]) -> PolicyState:
    frame = pd.DataFrame(votes, index=index, columns=range(votes.shape[1]))
    return PolicyState(votes=frame, model_probas=probas)


def _wanted(requests: pd.Series, index: pd.Index, left: np.ndarray) -> np.ndarray:
    wanted = np.zeros(len(index), dtype=int)
    if len(requests):
        wanted[index.get_indexer(requests.index)] = requests.to_numpy(dtype=int)
    return np.asarray(np.minimum(wanted, left))


def _draw(pools: Pools, votes: np.ndarray, taken: np.ndarray, wanted: np.ndarray) -> None:
    for step in range(int(wanted.max())):
        rows = np.flatnonzero(wanted > step)
        labels = pools.labels[rows, taken[rows]]
        votes[rows, labels] += 1
        taken[rows] += 1


def cost_curve(
    dataset: CrowdDataset,
    policies: Mapping[str, Policy],
    seeds: Sequence[int] = (0, 1, 2),
    models: Sequence[str] = (),
    items: pd.Index | None = None,
) -> pd.DataFrame:
    """One row per policy and seed: ``policy, seed, human_per_item, accuracy``."""
    rows = []
    for name, policy in policies.items():
        for seed in seeds:
            result = replay(dataset, policy, seed=seed, models=models, items=items)
            rows.append(
                {
                    "policy": name,
                    "seed": seed,
                    "human_per_item": result.human_per_item,
                    "accuracy": result.accuracy,
                }
            )
    return pd.DataFrame(rows, columns=["policy", "seed", "human_per_item", "accuracy"])


def summarize(curve: pd.DataFrame) -> pd.DataFrame:
    """Mean and spread over seeds, per policy."""
    grouped = curve.groupby("policy", sort=False)
    return grouped.agg(
        human_per_item=("human_per_item", "mean"),
        accuracy=("accuracy", "mean"),
        accuracy_min=("accuracy", "min"),
        accuracy_max=("accuracy", "max"),
        seeds=("seed", "nunique"),
    ).reset_index()


def plot_cost_curve(summary: pd.DataFrame, path: Path | str, title: str = "") -> Path | None:
    """Accuracy against human answers per item, one line per ``family`` column (or policy).

    Needs matplotlib (imported here, only when called); returns ``None`` when it is missing.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    groups = summary.groupby("family" if "family" in summary else "policy", sort=False)
    figure, axes = plt.subplots(figsize=(6, 4))
    for name, part in groups:
        part = part.sort_values("human_per_item")
        axes.plot(part["human_per_item"], part["accuracy"], marker="o", label=str(name))
    axes.set_xscale("symlog", linthresh=1.0)
    axes.set_xlabel("human answers per item (mean, symlog scale)")
    axes.set_ylabel("accuracy")
    axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return Path(path)


def parse_policy(spec: str, n_items: int, human_accuracy: float = 0.9) -> Policy:
    """A policy from text: ``fixed:K``, ``model_first:THRESHOLD``, ``reannotate``,
    ``budgeted:ANSWERS_PER_ITEM`` (human answers assumed right with ``human_accuracy``)."""
    from crowdlens import policy

    name, _, value = spec.partition(":")
    try:
        if name == "fixed":
            return policy.fixed(int(value or 3), human_accuracy=human_accuracy)
        if name == "model_first":
            return policy.model_first(float(value or 0.95), human_accuracy=human_accuracy)
        if name == "reannotate":
            return policy.reannotate_disagreements()
        if name == "budgeted":
            budget = int(float(value or 1.0) * n_items)
            return policy.budgeted(budget, human_accuracy=human_accuracy)
    except ValueError as exc:
        raise ConfigError(f"policy {spec!r}: expected a number after ':', got {value!r}") from exc
    raise ConfigError(
        "policy: expected fixed:K, model_first:THRESHOLD, reannotate or budgeted:PER_ITEM, "
        f"got {spec!r}"
    )
