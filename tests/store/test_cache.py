"""The response cache and the cost ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from crowdlens.store.cache import count_cached, get_cached, put_cached
from crowdlens.store.costs import record_cost, total_cost
from crowdlens.store.db import Database
from crowdlens.store.projects import create_project


def test_cache_round_trip_and_first_write_wins(database: Database) -> None:
    with database.session() as session:
        assert get_cached(session, key="k" * 64) is None
        put_cached(
            session, key="k" * 64, endpoint="http://x/v1", model="m", prompt_version="p.v1",
            response={"text": "first", "usage": {"input_tokens": 3}}, image_sha256="a" * 64,
        )  # fmt: skip
    with database.session() as session:
        put_cached(
            session, key="k" * 64, endpoint="http://x/v1", model="m", prompt_version="p.v1",
            response={"text": "second"},
        )  # fmt: skip
    with database.session() as session:
        assert get_cached(session, key="k" * 64) == {"text": "first", "usage": {"input_tokens": 3}}
        assert count_cached(session) == 1 and count_cached(session, model="other") == 0


def test_cost_ledger_totals_by_kind_and_job(database: Database, small_schema) -> None:  # type: ignore[no-untyped-def]
    with database.session() as session:
        project = create_project(session, schema=small_schema)
        record_cost(session, project_id=project.id, kind="model_tokens", amount_usd=0.25)
        record_cost(session, project_id=project.id, kind="model_tokens", amount_usd=0.5)
        record_cost(session, project_id=project.id, kind="human_reward", amount_usd=2.0)
    with database.session() as session:
        assert total_cost(session, project_id=project.id) == pytest.approx(2.75)
        assert total_cost(session, project_id=project.id, kind="model_tokens") == 0.75
        assert total_cost(session, project_id=project.id, job_id=99) == 0.0


@pytest.mark.parametrize(
    ("kind", "amount", "message"),
    [("tokens", 1.0, "expected a cost kind"), ("fee", -1.0, "expected a cost of 0 or more")],
    ids=["unknown-kind", "negative"],
)
def test_bad_cost_lines_are_refused(
    sqlite_database: Database,
    small_schema,
    kind: str,
    amount: float,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    with sqlite_database.session() as session:
        project = create_project(session, schema=small_schema)
        with pytest.raises(ValueError, match=message):
            record_cost(session, project_id=project.id, kind=kind, amount_usd=amount)
