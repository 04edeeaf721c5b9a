"""Admin actions as library calls: reject returns an item to the pool, block revokes leases."""

from __future__ import annotations

import pytest
from crowd_helpers import GOOD, MakeProject, worker

from crowdlens.crowd import NoWorkAvailable, Submission, claim_assignment, submit_answers
from crowdlens.crowd.dashboard import project_dashboard
from crowdlens.crowd.review import block_worker, review_annotation
from crowdlens.errors import AnswerInvalid, Forbidden
from crowdlens.store.db import Database
from crowdlens.store.projects import get_project


def test_a_rejected_answer_returns_its_item_to_the_pool(
    database: Database, make_project: MakeProject
) -> None:
    make_project(1, redundancy=1, items_per_assignment=1)
    claim = claim_assignment(database, project="shapes", worker=worker("w1"))
    item = claim.item_ids[0]
    outcome = submit_answers(
        database, Submission(claim.assignment_id, claim.annotator_id, item, GOOD, "k")
    )
    with pytest.raises(NoWorkAvailable):
        claim_assignment(database, project="shapes", worker=worker("w2"))
    with database.session() as session, pytest.raises(AnswerInvalid, match="reason"):
        review_annotation(session, annotation_id=outcome.annotation_id, decision="reject")
    with database.session() as session:
        review_annotation(
            session, annotation_id=outcome.annotation_id, decision="reject", reason="blurry"
        )
    assert claim_assignment(database, project="shapes", worker=worker("w2")).item_ids == (item,)


def test_blocking_revokes_leases_and_refuses_submissions(
    database: Database, make_project: MakeProject
) -> None:
    make_project(2, redundancy=1, items_per_assignment=2)
    claim = claim_assignment(database, project="shapes", worker=worker("w1"))
    with database.session() as session:
        assert block_worker(session, annotator_id=claim.annotator_id) == 1
    late = Submission(claim.assignment_id, claim.annotator_id, claim.item_ids[0], GOOD, "k")
    with pytest.raises(Forbidden, match="blocked"):
        submit_answers(database, late)
    assert set(claim_assignment(database, project="shapes", worker=worker("w2")).item_ids) == set(
        claim.item_ids
    )


def test_the_dashboard_counts_attempts_and_pass_rate(
    database: Database, make_project: MakeProject
) -> None:
    make_project(1, items_per_assignment=1)
    claim = claim_assignment(database, project="shapes", worker=worker("w1"))
    item = claim.item_ids[0]
    for key, text in (("a", "no"), ("b", "a red round shape")):
        answers = {**GOOD, "describe": text}
        submit_answers(
            database, Submission(claim.assignment_id, claim.annotator_id, item, answers, key)
        )
    with database.session() as session:
        board = project_dashboard(session, project=get_project(session, name="shapes"))
    assert (board.human_attempts, board.human_passed) == (2, 1)
    assert board.workers[0].worker_id == "w1" and board.workers[0].answers == 1
