"""Studies: agreement, accuracy against gold, and offline replays of crowd data under a policy."""

from __future__ import annotations

from crowdlens.studies.agreement import (
    accuracy,
    annotator_accuracy,
    annotator_confusion,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    people_vs_models,
    percent_agreement,
)

__all__ = [
    "accuracy",
    "annotator_accuracy",
    "annotator_confusion",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "people_vs_models",
    "percent_agreement",
]
