"""Project schemas for the seed studies, shipped as YAML files beside this module."""

from __future__ import annotations

from pathlib import Path

from crowdlens.errors import NotFound
from crowdlens.schema import LabelSchema, load_schema

PRESET_DIR = Path(__file__).parent


def list_presets() -> list[str]:
    """Names of the shipped presets (file names without ``.yaml``)."""
    return sorted(path.stem for path in PRESET_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path:
    path = PRESET_DIR / f"{name}.yaml"
    if not path.is_file():
        raise NotFound(f"expected a preset among {', '.join(list_presets())}, got {name!r}")
    return path


def load_preset(name: str) -> LabelSchema:
    """The label schema of a shipped preset, e.g. ``load_preset("celeba40")``."""
    return load_schema(preset_path(name))
