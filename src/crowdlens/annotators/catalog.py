"""Named model configurations, kept in ``models.yaml`` in the crowdlens home.

``crowdlens models add gpt4o --backend openai --model gpt-4o --price-in 2.5 --price-out 10``
stores the settings once; ``crowdlens annotate PROJECT --model gpt4o`` uses them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crowdlens.annotators.registry import create_annotator
from crowdlens.errors import ConfigError

CATALOG_FILE = "models.yaml"


def catalog_path(home: Path) -> Path:
    return home / CATALOG_FILE


def load_catalog(path: Path) -> dict[str, dict[str, Any]]:
    """Saved model configurations by name (empty when the file does not exist)."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}); fix or delete the file") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ConfigError(
            f"{path}: expected a mapping of name: settings, got {type(data).__name__}"
        )
    return {str(name): dict(config) for name, config in data.items()}


def save_model(path: Path, name: str, config: dict[str, Any]) -> None:
    """Check ``config`` by building its annotator, then store it under ``name``."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"expected a model name of letters, digits, - and _, got {name!r}")
    create_annotator(config)
    catalog = load_catalog(path)
    catalog[name] = config
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(catalog, sort_keys=True), encoding="utf-8")


def resolve_config(path: Path, name: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """A saved configuration called ``name`` with ``overrides`` on top, or the overrides alone.

    When ``name`` is not saved, it is taken as the model name of the ``openai`` backend (or
    of the backend given in ``overrides``).
    """
    catalog = load_catalog(path)
    if name is not None and name in catalog:
        return {**catalog[name], **overrides}
    config = {"backend": "openai", **overrides}
    if name is not None:
        config["model"] = name
    return config
