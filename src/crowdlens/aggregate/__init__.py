"""Aggregators: several answers per item → one label with a confidence.

All of them read one long table with the columns ``item, annotator, label`` (people and models
alike; a model may add class probabilities as a soft table ``item, annotator, label, prob``) and
follow scikit-learn: settings in the constructor, ``fit`` returns the aggregator, fitted state in
``labels_``, ``probas_`` and ``skills_`` / ``confusions_``.

>>> import pandas as pd
>>> from crowdlens.aggregate import DawidSkene
>>> answers = pd.DataFrame({"item": [1, 1, 1], "annotator": ["a", "b", "c"], "label": [0, 0, 1]})
>>> DawidSkene().fit_predict(answers).tolist()
[0]
"""

from __future__ import annotations

from crowdlens.aggregate._base import Aggregator
from crowdlens.aggregate.boxes import fuse_boxes
from crowdlens.aggregate.dawid_skene import DawidSkene, OneCoinDawidSkene
from crowdlens.aggregate.glad import GLAD
from crowdlens.aggregate.tags import binary_to_tags, tags_to_binary
from crowdlens.aggregate.text_merge import merge_texts
from crowdlens.aggregate.vote import MajorityVote, WeightedMajorityVote

__all__ = [
    "GLAD",
    "Aggregator",
    "DawidSkene",
    "MajorityVote",
    "OneCoinDawidSkene",
    "WeightedMajorityVote",
    "binary_to_tags",
    "fuse_boxes",
    "merge_texts",
    "tags_to_binary",
]
