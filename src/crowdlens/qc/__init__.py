"""Quality control: small registered rules that turn one annotation into verdicts.

Every rule gives the same shape, a :class:`Verdict` (name, score in [0, 1], passed, and a reason
a worker can act on). :func:`run_qc` runs the rules a project's YAML asks for. Besides
``required`` and ``min_words``, the checks of :mod:`crowdlens.textqc` are registered as rules
named by their ``qc:`` key (``keywords``, ``near_duplicate``, ``gibberish``, ``paste_heavy``,
``language``, ``min_seconds``, ``gold``).
"""

from crowdlens.qc import text_rules as _text_rules  # noqa: F401 - registers the text checks
from crowdlens.qc.context import ItemContext
from crowdlens.qc.rules import QCRule, Verdict, get_rule, register_rule, rule_names
from crowdlens.qc.runner import QCResult, build_rules, max_attempts, ready_after, run_qc

__all__ = [
    "ItemContext",
    "QCResult",
    "QCRule",
    "Verdict",
    "build_rules",
    "get_rule",
    "max_attempts",
    "ready_after",
    "register_rule",
    "rule_names",
    "run_qc",
]
