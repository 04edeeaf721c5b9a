"""The ``crowdlens`` command line: thin commands over the library."""

from __future__ import annotations

# Each command module registers its commands on `app` when imported.
from crowdlens.cli import (  # noqa: F401
    aggregate,
    annotate,
    demo,
    projects,
    qc,
    serve,
    simulate,
)
from crowdlens.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
