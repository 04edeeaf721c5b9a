"""What ``import crowdlens`` offers, and that importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import crowdlens


def test_import_loads_nothing_heavy() -> None:
    probe = (
        "import sys, crowdlens; "
        "print(sorted(m for m in ('sqlalchemy', 'PIL', 'fastapi', 'openai', 'torch', 'numpy') "
        "if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize("name", crowdlens.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(crowdlens, name) is not None


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = crowdlens.nope  # type: ignore[attr-defined]
