"""The QC rule base class, its registry, and the built-in rules ``required`` and ``min_words``.

A rule is a small class: built from the project's settings, it checks one set of validated
answers and returns one :class:`Verdict` per thing it checked. Third-party rules register the
same way the built-ins do, with :func:`register_rule` (or the ``crowdlens.qc`` entry point group).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any, ClassVar

from crowdlens.errors import ConfigError
from crowdlens.qc.context import EMPTY_CONTEXT, ItemContext
from crowdlens.schema import LabelSchema, TextField

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Verdict:
    """One rule's judgement of one answer: ``reason`` is written for the worker."""

    name: str
    score: float
    passed: bool
    reason: str
    field: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"expected a score in [0, 1], got {self.score!r}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class QCRule(ABC):
    """Base class: ``name`` is the registry key; ``applies`` says whether a project needs it.

    ``check`` gets the validated answers of one item and an :class:`ItemContext` (keywords,
    other answers, recording lengths, paste counts, gold) that rules may ignore.
    """

    name: ClassVar[str] = ""

    def __init__(self, schema: LabelSchema) -> None:
        self.schema = schema
        self.settings: Mapping[str, Any] = schema.qc

    @classmethod
    def applies(cls, schema: LabelSchema) -> bool:
        return True

    @abstractmethod
    def check(
        self, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
    ) -> list[Verdict]:
        """The verdicts of this rule on one item's answers."""


_REGISTRY: dict[str, type[QCRule]] = {}


def register_rule(rule: type[QCRule]) -> type[QCRule]:
    """Add a rule class to the registry (usable as a class decorator)."""
    if not rule.name:
        raise ConfigError(f"expected a QC rule with a name, got {rule.__name__} without one")
    _REGISTRY[rule.name] = rule
    return rule


@cache
def _load_entry_points() -> None:
    """Register third-party rules once per process (scanning entry points is slow)."""
    for entry in entry_points(group="crowdlens.qc"):
        if entry.name not in _REGISTRY:
            register_rule(entry.load())


def rule_names() -> list[str]:
    _load_entry_points()
    return sorted(_REGISTRY)


def get_rule(name: str) -> type[QCRule]:
    _load_entry_points()
    if name not in _REGISTRY:
        raise ConfigError(f"expected a QC rule in {', '.join(sorted(_REGISTRY))}, got {name!r}")
    return _REGISTRY[name]


def count_words(text: str) -> int:
    return len(WORD.findall(text))


@register_rule
class RequiredRule(QCRule):
    """Every required field has an answer; a text answer is more than blanks."""

    name = "required"

    def check(
        self, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
    ) -> list[Verdict]:
        missing = [f for f in self.schema.fields if f.required and _is_empty(answers.get(f.name))]
        return [self._missing(f.name) for f in missing] or [Verdict(self.name, 1.0, True, "")]

    def _missing(self, field: str) -> Verdict:
        return Verdict(self.name, 0.0, False, f"Please answer “{field}”: it is required.", field)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@register_rule
class MinWordsRule(QCRule):
    """Text answers have at least ``min_words`` words (the field's, or the project's ``qc``)."""

    name = "min_words"

    @classmethod
    def applies(cls, schema: LabelSchema) -> bool:
        return any(_minimum(schema, f) for f in schema.fields if isinstance(f, TextField))

    def check(
        self, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
    ) -> list[Verdict]:
        verdicts = []
        for field in self.schema.fields:
            minimum = _minimum(self.schema, field) if isinstance(field, TextField) else 0
            text = answers.get(field.name)
            if minimum and isinstance(text, str) and text.strip():
                verdicts.append(self._judge(field.name, count_words(text), minimum))
        return verdicts

    def _judge(self, field: str, words: int, minimum: int) -> Verdict:
        if words >= minimum:
            return Verdict(self.name, 1.0, True, f"{words} words", field)
        reason = (
            f"Your answer to “{field}” has {words} word{'s' if words != 1 else ''}; "
            f"please write at least {minimum}, adding details you can see."
        )
        return Verdict(self.name, words / minimum, False, reason, field)


def _minimum(schema: LabelSchema, field: Any) -> int:
    if not isinstance(field, TextField):
        return 0
    project_minimum = schema.qc.get("min_words", 0)
    return int(field.min_words or (project_minimum if isinstance(project_minimum, int) else 0))
