"""Policies live in the assignment engine: real claims on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from crowd_helpers import GOOD, MakeProject, worker

from crowdlens.crowd import Claim, NoWorkAvailable, Submission, claim_assignment, submit_answers
from crowdlens.routing import plan_route, route_priority
from crowdlens.store.annotations import add_annotation
from crowdlens.store.annotators import get_or_create_model
from crowdlens.store.db import Database
from crowdlens.store.projects import get_project


def model_says(database: Database, model: str, answers: dict[int, tuple[bool, float]]) -> None:
    """Store a model's ``round`` answer (value, confidence) for some items."""
    with database.session() as session:
        project = get_project(session, name="shapes")
        who = get_or_create_model(session, backend="test", model=model, prompt_version="v1")
        for item, (value, confidence) in answers.items():
            add_annotation(
                session, project=project, item_id=item, annotator_id=who.id,
                answers={"round": value}, partial=True, confidence={"round": confidence},
            )  # fmt: skip


def claim(database: Database, name: str) -> Claim:
    priority = route_priority(database, project="shapes")
    return claim_assignment(database, project="shapes", worker=worker(name), priority=priority)


def answer_all(database: Database, claimed: Claim, round_by_item: dict[int, bool]) -> None:
    for item in claimed.item_ids:
        answers: dict[str, Any] = {**GOOD, "round": round_by_item[item]}
        submission = Submission(
            claimed.assignment_id, claimed.annotator_id, item, answers, f"k{item}"
        )
        assert submit_answers(database, submission).status != "failed"


def test_reannotate_disagreements_sends_only_disagreements_to_a_second_person(
    database: Database, make_project: MakeProject
) -> None:
    policy = {"name": "reannotate_disagreements", "field": "round"}
    items = make_project(4, redundancy=3, items_per_assignment=10, policy=policy)
    model_says(database, "llava", {i: (n < 2, 0.9) for n, i in enumerate(items)})
    first = claim(database, "w1")
    assert set(first.item_ids) == set(items)
    answer_all(database, first, dict.fromkeys(items, True))  # disagrees with the model on 2, 3
    second = claim(database, "w2")
    assert second.item_ids == tuple(items[2:])
    with pytest.raises(NoWorkAvailable):  # the leased disagreements already have their person
        claim(database, "w3")
    answer_all(database, second, {items[2]: False, items[3]: True})
    with pytest.raises(NoWorkAvailable):  # two people and the model settled every item
        claim(database, "w3")


def test_model_first_asks_people_only_where_models_are_unsure_or_disagree(
    database: Database, make_project: MakeProject
) -> None:
    policy = {"name": "model_first", "field": "round", "threshold": 0.9}
    items = make_project(5, redundancy=3, items_per_assignment=10, policy=policy)
    sure, unsure, split, unseen, sure_too = items
    model_says(database, "a", {sure: (True, 0.99), unsure: (True, 0.6), split: (True, 0.99)})
    model_says(database, "b", {sure: (True, 0.99), split: (False, 0.99), sure_too: (False, 0.98)})
    first = claim(database, "w1")
    assert set(first.item_ids) == {unsure, split, unseen}


def test_budgeted_stops_at_the_budget(database: Database, make_project: MakeProject) -> None:
    policy = {"name": "budgeted", "field": "colour", "budget": 2}
    make_project(6, redundancy=3, items_per_assignment=10, policy=policy)
    first = claim(database, "w1")
    assert len(first.item_ids) == 2
    with pytest.raises(NoWorkAvailable):
        claim(database, "w2")


def test_a_project_without_a_policy_is_not_routed(
    database: Database, make_project: MakeProject
) -> None:
    make_project(3)
    assert route_priority(database, project="shapes") is None


def test_the_plan_caps_each_item_at_answers_so_far_plus_requests(
    database: Database, make_project: MakeProject
) -> None:
    items = make_project(3, redundancy=5, policy={"name": "fixed", "field": "round", "k": 2})
    with database.session() as session:
        plan = plan_route(session, project=get_project(session, name="shapes"))
    assert plan is not None and plan.caps == dict.fromkeys(items, 2)
    assert plan([items[2], items[0]]) == {items[0]: 2, items[2]: 2}


def test_concurrent_claims_never_exceed_the_policy_cap(
    database: Database, make_project: MakeProject
) -> None:
    policy = {"name": "reannotate_disagreements", "field": "round"}
    items = make_project(2, redundancy=5, items_per_assignment=10, policy=policy)
    model_says(database, "llava", {items[0]: (False, 0.9), items[1]: (True, 0.9)})
    answer_all(database, claim(database, "w1"), dict.fromkeys(items, True))

    def attempt(n: int) -> tuple[int, ...]:
        try:
            return claim(database, f"c{n}").item_ids
        except NoWorkAvailable:
            return ()

    with ThreadPoolExecutor(max_workers=8) as pool:
        given = [item for ids in pool.map(attempt, range(8)) for item in ids]
    assert given == [items[0]]


def test_budgeted_counts_unanswered_leases_against_the_budget(
    database: Database, make_project: MakeProject
) -> None:
    policy = {"name": "budgeted", "field": "round", "budget": 2, "human_accuracy": 0.55}
    items = make_project(3, redundancy=3, items_per_assignment=1, policy=policy)
    model_says(
        database, "m", dict(zip(items, [(True, 0.6), (True, 0.7), (True, 0.8)], strict=True))
    )
    first = claim(database, "w1")
    assert first.item_ids == (items[0],)
    assert claim(database, "w2").item_ids == (items[1],)
    answer_all(database, first, {items[0]: False})  # still the least certain item
    with pytest.raises(NoWorkAvailable):  # one answer in, one lease out: the budget is spent
        claim(database, "w3")
