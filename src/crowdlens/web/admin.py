"""Admin pages: login, projects, a project dashboard, one item in full, and actions.

The session is a signed, HttpOnly, SameSite=Strict cookie; every form carries the session's
CSRF token, checked with a constant-time comparison.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.responses import StreamingResponse as Stream

from crowdlens.crowd.dashboard import annotation_records, item_detail, project_dashboard
from crowdlens.crowd.review import block_worker, review_annotation
from crowdlens.errors import Forbidden, RateLimited
from crowdlens.store.items import get_item, list_items
from crowdlens.store.projects import get_project, list_projects, project_schema
from crowdlens.store.status import project_status
from crowdlens.store.tables import Project
from crowdlens.web.state import AppState, State
from crowdlens.web.tokens import (
    AdminSession,
    dump_admin_session,
    load_admin_session,
    new_admin_session,
)

router = APIRouter(prefix="/admin", include_in_schema=False)
COOKIE = "crowdlens_admin"
LOGIN_COOKIE = "crowdlens_login"


def render(
    state: AppState, request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    return state.templates.TemplateResponse(request, name, context, status_code=status)


def current_session(request: Request, state: State) -> AdminSession:
    max_age = state.options.session_hours * 3600
    return load_admin_session(state.secret_key, request.cookies.get(COOKIE), max_age=max_age)


Admin = Annotated[AdminSession, Depends(current_session)]


async def checked_form(request: Request, session: AdminSession) -> dict[str, str]:
    """The posted form, after its CSRF token matched the session's."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not hmac.compare_digest(form.get("csrf", "").encode(), session.csrf.encode()):
        raise Forbidden("expected the form's security token, got a missing or wrong one; reload")
    return form


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path="/admin",
    )  # fmt: skip


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: State) -> HTMLResponse:
    pending = new_admin_session()
    response = render(
        state, request, "admin/login.html", csrf=pending.csrf,
        configured=state.credentials.configured, error=None,
    )  # fmt: skip
    _cookie(response, request, LOGIN_COOKIE, dump_admin_session(state.secret_key, pending), 1800)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, state: State) -> Response:
    pending = load_admin_session(state.secret_key, request.cookies.get(LOGIN_COOKIE), max_age=1800)
    form = await checked_form(request, pending)
    client = request.client.host if request.client else "unknown"
    if state.logins.blocked(client):
        raise RateLimited("expected at most 5 failed logins a minute, got more; wait a minute")
    if not state.credentials.check_password(form.get("password", "")):
        state.logins.failed(client)
        return render(
            state, request, "admin/login.html", status=401, csrf=pending.csrf,
            configured=state.credentials.configured, error="That password is not right.",
        )  # fmt: skip
    response = RedirectResponse("/admin", status_code=303)
    hours = state.options.session_hours
    _cookie(
        response,
        request,
        COOKIE,
        dump_admin_session(state.secret_key, new_admin_session()),
        hours * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/admin")
    return response


@router.post("/logout")
async def logout(request: Request, session: Admin) -> Response:
    await checked_form(request, session)
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@router.get("", response_class=HTMLResponse)
def projects(request: Request, state: State, session: Admin) -> HTMLResponse:
    with state.database.session() as db:
        rows = [
            (p.name, project_schema(p), project_status(db, project=p)) for p in list_projects(db)
        ]
    return render(state, request, "admin/projects.html", csrf=session.csrf, rows=rows)


@router.get("/p/{name}", response_class=HTMLResponse)
def dashboard(
    name: str, request: Request, state: State, session: Admin, page: int = 0
) -> HTMLResponse:
    with state.database.session() as db:
        project = get_project(db, name=name)
        board = project_dashboard(db, project=project)
        items = list_items(db, project_id=project.id, offset=page * 50, limit=50)
        schema = project_schema(project)
    return render(
        state, request, "admin/project.html", csrf=session.csrf, schema=schema, board=board,
        items=items, page=page,
    )  # fmt: skip


@router.get("/p/{name}/items/{item_id}", response_class=HTMLResponse)
def item_page(
    name: str, item_id: int, request: Request, state: State, session: Admin
) -> HTMLResponse:
    with state.database.session() as db:
        project = get_project(db, name=name)
        detail = item_detail(db, project=project, item_id=item_id)
        schema = project_schema(project)
    return render(
        state, request, "admin/item.html", csrf=session.csrf, schema=schema, detail=detail
    )


@router.get("/p/{name}/items/{item_id}/image")
def item_image(name: str, item_id: int, state: State, session: Admin) -> FileResponse:
    with state.database.session() as db:
        project = get_project(db, name=name)
        item = get_item(db, item_id=item_id)
        if item.project_id != project.id:
            raise Forbidden(f"expected an item of project {name!r}, got item {item_id}")
        path, mime = state.media.path(item.media_key), item.mime_type
    return FileResponse(path, media_type=mime)


@router.post("/annotations/{annotation_id}/review")
async def review(annotation_id: int, request: Request, state: State, session: Admin) -> Response:
    form = await checked_form(request, session)
    with state.database.session() as db:
        annotation = review_annotation(
            db, annotation_id=annotation_id, decision=form.get("decision", ""),
            reason=form.get("reason", ""),
        )  # fmt: skip
        project = db.get_one(Project, annotation.project_id)
        target = f"/admin/p/{project.name}/items/{annotation.item_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/workers/{annotator_id}/block")
async def block(annotator_id: int, request: Request, state: State, session: Admin) -> Response:
    form = await checked_form(request, session)
    with state.database.session() as db:
        block_worker(db, annotator_id=annotator_id)
        project = get_project(db, name=form.get("project", ""))
    return RedirectResponse(f"/admin/p/{project.name}#workers", status_code=303)


@router.get("/p/{name}/export.jsonl")
def export(name: str, state: State, session: Admin) -> Stream:
    with state.database.session() as db:
        records = annotation_records(db, project=get_project(db, name=name))

    def lines() -> Iterator[str]:
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"

    headers = {"content-disposition": f'attachment; filename="{name}-annotations.jsonl"'}
    return Stream(lines(), media_type="application/x-ndjson", headers=headers)
