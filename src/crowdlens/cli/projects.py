"""Commands: init, project create/list, import, status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from crowdlens.cli.app import app, console, open_from_context
from crowdlens.ingest import ImportReport
from crowdlens.store.status import ProjectStatus

project_app = typer.Typer(help="Create and list projects.", no_args_is_help=True)
app.add_typer(project_app, name="project")


@app.command()
def init(ctx: typer.Context) -> None:
    """Create (or migrate) the database and the media folder."""
    with open_from_context(ctx) as ws:
        ws.media.root.mkdir(parents=True, exist_ok=True)
        console.print(f"database: {ws.database.url}\nmedia:    {ws.media.root}")


@project_app.command("create")
def project_create(
    ctx: typer.Context,
    config: Annotated[Path, typer.Option("--config", "-c", help="Project YAML file.")],
) -> None:
    """Create a project from a YAML file (see docs/schema.md)."""
    with open_from_context(ctx) as ws:
        schema = ws.create_project(config)
    kinds = ", ".join(f"{f.name} ({f.kind})" for f in schema.fields)
    console.print(f"created project [bold]{schema.name}[/] with fields {kinds}")


@project_app.command("list")
def project_list(ctx: typer.Context) -> None:
    """List the projects."""
    with open_from_context(ctx) as ws:
        names = ws.project_names()
    console.print("\n".join(names) if names else "no projects yet")


@app.command("import")
def import_command(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name.")],
    paths: Annotated[list[Path], typer.Argument(help="Folders, image files, CSV/JSONL manifests.")],
) -> None:
    """Import images into a project; every skipped file is listed with its reason."""
    with open_from_context(ctx) as ws, _progress() as bar:
        task = bar.add_task("importing", total=None)
        report = ws.import_images(
            project,
            paths,
            on_total=lambda total: bar.update(task, total=total),
            progress=lambda n: bar.advance(task, n),
        )
    print_import_report(report)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def print_import_report(report: ImportReport) -> None:
    console.print(
        f"{report.project}: added {report.added}, already there {report.existing} "
        f"(updated {report.updated}), duplicates {report.duplicates}, "
        f"skipped {len(report.skipped)}"
    )
    if report.skipped:
        table = Table("skipped file", "reason", title="Skipped")
        for skipped in report.skipped:
            table.add_row(skipped.source, skipped.reason)
        console.print(table)


@app.command()
def status(
    ctx: typer.Context, project: Annotated[str, typer.Argument(help="Project name.")]
) -> None:
    """Items, and answers per field from people and from models."""
    with open_from_context(ctx) as ws:
        print_status(ws.status(project))


def print_status(found: ProjectStatus) -> None:
    by_status = ", ".join(f"{k} {v}" for k, v in sorted(found.annotations_by_status.items()))
    console.print(
        f"[bold]{found.project}[/]: {found.items} items ({found.items_with_gold} with gold), "
        f"{found.annotations} annotations{f' ({by_status})' if by_status else ''}, "
        f"cost ${found.cost_usd:.4f}"
    )
    table = Table("field", "kind", "answers from people", "answers from models")
    for counts in found.fields:
        table.add_row(
            counts.field, counts.kind, str(counts.human_answers), str(counts.model_answers)
        )
    console.print(table)
