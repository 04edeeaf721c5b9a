"""Each text check on its own: passing and failing answers, scores and worker-facing reasons."""

from __future__ import annotations

import pytest

from crowdlens.textqc import (
    Verdict,
    gibberish_and_repetition,
    gold_check,
    gold_score,
    keyword_coverage,
    language_check,
    min_duration,
    min_words,
    near_duplicate,
    paste_heavy,
    peer_keywords,
)

KEYWORDS = ["house", "river", "dog", "children", "ball", "boat", "cat", "bicycle", "kite", "church"]
ENGLISH = (
    "There is a small red house next to the river and a dog is sleeping in front of it, "
    "while two people walk along the path with their bags."
)


@pytest.mark.parametrize(
    ("text", "n_found", "passes"),
    [
        pytest.param("I see a red house next to a river.", 2, True, id="2-of-10-pass"),
        pytest.param("Dogs and cats are playing; the children laugh.", 3, True, id="plurals-count"),
        pytest.param("There is a red house in a field.", 1, False, id="1-of-10-fail"),
        pytest.param("Nothing much to say here really.", 0, False, id="0-of-10-fail"),
        pytest.param("A housekeeper and a catalogue.", 0, False, id="no-partial-words"),
    ],
)
def test_keyword_coverage_two_of_ten(text: str, n_found: int, passes: bool) -> None:
    result = keyword_coverage(text, keywords=KEYWORDS, required=2)
    assert result.passed is passes
    assert f"You mentioned {n_found} of 10 main things" in result.reason
    assert result.score == pytest.approx(min(1.0, n_found / 2))
    if not passes:
        assert "at least 2 are needed" in result.reason


def test_keyword_phrases_match_as_phrases() -> None:
    result = keyword_coverage(
        "A fire truck near a stop sign.", keywords=["fire truck", "stop sign"], required=2
    )
    assert result.passed
    assert not keyword_coverage("A truck on fire.", keywords=["fire truck"], required=1).passed


def test_too_few_keywords_is_not_checked() -> None:
    result = keyword_coverage("anything", keywords=["house"], required=2)
    assert result.passed and result.reason.startswith("Not checked")


def test_peer_keywords_are_words_two_other_workers_used() -> None:
    others = [
        "A brown dog sleeps by the river near the houses.",
        "The dog is lying on grass beside a river.",
        "I can see a house, a dog and some trees.",
        "Only this answer mentions a kite.",
    ]
    keywords = peer_keywords(others, limit=10)
    assert keywords[0] == "dog"
    assert set(keywords) == {"dog", "river", "house"}
    assert "the" not in keywords and "kite" not in keywords


@pytest.mark.parametrize(
    ("count", "passes"),
    [
        pytest.param(79, False, id="79<80"),
        pytest.param(80, True, id="80"),
        pytest.param(0, False, id="empty"),
    ],
)
def test_min_words(count: int, passes: bool) -> None:
    result = min_words(" ".join(["word"] * count), min_words=80)
    assert result.passed is passes
    assert f"has {count} words" in result.reason
    assert result.score == pytest.approx(min(1.0, count / 80))


@pytest.mark.parametrize(
    ("seconds", "passes", "reason"),
    [
        pytest.param(64.0, True, "lasts 64 seconds", id="64s"),
        pytest.param(10.2, False, "at least 60 are needed", id="10s"),
        pytest.param(None, False, "No recording", id="no-recording"),
    ],
)
def test_min_duration(seconds: float | None, passes: bool, reason: str) -> None:
    result = min_duration(seconds, min_seconds=60)
    assert result.passed is passes and reason in result.reason


def test_near_duplicate_catches_a_copy_with_small_edits() -> None:
    original = ENGLISH
    copy = original.replace("small red", "little red") + " It is sunny."
    assert not near_duplicate(copy, [original]).passed
    own = "A cottage stands by the water; a puppy naps at its door and two hikers pass by."
    verdict = near_duplicate(own, [original])
    assert verdict.passed and verdict.score == 1.0
    assert near_duplicate(own, []).passed


@pytest.mark.parametrize(
    ("text", "passes", "reason"),
    [
        pytest.param(ENGLISH, True, "reads as language", id="english"),
        pytest.param(
            "asdf qwrt zxcv bnmkl hjkl pppp fgh",
            False,
            "does not look like words",
            id="keyboard-mash",
        ),
        pytest.param("the dog is red " * 12, False, "repeats itself", id="repetition"),
        pytest.param("", False, "no words", id="empty"),
    ],
)
def test_gibberish_and_repetition(text: str, passes: bool, reason: str) -> None:
    result = gibberish_and_repetition(text)
    assert result.passed is passes and reason in result.reason


@pytest.mark.parametrize(
    ("pasted", "passes"),
    [
        pytest.param([], True, id="typed"),
        pytest.param([10, 15], True, id="small-pastes"),
        pytest.param([len(ENGLISH)], False, id="all-pasted"),
    ],
)
def test_paste_heavy(pasted: list[int], passes: bool) -> None:
    result = paste_heavy(ENGLISH, pasted, max_ratio=0.5)
    assert result.passed is passes
    if not passes:
        assert "100% of your answer was pasted" in result.reason


@pytest.mark.parametrize(
    ("text", "passes"),
    [
        pytest.param(ENGLISH, True, id="english"),
        pytest.param(
            "Das Bild zeigt ein kleines rotes Haus neben einem Fluss und einen Hund der schläft.",
            False,
            id="german",
        ),
        pytest.param(
            "La imagen muestra una casa roja junto a un río y un perro que duerme tranquilo.",
            False,
            id="spanish",
        ),
        pytest.param(
            "Une petite maison rouge près de la rivière avec un chien qui dort devant.",
            False,
            id="french",
        ),
        pytest.param("Red house.", True, id="too-short-to-judge"),
    ],
)
def test_language_check_by_english_stopword_share(text: str, passes: bool) -> None:
    assert language_check(text).passed is passes


@pytest.mark.parametrize(
    ("answer", "gold", "score"),
    [
        pytest.param(True, "yes", 1.0, id="binary-yes"),
        pytest.param("no", True, 0.0, id="binary-miss"),
        pytest.param("cat", "cat", 1.0, id="choice"),
        pytest.param(["a", "b"], ["b", "c"], 1 / 3, id="tags-jaccard"),
        pytest.param([], [], 1.0, id="tags-both-empty"),
    ],
)
def test_gold_score(answer: object, gold: object, score: float) -> None:
    assert gold_score(answer, gold) == pytest.approx(score)


@pytest.mark.parametrize(
    ("history", "answer", "passes", "accuracy"),
    [
        pytest.param([], "dog", True, 0.0, id="first-miss-too-few-to-block"),
        pytest.param([1.0, 1.0], "dog", True, 2 / 3, id="2-of-3-above-60%"),
        pytest.param([0.0, 1.0], "dog", False, 1 / 3, id="1-of-3-blocked"),
        pytest.param([0.0, 0.0], "cat", False, 1 / 3, id="right-now-but-record-too-low"),
        pytest.param([0.0, 1.0, 1.0, 1.0], "cat", True, 0.8, id="4-of-5"),
    ],
)
def test_gold_check_blocks_below_threshold(
    history: list[float], answer: str, passes: bool, accuracy: float
) -> None:
    result = gold_check(
        {"animal": answer}, {"animal": "cat"}, history=history, block_below=0.6, min_items=3
    )
    assert result.passed is passes
    assert result.score == pytest.approx(accuracy, abs=1e-4)
    n = len(history) + 1
    assert f"You answered {accuracy:.0%} of {n} check question(s) correctly" in result.reason
    assert ("no more tasks" in result.reason) is not passes


def test_verdict_score_must_lie_in_unit_interval() -> None:
    with pytest.raises(ValueError, match=r"score in \[0, 1\]"):
        Verdict("x", 1.5, True, "")
