"""The assignment engine on SQLite and PostgreSQL: redundancy, leases, priority, atomic claims."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from crowd_helpers import GOOD, MakeProject, worker

from crowdlens.crowd import NoWorkAvailable, Submission, claim_assignment, submit_answers
from crowdlens.errors import Forbidden, Gone
from crowdlens.store.annotators import get_or_create_human, set_blocked
from crowdlens.store.db import Database
from crowdlens.store.tables import utcnow


def test_a_claim_leases_a_batch_and_a_second_visit_resumes_it(
    database: Database, make_project: MakeProject
) -> None:
    items = make_project(5, items_per_assignment=3)
    first = claim_assignment(database, project="shapes", worker=worker("w1"))
    again = claim_assignment(database, project="shapes", worker=worker("w1"))
    assert first.item_ids == tuple(items[:3]) and not first.resumed
    assert again.assignment_id == first.assignment_id and again.resumed


def test_redundancy_counts_live_leases(database: Database, make_project: MakeProject) -> None:
    items = make_project(4, redundancy=1, items_per_assignment=2)
    a = claim_assignment(database, project="shapes", worker=worker("w1"))
    b = claim_assignment(database, project="shapes", worker=worker("w2"))
    assert set(a.item_ids) | set(b.item_ids) == set(items)
    with pytest.raises(NoWorkAvailable, match="try again later"):
        claim_assignment(database, project="shapes", worker=worker("w3"))


def test_no_worker_sees_an_item_twice(database: Database, make_project: MakeProject) -> None:
    make_project(2, redundancy=3, items_per_assignment=2)
    claim = claim_assignment(database, project="shapes", worker=worker("w1"))
    for item in claim.item_ids:
        submit_answers(
            database, Submission(claim.assignment_id, claim.annotator_id, item, GOOD, "k")
        )
    with pytest.raises(NoWorkAvailable):
        claim_assignment(database, project="shapes", worker=worker("w1"))
    other = claim_assignment(database, project="shapes", worker=worker("w2"))
    assert set(other.item_ids) == set(claim.item_ids)


def test_an_expired_lease_returns_its_items_to_the_pool(
    database: Database, make_project: MakeProject
) -> None:
    make_project(2, redundancy=1, items_per_assignment=2)
    start = utcnow()
    lease = timedelta(minutes=10)
    first = claim_assignment(
        database, project="shapes", worker=worker("w1"), lease=lease, now=start
    )
    with pytest.raises(NoWorkAvailable):
        claim_assignment(database, project="shapes", worker=worker("w2"), now=start + lease / 2)
    later = start + lease + timedelta(seconds=1)
    second = claim_assignment(database, project="shapes", worker=worker("w2"), now=later)
    assert set(second.item_ids) == set(first.item_ids)
    late = Submission(first.assignment_id, first.annotator_id, first.item_ids[0], GOOD, "k")
    with pytest.raises(Gone, match="time ran out"):
        submit_answers(database, late, now=later)


def test_the_priority_hook_orders_candidates(database: Database, make_project: MakeProject) -> None:
    items = make_project(6, items_per_assignment=2)
    claim = claim_assignment(
        database, project="shapes", worker=worker("w1"), priority=lambda ids: sorted(ids)[::-1]
    )
    assert claim.item_ids == (items[5], items[4])


def test_a_blocked_worker_gets_nothing(database: Database, make_project: MakeProject) -> None:
    make_project(2)
    with database.session() as session:
        annotator = get_or_create_human(session, platform="web", worker_id="bad")
        set_blocked(session, annotator_id=annotator.id)
    with pytest.raises(Forbidden, match="blocked"):
        claim_assignment(database, project="shapes", worker=worker("bad"))


def test_the_same_platform_assignment_resumes_even_after_submission(
    database: Database, make_project: MakeProject
) -> None:
    make_project(3, items_per_assignment=1)
    mturk = worker("w1", assignmentId="A1")
    claim = claim_assignment(database, project="shapes", worker=mturk)
    submit_answers(
        database, Submission(claim.assignment_id, claim.annotator_id, claim.item_ids[0], GOOD, "k")
    )
    again = claim_assignment(database, project="shapes", worker=mturk)
    assert again.assignment_id == claim.assignment_id and again.resumed


def test_concurrent_claims_never_over_assign(database: Database, make_project: MakeProject) -> None:
    items = make_project(24, redundancy=2, items_per_assignment=3)

    def claim(n: int) -> tuple[int, ...]:
        try:
            return claim_assignment(database, project="shapes", worker=worker(f"w{n}")).item_ids
        except NoWorkAvailable:
            return ()

    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(claim, range(20)))
    assert all(len(set(batch)) == len(batch) for batch in batches)
    # Claims that found rows locked by others got less; later claims fill the rest, never more.
    batches += [claim(n) for n in range(20, 60)]
    counts = Counter(item for batch in batches for item in batch)
    assert counts == Counter(dict.fromkeys(items, 2))
