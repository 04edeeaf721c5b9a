"""Checks on one text answer. Each is a pure function returning a :class:`Verdict`.

Reasons are written for the worker: what was found, what was expected, what to do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from crowdlens.textqc.verdict import STOPWORDS, Verdict, content_words, stem, verdict, words

_VOWELS = set("aeiouy")


def min_duration(seconds: float | None, *, min_seconds: float) -> Verdict:
    """The recording lasts at least ``min_seconds`` (measured from the decoded audio)."""
    name = "min_duration"
    if seconds is None:
        return verdict(name, 0.0, False, "No recording was found; record your answer again.")
    score = seconds / min_seconds if min_seconds > 0 else 1.0
    if seconds >= min_seconds:
        return verdict(name, score, True, f"Your recording lasts {seconds:.0f} seconds.")
    return verdict(
        name,
        score,
        False,
        f"Your recording lasts {seconds:.0f} seconds; at least {min_seconds:g} are needed. "
        "Keep talking until the timer passes the minimum.",
    )


def min_words(text: str, *, min_words: int) -> Verdict:
    """The answer has at least ``min_words`` words."""
    count = len(words(text))
    score = count / min_words if min_words > 0 else 1.0
    if count >= min_words:
        return verdict("min_words", score, True, f"Your answer has {count} words.")
    return verdict(
        "min_words",
        score,
        False,
        f"Your answer has {count} words; at least {min_words} are needed. "
        "Describe more of what you see: objects, colours, positions, actions.",
    )


def keyword_coverage(text: str, *, keywords: Sequence[str], required: int) -> Verdict:
    """At least ``required`` of ``keywords`` occur in the answer (plurals count)."""
    name = "keyword_coverage"
    if len(keywords) < required:
        return verdict(
            name, 1.0, True, f"Not checked: only {len(keywords)} keywords known for this image."
        )
    found = [k for k in keywords if _mentions(text, k)]
    score = min(1.0, len(found) / required) if required else 1.0
    summary = f"You mentioned {len(found)} of {len(keywords)} main things in the picture"
    if len(found) >= required:
        return verdict(name, score, True, f"{summary}.")
    return verdict(
        name,
        score,
        False,
        f"{summary}; at least {required} are needed. Look at the picture again and name the "
        "main objects, people or animals you see.",
    )


def _mentions(text: str, keyword: str) -> bool:
    target = [stem(w) for w in words(keyword)]
    said = [stem(w) for w in words(text)]
    size = len(target)
    return size > 0 and any(said[i : i + size] == target for i in range(len(said) - size + 1))


def peer_keywords(others: Sequence[str], *, limit: int = 10, min_answers: int = 2) -> list[str]:
    """Content words used in at least ``min_answers`` of the other accepted answers.

    Most widely used first (then most frequent, then alphabetical); no model needed.
    """
    answers: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    for text in others:
        found = content_words(text)
        answers.update(set(found))
        uses.update(found)
    shared = [w for w, n in answers.items() if n >= min_answers and len(w) > 2]
    shared.sort(key=lambda w: (-answers[w], -uses[w], w))
    return shared[:limit]


def near_duplicate(text: str, others: Sequence[str], *, threshold: float = 0.6) -> Verdict:
    """The answer does not copy another: at most ``threshold`` of its word 3-grams are shared."""
    mine = _shingles(text)
    overlap = max((_contained(mine, _shingles(other)) for other in others), default=0.0)
    if overlap <= threshold:
        return verdict("near_duplicate", 1 - overlap, True, "Your answer is your own.")
    return verdict(
        "near_duplicate",
        1 - overlap,
        False,
        f"{overlap:.0%} of your answer repeats another submission word for word. "
        "Describe the picture in your own words.",
    )


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def _contained(mine: set[tuple[str, ...]], other: set[tuple[str, ...]]) -> float:
    return len(mine & other) / len(mine) if mine else 0.0


def gibberish_and_repetition(
    text: str, *, max_gibberish: float = 0.25, max_repeated: float = 0.4
) -> Verdict:
    """Mostly real-looking words, not one phrase said over and over.

    A word looks unreal when it has no vowel, five consonants in a row, three equal letters in
    a row, or more than 20 letters. Repetition is the share of 3-grams that are repeats.
    """
    tokens = words(text)
    if not tokens:
        return verdict("gibberish_and_repetition", 0.0, False, "Your answer has no words.")
    odd = sum(_looks_unreal(t) for t in tokens) / len(tokens)
    repeated = _repeated_share(tokens)
    score = 1 - max(odd, repeated)
    if odd > max_gibberish:
        reason = f"{odd:.0%} of your answer does not look like words. Write or speak clearly."
        return verdict("gibberish_and_repetition", score, False, reason)
    if repeated > max_repeated:
        reason = f"{repeated:.0%} of your answer repeats itself. Say new things about the picture."
        return verdict("gibberish_and_repetition", score, False, reason)
    return verdict("gibberish_and_repetition", score, True, "Your answer reads as language.")


_RUN = re.compile(r"[^aeiouy']{5,}|(.)\1\1")


def _looks_unreal(word: str) -> bool:
    return len(word) > 20 or not _VOWELS & set(word) or bool(_RUN.search(word))


def _repeated_share(tokens: list[str], size: int = 3) -> float:
    grams = [tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]
    if not grams:
        return 0.0
    return 1 - len(set(grams)) / len(grams)


def paste_heavy(text: str, pasted_chars: Sequence[int], *, max_ratio: float = 0.5) -> Verdict:
    """Typed answers are mostly typed: pasted characters / answer length ≤ ``max_ratio``."""
    total = max(len(text), 1)
    ratio = min(1.0, sum(max(0, n) for n in pasted_chars) / total)
    if ratio <= max_ratio:
        return verdict("paste_heavy", 1 - ratio, True, "Your answer was typed.")
    return verdict(
        "paste_heavy",
        1 - ratio,
        False,
        f"{ratio:.0%} of your answer was pasted; at most {max_ratio:.0%} may be. "
        "Type your own description of the picture.",
    )


def language_check(text: str, *, min_stopword_ratio: float = 0.2, min_words: int = 8) -> Verdict:
    """The answer is in English, judged by the share of common English words.

    A simple heuristic: English prose has roughly 35-55% function words ("the", "is", "and");
    other languages score far lower. Very short answers are not judged.
    """
    tokens = words(text)
    if len(tokens) < min_words:
        return verdict("language_check", 1.0, True, "Too short to judge the language.")
    ratio = sum(t in STOPWORDS for t in tokens) / len(tokens)
    score = min(1.0, ratio / min_stopword_ratio)
    if ratio >= min_stopword_ratio:
        return verdict("language_check", score, True, "Your answer is in English.")
    return verdict(
        "language_check",
        score,
        False,
        "Your answer does not seem to be in English. Please describe the picture in English.",
    )
