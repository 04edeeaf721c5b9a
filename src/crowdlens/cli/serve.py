"""Command: serve (the worker pages, the admin dashboard and the REST API)."""

from __future__ import annotations

from typing import Annotated

import typer

from crowdlens.cli.app import app, console, open_from_context


def run_server(
    ctx: typer.Context,
    *,
    host: str,
    port: int,
    project: str | None = None,
    admin_password: str | None = None,
) -> None:
    """Print where the pages are, then serve until Ctrl-C."""
    import uvicorn
    from pydantic import SecretStr

    from crowdlens.web import create_app

    with open_from_context(ctx) as ws:
        settings = ws.settings
        names = ws.project_names()
    if admin_password:
        settings = settings.model_copy(update={"admin_password": SecretStr(admin_password)})
    web = create_app(settings)
    base = f"http://{host}:{port}"
    for name in [project] if project else names:
        console.print(f"worker page for [bold]{name}[/]: {base}/w/{name}?worker=YOUR-ID")
    console.print(f"admin dashboard: {base}/admin  ·  API docs: {base}/api/v1/docs")
    if settings.admin_password is None and settings.admin_token is None:
        console.print("set CROWDLENS_ADMIN_PASSWORD (or CROWDLENS_ADMIN_TOKEN) to log in as admin")
    console.print("stop the server with Ctrl-C")
    uvicorn.run(web, host=host, port=port, log_level="warning")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the worker pages, admin dashboard and REST API (uvicorn)."""
    run_server(ctx, host=host, port=port)
