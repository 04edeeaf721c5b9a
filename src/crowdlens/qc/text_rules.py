"""The text checks of :mod:`crowdlens.textqc`, registered as QC rules.

Each rule is named by its key in the project's ``qc:`` mapping and runs the check of that key
on every text answer (a typed answer or a recording's transcript); ``gold`` runs once per item.
The checks return their own verdicts; here each becomes the registry's :class:`Verdict` with the
field it judged, so every rule still gives one shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from crowdlens.qc.context import EMPTY_CONTEXT, ItemContext
from crowdlens.qc.rules import QCRule, Verdict, register_rule
from crowdlens.schema import LabelSchema, TextField
from crowdlens.textqc import CHECKS, QcContext, TextAnswer
from crowdlens.textqc import Verdict as TextVerdict


class TextCheckRule(QCRule):
    """Runs the ``textqc`` check registered under ``name`` on each answered text field."""

    spoken_only: ClassVar[bool] = False

    @classmethod
    def applies(cls, schema: LabelSchema) -> bool:
        return False  # only when the project's ``qc:`` mapping names it

    def check(
        self, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
    ) -> list[Verdict]:
        value = self.setting()
        if value is False or value is None:
            return []
        verdicts = []
        for field, text in self._texts(answers):
            answer = _text_answer(field, text, answers, context)
            result = CHECKS[self.name](value, answer, _field_context(field.name, context))
            if result is not None:
                verdicts.append(_with_field(result, field.name))
        return verdicts

    def setting(self) -> Any:
        return self.settings.get(self.name)

    def _texts(self, answers: Mapping[str, Any]) -> Iterator[tuple[TextField, str]]:
        for field in self.schema.fields:
            if not isinstance(field, TextField) or (self.spoken_only and not field.spoken):
                continue
            text = answers.get(field.name)
            if isinstance(text, str) and text.strip():
                yield field, text


def _text_answer(
    field: TextField, text: str, answers: Mapping[str, Any], context: ItemContext
) -> TextAnswer:
    return TextAnswer(
        text=text,
        seconds=context.seconds.get(field.name),
        spoken=field.spoken,
        pasted_chars=tuple(context.pasted_chars.get(field.name, ())),
        answers=answers,
    )


def _field_context(name: str, context: ItemContext) -> QcContext:
    return QcContext(
        keywords=context.keywords,
        accepted=context.accepted.get(name, ()),
        others=context.others.get(name, ()),
    )


def _with_field(result: TextVerdict, field: str | None) -> Verdict:
    return Verdict(result.name, result.score, result.passed, result.reason, field)


@register_rule
class KeywordsRule(TextCheckRule):
    """k of n keywords: from the manifest, a model, or words other accepted answers share."""

    name = "keywords"


@register_rule
class NearDuplicateRule(TextCheckRule):
    """Not a copy of another submission for the same picture."""

    name = "near_duplicate"


@register_rule
class GibberishRule(TextCheckRule):
    """Real words, not one phrase over and over."""

    name = "gibberish"


@register_rule
class PasteHeavyRule(TextCheckRule):
    """Typed answers are mostly typed: pasted characters over length at most ``max_ratio``."""

    name = "paste_heavy"


@register_rule
class LanguageRule(TextCheckRule):
    """The answer is in English."""

    name = "language"


@register_rule
class MinSecondsRule(TextCheckRule):
    """A spoken answer's recording lasts at least the field's or the project's ``min_seconds``."""

    name = "min_seconds"
    spoken_only = True

    @classmethod
    def applies(cls, schema: LabelSchema) -> bool:
        return any(isinstance(f, TextField) and f.spoken and f.min_seconds for f in schema.fields)

    def check(
        self, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
    ) -> list[Verdict]:
        verdicts = []
        for field in self.schema.fields:
            minimum = self._minimum(field)
            if isinstance(field, TextField) and field.spoken and minimum:
                answer = TextAnswer(seconds=context.seconds.get(field.name), spoken=True)
                result = CHECKS[self.name](minimum, answer, QcContext())
                if result is not None:
                    verdicts.append(_with_field(result, field.name))
        return verdicts

    def _minimum(self, field: Any) -> float:
        project = self.setting()
        own = field.min_seconds if isinstance(field, TextField) else 0.0
        return float(own or (project if isinstance(project, int | float) else 0.0))


@register_rule
class GoldRule(TextCheckRule):
    """On a gold item, this worker's accuracy over all gold items stays above ``block_below``."""

    name = "gold"

    def check(
        self, answers: Mapping[str, Any], context: ItemContext = EMPTY_CONTEXT
    ) -> list[Verdict]:
        value = self.setting()
        if value is False or value is None or not context.gold:
            return []
        answer = TextAnswer(answers=answers)
        gold = QcContext(gold=context.gold, gold_history=context.gold_history)
        result = CHECKS[self.name](value, answer, gold)
        return [_with_field(result, None)] if result is not None else []
