"""Signals the worker's browser reports with an answer, kept as QC verdicts that always pass.

Pasting into a text answer is recorded (characters pasted per field): a hint of text copied
from a language model, for reviewers and studies to weigh, never a reason to refuse an answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def paste_verdicts(answers: Mapping[str, Any], signals: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One ``paste`` verdict per text field the worker pasted into."""
    pasted = signals.get("pasted_chars")
    if not isinstance(pasted, Mapping):
        return []
    verdicts = []
    for name, chars in pasted.items():
        text = answers.get(name)
        if isinstance(text, str) and isinstance(chars, int) and chars > 0:
            verdicts.append(_paste(name, chars, len(text)))
    return verdicts


def _paste(field: str, chars: int, length: int) -> dict[str, Any]:
    share = min(1.0, chars / max(length, 1))
    return {
        "name": "paste",
        "field": field,
        "score": round(1.0 - share, 3),
        "passed": True,
        "reason": f"{chars} characters pasted into an answer of {length}",
        "signal": True,
    }
