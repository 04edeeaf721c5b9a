"""Command: aggregate (write consensus per item and field)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from crowdlens.cli.app import app, console, open_from_context
from crowdlens.consensus import METHODS, ConsensusReport


@app.command()
def aggregate(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project name.")],
    method: Annotated[
        str, typer.Option(help=f"Aggregator for binary/choice/tags: {', '.join(METHODS)}.")
    ] = "ds",
    force: Annotated[
        bool, typer.Option(help="Recompute fields whose answers did not change.")
    ] = False,
) -> None:
    """Merge people's and models' answers into one consensus value per item and field."""
    with open_from_context(ctx) as ws:
        report = ws.aggregate(project, method=method, force=force)
    print_consensus_report(project, report)


def print_consensus_report(project: str, report: ConsensusReport) -> None:
    table = Table("field", "items written", "note", title=f"{project}: consensus ({report.method})")
    for name, count in report.written.items():
        table.add_row(name, str(count), "")
    for name, reason in report.skipped.items():
        table.add_row(name, "0", reason)
    console.print(table)
