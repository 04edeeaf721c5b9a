"""Hybrid routing on CIFAR-10H: a CNN as the model annotator, people only where needed.

Run from the repository root::

    .venv/bin/python benchmarks/routing.py [--plot routing.png]

The 10,000 images are split in two halves (fixed seed). On the calibration half the policy
learns what it needs without any ground truth: the reference label of an image is the majority
of its ~51 human votes; from it come the human confusion matrix and the model's temperature.
The evaluation half is then replayed under each policy (human answers drawn in random order from
the recorded votes, several seeds) and scored against the CIFAR-10 labels. Reports, per model,
the fewest human labels per image at which a policy reaches the full crowd's accuracy (0.992
for majority vote of all ~51 people). Ends with one ``RESULT`` line.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from crowdlens import policy
from crowdlens.datasets import CrowdDataset, load_cifar10h
from crowdlens.studies.simulate import cost_curve, plot_cost_curve, summarize

TARGET = 0.992
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.985, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9999, 0.99999)


def split(n: int, seed: int = 0) -> tuple[pd.Index, pd.Index]:
    order = np.random.default_rng(seed).permutation(n)
    return pd.Index(np.sort(order[: n // 2])), pd.Index(np.sort(order[n // 2 :]))


def calibrate(
    dataset: CrowdDataset, model: str, calibration: pd.Index, reference_kind: str
) -> tuple[CrowdDataset, np.ndarray, float, float]:
    """Temperature-scaled model and human confusion, learnt on the ``calibration`` half only.

    The reference label there is the CIFAR-10 label (``gold``) or the majority of the ~51
    people (``crowd``, no ground truth used anywhere).
    """
    votes = dataset.votes().reindex(calibration)
    reference = votes.idxmax(axis=1) if reference_kind == "crowd" else dataset.gold[calibration]
    confusion = policy.estimate_confusion(votes, reference)
    probas = dataset.model_probas[model]
    temperature = policy.fit_temperature(probas.reindex(calibration), reference)
    scaled = policy.apply_temperature(probas, temperature)
    weight = policy.fit_human_weight(scaled.reindex(calibration), votes, confusion, reference)
    return (
        dataclasses.replace(dataset, model_probas={model: scaled}),
        confusion,
        temperature,
        weight,
    )


def policies(
    confusion: np.ndarray, weight: float, n_items: int
) -> dict[str, tuple[str, policy.Policy]]:
    out: dict[str, tuple[str, policy.Policy]] = {}
    for t in THRESHOLDS:
        out[f"model_first({t})"] = (
            "model_first",
            policy.model_first(t, human_confusion=confusion, human_weight=weight, max_human=20),
        )
    out["reannotate_disagreements"] = ("reannotate", policy.reannotate_disagreements())
    for per_item in (0.1, 0.25, 0.5, 1.0):
        out[f"budgeted({per_item}/item)"] = (
            "budgeted",
            policy.budgeted(
                int(per_item * n_items), human_confusion=confusion, batch=n_items // 10
            ),
        )
    return out


def run_model(
    dataset: CrowdDataset,
    model: str,
    halves: tuple[pd.Index, pd.Index],
    seeds: list[int],
    reference_kind: str,
) -> pd.DataFrame:
    calibrated, confusion, temperature, weight = calibrate(
        dataset, model, halves[0], reference_kind
    )
    named = policies(confusion, weight, len(halves[1]))
    curve = cost_curve(
        calibrated,
        {k: v for k, (_, v) in named.items()},
        seeds=seeds,
        models=[model],
        items=halves[1],
    )
    summary = summarize(curve)
    summary["family"] = summary["policy"].map({k: f for k, (f, _) in named.items()})
    summary["model"] = model
    summary["temperature"] = temperature
    summary["human_weight"] = weight
    return summary


def people_only(
    dataset: CrowdDataset, halves: tuple[pd.Index, pd.Index], seeds: list[int]
) -> pd.DataFrame:
    named = {f"fixed({k})": policy.fixed(k, human_accuracy=0.95) for k in (1, 3, 5, 11, 51)}
    summary = summarize(cost_curve(dataset, named, seeds=seeds, items=halves[1]))
    summary["family"], summary["model"], summary["temperature"] = "fixed (people only)", "-", np.nan
    return summary


def fewest_labels(summary: pd.DataFrame, family: str) -> float:
    reached = summary[(summary["family"] == family) & (summary["accuracy"] >= TARGET)]
    return float(reached["human_per_item"].min()) if len(reached) else float("inf")


def render(summary: pd.DataFrame, console: Console) -> None:
    table = Table(title=f"CIFAR-10H routing (evaluation half; mean over seeds; target {TARGET})")
    for column in ("model", "policy", "human/img", "accuracy", "min", "max"):
        table.add_column(column, justify="left" if column in ("model", "policy") else "right")
    for row in summary.itertuples():
        table.add_row(
            str(row.model),
            str(row.policy),
            f"{row.human_per_item:.3f}",
            f"{row.accuracy:.4f}",
            f"{row.accuracy_min:.4f}",
            f"{row.accuracy_max:.4f}",
        )
    console.print(table)


def parse_args() -> argparse.Namespace:
    data = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=data / "cifar10h_model_probs")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--reference",
        choices=("gold", "crowd"),
        default="gold",
        help="calibration-half reference: CIFAR-10 labels or the full crowd's majority",
    )
    parser.add_argument("--plot", type=Path, default=None, help="write a PNG per model here")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    console = Console()
    dataset = load_cifar10h(args.path)
    halves = split(len(dataset.gold))
    seeds = list(range(args.seeds))
    parts = [people_only(dataset, halves, seeds)]
    parts += [
        run_model(dataset, m, halves, seeds, args.reference) for m in ("densenet", "resnet", "weak")
    ]
    summary = pd.concat(parts, ignore_index=True)
    render(summary, console)
    result = {}
    for model, key in (("densenet", "densenet"), ("resnet", "resnet"), ("weak", "weak")):
        part = summary[summary["model"] == model]
        best = min(fewest_labels(part, f) for f in ("model_first", "reannotate", "budgeted"))
        result[f"{key}_labels"] = best
        if args.plot is not None:
            target = args.plot.with_name(f"{args.plot.stem}_{model}{args.plot.suffix}")
            plot_cost_curve(pd.concat([parts[0], part]), target, title=f"CIFAR-10H, {model}")
    print("RESULT " + " ".join(f"{k}={v:.3f}" for k, v in result.items()))


if __name__ == "__main__":
    main()
