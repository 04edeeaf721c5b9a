"""Loaders for real crowd-labelled data sets, each reading the published files from a folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crowdlens.datasets._files import (
    check_dir,
    counts_to_long,
    find,
    matrix_to_long,
    read_csv,
    read_matrix,
    read_npy,
    read_text,
    read_vector,
)
from crowdlens.errors import ConfigError, NotFound

LABELME_CLASSES = (
    "highway",
    "insidecity",
    "tallbuilding",
    "street",
    "forest",
    "coast",
    "mountain",
    "opencountry",
)
CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
CIFAR_MODEL_FILES = {
    "densenet": "densenet-bc-L190-k40.csv",
    "resnet": "resnet-110.csv",
    "weak": "human_model_truth_cifar10h.csv",
}


@dataclass(frozen=True)
class CrowdDataset:
    """A crowd-labelled data set as plain tables.

    ``answers``: long table ``item, annotator, label`` (labels are class indices);
    ``gold``: true label per item (may be empty); ``classes``: class names by index;
    ``model_probas``: model name → items × classes probabilities; ``texts``: item text if any.
    """

    name: str
    answers: pd.DataFrame
    gold: pd.Series
    classes: tuple[str, ...]
    model_probas: dict[str, pd.DataFrame] = field(default_factory=dict)
    texts: pd.Series | None = None

    def votes(self) -> pd.DataFrame:
        """Items × classes count of human answers."""
        table = pd.crosstab(self.answers["item"], self.answers["label"])
        return table.reindex(columns=range(len(self.classes)), fill_value=0)


def load_labelme_amt(path: Path | str) -> CrowdDataset:
    """LabelMe-AMT (Rodrigues & Pereira 2018): 1,000 images × 59 workers, 8 scene classes."""
    root = check_dir(path, "LabelMe-AMT")
    expected = ["answers.txt", "LabelMe_Z_train.txt", "filenames_train.txt"]
    matrix = read_matrix(find(root, "answers.txt", "LabelMe-AMT", expected))
    gold = read_vector(find(root, "LabelMe_Z_train.txt", "LabelMe-AMT", expected))
    _check_rows("LabelMe-AMT", matrix.shape[0], gold.size, "LabelMe_Z_train.txt")
    names = read_text(find(root, "filenames_train.txt", "LabelMe-AMT", expected)).split()
    return CrowdDataset(
        name="labelme_amt",
        answers=matrix_to_long(matrix),
        gold=pd.Series(gold, name="gold"),
        classes=LABELME_CLASSES,
        texts=pd.Series(names, name="filename") if len(names) == gold.size else None,
    )


def load_sentiment_polarity(path: Path | str) -> CrowdDataset:
    """Sentence polarity on MTurk (Rodrigues et al. 2013): 4,999 sentences × 203 workers."""
    root = check_dir(path, "sentiment polarity")
    expected = ["answers.txt", "Sentiment_Z_train.txt", "Sentiment_text_train.txt"]
    matrix = read_matrix(find(root, "answers.txt", "sentiment polarity", expected))
    gold = read_vector(find(root, "Sentiment_Z_train.txt", "sentiment polarity", expected))
    _check_rows("sentiment polarity", matrix.shape[0], gold.size, "Sentiment_Z_train.txt")
    return CrowdDataset(
        name="sentiment_polarity",
        answers=matrix_to_long(matrix),
        gold=pd.Series(gold, name="gold"),
        classes=("negative", "positive"),
        texts=_optional_lines(root, "Sentiment_text_train.txt", gold.size),
    )


def load_snow2008(path: Path | str, task: str = "rte") -> CrowdDataset:
    """One task of Snow et al. (2008) from its ``<task>.standardized.tsv``.

    ``path`` is the Snow folder (with ``standardized/``) or the ``standardized`` folder itself.
    """
    root = check_dir(path, "Snow 2008")
    folder = root / "standardized" if (root / "standardized").is_dir() else root
    name = f"{task}.standardized.tsv"
    table = read_csv(find(folder, name, "Snow 2008", [name]), sep="\t")
    wanted = ["!amt_worker_ids", "orig_id", "response", "gold"]
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise ConfigError(f"Snow 2008 {name}: expected columns {wanted}, got {list(table.columns)}")
    answers = pd.DataFrame(
        {
            "item": table["orig_id"].astype(str),
            "annotator": table["!amt_worker_ids"].astype(str),
            "label": table["response"],
        }
    )
    gold = table.groupby(table["orig_id"].astype(str), sort=False)["gold"].first()
    labels = sorted(set(answers["label"].tolist()) | set(gold.tolist()))
    return CrowdDataset(
        name=f"snow2008_{task}",
        answers=answers,
        gold=gold.rename("gold"),
        classes=tuple(str(v) for v in labels),
    )


def load_dawid_skene_1979(path: Path | str) -> CrowdDataset:
    """Dawid & Skene (1979) Table 1: 45 patients × 5 anaesthetists (observer 1 thrice); no gold."""
    root = check_dir(path, "Dawid-Skene 1979")
    name = "anaesthesia_ratings.csv"
    table = read_csv(find(root, name, "Dawid-Skene 1979", [name]))
    wanted = ["patient", "observer", "rating"]
    if any(c not in table.columns for c in wanted):
        raise ConfigError(f"{name}: expected columns {wanted}, got {list(table.columns)}")
    answers = table.rename(columns={"patient": "item", "observer": "annotator", "rating": "label"})
    return CrowdDataset(
        name="dawid_skene_1979",
        answers=answers[["item", "annotator", "label"]].reset_index(drop=True),
        gold=pd.Series(dtype=np.int64, name="gold"),
        classes=("1", "2", "3", "4"),
    )


def load_cifar10h(path: Path | str) -> CrowdDataset:
    """CIFAR-10H human vote counts, with CNN probabilities and true labels when present.

    ``path`` is either the Kerrigan et al. folder (``densenet-bc-L190-k40.csv``, ``resnet-110.csv``,
    ``human_model_truth_cifar10h.csv``: counts, model softmax and truth) or the plain CIFAR-10H
    folder (``cifar10h-counts.npy``: counts only, no gold). Count data has no annotator ids.
    """
    root = check_dir(path, "CIFAR-10H")
    present = {k: v for k, v in CIFAR_MODEL_FILES.items() if _exists(root, v)}
    if present:
        return _cifar_from_model_files(root, present)
    expected = ["cifar10h-counts.npy", *CIFAR_MODEL_FILES.values()]
    counts = read_npy(find(root, "cifar10h-counts.npy", "CIFAR-10H", expected))
    return _cifar(counts, pd.Series(dtype=np.int64, name="gold"), {})


def _cifar_from_model_files(root: Path, files: dict[str, str]) -> CrowdDataset:
    probas: dict[str, pd.DataFrame] = {}
    counts, truth = np.zeros(0), np.zeros(0)
    for model, name in files.items():
        values = read_csv(find(root, name, "CIFAR-10H", [name]), header=None).to_numpy(float)
        if model == "weak":
            counts, probs, truth = values[:, :10], values[:, 10:20], values[:, 20] - 1
        else:
            truth, counts, probs = values[:, 0], values[:, 1:11], values[:, 11:21]
        probas[model] = pd.DataFrame(probs, columns=range(10))
    gold = pd.Series(truth.astype(np.int64), name="gold")
    return _cifar(counts.astype(np.int64), gold, probas)


def _cifar(counts: np.ndarray, gold: pd.Series, probas: dict[str, pd.DataFrame]) -> CrowdDataset:
    if counts.ndim != 2 or counts.shape[1] != len(CIFAR10_CLASSES):
        raise ConfigError(f"CIFAR-10H counts: expected an (n, 10) array, got shape {counts.shape}")
    return CrowdDataset(
        name="cifar10h",
        answers=counts_to_long(counts),
        gold=gold,
        classes=CIFAR10_CLASSES,
        model_probas=probas,
    )


def _exists(root: Path, name: str) -> bool:
    return (root / name).is_file() or (root / f"{name}.gz").is_file()


def _optional_lines(root: Path, name: str, n: int) -> pd.Series | None:
    try:
        lines = read_text(find(root, name, "", [name])).splitlines()
    except NotFound:
        return None
    return pd.Series(lines, name="text") if len(lines) == n else None


def _check_rows(dataset: str, n_rows: int, n_gold: int, gold_file: str) -> None:
    if n_rows != n_gold:
        raise ConfigError(
            f"{dataset}: expected {gold_file} to have one label per answer row ({n_rows}), "
            f"got {n_gold}"
        )
