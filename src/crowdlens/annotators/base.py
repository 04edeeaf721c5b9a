"""What every model annotator is: declared capabilities, requests in, results out.

People and models produce the same :class:`~crowdlens.store.tables.Annotation`; a backend
turns :class:`AnnotationRequest` objects into :class:`AnnotationResult` objects and the runner
(:mod:`crowdlens.annotators.run`) stores them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from crowdlens.errors import ConfigError
from crowdlens.schema import FIELD_KINDS, LabelField, LabelSchema


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do; checked before any call is made."""

    vision: bool = True
    structured_output: bool = False
    field_kinds: frozenset[str] = frozenset(FIELD_KINDS)
    needs_training: bool = False

    def refusal(self, fields: Sequence[LabelField], *, with_image: bool, who: str) -> str | None:
        """Why this backend cannot answer ``fields`` (None when it can)."""
        if with_image and not self.vision:
            return (
                f"{who} is declared without vision and cannot be sent an image; "
                "use a vision model or set vision: true if the model does accept images"
            )
        unsupported = sorted({f.kind for f in fields} - self.field_kinds)
        if unsupported:
            return (
                f"{who} answers fields of kind {', '.join(sorted(self.field_kinds))}, "
                f"got kind {', '.join(unsupported)}; choose fields with --fields"
            )
        return None

    def check(self, fields: Sequence[LabelField], *, with_image: bool, who: str) -> None:
        reason = self.refusal(fields, with_image=with_image, who=who)
        if reason is not None:
            raise ConfigError(reason)


@dataclass(frozen=True)
class Region:
    """A box in pixels of the item's image; the model sees only this crop."""

    x: float
    y: float
    w: float
    h: float
    id: int | None = None


@dataclass
class AnnotationRequest:
    """One item (or a region of it) and the fields a model should answer."""

    item_id: int
    image_sha256: str
    load_image: Callable[[], bytes]
    schema: LabelSchema
    fields: list[LabelField]
    region: Region | None = None
    source_name: str = ""
    external_id: str | None = None


@dataclass
class AnnotationResult:
    """A backend's answer to one request; ``failure`` set means no usable answer."""

    item_id: int
    answers: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    raw_response: str | None = None
    cost_usd: float = 0.0
    spent_usd: float = 0.0
    calls: int = 0
    cached_calls: int = 0
    failure: str | None = None
    problems: list[str] = field(default_factory=list)
    region_id: int | None = None
    seconds: float = 0.0
    stopped: bool = False
    abstained: bool = False

    @property
    def failed(self) -> bool:
        return self.failure is not None

    @property
    def cached(self) -> bool:
        return self.calls > 0 and self.cached_calls == self.calls


class CallServices(Protocol):
    """What a backend may ask of the runner: the response cache and the spending guard.

    Before a paid call the backend calls :meth:`reserve` (False: stop, the budget is spent),
    then :meth:`paid` with the response and its cost (stored together: cached and in the
    ledger), or :meth:`release` when the call failed.
    """

    async def cache_get(self, key: str) -> dict[str, Any] | None: ...

    def reserve(self) -> bool: ...

    async def paid(
        self,
        key: str,
        *,
        meta: dict[str, Any],
        response: dict[str, Any],
        amount_usd: float,
        detail: dict[str, Any],
    ) -> None: ...

    def release(self) -> None: ...


class NoServices:
    """Services for a run without a database: no cache, no budget."""

    async def cache_get(self, key: str) -> dict[str, Any] | None:
        return None

    def reserve(self) -> bool:
        return True

    async def paid(
        self,
        key: str,
        *,
        meta: dict[str, Any],
        response: dict[str, Any],
        amount_usd: float,
        detail: dict[str, Any],
    ) -> None:
        return None

    def release(self) -> None:
        return None


@dataclass
class TrainingExample:
    """An item whose human consensus is known, for backends that learn."""

    item_id: int
    load_image: Callable[[], bytes]
    answers: dict[str, Any]
    source_name: str = ""


class ModelAnnotator(ABC):
    """A model that answers a project's questions. Subclasses register by entry point."""

    #: entry-point name, e.g. ``openai``
    backend: ClassVar[str]
    #: the pydantic model of this backend's settings
    config_model: ClassVar[type[BaseModel]]

    @property
    @abstractmethod
    def capabilities(self) -> Capabilities: ...

    @property
    @abstractmethod
    def model_name(self) -> str: ...

    @abstractmethod
    def prompt_version(self, fields: Sequence[LabelField]) -> str:
        """What, besides the model, determines the answers (prompt files, thresholds)."""

    def params(self) -> dict[str, Any]:
        """Provenance stored with the annotator (no secrets)."""
        return {}

    def check(self, fields: Sequence[LabelField], *, with_image: bool = True) -> None:
        """Raise :class:`ConfigError` when this model cannot answer ``fields``."""
        self.capabilities.check(fields, with_image=with_image, who=self.describe())

    def describe(self) -> str:
        return f"{self.backend} model {self.model_name!r}"

    def fit(self, schema: LabelSchema, examples: Sequence[TrainingExample]) -> dict[str, Any]:
        """Learn from labelled items (backends that learn override this); returns a report."""
        return {}

    @abstractmethod
    def annotate(
        self, requests: Sequence[AnnotationRequest], services: CallServices
    ) -> AsyncGenerator[AnnotationResult, None]:
        """Answer ``requests``, yielding each result as soon as it is ready."""

    async def aclose(self) -> None:
        """Release connections; called by the runner at the end."""
        return None
