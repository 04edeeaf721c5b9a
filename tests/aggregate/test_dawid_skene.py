from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from synthetic_crowds import Crowd, accuracy, make_crowd

from crowdlens.aggregate import GLAD, DawidSkene, MajorityVote, OneCoinDawidSkene
from crowdlens.aggregate._base import Aggregator
from crowdlens.errors import AnswerInvalid, ConfigError

EM_MODELS = [DawidSkene, OneCoinDawidSkene, GLAD]
EM_IDS = ["dawid-skene", "one-coin", "glad"]


@pytest.mark.parametrize("factory", EM_MODELS, ids=EM_IDS)
def test_em_beats_majority_vote_when_workers_vary(
    factory: type[Aggregator], varied_crowd: Crowd
) -> None:
    mv = accuracy(MajorityVote().fit_predict(varied_crowd.answers), varied_crowd.truth)
    em = accuracy(factory().fit_predict(varied_crowd.answers), varied_crowd.truth)
    assert em > mv + 0.02


def test_dawid_skene_recovers_worker_confusion() -> None:
    crowd = make_crowd([0.9, 0.7, 0.5, 0.8], n_items=1500, seed=2)
    model = DawidSkene().fit(crowd.answers)
    for w, expected in enumerate(crowd.confusions):
        found = model.confusions_.loc[f"w{w}"].to_numpy()
        np.testing.assert_allclose(found, expected, atol=0.06)
    assert model.confusions_.loc["w0"].sum(axis=1).to_numpy() == pytest.approx(np.ones(3))


def test_one_coin_recovers_skills() -> None:
    crowd = make_crowd([0.95, 0.6, 0.45, 0.8], n_items=1000, seed=3)
    skills = OneCoinDawidSkene().fit(crowd.answers).skills_
    np.testing.assert_allclose(skills[["w0", "w1", "w2", "w3"]], [0.95, 0.6, 0.45, 0.8], atol=0.05)


def test_glad_ranks_annotators_and_items() -> None:
    crowd = make_crowd([0.95, 0.9, 0.4, 0.35], n_items=400, seed=4)
    model = GLAD().fit(crowd.answers)
    assert model.skills_["w0"] > model.skills_["w2"]
    assert model.skills_["w1"] > model.skills_["w3"]
    assert (model.easiness_ > 0).all()


@pytest.mark.parametrize("factory", EM_MODELS, ids=EM_IDS)
def test_gold_labels_are_clamped(factory: type[Aggregator]) -> None:
    answers = pd.DataFrame(
        {"item": [1, 1, 1, 2, 2, 2], "annotator": list("abcabc"), "label": [0, 0, 0, 1, 1, 0]}
    )
    model = factory().fit(answers, gold=pd.Series({1: 1}))
    assert model.labels_[1] == 1
    assert model.probas_.loc[1, 1] == pytest.approx(1.0)


def test_gold_with_unknown_class_is_refused() -> None:
    answers = pd.DataFrame({"item": [1], "annotator": ["a"], "label": [0]})
    with pytest.raises(AnswerInvalid, match="expected labels"):
        DawidSkene(classes=[0, 1]).fit(answers, gold=pd.Series({1: 7}))


def test_gold_improves_confusion_estimates() -> None:
    crowd = make_crowd([0.55, 0.5, 0.45], n_items=300, seed=5)
    gold = crowd.truth.iloc[:150]
    clamped = accuracy(DawidSkene().fit_predict(crowd.answers, gold=gold), crowd.truth.iloc[150:])
    free = accuracy(DawidSkene().fit_predict(crowd.answers), crowd.truth.iloc[150:])
    assert clamped >= free


@pytest.mark.parametrize("factory", EM_MODELS, ids=EM_IDS)
def test_empty_input_gives_empty_result(factory: type[Aggregator]) -> None:
    empty = pd.DataFrame(columns=["item", "annotator", "label"])
    model = factory().fit(empty)
    assert model.labels_.empty
    assert model.probas_.shape[0] == 0


@pytest.mark.parametrize("factory", EM_MODELS, ids=EM_IDS)
def test_soft_model_probabilities_enter_the_fit(factory: type[Aggregator]) -> None:
    answers = pd.DataFrame(
        {"item": ["x", "x", "y", "y"], "annotator": list("abab"), "label": [0, 1, 0, 0]}
    )
    soft = pd.DataFrame(
        {
            "item": ["x", "x", "y", "y"],
            "annotator": ["clip"] * 4,
            "label": [0, 1, 0, 1],
            "prob": [0.05, 0.95, 0.9, 0.1],
        }
    )
    labels = factory().fit_predict(answers, soft=soft)
    assert labels["x"] == 1
    assert labels["y"] == 0


@pytest.mark.parametrize(
    "probs",
    [[0.5, 0.6], [-0.1, 1.1]],
    ids=["not-summing-to-one", "negative"],
)
def test_bad_soft_labels_are_refused(probs: list[float]) -> None:
    answers = pd.DataFrame({"item": ["x"], "annotator": ["a"], "label": [0]})
    soft = pd.DataFrame(
        {"item": ["x", "x"], "annotator": ["m", "m"], "label": [0, 1], "prob": probs}
    )
    with pytest.raises(AnswerInvalid, match=r"expected (the )?probabilities"):
        DawidSkene().fit(answers, soft=soft)


def test_dawid_skene_stops_at_tolerance_and_runs_fixed_iterations(varied_crowd: Crowd) -> None:
    early = DawidSkene(tol=1e-3).fit(varied_crowd.answers)
    fixed = DawidSkene(max_iter=30, tol=0).fit(varied_crowd.answers)
    assert early.n_iter_ < 30
    assert fixed.n_iter_ == 30


@pytest.mark.parametrize(
    "kwargs",
    [{"max_iter": -1}, {"tol": -1.0}, {"smoothing": -0.5}],
    ids=["negative-max-iter", "negative-tol", "negative-smoothing"],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigError, match="expected"):
        DawidSkene(**kwargs)  # type: ignore[arg-type]


def test_smoothing_helps_sparse_workers() -> None:
    """Five answers per item from 200 workers over 10 classes: full confusion matrices overfit."""
    accuracies = list(np.random.default_rng(2).uniform(0.5, 0.95, 200))
    crowd = make_crowd(accuracies, n_items=1500, n_classes=10, per_item=5, seed=2)
    mv = accuracy(MajorityVote().fit_predict(crowd.answers), crowd.truth)
    raw = accuracy(DawidSkene(smoothing=0).fit_predict(crowd.answers), crowd.truth)
    smooth = accuracy(DawidSkene().fit_predict(crowd.answers), crowd.truth)
    assert smooth > raw
    assert smooth >= mv - 0.005


def test_declared_classes_include_unseen_ones() -> None:
    answers = pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": ["cat", "cat"]})
    probas = DawidSkene(classes=["cat", "dog", "owl"]).fit_predict_proba(answers)
    assert list(probas.columns) == ["cat", "dog", "owl"]
    with pytest.raises(AnswerInvalid, match="expected labels in"):
        DawidSkene(classes=["dog"]).fit(answers)
