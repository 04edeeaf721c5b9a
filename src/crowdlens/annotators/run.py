"""Run a model annotator over a project's items and store what it answers.

Resumable: responses are cached as soon as they are paid for, annotations are stored one
by one, and a re-run skips items this annotator has already answered — so a job killed
halfway makes no paid call twice and stores no annotation twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

from crowdlens.annotators.base import AnnotationRequest, AnnotationResult, ModelAnnotator
from crowdlens.annotators.registry import create_annotator
from crowdlens.annotators.requests import build_requests, select_fields
from crowdlens.annotators.services import Budget, StoreServices
from crowdlens.annotators.storing import AnnotationWriter
from crowdlens.annotators.training import training_examples
from crowdlens.errors import ConfigError
from crowdlens.schema import LabelSchema
from crowdlens.store import jobs
from crowdlens.store.annotators import get_or_create_model
from crowdlens.store.db import Database
from crowdlens.store.media import MediaStore
from crowdlens.store.projects import get_project, project_schema
from crowdlens.store.tables import Project

JOB_KIND = "model_annotation"


@dataclass
class Progress:
    """Counts so far, passed to the ``progress`` callback after every item."""

    total: int
    done: int = 0
    cached: int = 0
    failed: int = 0
    stopped: int = 0
    abstained: int = 0
    spent_usd: float = 0.0


@dataclass
class Estimate:
    """The cost of a sample of items projected to every item still to annotate."""

    sample_items: int
    sample_cost_usd: float
    spent_usd: float
    per_item_usd: float
    items_to_annotate: int
    projected_usd: float


@dataclass
class RunReport:
    """What a run did; ``estimate`` is set (and nothing stored) for an estimate run."""

    annotator_id: int
    annotator_key: str
    job_id: int | None
    total: int
    skipped: int
    progress: Progress
    requests_made: int
    status: str
    fit_report: dict[str, Any] = field(default_factory=dict)
    estimate: Estimate | None = None


@dataclass
class _Plan:
    project: Project
    schema: LabelSchema
    annotator: ModelAnnotator
    annotator_id: int
    annotator_key: str
    requests: list[AnnotationRequest]
    skipped: int
    fields: list[str]


def annotate_project(
    database: Database,
    media: MediaStore,
    *,
    project: str,
    annotator_config: dict[str, Any] | ModelAnnotator,
    fields: Sequence[str] | None = None,
    limit: int | None = None,
    max_cost: float | None = None,
    estimate: bool = False,
    sample_size: int = 10,
    regions: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> RunReport:
    """Annotate ``project`` with a model (see :func:`annotate_project_async`)."""
    return asyncio.run(
        annotate_project_async(
            database,
            media,
            project=project,
            annotator_config=annotator_config,
            fields=fields,
            limit=limit,
            max_cost=max_cost,
            estimate=estimate,
            sample_size=sample_size,
            regions=regions,
            progress=progress,
        )
    )


async def annotate_project_async(
    database: Database,
    media: MediaStore,
    *,
    project: str,
    annotator_config: dict[str, Any] | ModelAnnotator,
    fields: Sequence[str] | None = None,
    limit: int | None = None,
    max_cost: float | None = None,
    estimate: bool = False,
    sample_size: int = 10,
    regions: bool = False,
    progress: Callable[[Progress], None] | None = None,
) -> RunReport:
    """Ask a model every selected field of every item not yet answered by it.

    ``max_cost`` (USD) stops the run before it spends more; ``estimate`` answers a sample of
    ``sample_size`` items (cached, not stored) and projects the cost of the rest.
    """
    annotator = (
        annotator_config
        if isinstance(annotator_config, ModelAnnotator)
        else create_annotator(annotator_config)
    )
    plan, fit_report = _plan(database, media, project, annotator, fields, limit, regions)
    if estimate:
        return await _estimate(database, plan, sample_size, max_cost, fit_report)
    return await _run(database, plan, max_cost, progress, fit_report)


def _plan(
    database: Database,
    media: MediaStore,
    project_name: str,
    annotator: ModelAnnotator,
    field_names: Sequence[str] | None,
    limit: int | None,
    regions: bool,
) -> tuple[_Plan, dict[str, Any]]:
    """Select fields, train the annotator if it learns, and list the requests to make."""
    with database.session() as session:
        project = get_project(session, name=project_name)
        schema = project_schema(project)
        chosen = select_fields(schema, field_names, annotator)
        names = [f.name for f in chosen]
        examples = (
            training_examples(session, media, project=project, fields=names)
            if annotator.capabilities.needs_training
            else []
        )
    fit_report = annotator.fit(schema, examples) if examples else {}
    annotator.check(chosen)
    with database.session() as session:
        record = get_or_create_model(
            session,
            backend=annotator.backend,
            model=annotator.model_name,
            prompt_version=annotator.prompt_version(chosen),
            params=annotator.params(),
        )
        requests, skipped = build_requests(
            session, media, project=project, schema=schema, fields=chosen,
            annotator_key=record.key, regions=regions, limit=limit,
        )  # fmt: skip
        plan = _Plan(
            project, schema, annotator, record.id, record.key, requests, skipped, names,
        )  # fmt: skip
    return plan, fit_report


async def _estimate(
    database: Database,
    plan: _Plan,
    sample_size: int,
    max_cost: float | None,
    fit_report: dict[str, Any],
) -> RunReport:
    sample = _spread(plan.requests, sample_size)
    services = _services(database, plan, job_id=None, max_cost=max_cost)
    try:
        results = [r async for r in plan.annotator.annotate(sample, services)]
    finally:
        await plan.annotator.aclose()
        services.close()
    answered = [r for r in results if not r.stopped]
    sample_cost = sum(r.cost_usd for r in answered)
    per_item = sample_cost / len(answered) if answered else 0.0
    guess = Estimate(
        sample_items=len(answered),
        sample_cost_usd=sample_cost,
        spent_usd=services.budget.spent,
        per_item_usd=per_item,
        items_to_annotate=len(plan.requests),
        projected_usd=per_item * len(plan.requests),
    )
    progress = Progress(total=len(sample), done=len(answered), spent_usd=services.budget.spent)
    return RunReport(
        plan.annotator_id, plan.annotator_key, None, len(plan.requests), plan.skipped,
        progress, services.requests_made, "estimate", fit_report, guess,
    )  # fmt: skip


def _spread(requests: list[AnnotationRequest], size: int) -> list[AnnotationRequest]:
    """``size`` requests spread evenly over the list (deterministic)."""
    if size >= len(requests):
        return list(requests)
    step = len(requests) / size
    return [requests[int(i * step)] for i in range(size)]


def _services(
    database: Database, plan: _Plan, *, job_id: int | None, max_cost: float | None
) -> StoreServices:
    services = StoreServices(
        database,
        project_id=plan.project.id,
        annotator_id=plan.annotator_id,
        job_id=job_id,
        budget=Budget(max_cost),
    )
    services.preload_keys(model=plan.annotator.model_name)
    return services


async def _run(
    database: Database,
    plan: _Plan,
    max_cost: float | None,
    progress_cb: Callable[[Progress], None] | None,
    fit_report: dict[str, Any],
) -> RunReport:
    job_id = _open_job(database, plan)
    services = _services(database, plan, job_id=job_id, max_cost=max_cost)
    writer = AnnotationWriter(
        services, project=plan.project, annotator_id=plan.annotator_id,
        annotator_key=plan.annotator_key, fields=plan.fields, job_id=job_id,
    )  # fmt: skip
    progress = Progress(total=len(plan.requests))
    status = "failed"
    try:
        # aclosing: a stopped run finishes the backend's calls in flight (and records what
        # they cost) before the writer and services below are closed.
        async with aclosing(plan.annotator.annotate(plan.requests, services)) as results:
            async for result in results:
                await writer.add(result)
                _count(progress, result, services)
                if progress_cb is not None:
                    progress_cb(progress)
        status = "stopped" if progress.stopped else "done"
    except (KeyboardInterrupt, asyncio.CancelledError):
        status = "stopped"
        raise
    finally:
        await plan.annotator.aclose()
        await writer.close()
        services.close()
        _close_job(database, job_id, status, progress)
    return RunReport(
        plan.annotator_id, plan.annotator_key, job_id, len(plan.requests), plan.skipped,
        progress, services.requests_made, status, fit_report,
    )  # fmt: skip


def _open_job(database: Database, plan: _Plan) -> int:
    params = {"annotator": plan.annotator_key, "fields": plan.fields}
    with database.session() as session:
        job = jobs.find_resumable_job(
            session, kind=JOB_KIND, project_id=plan.project.id, params=params
        )
        if job is None:
            job = jobs.create_job(session, kind=JOB_KIND, project_id=plan.project.id, params=params)
        jobs.start_job(session, job_id=job.id, total=job.done + len(plan.requests))
        return job.id


def _close_job(database: Database, job_id: int, status: str, progress: Progress) -> None:
    error = None
    if status == "stopped" and progress.stopped:
        error = f"stopped by the spending limit with {progress.stopped} items left"
    with database.session() as session:
        jobs.finish_job(session, job_id=job_id, status=status, error=error)


def _count(progress: Progress, result: AnnotationResult, services: StoreServices) -> None:
    if result.stopped:
        progress.stopped += 1
    elif result.abstained:
        progress.abstained += 1
    elif result.failed:
        progress.failed += 1
    else:
        progress.done += 1
    progress.cached += int(result.cached)
    progress.spent_usd = services.budget.spent


def label_confident_items(
    database: Database,
    media: MediaStore,
    *,
    project: str,
    config: dict[str, Any] | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> RunReport | None:
    """Run the ``learned`` annotator once people have labelled enough; None until then.

    This is the offline auto-labelling step (``crowdlens demo`` after people have answered):
    it trains on the accepted human labels and answers only the items it is confident about.
    """
    from crowdlens.annotators.learned import LearnedAnnotator, LearnedConfig

    annotator = LearnedAnnotator(LearnedConfig(**(config or {})))
    try:
        return annotate_project(
            database, media, project=project, annotator_config=annotator, progress=progress
        )
    except ConfigError:
        if annotator.models_:
            raise
        return None
