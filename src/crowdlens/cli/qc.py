"""Command: qc (re-run the quality checks on stored answers and show what would flip)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from crowdlens.cli.app import app, console, open_from_context
from crowdlens.textqc.recheck import Flip, recheck_project


@app.command()
def qc(ctx: typer.Context, project: Annotated[str, typer.Argument(help="Project name.")]) -> None:
    """Re-run the project's QC checks on stored text answers; nothing is changed."""
    with open_from_context(ctx) as ws, ws.database.session() as session:
        flips = recheck_project(session, project=project)
    print_flips(project, flips)


def print_flips(project: str, flips: list[Flip]) -> None:
    if not flips:
        console.print(f"{project}: no stored answer would change its QC outcome")
        return
    now_failing = sum(1 for flip in flips if not flip.now_passed)
    console.print(
        f"{project}: {len(flips)} answers would flip "
        f"({now_failing} pass → fail, {len(flips) - now_failing} fail → pass)"
    )
    table = Table("annotation", "item", "field", "was", "now", "failing checks")
    for flip in flips:
        table.add_row(
            str(flip.annotation_id),
            str(flip.item_id),
            flip.field,
            "pass" if flip.was_passed else "fail",
            "pass" if flip.now_passed else "fail",
            ", ".join(flip.failed_checks),
        )
    console.print(table)
