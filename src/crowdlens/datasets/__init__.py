"""Readers for real crowd-labelled data sets, from a folder holding their published files.

Each returns a :class:`CrowdDataset` of plain pandas tables; a missing file raises
:class:`crowdlens.errors.NotFound` naming the folder and the files expected there.
"""

from __future__ import annotations

from crowdlens.datasets.loaders import (
    CIFAR10_CLASSES,
    LABELME_CLASSES,
    CrowdDataset,
    load_cifar10h,
    load_dawid_skene_1979,
    load_labelme_amt,
    load_sentiment_polarity,
    load_snow2008,
)

__all__ = [
    "CIFAR10_CLASSES",
    "LABELME_CLASSES",
    "CrowdDataset",
    "load_cifar10h",
    "load_dawid_skene_1979",
    "load_labelme_amt",
    "load_sentiment_polarity",
    "load_snow2008",
]
