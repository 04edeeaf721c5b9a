"""The ``crowdlens`` command line: thin commands over the library."""

from __future__ import annotations

from crowdlens.cli import demo, projects  # noqa: F401  (modules register their commands)
from crowdlens.cli import aggregate as _aggregate  # noqa: F401
from crowdlens.cli import annotate as _annotate  # noqa: F401
from crowdlens.cli import qc as _qc  # noqa: F401
from crowdlens.cli import serve as _serve  # noqa: F401
from crowdlens.cli import simulate as _simulate  # noqa: F401
from crowdlens.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
