"""Commands: demo (build the demo project) and demo-data (draw characters)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from crowdlens.cli.app import app, console, open_from_context
from crowdlens.cli.projects import print_import_report, print_status

if TYPE_CHECKING:
    from crowdlens.annotators.run import RunReport

demo_data_app = typer.Typer(help="Generate demo data we own.", no_args_is_help=True)
app.add_typer(demo_data_app, name="demo-data")


@demo_data_app.command("characters")
def demo_characters(
    n: Annotated[int, typer.Option("--n", min=1, help="How many characters.")] = 50,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("characters"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 0,
) -> None:
    """Draw procedural characters and a manifest with their true attributes."""
    from crowdlens.demo.characters import make_characters

    manifest = make_characters(n, out, seed=seed)
    console.print(f"drew {n} characters into {out}; manifest {manifest}")


@app.command()
def demo(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("--n", min=1, help="How many characters.")] = 24,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the pages after building.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Build the demo project from generated characters, then serve it (no keys, no network)."""
    from crowdlens.annotators.run import label_confident_items
    from crowdlens.demo.project import build_demo_project

    with open_from_context(ctx) as ws:
        out = ws.settings.home / "demo" / "characters"
        result = build_demo_project(ws.database, ws.media, out=out, n=n, seed=seed)
        verb = "created" if result.created else "reused"
        console.print(f"{verb} project [bold]{result.project}[/] in {ws.settings.home.resolve()}")
        console.print(f"characters drawn into {out.resolve()}")
        print_import_report(result.report)
        print_status(ws.status(result.project))
        print_learned(label_confident_items(ws.database, ws.media, project=result.project))
    if serve:
        serve_demo(ctx, project=result.project, port=port)


def print_learned(report: RunReport | None) -> None:
    """What the learned annotator did on this run of the demo."""
    if report is None:
        console.print(
            "learned annotator: waiting for accepted human labels (10 per field); answer items "
            "on the worker page, approve them on the admin page, then run `crowdlens demo` again"
        )
        return
    done = report.progress
    console.print(
        f"learned annotator {report.annotator_key}: answered {done.done} items, "
        f"left {done.abstained} to people"
    )


def serve_demo(ctx: typer.Context, *, project: str, port: int) -> None:
    """Serve the demo; without an admin password set, make one up for this run and show it."""
    from crowdlens.cli.serve import run_server

    password = demo_admin_password()
    if password:
        console.print(f"admin password for this run: [bold]{password}[/]")
    run_server(ctx, host="127.0.0.1", port=port, project=project, admin_password=password)


def demo_admin_password() -> str | None:
    import os
    import secrets

    if os.environ.get("CROWDLENS_ADMIN_PASSWORD") or os.environ.get("CROWDLENS_ADMIN_TOKEN"):
        return None
    return secrets.token_urlsafe(9)
