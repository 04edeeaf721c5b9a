"""The one output shape of every check, and the word handling the checks share."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

#: Common English function words, written for these checks (not copied from a list).
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    i'm it's there's they're that's you're we're let's
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Verdict:
    """One check's outcome: ``score`` in [0, 1], and a ``reason`` the worker can act on."""

    name: str
    score: float
    passed: bool
    reason: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"expected a score in [0, 1], got {self.score!r} from {self.name}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verdict(name: str, score: float, passed: bool, reason: str) -> Verdict:
    """A :class:`Verdict` with the score clipped to [0, 1] and rounded for storage."""
    return Verdict(name, round(min(1.0, max(0.0, float(score))), 4), passed, reason)


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` (letters and inner apostrophes; digits dropped)."""
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """A light English stem so that 'dogs' meets 'dog' and 'children's' meets 'children'."""
    word = word.removesuffix("'s")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Stemmed words of ``text`` without stopwords and one-letter words."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]
