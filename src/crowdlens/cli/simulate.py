"""Command: simulate (replay a real crowd data set under routing policies)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from crowdlens.cli.app import app, console

if TYPE_CHECKING:
    from crowdlens.datasets import CrowdDataset


def _load(dataset: str, path: Path) -> CrowdDataset:
    from crowdlens import datasets
    from crowdlens.errors import ConfigError

    loaders: dict[str, Callable[[Path], CrowdDataset]] = {
        "labelme": datasets.load_labelme_amt,
        "sentiment": datasets.load_sentiment_polarity,
        "cifar10h": datasets.load_cifar10h,
        "rte": lambda p: datasets.load_snow2008(p, "rte"),
        "temp": lambda p: datasets.load_snow2008(p, "temp"),
    }
    if dataset not in loaders:
        raise ConfigError(f"data set: expected one of {sorted(loaders)}, got {dataset!r}")
    return loaders[dataset](path)


@app.command()
def simulate(
    dataset: Annotated[str, typer.Argument(help="labelme, sentiment, cifar10h, rte or temp.")],
    path: Annotated[Path, typer.Option("--path", help="Folder holding the data set's files.")],
    policy: Annotated[
        list[str] | None,
        typer.Option(
            "--policy",
            help="fixed:K, model_first:THRESHOLD, reannotate or budgeted:PER_ITEM (repeatable).",
        ),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Random draw orders.")] = 3,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Recorded model outputs to use.")
    ] = None,
    human_accuracy: Annotated[float, typer.Option(help="Assumed human accuracy.")] = 0.9,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG cost curve.")] = None,
) -> None:
    """Replay recorded human answers under policies: accuracy against human answers per item."""
    from crowdlens.studies.simulate import cost_curve, parse_policy, plot_cost_curve, summarize

    data = _load(dataset, path)
    specs = policy or ["fixed:1", "fixed:3"]
    n_items = len(data.gold)
    policies = {s: parse_policy(s, n_items, human_accuracy) for s in specs}
    curve = cost_curve(data, policies, seeds=range(seeds), models=model or [])
    summary = summarize(curve)
    table = Table(title=f"{data.name}: {n_items} items, {seeds} seed(s)")
    for column in ("policy", "human answers / item", "accuracy", "min", "max"):
        table.add_column(column, justify="left" if column == "policy" else "right")
    for row in summary.itertuples():
        table.add_row(
            str(row.policy),
            f"{row.human_per_item:.3f}",
            f"{row.accuracy:.4f}",
            f"{row.accuracy_min:.4f}",
            f"{row.accuracy_max:.4f}",
        )
    console.print(table)
    if plot is not None:
        written = plot_cost_curve(summary, plot, title=data.name)
        console.print(f"plot: {written}" if written else "plot skipped: matplotlib not installed")
