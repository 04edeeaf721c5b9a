"""Model annotators: models answer the same questions as people and produce annotations.

Backends register through the ``crowdlens.annotators`` entry-point group and are imported
only when used. The main entry point is :func:`crowdlens.annotators.run.annotate_project`.
"""

from __future__ import annotations

from crowdlens.annotators.base import (
    AnnotationRequest,
    AnnotationResult,
    Capabilities,
    ModelAnnotator,
    Region,
)
from crowdlens.annotators.registry import backend_names, create_annotator, load_backend

__all__ = [
    "AnnotationRequest",
    "AnnotationResult",
    "Capabilities",
    "ModelAnnotator",
    "Region",
    "backend_names",
    "create_annotator",
    "load_backend",
]
