from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crowdlens import policy
from crowdlens.datasets import CrowdDataset
from crowdlens.errors import ConfigError
from crowdlens.studies.simulate import cost_curve, plot_cost_curve, replay, summarize


def crowd(n_items: int = 300, per_item: int = 7, accuracy: float = 0.75) -> CrowdDataset:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, n_items)
    rows = []
    for item in range(n_items):
        for n in range(per_item):
            right = rng.random() < accuracy
            rows.append((item, f"{item}:{n}", int(truth[item] if right else 1 - truth[item])))
    model = np.where(truth[:, None] == [0, 1], 0.9, 0.1)
    wrong = rng.random(n_items) < 0.1
    model[wrong] = model[wrong][:, ::-1]
    return CrowdDataset(
        name="toy",
        answers=pd.DataFrame(rows, columns=["item", "annotator", "label"]),
        gold=pd.Series(truth),
        classes=("no", "yes"),
        model_probas={"cnn": pd.DataFrame(model, columns=[0, 1])},
    )


def test_fixed_policy_uses_exactly_k_answers_and_more_helps() -> None:
    data = crowd()
    one = replay(data, policy.fixed(1, human_accuracy=0.75), seed=0)
    five = replay(data, policy.fixed(5, human_accuracy=0.75), seed=0)
    assert one.human_per_item == 1.0
    assert five.human_per_item == 5.0
    assert five.accuracy > one.accuracy


def test_answers_run_out_gracefully() -> None:
    result = replay(crowd(per_item=3), policy.fixed(10), seed=1)
    assert result.human_per_item == 3.0


def test_model_first_saves_people_and_beats_the_model() -> None:
    data = crowd()
    result = replay(data, policy.model_first(0.95, human_accuracy=0.75), seed=0, models=["cnn"])
    assert result.human_per_item < 3.0
    assert result.accuracy > 0.9


def test_seeds_change_the_draw_order() -> None:
    data = crowd()
    a = replay(data, policy.fixed(1, human_accuracy=0.75), seed=0).labels
    b = replay(data, policy.fixed(1, human_accuracy=0.75), seed=1).labels
    assert not a.equals(b)


def test_cost_curve_and_summary() -> None:
    data = crowd()
    curve = cost_curve(data, {f"fixed({k})": policy.fixed(k) for k in (1, 3)}, seeds=[0, 1])
    assert len(curve) == 4
    summary = summarize(curve).set_index("policy")
    assert summary.loc["fixed(3)", "human_per_item"] == 3.0
    assert summary.loc["fixed(3)", "seeds"] == 2


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ConfigError, match="expected models from"):
        replay(crowd(), policy.fixed(1), models=["gpt"])


def test_plot_is_written_when_matplotlib_is_installed(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    summary = summarize(cost_curve(crowd(), {"fixed(1)": policy.fixed(1)}, seeds=[0]))
    path = plot_cost_curve(summary, tmp_path / "curve.png")
    assert path is not None and path.stat().st_size > 0
