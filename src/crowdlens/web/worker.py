"""Worker pages: entry (MTurk, Prolific or a plain link), consent, one item at a time, the code."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from crowdlens.crowd import (
    AssignmentView,
    NoWorkAvailable,
    Submission,
    SubmitOutcome,
    assignment_view,
    claim_assignment,
    identity_from_params,
    is_mturk_preview,
    submit_answers,
)
from crowdlens.errors import Forbidden, Gone
from crowdlens.routing import route_priority
from crowdlens.schema import LabelSchema
from crowdlens.store.items import get_item
from crowdlens.store.projects import get_project, project_schema
from crowdlens.store.tables import Project, utcnow
from crowdlens.web.forms import (
    answers_from_form,
    form_values,
    recordings_from_form,
    signals_from_form,
)
from crowdlens.web.state import AppState, State
from crowdlens.web.tokens import (
    AssignmentRef,
    assignment_token,
    read_assignment_token,
    read_start,
    sign_start,
)

router = APIRouter(prefix="/w", include_in_schema=False)
ENTRY_KEYS = ("workerId", "assignmentId", "hitId", "turkSubmitTo", "PROLIFIC_PID", "STUDY_ID",
              "SESSION_ID", "worker")  # fmt: skip


def render(
    state: AppState, request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    return state.templates.TemplateResponse(request, name, context, status_code=status)


def _schema(state: AppState, project: str) -> LabelSchema:
    with state.database.session() as session:
        return project_schema(get_project(session, name=project))


@router.get("/{project}", response_class=HTMLResponse)
def entry(project: str, request: Request, state: State) -> HTMLResponse:
    """Instructions and consent; asks for a worker id when the link carries none."""
    schema = _schema(state, project)
    params = {k: v for k, v in request.query_params.items() if k in ENTRY_KEYS and v}
    worker = identity_from_params(params)
    preview = is_mturk_preview(params)
    start = sign_start(state.secret_key, params) if worker and not preview else None
    return render(
        state, request, "worker/entry.html", schema=schema, worker=worker, preview=preview,
        start_token=start,
    )  # fmt: skip


@router.post("/{project}/start")
async def start(project: str, request: Request, state: State) -> Response:
    """Consent given: lease a batch (or resume one) and go to the task page."""
    form = await request.form()
    params = read_start(state.secret_key, str(form.get("start", "")))
    worker = identity_from_params(params)
    if worker is None or form.get("consent") != "yes":
        raise Forbidden("expected consent and a worker id; tick the box to agree and start")
    try:
        claim = claim_assignment(
            state.database, project=project, worker=worker, lease=state.options.lease,
            priority=state.options.priority or route_priority(state.database, project=project),
        )  # fmt: skip
    except NoWorkAvailable:
        return render(state, request, "worker/no_work.html", schema=_schema(state, project))
    token = assignment_token(
        state.secret_key, AssignmentRef(claim.assignment_id, claim.annotator_id)
    )
    return RedirectResponse(f"/w/a/{token}", status_code=303)


def _view(state: AppState, ref: AssignmentRef) -> tuple[AssignmentView, LabelSchema, str]:
    with state.database.session() as session:
        view = assignment_view(
            session, assignment_id=ref.assignment_id, annotator_id=ref.annotator_id
        )
        project = session.get_one(Project, view.project_id)
        return view, project_schema(project), project.name


@router.get("/a/{token}", response_class=HTMLResponse)
def task(token: str, request: Request, state: State) -> HTMLResponse:
    """The next unanswered item of the worker's assignment, or the completion code."""
    ref = read_assignment_token(state.secret_key, token)
    view, schema, project = _view(state, ref)
    return _task_page(state, request, token, view, schema, project)


def _task_page(
    state: AppState,
    request: Request,
    token: str,
    view: AssignmentView,
    schema: LabelSchema,
    project: str,
    *,
    outcome: SubmitOutcome | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    if view.completion_code:
        return render(state, request, "worker/done.html", schema=schema, view=view)
    if view.status != "leased":
        raise Forbidden(f"expected an open assignment, got one that is {view.status}")
    if view.status == "leased" and view.expires_at <= utcnow():
        raise Gone(
            "expected a live assignment, got one whose time ran out; "
            f"open /w/{project} again to get a new batch"
        )
    current = view.next_item
    assert current is not None
    with state.database.session() as session:
        item = get_item(session, item_id=current.item_id)
        size = (item.width, item.height)
    return render(
        state, request, "worker/task.html", schema=schema, view=view, token=token, item=current,
        size=size, key=secrets.token_urlsafe(16), outcome=outcome, values=values or {},
        seconds_left=int((view.expires_at - utcnow()).total_seconds()),
    )  # fmt: skip


@router.post("/a/{token}/submit", response_class=HTMLResponse)
async def submit(token: str, request: Request, state: State) -> Response:
    """Store one item's answers; a QC failure shows the reasons on the same item."""
    ref = read_assignment_token(state.secret_key, token)
    form = await request.form()
    _view_now, schema, project = _view(state, ref)
    item_id = _int(form.get("item_id"))
    submission = Submission(
        ref.assignment_id, ref.annotator_id, item_id, answers_from_form(schema, form),
        str(form.get("key", ""))[:64] or secrets.token_urlsafe(8), signals_from_form(form),
        recordings_from_form(schema, form),
    )  # fmt: skip
    outcome = submit_answers(state.database, submission, rate_limit=state.options.rate_limit)
    if outcome.status != "failed":
        return RedirectResponse(f"/w/a/{token}", status_code=303)
    view, schema, project = _view(state, ref)
    values = form_values(schema, form)
    return _task_page(state, request, token, view, schema, project, outcome=outcome, values=values)


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Forbidden(f"expected an item id number, got {str(value)[:20]!r}") from None


@router.get("/a/{token}/image/{item_id}")
def image(token: str, item_id: int, state: State) -> FileResponse:
    """An item's image, only for the worker whose assignment holds it."""
    ref = read_assignment_token(state.secret_key, token)
    with state.database.session() as session:
        view = assignment_view(
            session, assignment_id=ref.assignment_id, annotator_id=ref.annotator_id
        )
        if not view.has_item(item_id):
            raise Forbidden(f"expected an item of your assignment, got item {item_id}")
        item = get_item(session, item_id=item_id)
        path, mime = state.media.path(item.media_key), item.mime_type
    return FileResponse(path, media_type=mime, headers={"cache-control": "private, max-age=3600"})
