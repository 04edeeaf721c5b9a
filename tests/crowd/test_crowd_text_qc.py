"""Submissions run the registered text checks with context from the store: keywords from the
manifest or peers, copies, pastes, gold items mixed in and scored per worker, ready for merging."""

from __future__ import annotations

import random
from typing import Any

import pytest
from crowd_helpers import GOOD, MakeProject, worker

from crowdlens.crowd import Submission, claim_assignment, submit_answers
from crowdlens.crowd.gold import mix_gold
from crowdlens.crowd.ready import READY_KEY, items_ready_for_merge
from crowdlens.errors import Forbidden
from crowdlens.store.db import Database
from crowdlens.store.tables import Annotator, Item

KEYWORDS = ["house", "river", "dog", "children", "ball", "boat", "cat", "bicycle", "kite", "church"]
TWO = "a brown dog sleeps in front of a small red house near the trees"
ONE = "a brown dog sleeps on the green grass under the tall old trees"


def set_item(database: Database, item_id: int, **columns: Any) -> None:
    with database.session() as session:
        item = session.get_one(Item, item_id)
        for name, value in columns.items():
            setattr(item, name, value)


def submit(database: Database, name: str, answers: dict[str, Any], key: str = "k", **kw: Any):  # type: ignore[no-untyped-def]
    claim = claim_assignment(database, project="shapes", worker=worker(name))
    item_id = kw.pop("item_id", claim.item_ids[0])
    submission = Submission(claim.assignment_id, claim.annotator_id, item_id, answers, key, **kw)
    return submit_answers(database, submission)


@pytest.mark.parametrize(
    ("text", "passed"), [pytest.param(TWO, True, id="2-of-10"), pytest.param(ONE, False, id="1")]
)
def test_keywords_from_the_manifest(
    database: Database, make_project: MakeProject, text: str, passed: bool
) -> None:
    (item_id,) = make_project(1, items_per_assignment=1, qc={"keywords": {"required": 2}})
    set_item(database, item_id, meta={"keywords": KEYWORDS})
    outcome = submit(database, "w1", {**GOOD, "describe": text})
    assert outcome.passed is passed
    if not passed:
        assert outcome.reasons == [
            "You mentioned 1 of 10 main things in the picture; at least 2 are needed. "
            "Look at the picture again and name the main objects, people or animals you see."
        ]


def test_peer_keywords_come_from_other_passed_answers(
    database: Database, make_project: MakeProject
) -> None:
    make_project(1, items_per_assignment=1, redundancy=5, qc={"keywords": {"required": 2}})
    for name, text in [("a", "a red kite over a windmill"), ("b", "the windmill and its kite")]:
        assert submit(database, name, {**GOOD, "describe": text}).passed
    assert submit(database, "c", {**GOOD, "describe": "a kite beside the windmill"}).passed
    failed = submit(database, "d", {**GOOD, "describe": "a red round shape here"})
    assert "You mentioned 0 of 2 main things" in failed.reasons[0]


def test_a_copy_of_another_workers_answer_fails_but_ones_own_retry_does_not(
    database: Database, make_project: MakeProject
) -> None:
    make_project(1, items_per_assignment=1, redundancy=3, qc={"near_duplicate": {}, "min_words": 6})
    text = "a shiny red ball rests on a wooden table next to an open window"
    assert submit(database, "a", {**GOOD, "describe": text}).passed
    copied = submit(database, "b", {**GOOD, "describe": text + " and a cup"})
    assert copied.status == "failed" and "repeats another submission" in copied.reasons[0]
    first = submit(database, "c", {**GOOD, "describe": "short one"}, key="1")
    assert first.status == "failed"
    again = submit(database, "c", {**GOOD, "describe": "short one, now with many more words"}, "2")
    assert again.passed


def test_a_pasted_answer_fails_the_paste_rule(
    database: Database, make_project: MakeProject
) -> None:
    make_project(1, items_per_assignment=1, qc={"paste_heavy": {"max_ratio": 0.5}})
    text = "a red round shape on a plain background"
    outcome = submit(database, "w", {**GOOD, "describe": text},
                     signals={"pasted_chars": {"describe": len(text)}})  # fmt: skip
    assert not outcome.passed and "was pasted" in outcome.reasons[0]
    assert [v["name"] for v in outcome.verdicts][-1] == "paste"


def test_gold_items_are_mixed_in_at_the_rate(database: Database, make_project: MakeProject) -> None:
    ids = make_project(6, items_per_assignment=2, qc={"gold": {"rate": 0.5}})
    for gold_id in ids[:3]:
        set_item(database, gold_id, gold={"colour": "red"})
    claim = claim_assignment(database, project="shapes", worker=worker("w"))
    gold = [i for i in claim.item_ids if i in ids[:3]]
    assert len(claim.item_ids) == 4 and len(gold) == 2
    with database.session() as session:
        batch = mix_gold(session, project_id=1, annotator_id=1, schema=_schema(database),
                         chosen=[ids[5]], rng=random.Random(1))  # fmt: skip
    assert batch[0] in ids[:3] or batch[1] in ids[:3]


def _schema(database: Database) -> Any:
    from crowdlens.store.projects import get_project, project_schema

    with database.session() as session:
        return project_schema(get_project(session, name="shapes"))


def test_a_worker_below_the_gold_threshold_is_blocked(
    database: Database, make_project: MakeProject
) -> None:
    ids = make_project(4, items_per_assignment=4, redundancy=1,
                       qc={"gold": {"block_below": 0.6, "min_items": 2}})  # fmt: skip
    for gold_id in ids[:2]:
        set_item(database, gold_id, gold={"colour": "green"})
    first = submit(database, "w", GOOD, item_id=ids[0])
    assert first.passed  # one wrong gold answer: too few to judge
    second = submit(database, "w", GOOD, key="2", item_id=ids[1])
    assert second.status == "rejected"
    assert "You answered 0% of 2 check question(s) correctly" in second.reasons[0]
    assert second.completion_code is None
    with database.session() as session:
        assert session.get_one(Annotator, 1).blocked
    with pytest.raises(Forbidden):
        claim_assignment(database, project="shapes", worker=worker("w"))


def test_an_item_is_ready_for_merging_after_k_passed_descriptions(
    database: Database, make_project: MakeProject
) -> None:
    (item_id,) = make_project(1, items_per_assignment=1, redundancy=3, qc={"ready_after": 2})
    assert submit(database, "a", GOOD).passed
    with database.session() as session:
        assert READY_KEY not in session.get_one(Item, item_id).meta
    assert submit(database, "b", {**GOOD, "describe": "a round red thing"}).passed
    with database.session() as session:
        assert session.get_one(Item, item_id).meta[READY_KEY] == {"describe": 2}
        assert items_ready_for_merge(session, project_id=1) == {item_id: {"describe": 2}}
