"""Run the QC rules a project asks for on one annotation's answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crowdlens.qc.context import EMPTY_CONTEXT, ItemContext
from crowdlens.qc.rules import QCRule, Verdict, get_rule, rule_names
from crowdlens.schema import LabelSchema

DEFAULT_MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class QCResult:
    """All verdicts for one annotation; it passes when every verdict passes."""

    verdicts: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def reasons(self) -> list[str]:
        return [v.reason for v in self.verdicts if not v.passed]

    def to_json(self) -> list[dict[str, Any]]:
        return [v.to_json() for v in self.verdicts]


def build_rules(schema: LabelSchema) -> list[QCRule]:
    """The registered rules that apply to ``schema``, built from its settings.

    ``required`` always runs; a rule runs when the project's ``qc`` mapping names it or when its
    ``applies`` says the fields ask for it (a text field with ``min_words``).
    """
    names = [n for n in rule_names() if _named(n, schema) or _applies(n, schema)]
    names.sort(key=lambda n: n != "required")
    return [get_rule(name)(schema) for name in names]


def _named(name: str, schema: LabelSchema) -> bool:
    """Named in the ``qc:`` mapping and not switched off with ``false``."""
    return name in schema.qc and schema.qc[name] is not False and schema.qc[name] is not None


def _applies(name: str, schema: LabelSchema) -> bool:
    return name == "required" or get_rule(name).applies(schema)


def run_qc(
    schema: LabelSchema, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
) -> QCResult:
    """Check validated ``answers`` with every rule of the project.

    ``context`` carries what the rules compare against (see :class:`ItemContext`).
    """
    verdicts: list[Verdict] = []
    for rule in build_rules(schema):
        verdicts.extend(rule.check(answers, context))
    return QCResult(tuple(verdicts))


def max_attempts(schema: LabelSchema) -> int:
    """How many submissions of one item a worker gets (``qc.max_attempts``, default 3)."""
    value = schema.qc.get("max_attempts", DEFAULT_MAX_ATTEMPTS)
    return value if isinstance(value, int) and value >= 1 else DEFAULT_MAX_ATTEMPTS


def ready_after(schema: LabelSchema) -> int:
    """How many passed answers make an item ready for merging (``qc.ready_after``, else the
    project's redundancy)."""
    value = schema.qc.get("ready_after")
    return value if isinstance(value, int) and value >= 1 else schema.redundancy
