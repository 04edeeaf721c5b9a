"""What QC rules compare one item's answers against, gathered by the caller from the store.

The rules stay pure: the crowd side (or a test) fills an :class:`ItemContext` with the item's
keywords, its other answers, the measured length of each recording, what the browser reported
about pasting, and the item's known answers when it is a gold item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ItemContext:
    """Everything beyond the answers themselves that a rule may need, by field name.

    ``keywords``: from the item's manifest (``meta.keywords``) or a model's keyword utility.
    ``accepted``: other people's passed answers for this item, by field (peer keywords).
    ``others``: other people's answers of any status, by field (the copy check).
    ``seconds``: the measured duration of the recording behind a spoken answer, by field.
    ``pasted_chars``: the length of each paste into a typed answer, by field.
    ``gold``: the item's known answers (a gold item), by field; ``gold_history``: this
    worker's scores on earlier gold items.
    """

    keywords: Sequence[str] = ()
    accepted: Mapping[str, Sequence[str]] = field(default_factory=dict)
    others: Mapping[str, Sequence[str]] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)
    pasted_chars: Mapping[str, Sequence[int]] = field(default_factory=dict)
    gold: Mapping[str, Any] = field(default_factory=dict)
    gold_history: Sequence[float] = ()


EMPTY_CONTEXT = ItemContext()
