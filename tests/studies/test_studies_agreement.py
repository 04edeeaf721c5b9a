from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest

from crowdlens.errors import AnswerInvalid
from crowdlens.studies import (
    accuracy,
    annotator_accuracy,
    annotator_confusion,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    people_vs_models,
    percent_agreement,
)


def long(matrix: list[list[float]]) -> pd.DataFrame:
    """Annotators × items matrix (NaN = no answer) as a long table."""
    rows = [
        (item, f"r{r}", value)
        for r, row in enumerate(matrix)
        for item, value in enumerate(row)
        if not np.isnan(value)
    ]
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


NAN = np.nan
KRIPPENDORFF_CASES = {
    "complete-agreement-mixed": [[1, 2, 3, 3, 2], [1, 2, 3, 3, 2], [1, 2, 3, 3, 1]],
    "missing-values": [
        [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
        [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
        [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
    ],
    "random-5x40": np.random.default_rng(0).integers(0, 4, size=(5, 40)).astype(float).tolist(),
}


@pytest.mark.parametrize("matrix", KRIPPENDORFF_CASES.values(), ids=KRIPPENDORFF_CASES.keys())
def test_krippendorff_alpha_matches_the_reference_package(matrix: list[list[float]]) -> None:
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert krippendorff_alpha(long(matrix)) == pytest.approx(expected, abs=1e-9)


def test_perfect_agreement_scores_one() -> None:
    answers = long([[0, 1, 2, 1], [0, 1, 2, 1], [0, 1, 2, 1]])
    assert percent_agreement(answers) == 1.0
    assert fleiss_kappa(answers) == pytest.approx(1.0)
    assert krippendorff_alpha(answers) == pytest.approx(1.0)


def test_fleiss_kappa_textbook_example() -> None:
    # 4 items, 3 raters, computed by hand:
    answers = long([[0, 0, 1, 1], [0, 1, 1, 0], [0, 0, 1, 1]])
    # per item agreement: 1, 1/3, 1, 1/3 -> P̄ = 2/3; shares 0.5/0.5 -> Pe = 0.5; κ = 1/3
    assert percent_agreement(answers) == pytest.approx(2 / 3)
    assert fleiss_kappa(answers) == pytest.approx(1 / 3)


def test_cohen_kappa_against_hand_computation() -> None:
    a = pd.Series(["y", "y", "n", "n", "y", "n"])
    b = pd.Series(["y", "n", "n", "n", "y", "y"])
    # po = 4/6; pe = 0.5*0.5 + 0.5*0.5 = 0.5 -> κ = 1/3
    assert cohen_kappa(a, b) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "metric",
    [percent_agreement, fleiss_kappa, krippendorff_alpha],
    ids=["percent", "fleiss", "krippendorff"],
)
def test_single_answers_give_nan_not_an_error(metric: object) -> None:
    answers = pd.DataFrame({"item": [1, 2], "annotator": ["a", "a"], "label": [0, 1]})
    assert np.isnan(metric(answers))  # type: ignore[operator]


def test_accuracy_and_per_annotator_quality() -> None:
    answers = pd.DataFrame(
        {"item": [1, 2, 3, 1, 2, 3], "annotator": list("aaabbb"), "label": [0, 1, 1, 0, 0, 0]}
    )
    gold = pd.Series({1: 0, 2: 1, 3: 1})
    assert accuracy(pd.Series({1: 0, 2: 1, 3: 0}), gold) == pytest.approx(2 / 3)
    table = annotator_accuracy(answers, gold)
    assert table.loc["a", "accuracy"] == 1.0
    assert table.loc["b", "accuracy"] == pytest.approx(1 / 3)
    confusion = annotator_confusion(answers, gold, annotator="b")
    assert confusion.loc[1, 0] == 2


def test_people_vs_models_table() -> None:
    rows = []
    for item in range(4):
        for person in ("p1", "p2", "p3"):
            rows.append(("smiling", item, person, item % 2 == 0))
        rows.append(("smiling", item, "llava", item != 3))
        rows.append(("hat", item, "p1", True))
        rows.append(("hat", item, "llava", True))
    answers = pd.DataFrame(rows, columns=["field", "item", "annotator", "label"])
    table = people_vs_models(answers, models=["llava"]).set_index("field")
    assert table.loc["smiling", "agreement"] == pytest.approx(0.75)
    assert table.loc["smiling", "people_agreement"] == 1.0
    assert table.loc["hat", "agreement"] == 1.0
    assert table.loc["smiling", "items"] == 4


def test_people_vs_models_needs_models() -> None:
    answers = pd.DataFrame(columns=["field", "item", "annotator", "label"])
    with pytest.raises(AnswerInvalid, match="expected at least one model"):
        people_vs_models(answers, models=[])
