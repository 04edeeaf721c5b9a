"""Aggregation side by side with crowd-kit: accuracy and fit time on real and synthetic crowds.

Run from the repository root (crowd-kit comes with the ``bench`` extra)::

    .venv/bin/python benchmarks/aggregation.py

Real sets: LabelMe-AMT, Snow et al. RTE and TEMP, sentence polarity (paths default to
``../shared/data/...``). Synthetic sets: 10,000 items × 10 classes, 2,000 workers with random
confusion matrices, 51 and 5 labels per item (fixed seed). Our times are the median of
``--repeats`` fits; crowd-kit's are one fit. Ends with one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from crowdlens import aggregate
from crowdlens.datasets import (
    CrowdDataset,
    load_labelme_amt,
    load_sentiment_polarity,
    load_snow2008,
)

METHODS = ("MV", "Wawa", "DS", "OneCoinDS", "GLAD")


@dataclass
class Row:
    dataset: str
    method: str
    ours_acc: float
    ours_s: float
    ck_acc: float = float("nan")
    ck_s: float = float("nan")

    @property
    def delta(self) -> float:
        return 100 * (self.ours_acc - self.ck_acc)

    @property
    def speedup(self) -> float:
        return self.ck_s / self.ours_s if self.ours_s > 0 else float("inf")


def ours(method: str, **kw: Any) -> aggregate.Aggregator:
    factories: dict[str, Callable[..., aggregate.Aggregator]] = {
        "MV": aggregate.MajorityVote,
        "Wawa": aggregate.WeightedMajorityVote,
        "DS": aggregate.DawidSkene,
        "OneCoinDS": aggregate.OneCoinDawidSkene,
        "GLAD": aggregate.GLAD,
    }
    return factories[method](**kw)


def crowdkit_model(method: str, **kw: Any) -> Any:
    import crowdkit.aggregation as ck
    import crowdkit.aggregation.classification.wawa as ck_wawa

    # crowd-kit 1.4.2's Wawa calls sklearn's check_is_fitted, which fails with scikit-learn
    # >= 1.6 (no __sklearn_tags__); skipping that check changes nothing else.
    ck_wawa.check_is_fitted = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    classes = {
        "MV": ck.MajorityVote,
        "Wawa": ck.Wawa,
        "DS": ck.DawidSkene,
        "OneCoinDS": ck.OneCoinDawidSkene,
        "GLAD": ck.GLAD,
    }
    return classes[method](**kw)


def accuracy(labels: pd.Series, gold: pd.Series) -> float:
    return float((labels.reindex(gold.index) == gold).mean())


def time_ours(
    method: str, answers: pd.DataFrame, repeats: int, **kw: Any
) -> tuple[pd.Series, float]:
    times, labels = [], pd.Series(dtype=object)
    for _ in range(repeats):
        start = time.perf_counter()
        labels = ours(method, **kw).fit_predict(answers)
        times.append(time.perf_counter() - start)
    return labels, statistics.median(times)


def time_crowdkit(method: str, answers: pd.DataFrame, **kw: Any) -> tuple[pd.Series, float]:
    table = answers.rename(columns={"item": "task", "annotator": "worker"})
    start = time.perf_counter()
    labels = crowdkit_model(method, **kw).fit_predict(table)
    return labels, time.perf_counter() - start


def compare(name: str, answers: pd.DataFrame, gold: pd.Series, repeats: int) -> list[Row]:
    rows = []
    for method in METHODS:
        labels, seconds = time_ours(method, answers, repeats)
        ck_labels, ck_seconds = time_crowdkit(method, answers)
        rows.append(
            Row(
                name, method, accuracy(labels, gold), seconds, accuracy(ck_labels, gold), ck_seconds
            )
        )
    return rows


def synthetic_crowd(
    per_item: int, n_items: int = 10_000, k: int = 10, n_workers: int = 2_000, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Workers with accuracy U(0.5, 0.95), errors spread by a Dirichlet(1) per true class."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_items)
    acc = rng.uniform(0.5, 0.95, n_workers)
    off = rng.dirichlet(np.ones(k - 1), size=(n_workers, k)) * (1 - acc)[:, None, None]
    conf = np.zeros((n_workers, k, k))
    for j in range(k):
        conf[:, j, [c for c in range(k) if c != j]] = off[:, j, :]
        conf[:, j, j] = acc
    workers = np.argsort(rng.random((n_items, n_workers)), axis=1)[:, :per_item].ravel()
    items = np.repeat(np.arange(n_items), per_item)
    cumulative = conf[workers, truth[items]].cumsum(axis=1)
    labels = np.minimum((rng.random(workers.size)[:, None] > cumulative).sum(axis=1), k - 1)
    answers = pd.DataFrame({"item": items, "annotator": workers, "label": labels})
    return answers, pd.Series(truth)


def peak_mib(fit: Callable[[], object]) -> float:
    tracemalloc.start()
    fit()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def dense_speed(repeats: int) -> tuple[list[Row], dict[str, float]]:
    answers, truth = synthetic_crowd(per_item=51)
    rows = []
    for label, ours_kw, ck_kw in [
        ("DS 100 iter", {"max_iter": 100, "tol": 0.0}, {"n_iter": 100, "tol": 0.0}),
        ("DS default tol", {}, {}),
    ]:
        labels, seconds = time_ours("DS", answers, repeats, **ours_kw)
        ck_labels, ck_seconds = time_crowdkit("DS", answers, **ck_kw)
        row = Row("synthetic 51/item", label, accuracy(labels, truth), seconds)
        row.ck_acc, row.ck_s = accuracy(ck_labels, truth), ck_seconds
        rows.append(row)
    table = answers.rename(columns={"item": "task", "annotator": "worker"})
    memory = {
        "ours_peak_mib": peak_mib(lambda: ours("DS").fit(answers)),
        "ck_peak_mib": peak_mib(lambda: crowdkit_model("DS").fit(table)),
    }
    return rows, memory


def load_real(args: argparse.Namespace) -> dict[str, CrowdDataset]:
    return {
        "LabelMe-AMT": load_labelme_amt(args.labelme),
        "Snow RTE": load_snow2008(args.snow, "rte"),
        "Snow TEMP": load_snow2008(args.snow, "temp"),
        "sentiment": load_sentiment_polarity(args.sentiment),
    }


def render(rows: list[Row], console: Console) -> None:
    table = Table(title="crowdlens vs crowd-kit 1.4.2 (accuracy; fit seconds)")
    for column in ("data set", "method", "ours", "crowd-kit", "Δ points", "ours s", "ck s", "×"):
        table.add_column(column, justify="left" if column in ("data set", "method") else "right")
    for r in rows:
        table.add_row(
            r.dataset,
            r.method,
            f"{r.ours_acc:.4f}",
            f"{r.ck_acc:.4f}",
            f"{r.delta:+.2f}",
            f"{r.ours_s:.3f}",
            f"{r.ck_s:.2f}",
            f"{r.speedup:.0f}",
        )
    console.print(table)


def parse_args() -> argparse.Namespace:
    root = Path(__file__).resolve().parent.parent
    data = root.parent / "shared" / "data"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelme", type=Path, default=data / "labelme_amt")
    parser.add_argument("--snow", type=Path, default=data / "snow2008_amt")
    parser.add_argument("--sentiment", type=Path, default=data / "sentiment_polarity_mturk")
    parser.add_argument("--repeats", type=int, default=3, help="fits of ours per timing")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    console = Console()
    real = [
        r
        for name, ds in load_real(args).items()
        for r in compare(name, ds.answers, ds.gold, args.repeats)
    ]
    render(real, console)
    sparse_answers, sparse_truth = synthetic_crowd(per_item=5)
    sparse = compare("synthetic 5/item", sparse_answers, sparse_truth, args.repeats)
    dense, memory = dense_speed(args.repeats)
    render(sparse + dense, console)
    console.print(
        f"peak traced memory of one DS fit at 51/item: ours {memory['ours_peak_mib']:.0f} MiB, "
        f"crowd-kit {memory['ck_peak_mib']:.0f} MiB"
    )
    glad = [r for r in real if r.method == "GLAD"]
    ds_sparse = next(r for r in sparse if r.method == "DS")
    mv_sparse = next(r for r in sparse if r.method == "MV")
    console.print(
        f"sparse set: our DS {ds_sparse.ours_acc:.4f} vs our MV {mv_sparse.ours_acc:.4f}; "
        f"GLAD speedups on real sets: {', '.join(f'{r.speedup:.0f}x' for r in glad)}"
    )
    result = {
        "ds_speedup": min(r.speedup for r in dense),
        "glad_speedup": min(r.speedup for r in glad),
        "ds_acc_delta": min(r.delta for r in dense),
        "sparse_best_acc_delta": 100
        * (max(r.ours_acc for r in sparse) - max(r.ck_acc for r in sparse)),
        "min_real_acc_delta": min(r.delta for r in real),
        "ds_peak_mem_ratio": memory["ours_peak_mib"] / memory["ck_peak_mib"],
    }
    print("RESULT " + " ".join(f"{k}={v:.3f}" for k, v in result.items()))


if __name__ == "__main__":
    main()
