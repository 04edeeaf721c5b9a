"""Per-label views of ``tags`` answers (any of N): one binary problem per tag."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import pandas as pd

from crowdlens.aggregate._encode import COLUMNS, check_columns
from crowdlens.errors import AnswerInvalid


def _as_tags(value: object) -> frozenset[Hashable]:
    if isinstance(value, str):
        return frozenset(t.strip() for t in value.split(";") if t.strip())
    if isinstance(value, Iterable):
        return frozenset(value)
    raise AnswerInvalid(f"tags answer: expected a list of tags or 'a;b' text, got {value!r}")


def tags_to_binary(
    answers: pd.DataFrame, tags: Sequence[Hashable] | None = None
) -> dict[Hashable, pd.DataFrame]:
    """Split tags answers into one ``item, annotator, label`` table of True/False per tag.

    Every annotator who answered an item says yes or no to every tag: a tag missing from the
    answer is a no. ``tags`` fixes the tag list (default: every tag seen, sorted).
    """
    check_columns(answers, COLUMNS, "tags answers")
    chosen = answers["label"].map(_as_tags)
    known = sorted({t for s in chosen for t in s}, key=str) if tags is None else list(tags)
    base = answers[["item", "annotator"]].reset_index(drop=True)
    sets = chosen.reset_index(drop=True)
    return {tag: base.assign(label=sets.map(lambda s, t=tag: t in s)) for tag in known}


def binary_to_tags(labels: dict[Hashable, pd.Series]) -> pd.Series:
    """Per item, the sorted list of tags whose consensus is True (the inverse view)."""
    frame = pd.DataFrame(labels).fillna(False).astype(bool)
    return pd.Series(
        [sorted((t for t in frame.columns if row[t]), key=str) for _, row in frame.iterrows()],
        index=frame.index,
        name="label",
        dtype=object,
    )
