from __future__ import annotations

import pandas as pd
import pytest
from synthetic_crowds import Crowd, accuracy

from crowdlens.aggregate import MajorityVote, WeightedMajorityVote
from crowdlens.errors import AnswerInvalid, ConfigError


def table(rows: list[tuple[object, str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


TIE = table(
    [
        ("x", "a", "cat"),
        ("x", "b", "dog"),
        ("y", "a", "dog"),
        ("y", "b", "dog"),
        ("y", "c", "dog"),
    ]
)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("first", "cat"), ("frequent", "dog")],
    ids=["first-sorted-class", "most-frequent-class-overall"],
)
def test_tie_rule_picks_documented_class(rule: str, expected: str) -> None:
    labels = MajorityVote(on_tie=rule).fit_predict(TIE)  # type: ignore[arg-type]
    assert labels["x"] == expected
    assert labels["y"] == "dog"


def test_random_tie_rule_is_seeded_and_picks_a_tied_class() -> None:
    picks = {MajorityVote(on_tie="random", seed=s).fit_predict(TIE)["x"] for s in range(20)}
    assert picks == {"cat", "dog"}
    again = MajorityVote(on_tie="random", seed=3).fit_predict(TIE)["x"]
    assert again == MajorityVote(on_tie="random", seed=3).fit_predict(TIE)["x"]


def test_majority_vote_probas_are_vote_shares() -> None:
    probas = MajorityVote().fit_predict_proba(TIE)
    assert probas.loc["x", "cat"] == pytest.approx(0.5)
    assert probas.loc["y", "dog"] == pytest.approx(1.0)
    assert list(probas.columns) == ["cat", "dog"]


def test_unknown_tie_rule_is_refused() -> None:
    with pytest.raises(ConfigError, match="expected one of"):
        MajorityVote(on_tie="coin")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        pd.DataFrame({"item": [1], "worker": ["a"], "label": [0]}),
        [("x", "a", 1)],
    ],
    ids=["missing-annotator-column", "not-a-dataframe"],
)
def test_bad_input_says_what_was_expected(bad: object) -> None:
    with pytest.raises(AnswerInvalid, match="expected"):
        MajorityVote().fit(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "model", [MajorityVote(), WeightedMajorityVote()], ids=["majority", "weighted"]
)
def test_empty_input_gives_empty_result(model: MajorityVote) -> None:
    model.fit(table([]))
    assert model.labels_.empty
    assert model.probas_.empty


def test_given_weights_outvote_a_crowd() -> None:
    answers = table([("x", "expert", "yes"), ("x", "a", "no"), ("x", "b", "no")])
    labels = WeightedMajorityVote(weights={"expert": 3.0}).fit_predict(answers)
    assert labels["x"] == "yes"
    assert MajorityVote().fit_predict(answers)["x"] == "no"


def test_wawa_weights_follow_agreement(varied_crowd: Crowd) -> None:
    model = WeightedMajorityVote().fit(varied_crowd.answers)
    skills = model.skills_
    assert skills["w0"] > skills["w2"]
    assert skills["w1"] > skills["w4"]
    mv = accuracy(MajorityVote().fit_predict(varied_crowd.answers), varied_crowd.truth)
    assert accuracy(model.labels_, varied_crowd.truth) >= mv


def test_soft_labels_count_as_fractional_votes() -> None:
    answers = table([("x", "a", 0), ("x", "b", 1)])
    soft = pd.DataFrame(
        {"item": ["x", "x"], "annotator": ["model"] * 2, "label": [0, 1], "prob": [0.2, 0.8]}
    )
    probas = MajorityVote().fit_predict_proba(answers, soft=soft)
    assert probas.loc["x", 1] == pytest.approx(1.8 / 3)
