"""crowdlens: labelled image datasets from crowd workers and multimodal models side by side.

Nothing heavy is imported here; names are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Workspace": "crowdlens.workspace",
    "open_workspace": "crowdlens.workspace",
    "ImportReport": "crowdlens.ingest",
    "LabelSchema": "crowdlens.schema",
    "load_schema": "crowdlens.schema",
    "load_preset": "crowdlens.presets",
    "list_presets": "crowdlens.presets",
    "make_characters": "crowdlens.demo.characters",
    "get_settings": "crowdlens.settings",
    "Settings": "crowdlens.settings",
    "CrowdlensError": "crowdlens.errors",
}

if TYPE_CHECKING:
    from crowdlens.demo.characters import make_characters
    from crowdlens.errors import CrowdlensError
    from crowdlens.ingest import ImportReport
    from crowdlens.presets import list_presets, load_preset
    from crowdlens.schema import LabelSchema, load_schema
    from crowdlens.settings import Settings, get_settings
    from crowdlens.workspace import Workspace, open_workspace

__all__ = [
    "CrowdlensError",
    "ImportReport",
    "LabelSchema",
    "Settings",
    "Workspace",
    "get_settings",
    "list_presets",
    "load_preset",
    "load_schema",
    "make_characters",
    "open_workspace",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'crowdlens' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
