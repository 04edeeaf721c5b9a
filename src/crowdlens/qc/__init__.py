"""Quality control: small registered rules that turn one annotation into verdicts.

Every rule gives the same shape, a :class:`Verdict` (name, score in [0, 1], passed, and a reason
a worker can act on). :func:`run_qc` runs the rules a project's YAML asks for.
"""

from crowdlens.qc.rules import QCRule, Verdict, get_rule, register_rule, rule_names
from crowdlens.qc.runner import QCResult, build_rules, max_attempts, run_qc

__all__ = [
    "QCResult",
    "QCRule",
    "Verdict",
    "build_rules",
    "get_rule",
    "max_attempts",
    "register_rule",
    "rule_names",
    "run_qc",
]
