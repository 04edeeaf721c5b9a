"""The ``crowdlens`` command line: thin commands over the library."""

from __future__ import annotations

from crowdlens.cli import demo, projects  # noqa: F401  (modules register their commands)
from crowdlens.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
