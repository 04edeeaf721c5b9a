"""``crowdlens simulate`` on a tiny LabelMe-format folder written by the test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from crowdlens.cli import app
from crowdlens.errors import ConfigError
from crowdlens.studies.simulate import parse_policy


def labelme_folder(root: Path) -> Path:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 8, 40)
    answers = np.full((40, 6), -1)
    for item, label in enumerate(truth):
        for worker in rng.choice(6, size=3, replace=False):
            answers[item, worker] = label if rng.random() < 0.8 else (label + 1) % 8
    np.savetxt(root / "answers.txt", answers, fmt="%d")
    np.savetxt(root / "LabelMe_Z_train.txt", truth, fmt="%d")
    (root / "filenames_train.txt").write_text("".join(f"f{i}.jpg\n" for i in range(40)))
    return root


def test_simulate_prints_a_table(tmp_path: Path) -> None:
    folder = labelme_folder(tmp_path)
    result = CliRunner().invoke(
        app, ["simulate", "labelme", "--path", str(folder), "--policy", "fixed:3", "--seeds", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "fixed:3" in result.output
    assert "3.000" in result.output


def test_simulate_reports_missing_files_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "labelme", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert "expected answers.txt" in result.output


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("fixed:2", "Fixed"),
        ("model_first:0.9", "ModelFirst"),
        ("reannotate", "Reannotate"),
        ("budgeted:0.5", "Budgeted"),
    ],
    ids=["fixed", "model-first", "reannotate", "budgeted"],
)
def test_policy_specs(spec: str, kind: str) -> None:
    assert type(parse_policy(spec, n_items=10)).__name__.startswith(kind)


@pytest.mark.parametrize("spec", ["coin", "fixed:many"], ids=["unknown", "not-a-number"])
def test_bad_policy_specs(spec: str) -> None:
    with pytest.raises(ConfigError, match="expected"):
        parse_policy(spec, n_items=10)
