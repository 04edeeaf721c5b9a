"""Quality checks on text answers (typed or transcribed): pure functions, one verdict shape.

Each check returns a :class:`Verdict` ``{name, score in [0, 1], passed, reason}``;
:func:`run_checks` runs those a project's ``qc:`` mapping asks for. See docs/qc.md.
"""

from __future__ import annotations

from crowdlens.textqc.checks import (
    gibberish_and_repetition,
    keyword_coverage,
    language_check,
    min_duration,
    min_words,
    near_duplicate,
    paste_heavy,
    peer_keywords,
)
from crowdlens.textqc.gold import gold_check, gold_score, score_gold_item
from crowdlens.textqc.runner import (
    CHECKS,
    QcContext,
    TextAnswer,
    passed,
    run_checks,
    validate_config,
)
from crowdlens.textqc.verdict import Verdict

__all__ = [
    "CHECKS",
    "QcContext",
    "TextAnswer",
    "Verdict",
    "gibberish_and_repetition",
    "gold_check",
    "gold_score",
    "keyword_coverage",
    "language_check",
    "min_duration",
    "min_words",
    "near_duplicate",
    "passed",
    "paste_heavy",
    "peer_keywords",
    "run_checks",
    "score_gold_item",
    "validate_config",
]
