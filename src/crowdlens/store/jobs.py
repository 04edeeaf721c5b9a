"""Long-running jobs (a model run, an import): created, advanced, finished, resumed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crowdlens.errors import Conflict, NotFound
from crowdlens.store.tables import Job

JOB_STATUSES = ("pending", "running", "done", "stopped", "failed")
OPEN_STATUSES = ("pending", "running", "stopped", "failed")


def create_job(
    session: Session,
    *,
    kind: str,
    project_id: int | None = None,
    params: dict[str, Any] | None = None,
    total: int = 0,
) -> Job:
    """A new job in status ``pending``."""
    job = Job(project_id=project_id, kind=kind, params=params or {}, total=total, status="pending")
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, *, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(f"expected an existing job id, got {job_id}; list jobs to find it")
    return job


def start_job(session: Session, *, job_id: int, total: int | None = None) -> Job:
    """Mark a job running (again, when resumed); optionally reset its total."""
    job = get_job(session, job_id=job_id)
    if job.status == "done":
        raise Conflict(f"expected an unfinished job, got job {job_id} already done")
    job.status = "running"
    job.error = None
    if total is not None:
        job.total = total
    return job


def advance_job(session: Session, *, job_id: int, done: int = 0, failed: int = 0) -> Job:
    """Add to a job's counters of finished and failed units."""
    job = get_job(session, job_id=job_id)
    job.done += done
    job.failed += failed
    return job


def finish_job(
    session: Session, *, job_id: int, status: str = "done", error: str | None = None
) -> Job:
    """Close a job as ``done``, ``stopped`` (budget, Ctrl-C) or ``failed`` (with the error)."""
    if status not in JOB_STATUSES:
        raise ValueError(f"expected a job status in {', '.join(JOB_STATUSES)}, got {status!r}")
    job = get_job(session, job_id=job_id)
    job.status = status
    job.error = error
    return job


def find_resumable_job(
    session: Session, *, kind: str, project_id: int | None, params: dict[str, Any]
) -> Job | None:
    """The latest unfinished job of this kind with the same parameters, if any."""
    query = (
        select(Job)
        .where(Job.kind == kind, Job.project_id == project_id, Job.status.in_(OPEN_STATUSES))
        .order_by(Job.id.desc())
    )
    for job in session.scalars(query):
        if job.params == params:
            return job
    return None
