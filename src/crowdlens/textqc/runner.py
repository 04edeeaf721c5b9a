"""Run the checks a project's ``qc:`` mapping asks for on one answer.

The mapping is the one in the project YAML (see docs/qc.md)::

    qc:
      min_words: 80
      min_seconds: 60
      keywords: {required: 2, of: 10}
      near_duplicate: {threshold: 0.6}
      gibberish: {}
      paste_heavy: {max_ratio: 0.5}
      language: {min_stopword_ratio: 0.2}
      gold: {block_below: 0.6, min_items: 3}
      max_attempts: 3
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crowdlens.errors import ConfigError
from crowdlens.textqc import checks
from crowdlens.textqc.gold import gold_check
from crowdlens.textqc.verdict import Verdict

#: Settings of the ``qc:`` mapping that are not checks (used by the resubmission flow).
NOT_CHECKS = frozenset({"max_attempts", "ready_after"})


@dataclass(frozen=True)
class TextAnswer:
    """One answer to check: its text (a transcript when ``spoken``) and what came with it.

    ``seconds``: the recording's measured duration. ``pasted_chars``: the length of each paste
    event of a typed answer. ``answers``: all field answers, for gold items.
    """

    text: str = ""
    seconds: float | None = None
    spoken: bool = False
    pasted_chars: Sequence[int] = ()
    answers: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QcContext:
    """What the checks compare against: keywords, peers' answers, gold, the worker's record.

    ``keywords``: from the manifest or a model's keyword utility. Without them, words used by at
    least two of ``accepted`` (other accepted answers for the same image) stand in.
    ``others``: other submissions, accepted or not, for the copy check.
    """

    keywords: Sequence[str] = ()
    accepted: Sequence[str] = ()
    others: Sequence[str] = ()
    gold: Mapping[str, Any] = field(default_factory=dict)
    gold_history: Sequence[float] = ()


Check = Callable[[Any, TextAnswer, QcContext], Verdict | None]


def _min_words(value: Any, answer: TextAnswer, context: QcContext) -> Verdict:
    return checks.min_words(answer.text, min_words=int(value))


def _min_seconds(value: Any, answer: TextAnswer, context: QcContext) -> Verdict | None:
    return checks.min_duration(answer.seconds, min_seconds=float(value))


def _keywords(value: Any, answer: TextAnswer, context: QcContext) -> Verdict:
    options = _options("keywords", value, {"required", "of", "min_answers"})
    of = int(options.get("of", 10))
    keywords = list(context.keywords)[:of] or checks.peer_keywords(
        context.accepted, limit=of, min_answers=int(options.get("min_answers", 2))
    )
    return checks.keyword_coverage(
        answer.text, keywords=keywords, required=int(options.get("required", 2))
    )


def _near_duplicate(value: Any, answer: TextAnswer, context: QcContext) -> Verdict:
    options = _options("near_duplicate", value, {"threshold"})
    others = [*context.others, *context.accepted]
    return checks.near_duplicate(answer.text, others, **options)


def _gibberish(value: Any, answer: TextAnswer, context: QcContext) -> Verdict:
    options = _options("gibberish", value, {"max_gibberish", "max_repeated"})
    return checks.gibberish_and_repetition(answer.text, **options)


def _paste_heavy(value: Any, answer: TextAnswer, context: QcContext) -> Verdict:
    options = _options("paste_heavy", value, {"max_ratio"})
    return checks.paste_heavy(answer.text, answer.pasted_chars, **options)


def _language(value: Any, answer: TextAnswer, context: QcContext) -> Verdict:
    options = _options("language", value, {"min_stopword_ratio", "min_words"})
    return checks.language_check(answer.text, **options)


def _gold(value: Any, answer: TextAnswer, context: QcContext) -> Verdict | None:
    options = _options("gold", value, {"block_below", "min_items", "rate"})
    options.pop("rate", None)  # how often gold items are served: the assignment side's setting
    if not context.gold:
        return None
    return gold_check(answer.answers, context.gold, history=context.gold_history, **options)


CHECKS: dict[str, Check] = {
    "min_words": _min_words,
    "min_seconds": _min_seconds,
    "keywords": _keywords,
    "near_duplicate": _near_duplicate,
    "gibberish": _gibberish,
    "paste_heavy": _paste_heavy,
    "language": _language,
    "gold": _gold,
}


def _options(name: str, value: Any, allowed: set[str]) -> dict[str, Any]:
    if value is None or value is True:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"qc.{name}: expected a mapping of settings, got {value!r}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ConfigError(
            f"qc.{name}: expected settings among {', '.join(sorted(allowed))}, got {unknown[0]!r}"
        )
    return dict(value)


def validate_config(config: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` for a ``qc:`` key that is neither a check nor a setting."""
    for key in config:
        if key not in CHECKS and key not in NOT_CHECKS:
            known = ", ".join(sorted(CHECKS) + sorted(NOT_CHECKS))
            raise ConfigError(f"qc: expected keys among {known}, got {key!r}")


def run_checks(
    config: Mapping[str, Any], answer: TextAnswer, context: QcContext | None = None
) -> list[Verdict]:
    """Every configured check's verdict, in the order of the mapping.

    A check is skipped when its value is ``false`` or it has nothing to judge (no gold for
    this item; no recording for a typed answer's duration check).
    """
    validate_config(config)
    context = context or QcContext()
    verdicts = []
    for key, value in config.items():
        if key in NOT_CHECKS or value is False or value is None:
            continue
        if key == "min_seconds" and answer.seconds is None and not answer.spoken:
            continue
        result = CHECKS[key](value, answer, context)
        if result is not None:
            verdicts.append(result)
    return verdicts


def passed(verdicts: Sequence[Verdict]) -> bool:
    """Whether every verdict passed."""
    return all(v.passed for v in verdicts)
