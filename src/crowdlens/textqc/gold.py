"""Gold items: known answers for ``binary``, ``choice`` and ``tags`` fields, scored per worker.

A worker's standing is the mean score over every gold item they answered; below
``block_below`` (once they answered at least ``min_items``) they are blocked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crowdlens.textqc.verdict import Verdict, verdict

_TRUE = {"true", "yes", "y", "1"}


def gold_score(answer: Any, gold: Any) -> float:
    """1.0 for a match, 0.0 for a miss; tags score by overlap (Jaccard) of the label sets."""
    if isinstance(gold, list | tuple | set):
        given = {str(a).strip() for a in (answer or [])}
        known = {str(g).strip() for g in gold}
        union = given | known
        return len(given & known) / len(union) if union else 1.0
    return float(_normal(answer) == _normal(gold))


def _normal(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value).strip().lower()
    if text in _TRUE | {"false", "no", "n", "0"}:
        return str(text in _TRUE).lower()
    return text


def score_gold_item(answers: Mapping[str, Any], gold: Mapping[str, Any]) -> float:
    """Mean score over the gold fields of one item (fields without an answer score 0)."""
    if not gold:
        return 1.0
    return sum(gold_score(answers.get(f), g) for f, g in gold.items()) / len(gold)


def gold_check(
    answers: Mapping[str, Any],
    gold: Mapping[str, Any],
    *,
    history: Sequence[float] = (),
    block_below: float = 0.6,
    min_items: int = 3,
) -> Verdict:
    """Score this gold item and the worker's record (``history``: earlier gold item scores)."""
    scores = [*history, score_gold_item(answers, gold)]
    accuracy = sum(scores) / len(scores)
    n = len(scores)
    record = f"You answered {accuracy:.0%} of {n} check question(s) correctly"
    if n < min_items or accuracy >= block_below:
        return verdict("gold_check", accuracy, True, f"{record}.")
    return verdict(
        "gold_check",
        accuracy,
        False,
        f"{record}; at least {block_below:.0%} is needed, so no more tasks can be given to you. "
        "Read the instructions and field definitions carefully in future tasks.",
    )
