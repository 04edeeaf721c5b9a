"""REST API under /api/v1 (OpenAPI docs at /api/v1/docs).

Admin endpoints take ``Authorization: Bearer <CROWDLENS_ADMIN_TOKEN>``. Worker endpoints take
the signed assignment token that starting an assignment returns, as the HTML pages do.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from crowdlens.crowd import (
    AssignmentView,
    Submission,
    WorkerIdentity,
    assignment_view,
    claim_assignment,
    identity_from_params,
    submit_answers,
    verify_code,
)
from crowdlens.errors import AnswerInvalid, PayloadTooLarge, Unauthorized
from crowdlens.ingest import ImageLimits, import_images
from crowdlens.routing import route_priority
from crowdlens.schema import parse_schema
from crowdlens.store.annotations import add_annotation, list_annotations
from crowdlens.store.annotators import get_or_create_human, get_or_create_model
from crowdlens.store.items import items_by_sha256, list_items
from crowdlens.store.media import sha256_hex
from crowdlens.store.projects import create_project, get_project, list_projects
from crowdlens.store.status import project_status
from crowdlens.store.tables import Consensus, Project
from crowdlens.web import api_schemas as s
from crowdlens.web.state import AppState, State
from crowdlens.web.tokens import AssignmentRef, assignment_token, read_assignment_token

router = APIRouter(prefix="/api/v1", tags=["crowdlens"])
bearer = HTTPBearer(auto_error=False)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def require_token(
    state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    if credentials is None or not state.credentials.check_token(credentials.credentials):
        raise Unauthorized(
            "expected Authorization: Bearer <CROWDLENS_ADMIN_TOKEN>, got a missing or wrong token"
        )


Admin = Depends(require_token)


def _project_public(state: AppState, project: Project) -> s.ProjectPublic:
    with state.database.session() as session:
        status = project_status(session, project=project)
    return s.ProjectPublic(
        name=project.name, title=str(project.config.get("title", "")), items=status.items,
        annotations=status.annotations, cost_usd=status.cost_usd,
        worker_url=f"/w/{project.name}", config=project.config,
    )  # fmt: skip


@router.get("/projects", dependencies=[Admin])
def get_projects(state: State) -> list[s.ProjectPublic]:
    with state.database.session() as session:
        projects = list_projects(session)
    return [_project_public(state, p) for p in projects]


@router.post("/projects", status_code=201, dependencies=[Admin])
def post_project(state: State, config: dict[str, Any]) -> s.ProjectPublic:
    """Create a project from its schema (the project YAML as JSON)."""
    schema = parse_schema(config, source="request body")
    with state.database.session() as session:
        project = create_project(session, schema=schema)
    return _project_public(state, project)


@router.get("/projects/{name}", dependencies=[Admin])
def get_one_project(name: str, state: State) -> s.ProjectPublic:
    with state.database.session() as session:
        project = get_project(session, name=name)
    return _project_public(state, project)


@router.get("/projects/{name}/items", dependencies=[Admin])
def get_items(name: str, state: State, offset: int = 0, limit: int = 100) -> list[s.ItemPublic]:
    with state.database.session() as session:
        project = get_project(session, name=name)
        items = list_items(session, project_id=project.id, offset=offset, limit=min(limit, 1000))
        return [s.ItemPublic.model_validate(item, from_attributes=True) for item in items]


@router.post("/projects/{name}/items", status_code=201, dependencies=[Admin])
async def post_item(
    name: str, state: State, file: Annotated[UploadFile, File(description="One image file.")]
) -> s.ImportPublic:
    """Upload one image (at most CROWDLENS_MAX_IMAGE_BYTES); it is checked like any import."""
    data = await file.read(state.settings.max_image_bytes + 1)
    if len(data) > state.settings.max_image_bytes:
        raise PayloadTooLarge(
            f"expected an image of at most {state.settings.max_image_bytes} bytes, got more"
        )
    filename = SAFE_NAME.sub("_", Path(file.filename or "upload").name)[:100] or "upload"
    limits = ImageLimits(state.settings.max_image_bytes, state.settings.max_image_pixels)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / filename
        path.write_bytes(data)
        report = import_images(
            state.database, state.media, project=name, paths=[path], limits=limits
        )
    return s.ImportPublic(
        added=report.added, existing=report.existing,
        skipped=[skip.reason for skip in report.skipped], item_ids=_item_ids(state, name, data),
    )  # fmt: skip


def _item_ids(state: AppState, name: str, data: bytes) -> list[int]:
    with state.database.session() as session:
        project = get_project(session, name=name)
        found = items_by_sha256(session, project_id=project.id, sha256s=[sha256_hex(data)])
        return [item.id for item in found.values()]


@router.get("/projects/{name}/annotations", dependencies=[Admin])
def get_annotations(
    name: str, state: State, item_id: int | None = None
) -> list[s.AnnotationPublic]:
    with state.database.session() as session:
        project = get_project(session, name=name)
        rows = list_annotations(session, project_id=project.id, item_id=item_id)
        return [s.AnnotationPublic.model_validate(a, from_attributes=True) for a in rows]


@router.post("/projects/{name}/annotations", status_code=201, dependencies=[Admin])
def post_annotation(name: str, state: State, body: s.AnnotationCreate) -> s.AnnotationPublic:
    """Store an answer from elsewhere (imported predictions, another tool), validated."""
    with state.database.session() as session:
        project = get_project(session, name=name)
        annotator_id = _annotator_id(session, body.annotator)
        annotation = add_annotation(
            session, project=project, item_id=body.item_id, annotator_id=annotator_id,
            answers=body.answers, partial=body.annotator.kind == "model",
            idempotency_key=body.idempotency_key, confidence=body.confidence,
        )  # fmt: skip
        session.flush()
        return s.AnnotationPublic.model_validate(annotation, from_attributes=True)


def _annotator_id(session: Any, ref: s.AnnotatorRef) -> int:
    if ref.kind == "human":
        worker = WorkerIdentity(ref.platform or "import", ref.worker_id or "")
        if not worker.worker_id:
            raise AnswerInvalid("expected annotator.worker_id for a human annotator, got none")
        return get_or_create_human(session, platform=worker.platform, worker_id=worker.worker_id).id
    return get_or_create_model(
        session, backend=ref.backend or "import", model=ref.model or "unknown",
        prompt_version=ref.prompt_version or "none",
    ).id  # fmt: skip


@router.get("/projects/{name}/consensus", dependencies=[Admin])
def get_consensus(name: str, state: State) -> list[s.ConsensusPublic]:
    with state.database.session() as session:
        project = get_project(session, name=name)
        rows = session.scalars(
            select(Consensus).where(Consensus.project_id == project.id).order_by(Consensus.id)
        )
        return [
            s.ConsensusPublic(
                item_id=c.item_id,
                field=c.field,
                value=c.value.get("value"),
                confidence=c.confidence,
                method=c.method,
                n_annotations=c.n_annotations,
            )
            for c in rows
        ]


@router.get("/completion-codes/{code}", dependencies=[Admin])
def check_code(code: str, state: State, worker_id: str | None = None) -> s.CodeCheckPublic:
    """Is this code real (and, with worker_id, that worker's)? Used before paying."""
    with state.database.session() as session:
        check = verify_code(session, code=code, worker_id=worker_id)
    fields = {k: v for k, v in asdict(check).items() if k in s.CodeCheckPublic.model_fields}
    return s.CodeCheckPublic(**fields)


@router.post("/projects/{name}/assignments", status_code=201)
def post_assignment(name: str, state: State, body: s.AssignmentCreate) -> s.AssignmentPublic:
    """Start (or resume) a worker's assignment; the token opens it, like the worker link."""
    checked = identity_from_params({"worker": body.worker_id})  # the same id rules as the page
    assert checked is not None
    external = {k[:40]: v[:300] for k, v in list(body.external.items())[:8]}
    worker = WorkerIdentity(body.platform, checked.worker_id, external)
    claim = claim_assignment(
        state.database, project=name, worker=worker, lease=state.options.lease,
        priority=state.options.priority or route_priority(state.database, project=name),
    )  # fmt: skip
    token = assignment_token(
        state.secret_key, AssignmentRef(claim.assignment_id, claim.annotator_id)
    )
    return _assignment_public(state, token)


@router.get("/assignments/{token}")
def get_assignment(token: str, state: State) -> s.AssignmentPublic:
    return _assignment_public(state, token)


def _assignment_public(state: AppState, token: str) -> s.AssignmentPublic:
    ref = read_assignment_token(state.secret_key, token)
    with state.database.session() as session:
        view = assignment_view(
            session, assignment_id=ref.assignment_id, annotator_id=ref.annotator_id
        )
    return _public_view(token, view)


def _public_view(token: str, view: AssignmentView) -> s.AssignmentPublic:
    items = [
        s.AssignmentItemPublic(
            item_id=i.item_id,
            image_url=f"/w/a/{token}/image/{i.item_id}",
            done=i.done,
            attempts=i.attempts,
        )
        for i in view.items
    ]
    return s.AssignmentPublic(
        token=token, assignment_id=view.assignment_id, status=view.status,
        expires_at=view.expires_at, completion_code=view.completion_code, items=items,
    )  # fmt: skip


@router.post("/assignments/{token}/answers")
def post_answers(token: str, state: State, body: s.AnswerCreate) -> s.OutcomePublic:
    """Submit one item's answers; QC failures come back as reasons with passed false."""
    ref = read_assignment_token(state.secret_key, token)
    submission = Submission(
        ref.assignment_id, ref.annotator_id, body.item_id, body.answers, body.key, body.signals
    )
    outcome = submit_answers(state.database, submission, rate_limit=state.options.rate_limit)
    return s.OutcomePublic(
        annotation_id=outcome.annotation_id, item_id=outcome.item_id, status=outcome.status,
        passed=outcome.passed, attempt=outcome.attempt, attempts_left=outcome.attempts_left,
        reasons=outcome.reasons, verdicts=list(outcome.verdicts),
        completion_code=outcome.completion_code,
    )  # fmt: skip
