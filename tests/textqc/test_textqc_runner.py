"""run_checks driven by a project's ``qc:`` mapping, including the dense-caption preset."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import crowdlens
from crowdlens.errors import ConfigError
from crowdlens.textqc import QcContext, TextAnswer, passed, run_checks

PRESET = Path(crowdlens.__file__).parent / "presets" / "dense-caption.yaml"
KEYWORDS = ["house", "river", "dog", "children", "ball", "boat", "cat", "bicycle", "kite", "church"]
FILLER = "and then there is more to see in this picture if you look closely at it "


@pytest.fixture
def preset_qc() -> dict[str, object]:
    return dict(yaml.safe_load(PRESET.read_text())["qc"])


def _spoken(text: str, seconds: float = 65.0) -> TextAnswer:
    return TextAnswer(text=text, seconds=seconds, spoken=True)


@pytest.mark.parametrize(
    ("text", "seconds", "failed"),
    [
        pytest.param("A house by a river. " + FILLER * 6, 65.0, [], id="all-pass"),
        pytest.param("A house. " + FILLER * 6, 65.0, ["keyword_coverage"], id="1-keyword"),
        pytest.param("A house by a river. " + FILLER, 65.0, ["min_words"], id="too-few-words"),
        pytest.param("A house by a river. " + FILLER * 6, 10.0, ["min_duration"], id="10s"),
    ],
)
def test_dense_caption_preset(
    preset_qc: dict[str, object], text: str, seconds: float, failed: list[str]
) -> None:
    verdicts = run_checks(preset_qc, _spoken(text, seconds), QcContext(keywords=KEYWORDS))
    assert [v.name for v in verdicts] == ["min_words", "min_duration", "keyword_coverage"]
    assert [v.name for v in verdicts if not v.passed] == failed
    assert passed(verdicts) is (failed == [])
    assert all(set(v.as_dict()) == {"name", "score", "passed", "reason"} for v in verdicts)


def test_keywords_fall_back_to_other_accepted_answers(preset_qc: dict[str, object]) -> None:
    accepted = [
        "A dog sleeps near the river by an old boat.",
        "I see a river, a dog and a wooden boat.",
        "The boat floats on the river.",
    ]
    only_boat = run_checks(
        preset_qc, _spoken("A boat. " + FILLER * 6), QcContext(accepted=accepted)
    )
    keyword = next(v for v in only_boat if v.name == "keyword_coverage")
    assert not keyword.passed and "mentioned 1 of 3" in keyword.reason
    both = run_checks(
        preset_qc, _spoken("A boat, a dog. " + FILLER * 6), QcContext(accepted=accepted)
    )
    assert passed(both)


def test_typed_answers_skip_the_duration_check() -> None:
    config = {"min_seconds": 60, "min_words": 3, "paste_heavy": {"max_ratio": 0.5}}
    answer = TextAnswer(text="a red house by the river", pasted_chars=[20])
    verdicts = run_checks(config, answer)
    assert [(v.name, v.passed) for v in verdicts] == [("min_words", True), ("paste_heavy", False)]


def test_every_check_can_run_together() -> None:
    config = {
        "min_words": 5,
        "keywords": {"required": 2, "of": 10},
        "near_duplicate": {"threshold": 0.6},
        "gibberish": {},
        "paste_heavy": {"max_ratio": 0.5},
        "language": True,
        "gold": {"block_below": 0.6, "min_items": 3, "rate": 0.1},
        "max_attempts": 3,
    }
    answer = TextAnswer(
        text="A small house stands by the river and a dog sleeps on the grass in the sun.",
        answers={"has_dog": "yes"},
    )
    context = QcContext(
        keywords=KEYWORDS, others=["Something else entirely here."], gold={"has_dog": True}
    )
    verdicts = run_checks(config, answer, context)
    assert [v.name for v in verdicts] == [
        "min_words",
        "keyword_coverage",
        "near_duplicate",
        "gibberish_and_repetition",
        "paste_heavy",
        "language_check",
        "gold_check",
    ]
    assert passed(verdicts)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({"min_wrods": 80}, "got 'min_wrods'", id="misspelt-check"),
        pytest.param(
            {"keywords": {"requird": 2}}, "qc.keywords: expected settings", id="misspelt-option"
        ),
        pytest.param({"keywords": 2}, "expected a mapping of settings, got 2", id="not-a-mapping"),
    ],
)
def test_bad_configuration_says_what_was_expected(config: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run_checks(config, TextAnswer(text="a house"))


def test_a_check_set_to_false_is_off() -> None:
    assert run_checks({"min_words": False, "gibberish": {}}, TextAnswer(text="hello there")) != []
    assert [v.name for v in run_checks({"min_words": False}, TextAnswer(text="x"))] == []
