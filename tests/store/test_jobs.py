"""Jobs: created, started, advanced, finished, found again to resume."""

from __future__ import annotations

import pytest

from crowdlens.errors import Conflict, NotFound
from crowdlens.store import jobs
from crowdlens.store.db import Database


def test_job_lifecycle_and_resume(database: Database) -> None:
    params = {"annotator": "model:openai:m:v1", "fields": ["a"]}
    with database.session() as session:
        job = jobs.create_job(session, kind="model_annotation", params=params, total=3)
        jobs.start_job(session, job_id=job.id)
        jobs.advance_job(session, job_id=job.id, done=1, failed=1)
        jobs.finish_job(session, job_id=job.id, status="stopped", error="budget")
    with database.session() as session:
        found = jobs.find_resumable_job(
            session, kind="model_annotation", project_id=None, params=params
        )
        assert found is not None and (found.id, found.done, found.failed) == (job.id, 1, 1)
        other = {"annotator": "model:openai:m:v2", "fields": ["a"]}
        assert (
            jobs.find_resumable_job(session, kind="model_annotation", project_id=None, params=other)
            is None
        )
        jobs.start_job(session, job_id=job.id, total=5)
        jobs.finish_job(session, job_id=job.id)
    with database.session() as session:
        done = jobs.get_job(session, job_id=job.id)
        assert (done.status, done.total, done.error) == ("done", 5, None)
        assert (
            jobs.find_resumable_job(
                session, kind="model_annotation", project_id=None, params=params
            )
            is None
        )
        with pytest.raises(Conflict, match="already done"):
            jobs.start_job(session, job_id=job.id)


def test_unknown_jobs_and_statuses_are_refused(sqlite_database: Database) -> None:
    with sqlite_database.session() as session:
        with pytest.raises(NotFound, match="expected an existing job id, got 42"):
            jobs.get_job(session, job_id=42)
        job = jobs.create_job(session, kind="import")
        with pytest.raises(ValueError, match="expected a job status"):
            jobs.finish_job(session, job_id=job.id, status="finished")
