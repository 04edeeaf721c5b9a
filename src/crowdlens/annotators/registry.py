"""Backends register through the ``crowdlens.annotators`` entry-point group.

The built-ins (``openai``, ``learned``, ``predictions``, ``clip``) are declared in
pyproject.toml exactly as a third-party package would declare its own::

    [project.entry-points."crowdlens.annotators"]
    mybackend = "mypackage.module:MyAnnotator"
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import ValidationError

from crowdlens.annotators.base import ModelAnnotator
from crowdlens.errors import ConfigError

GROUP = "crowdlens.annotators"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def backend_names() -> list[str]:
    """Names of every registered backend, built-in or installed by a plugin."""
    return sorted(_entry_points())


def load_backend(name: str) -> type[ModelAnnotator]:
    """The annotator class registered as ``name`` (imported only now: backends are lazy)."""
    found = _entry_points().get(name)
    if found is None:
        known = ", ".join(backend_names()) or "none (reinstall crowdlens)"
        raise ConfigError(f"expected a model backend among {known}, got {name!r}")
    cls = found.load()
    if not (isinstance(cls, type) and issubclass(cls, ModelAnnotator)):
        raise ConfigError(
            f"entry point {name!r} ({found.value}) must name a ModelAnnotator subclass, "
            f"got {cls!r}; fix the plugin's entry point"
        )
    return cls


def create_annotator(config: dict[str, Any]) -> ModelAnnotator:
    """Build an annotator from plain data: ``{"backend": "openai", "model": …, …}``."""
    settings = dict(config)
    name = settings.pop("backend", None)
    if not isinstance(name, str):
        raise ConfigError(
            f"expected a 'backend' name in the annotator config ({', '.join(backend_names())}), "
            f"got {name!r}"
        )
    cls = load_backend(name)
    try:
        parsed = cls.config_model.model_validate(settings)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"backend {name!r}: {problems}") from None
    return cls(parsed)  # type: ignore[call-arg]
