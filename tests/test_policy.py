from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crowdlens import policy
from crowdlens.errors import ConfigError
from crowdlens.policy import PolicyState


def state(votes: list[list[int]], model: list[list[float]] | None = None) -> PolicyState:
    frame = pd.DataFrame(votes, index=[f"i{n}" for n in range(len(votes))], columns=[0, 1])
    probas = {} if model is None else {"m": pd.DataFrame(model, index=frame.index, columns=[0, 1])}
    return PolicyState(votes=frame, model_probas=probas)


def test_fixed_asks_for_the_missing_answers() -> None:
    requests = policy.fixed(3).next_requests(state([[0, 0], [1, 1], [2, 1]]))
    assert requests.to_dict() == {"i0": 3, "i1": 1}


def test_model_first_asks_only_where_unsure() -> None:
    s = state([[0, 0], [0, 0]], model=[[0.99, 0.01], [0.6, 0.4]])
    requests = policy.model_first(0.95, human_accuracy=0.9).next_requests(s)
    assert list(requests.index) == ["i1"]


def test_model_first_stops_once_people_settle_it() -> None:
    s = state([[0, 0], [2, 0]], model=[[0.6, 0.4], [0.6, 0.4]])
    requests = policy.model_first(0.95, human_accuracy=0.9).next_requests(s)
    assert list(requests.index) == ["i0"]


def test_model_first_routes_disagreeing_models_to_people() -> None:
    votes = pd.DataFrame([[0, 0]], index=["x"], columns=[0, 1])
    models = {
        "a": pd.DataFrame([[0.999, 0.001]], index=["x"], columns=[0, 1]),
        "b": pd.DataFrame([[0.001, 0.999]], index=["x"], columns=[0, 1]),
    }
    requests = policy.model_first(0.5).next_requests(PolicyState(votes, models))
    assert requests.to_dict() == {"x": 1}


@pytest.mark.parametrize(
    ("votes", "expected"),
    [([0, 0], 1), ([1, 0], 0), ([0, 1], 1), ([1, 1], 0)],
    ids=["no-human-yet", "human-agrees", "human-disagrees", "tiebreak-done"],
)
def test_reannotate_disagreements_follows_the_celeba_procedure(
    votes: list[int], expected: int
) -> None:
    s = state([votes], model=[[0.8, 0.2]])
    requests = policy.reannotate_disagreements().next_requests(s)
    assert int(requests.get("i0", 0)) == expected


def test_reannotate_consensus_is_majority_of_model_and_people() -> None:
    reannotate = policy.reannotate_disagreements()
    assert reannotate.consensus(state([[0, 2]], model=[[0.8, 0.2]])).idxmax(axis=1)["i0"] == 1
    assert reannotate.consensus(state([[1, 1]], model=[[0.8, 0.2]])).idxmax(axis=1)["i0"] == 0


def test_budgeted_spends_budget_on_least_certain_first() -> None:
    s = state([[0, 0]] * 3, model=[[0.99, 0.01], [0.55, 0.45], [0.7, 0.3]])
    requests = policy.budgeted(2).next_requests(s)
    assert list(requests.index) == ["i1", "i2"]
    spent = state([[1, 0], [1, 0], [0, 0]], model=[[0.99, 0.01], [0.55, 0.45], [0.7, 0.3]])
    assert policy.budgeted(2).next_requests(spent).empty


@pytest.mark.parametrize(
    "make",
    [lambda: policy.fixed(-1), lambda: policy.model_first(0.0), lambda: policy.budgeted(-5)],
    ids=["fixed-negative", "model-first-zero-threshold", "budget-negative"],
)
def test_bad_settings_are_refused(make: object) -> None:
    with pytest.raises(ConfigError, match="expected"):
        make()  # type: ignore[operator]


def test_wrong_confusion_shape_is_refused() -> None:
    with pytest.raises(ConfigError, match="expected shape"):
        policy.model_first(0.9, human_confusion=np.eye(3)).next_requests(state([[0, 0]]))


def test_confusion_and_temperature_estimates() -> None:
    votes = pd.DataFrame([[9, 1], [2, 8]], columns=[0, 1])
    confusion = policy.estimate_confusion(votes, pd.Series([0, 1]), smoothing=0)
    np.testing.assert_allclose(confusion, [[0.9, 0.1], [0.2, 0.8]])
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 2, 2000)
    confident = np.where(truth[:, None] == [0, 1], 0.999, 0.001)
    flip = rng.random(2000) < 0.2
    confident[flip] = confident[flip][:, ::-1]
    probas = pd.DataFrame(confident, columns=[0, 1])
    temperature = policy.fit_temperature(probas, pd.Series(truth))
    assert temperature > 1.5
    calibrated = policy.apply_temperature(probas, temperature)
    assert calibrated.max(axis=1).mean() == pytest.approx(0.8, abs=0.03)


def test_human_weight_is_lowered_when_people_err_on_the_same_items() -> None:
    rng = np.random.default_rng(1)
    n = 3000
    truth = rng.integers(0, 2, n)
    hard = rng.random(n) < 0.2
    right = np.where(hard, 0.55, 0.99)
    votes = np.zeros((n, 2))
    for _ in range(20):
        said = np.where(rng.random(n) < right, truth, 1 - truth)
        votes[np.arange(n), said] += 1
    model = np.where(truth[:, None] == [0, 1], 0.7, 0.3)
    frame = pd.DataFrame(votes, columns=[0, 1])
    reference = pd.Series(truth)
    confusion = policy.estimate_confusion(frame, reference)
    weight = policy.fit_human_weight(
        pd.DataFrame(model, columns=[0, 1]), frame, confusion, reference
    )
    assert 0.05 <= weight < 1.0
    s = PolicyState(
        pd.DataFrame([[1, 0]], columns=[0, 1]), {"m": pd.DataFrame([[0.2, 0.8]], columns=[0, 1])}
    )
    full = policy.model_first(0.9, human_confusion=confusion).consensus(s)
    tempered = policy.model_first(0.9, human_confusion=confusion, human_weight=weight).consensus(s)
    assert tempered.loc[0, 0] < full.loc[0, 0]


def test_a_model_that_did_not_answer_an_item_neither_dilutes_nor_disagrees() -> None:
    votes = pd.DataFrame([[0, 0], [0, 0]], index=["x", "y"], columns=[0, 1])
    models = {
        "a": pd.DataFrame([[0.01, 0.99]], index=["x"], columns=[0, 1]),
        "b": pd.DataFrame([[0.01, 0.99], [0.02, 0.98]], index=["x", "y"], columns=[0, 1]),
    }
    requests = policy.model_first(0.95, human_accuracy=0.9).next_requests(
        PolicyState(votes, models)
    )
    assert requests.empty


@pytest.mark.parametrize(
    ("votes", "expected"),
    [([0, 0], 1), ([1, 0], 1), ([1, 1], 1), ([2, 0], 0), ([1, 2], 0)],
    ids=["none", "one", "two-split", "two-agree", "tiebreak-done"],
)
def test_reannotate_without_a_model_is_two_then_tiebreak(votes: list[int], expected: int) -> None:
    s = PolicyState(pd.DataFrame([votes], index=["i0"], columns=[0, 1]))
    other = {"m": pd.DataFrame([[0.9, 0.1]], index=["elsewhere"], columns=[0, 1])}
    for state_ in (s, PolicyState(s.votes, other)):
        requests = policy.reannotate_disagreements().next_requests(state_)
        assert int(requests.get("i0", 0)) == expected


def test_make_policy_knows_every_policy_a_project_can_name() -> None:
    from crowdlens.schema import POLICY_SETTINGS

    assert set(policy.POLICIES) == set(POLICY_SETTINGS)
    assert isinstance(policy.make_policy("fixed", k=2), policy.Fixed)
    with pytest.raises(ConfigError, match="expected one of"):
        policy.make_policy("random")
