"""The minimal QC engine: registered rules, one verdict shape, reasons a worker can act on."""

from __future__ import annotations

from typing import Any

import pytest

from crowdlens.errors import ConfigError
from crowdlens.qc import QCRule, Verdict, build_rules, get_rule, max_attempts, run_qc
from crowdlens.schema import LabelSchema, parse_schema

SHORT = "Your answer to “story” has {} words; please write at least 4, adding details you can see."


SHORT = "Your answer to “story” has {} words; please write at least 4, adding details you can see."


def schema(**settings: Any) -> LabelSchema:
    fields = [
        {"name": "shape", "kind": "choice", "classes": ["a", "b"]},
        {"name": "note", "kind": "text", "question": "Why?", "required": False},
        {"name": "story", "kind": "text", "question": "Tell", "min_words": 4},
    ]
    return parse_schema({"name": "p", "fields": fields, **settings})


@pytest.mark.parametrize(
    ("answers", "passed", "reasons"),
    [
        pytest.param({"shape": "a", "story": "one two three four"}, True, [], id="all-good"),
        pytest.param(
            {"story": "one two three four"},
            False,
            ["Please answer “shape”: it is required."],
            id="missing-choice",
        ),
        pytest.param(
            {"shape": "a", "story": "don't stop-now"},
            False,
            [SHORT.format(2)],
            id="too-short-contractions-count-once",
        ),
        pytest.param(
            {"shape": "b", "story": "   "},
            False,
            ["Please answer “story”: it is required."],
            id="blank-text",
        ),
    ],
)
def test_rules_give_reasons(answers: dict[str, Any], passed: bool, reasons: list[str]) -> None:
    result = run_qc(schema(), answers)
    assert result.passed is passed and result.reasons == reasons
    assert all(0 <= v.score <= 1 for v in result.verdicts)


def test_project_min_words_applies_to_text_fields_without_their_own() -> None:
    result = run_qc(schema(qc={"min_words": 2}), {"shape": "a", "note": "x", "story": "a b c d"})
    failing = [v for v in result.verdicts if not v.passed]
    assert [(v.name, v.field, v.score) for v in failing] == [("min_words", "note", 0.5)]


def test_only_applicable_rules_are_built() -> None:
    plain = parse_schema({"name": "p", "fields": [{"name": "x", "kind": "binary"}]})
    assert [r.name for r in build_rules(plain)] == ["required"]
    assert [r.name for r in build_rules(schema())] == ["required", "min_words"]


def test_max_attempts_comes_from_the_qc_mapping() -> None:
    assert max_attempts(schema()) == 3
    assert max_attempts(schema(qc={"max_attempts": 5})) == 5


def test_a_verdict_score_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"expected a score in \[0, 1\], got 1.5"):
        Verdict("x", 1.5, True, "")


def test_unknown_rule_names_the_known_ones() -> None:
    known = "gibberish, gold, keywords, language, min_seconds, min_words, near_duplicate"
    with pytest.raises(ConfigError, match=f"expected a QC rule in {known}, paste_heavy, required"):
        get_rule("spelling")
    assert issubclass(get_rule("required"), QCRule)
