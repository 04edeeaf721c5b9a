"""The Typer application and what every command shares: the workspace and error translation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from crowdlens.errors import CrowdlensError

console = Console()
error_console = Console(stderr=True)


class TranslatingGroup(TyperGroup):
    """Turns a :class:`CrowdlensError` into a one-line ``Error: …`` on stderr and exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CrowdlensError as exc:
            error_console.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=TranslatingGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="crowdlens: labelled image datasets from crowd workers and models side by side.",
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="crowdlens home folder (default: $CROWDLENS_HOME or ./crowdlens-data)."),
    ] = None,
) -> None:
    ctx.obj = {"home": home}


def open_from_context(ctx: typer.Context) -> Any:
    """The workspace for this invocation, honouring ``--home``."""
    from crowdlens.workspace import open_workspace

    home = (ctx.find_root().obj or {}).get("home")
    return open_workspace(home)
