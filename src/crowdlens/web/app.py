"""The app factory: ``create_app(settings)`` builds everything; nothing is built at import."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from crowdlens.audio import TranscriptionWorker, get_transcriber
from crowdlens.errors import CrowdlensError
from crowdlens.settings import Settings
from crowdlens.store.db import open_database
from crowdlens.store.media import MediaStore
from crowdlens.web import admin, api, spoken, worker
from crowdlens.web.limits import BodyLimit, LoginThrottle, SecurityHeaders
from crowdlens.web.state import (
    HERE,
    AppState,
    Credentials,
    WebOptions,
    load_secret_key,
    make_templates,
)

UPLOAD_SLACK = 64 * 1024


def create_app(settings: Settings, options: WebOptions | None = None) -> FastAPI:
    """The crowdlens web app for the home described by ``settings``."""
    options = options or WebOptions()
    state = AppState(
        settings=settings,
        options=options,
        database=open_database(settings.resolved_database_url),
        media=MediaStore(settings.resolved_media_dir),
        secret_key=load_secret_key(settings, options),
        credentials=Credentials(settings),
        templates=make_templates(),
        logins=LoginThrottle(),
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state.transcription = _transcription(state) if options.run_transcription else None
        if state.transcription is not None:
            await state.transcription.start()
        yield
        if state.transcription is not None:
            await state.transcription.stop()
        state.database.dispose()

    app = FastAPI(
        title="crowdlens",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.crowdlens = state
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(worker.router)
    app.include_router(spoken.router)
    app.include_router(admin.router)
    app.include_router(api.router)
    app.add_api_route("/api/v1/docs", _docs_page(app), include_in_schema=False)
    app.add_api_route("/", _home, include_in_schema=False)
    app.add_exception_handler(CrowdlensError, _translate_error)
    app.add_middleware(BodyLimit, limit_for=_limits(settings, options))
    app.add_middleware(SecurityHeaders)
    return app


def _home() -> RedirectResponse:
    """The server's root leads to the admin dashboard (workers arrive on /w/<project> links)."""
    return RedirectResponse("/admin", status_code=303)


def _transcription(state: AppState) -> TranscriptionWorker:
    """The background transcriber of spoken answers (resumes clips left by a restart)."""
    settings, options = state.settings, state.options
    transcriber = options.transcriber
    if transcriber is None:
        extra = {"base_url": settings.transcriber_url} if settings.transcriber_url else {}
        transcriber = get_transcriber(settings.transcriber, **extra)
    return TranscriptionWorker(
        state.database, state.media, transcriber,
        poll_s=options.transcription_poll_s, policy=options.transcription,
    )  # fmt: skip


def _limits(settings: Settings, options: WebOptions) -> Callable[[str], int]:
    upload = settings.max_image_bytes + UPLOAD_SLACK
    audio = settings.max_audio_bytes + UPLOAD_SLACK

    def limit_for(path: str) -> int:
        if path.endswith("/audio"):
            return audio
        return upload if path.endswith("/items") else options.max_form_bytes

    return limit_for


def _docs_page(app: FastAPI) -> Callable[[Request], HTMLResponse]:
    """The API reference rendered from the OpenAPI document on the server: no CDN needed."""

    def docs(request: Request) -> HTMLResponse:
        state: AppState = request.app.state.crowdlens
        spec = app.openapi()
        return state.templates.TemplateResponse(request, "api_docs.html", {"spec": spec})

    return docs


async def _translate_error(request: Request, exc: Exception) -> Response:
    """A library error becomes its status code: JSON under /api, a calm page elsewhere."""
    assert isinstance(exc, CrowdlensError)
    status = exc.status_code
    if request.url.path.startswith("/api/") or _wants_json(request):
        return JSONResponse({"error": type(exc).__name__, "detail": str(exc)}, status_code=status)
    if status == 401 and request.url.path.startswith("/admin"):
        return Response(status_code=303, headers={"location": "/admin/login"})
    state: AppState = request.app.state.crowdlens
    page = state.templates.get_template("error.html").render(
        title=_TITLES.get(status, "Something went wrong"), message=str(exc), status=status
    )
    return HTMLResponse(page, status_code=status)


def _wants_json(request: Request) -> bool:
    """The page's own scripts ask for JSON (recording upload and state)."""
    return request.headers.get("accept", "").startswith("application/json")


_TITLES = {
    403: "This is not yours to open",
    404: "Nothing here",
    409: "Already done",
    410: "Time ran out",
    413: "Too much at once",
    422: "That answer does not fit",
    429: "A little slower, please",
}


def app_from_environment() -> FastAPI:
    """``uvicorn --factory crowdlens.web.app:app_from_environment``: settings from CROWDLENS_*.

    For several app processes (``--workers N``); they share the signing key through the home.
    """
    from crowdlens.settings import get_settings

    return create_app(get_settings())
