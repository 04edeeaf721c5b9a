"""Agreement between annotators and quality against gold, over long answer tables.

Answers are the aggregators' table ``item, annotator, label`` (people and models alike). A
per-field table adds a ``field`` column. Chance-corrected agreement follows the usual
definitions: Cohen's κ for two annotators, Fleiss' κ for many (items may have different numbers
of answers: each item's agreement is averaged), and Krippendorff's α for nominal data, which
also copes with missing answers.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable

import numpy as np
import pandas as pd

from crowdlens.aggregate import MajorityVote
from crowdlens.aggregate._encode import COLUMNS, check_columns
from crowdlens.errors import AnswerInvalid


def vote_matrix(answers: pd.DataFrame) -> pd.DataFrame:
    """Items × labels count of answers."""
    check_columns(answers, COLUMNS, "answers")
    return pd.crosstab(answers["item"], answers["label"])


def _pairable(votes: pd.DataFrame) -> np.ndarray:
    counts = votes.to_numpy(dtype=float)
    return np.asarray(counts[counts.sum(axis=1) >= 2])


def percent_agreement(answers: pd.DataFrame) -> float:
    """Share of agreeing pairs of answers on the same item, averaged over items with ≥ 2 answers.

    NaN when no item has two answers.
    """
    counts = _pairable(vote_matrix(answers))
    if counts.size == 0:
        return float("nan")
    n = counts.sum(axis=1)
    return float(np.mean(((counts**2).sum(axis=1) - n) / (n * (n - 1))))


def fleiss_kappa(answers: pd.DataFrame) -> float:
    """Fleiss' κ: observed pair agreement against the agreement expected from label shares."""
    counts = _pairable(vote_matrix(answers))
    if counts.size == 0:
        return float("nan")
    n = counts.sum(axis=1)
    observed = np.mean(((counts**2).sum(axis=1) - n) / (n * (n - 1)))
    shares = counts.sum(axis=0) / counts.sum()
    expected = float(np.sum(shares**2))
    return _chance_corrected(float(observed), expected)


def _chance_corrected(observed: float, expected: float) -> float:
    if expected >= 1.0:
        return 1.0 if observed >= 1.0 else float("nan")
    return (observed - expected) / (1.0 - expected)


def cohen_kappa(first: pd.Series, second: pd.Series) -> float:
    """Cohen's κ between two annotators' labels (Series indexed by item), on shared items."""
    both = pd.concat([first.rename("a"), second.rename("b")], axis=1, join="inner").dropna()
    if both.empty:
        return float("nan")
    observed = float((both["a"] == both["b"]).mean())
    share_a = both["a"].value_counts(normalize=True)
    share_b = both["b"].value_counts(normalize=True)
    expected = float((share_a * share_b.reindex(share_a.index, fill_value=0.0)).sum())
    return _chance_corrected(observed, expected)


def krippendorff_alpha(answers: pd.DataFrame) -> float:
    """Krippendorff's α for nominal labels; items with fewer than two answers are ignored."""
    counts = _pairable(vote_matrix(answers))
    if counts.size == 0:
        return float("nan")
    m = counts.sum(axis=1)
    same = np.sum(((counts**2).sum(axis=1) - m) / (m - 1))
    n = m.sum()
    totals = counts.sum(axis=0)
    disagree_observed = n - same
    disagree_expected = (n**2 - np.sum(totals**2)) / (n - 1)
    if disagree_expected == 0:
        return 1.0 if disagree_observed == 0 else float("nan")
    return float(1.0 - disagree_observed / disagree_expected)


def accuracy(labels: pd.Series, gold: pd.Series) -> float:
    """Share of items with a gold label whose label equals it (missing labels count as wrong)."""
    known = gold.dropna()
    if known.empty:
        return float("nan")
    return float((labels.reindex(known.index) == known).mean())


def annotator_accuracy(answers: pd.DataFrame, gold: pd.Series) -> pd.DataFrame:
    """Per annotator: number of answers on gold items and the share that are right."""
    scored = _with_gold(answers, gold)
    scored["right"] = scored["label"] == scored["gold"]
    table = scored.groupby("annotator", sort=True)["right"].agg(answers="size", accuracy="mean")
    return table.sort_values("accuracy", ascending=False)


def annotator_confusion(
    answers: pd.DataFrame, gold: pd.Series, annotator: Hashable | None = None
) -> pd.DataFrame:
    """True label × given label counts, for one annotator or (``None``) for everybody."""
    scored = _with_gold(answers, gold)
    if annotator is not None:
        scored = scored[scored["annotator"] == annotator]
    return pd.crosstab(scored["gold"], scored["label"]).rename_axis(index="true", columns="given")


def _with_gold(answers: pd.DataFrame, gold: pd.Series) -> pd.DataFrame:
    check_columns(answers, COLUMNS, "answers")
    scored = answers.assign(gold=answers["item"].map(gold.dropna()))
    return scored.dropna(subset=["gold"])


def people_vs_models(answers: pd.DataFrame, models: Collection[Hashable]) -> pd.DataFrame:
    """The CelebA study's table: per field and model, agreement with the people's majority.

    ``answers`` has ``field, item, annotator, label``; ``models`` names the model annotators.
    Columns: ``field, model, items`` (items both answered), ``agreement`` (share equal to the
    people's majority vote), ``kappa`` (Cohen's κ of the two), ``people_agreement`` (percent
    agreement among the people themselves).
    """
    check_columns(answers, ("field", *COLUMNS), "answers")
    if not models:
        raise AnswerInvalid("people_vs_models: expected at least one model annotator, got none")
    rows = []
    for field, table in answers.groupby("field", sort=True):
        rows.extend(_field_rows(field, table, set(models)))
    columns = ["field", "model", "items", "agreement", "kappa", "people_agreement"]
    return pd.DataFrame(rows, columns=columns)


def _field_rows(
    field: Hashable, table: pd.DataFrame, models: set[Hashable]
) -> list[dict[str, object]]:
    is_model = table["annotator"].isin(models)
    people = table[~is_model]
    majority = MajorityVote().fit_predict(people[list(COLUMNS)])
    among = percent_agreement(people[list(COLUMNS)])
    rows = []
    for model, given in table[is_model].groupby("annotator", sort=True):
        labels = given.drop_duplicates("item", keep="last").set_index("item")["label"]
        shared = labels.index.intersection(majority.index)
        agree = float((labels[shared] == majority[shared]).mean()) if len(shared) else float("nan")
        kappa = cohen_kappa(labels[shared], majority[shared])
        rows.append(
            {
                "field": field,
                "model": model,
                "items": len(shared),
                "agreement": agree,
                "kappa": kappa,
                "people_agreement": among,
            }
        )
    return rows
