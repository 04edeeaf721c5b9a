"""Submissions: QC with reasons, resubmission, idempotency, completion codes, bad input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from crowd_helpers import GOOD, MakeProject, worker
from sqlalchemy import func, select

from crowdlens.crowd import (
    Claim,
    RateLimit,
    Submission,
    claim_assignment,
    submit_answers,
    verify_code,
)
from crowdlens.errors import AnswerInvalid, Forbidden, RateLimited
from crowdlens.store.db import Database
from crowdlens.store.tables import Annotation, CostEntry, utcnow


def submission(claim: Claim, index: int, answers: dict[str, Any], key: str) -> Submission:
    return Submission(claim.assignment_id, claim.annotator_id, claim.item_ids[index], answers, key)


def count_annotations(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(Annotation)) or 0)


@pytest.fixture
def claim(database: Database, make_project: MakeProject) -> Claim:
    make_project(3, items_per_assignment=2, reward_usd=0.5)
    return claim_assignment(database, project="shapes", worker=worker("w1"))


def test_a_short_text_fails_qc_with_a_reason_and_the_fix_passes(
    database: Database, claim: Claim
) -> None:
    short = submit_answers(database, submission(claim, 0, {**GOOD, "describe": "red"}, "a"))
    assert short.status == "failed" and short.attempts_left == 2
    assert short.reasons == [
        "Your answer to “describe” has 1 word; please write at least 3, adding details you can see."
    ]
    fixed = submit_answers(database, submission(claim, 0, GOOD, "b"))
    assert fixed.passed and fixed.attempt == 2 and fixed.completion_code is None


def test_the_same_key_twice_stores_one_annotation_and_answers_the_same(
    database: Database, claim: Claim
) -> None:
    first = submit_answers(database, submission(claim, 0, GOOD, "same"))
    second = submit_answers(database, submission(claim, 0, GOOD, "same"))
    assert first == second and count_annotations(database) == 1


def test_a_double_click_at_the_same_moment_stores_one_annotation(
    database: Database, claim: Claim
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(
            pool.map(lambda _: submit_answers(database, submission(claim, 0, GOOD, "x")), range(4))
        )
    assert len({o.annotation_id for o in outcomes}) == 1 and count_annotations(database) == 1


def test_an_answered_item_is_not_answered_again_with_a_new_key(
    database: Database, claim: Claim
) -> None:
    first = submit_answers(database, submission(claim, 0, GOOD, "a"))
    again = submit_answers(database, submission(claim, 0, {**GOOD, "colour": "blue"}, "b"))
    assert again.annotation_id == first.annotation_id and count_annotations(database) == 1


def test_the_last_failed_attempt_is_rejected_and_ends_the_item(
    database: Database, make_project: MakeProject
) -> None:
    make_project(1, items_per_assignment=1, qc={"max_attempts": 2})
    claim = claim_assignment(database, project="shapes", worker=worker("w1"))
    bad = {**GOOD, "describe": "no"}
    assert submit_answers(database, submission(claim, 0, bad, "1")).status == "failed"
    last = submit_answers(database, submission(claim, 0, bad, "2"))
    assert last.status == "rejected" and last.attempts_left == 0
    assert last.completion_code is not None


def test_finishing_every_item_gives_a_verifiable_code_bound_to_the_worker(
    database: Database, claim: Claim
) -> None:
    submit_answers(database, submission(claim, 0, GOOD, "a"))
    outcome = submit_answers(database, submission(claim, 1, GOOD, "b"))
    code = outcome.completion_code
    assert code is not None and code.startswith("CL-") and len(code) == 22
    with database.session() as session:
        assert verify_code(session, code=code.lower(), worker_id="w1").valid
        assert not verify_code(session, code=code, worker_id="w2").valid
        assert not verify_code(session, code="CL-0000-0000-0000-0000").valid
        reward = session.scalar(select(func.sum(CostEntry.amount_usd)))
    assert reward == pytest.approx(0.5)


def test_time_on_task_is_measured_on_the_server(database: Database, claim: Claim) -> None:
    start = utcnow()
    submit_answers(database, submission(claim, 0, GOOD, "a"), now=start + timedelta(seconds=40))
    submit_answers(database, submission(claim, 1, GOOD, "b"), now=start + timedelta(seconds=55))
    with database.session() as session:
        spent = list(session.scalars(select(Annotation.time_spent_s).order_by(Annotation.id)))
    assert spent[0] == pytest.approx(40, abs=2) and spent[1] == pytest.approx(15, abs=0.01)


def test_paste_events_are_kept_as_a_passing_signal(database: Database, claim: Claim) -> None:
    signals = {"pasted_chars": {"describe": 17}}
    outcome = submit_answers(
        database,
        Submission(claim.assignment_id, claim.annotator_id, claim.item_ids[0], GOOD, "p", signals),
    )
    paste = [v for v in outcome.verdicts if v["name"] == "paste"]
    assert outcome.passed and paste[0]["field"] == "describe" and paste[0]["score"] == 0.0


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        pytest.param(
            {"annotator_id": 10_000}, Forbidden, "your own assignment", id="forged-worker"
        ),
        pytest.param({"item_id": 10_000}, Forbidden, "an item of your assignment", id="other-item"),
        pytest.param(
            {"answers": {**GOOD, "colour": "purple"}},
            AnswerInvalid,
            "one of red",
            id="unknown-class",
        ),
        pytest.param(
            {"answers": {**GOOD, "round": [1]}}, AnswerInvalid, "true or false", id="wrong-type"
        ),
        pytest.param(
            {"answers": {**GOOD, "size": 3}}, AnswerInvalid, "expected a field", id="extra"
        ),
    ],
)
def test_bad_submissions_are_refused(
    database: Database, claim: Claim, change: dict[str, Any], error: type[Exception], message: str
) -> None:
    base = submission(claim, 0, GOOD, "k")
    fields = {**base.__dict__, **change}
    with pytest.raises(error, match=message):
        submit_answers(database, Submission(**fields))
    assert count_annotations(database) == 0


def test_a_worker_submitting_too_fast_is_slowed_down(database: Database, claim: Claim) -> None:
    limit = RateLimit(submissions=1, window=timedelta(minutes=1))
    submit_answers(database, submission(claim, 0, GOOD, "a"), rate_limit=limit)
    with pytest.raises(RateLimited, match="at most 1 submissions"):
        submit_answers(database, submission(claim, 1, GOOD, "b"), rate_limit=limit)
