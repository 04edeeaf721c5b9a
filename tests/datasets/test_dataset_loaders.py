"""Loaders read tiny files the tests write in each data set's published format."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pytest

from crowdlens.datasets import (
    load_cifar10h,
    load_dawid_skene_1979,
    load_labelme_amt,
    load_sentiment_polarity,
    load_snow2008,
)
from crowdlens.errors import ConfigError, NotFound


def write(path: Path, text: str, gz: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path.with_name(path.name + ".gz"), "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
def test_labelme_answer_matrix_becomes_long_table(tmp_path: Path, gz: bool) -> None:
    write(tmp_path / "answers.txt", "-1 3 1\n2 -1 -1\n", gz=gz)
    write(tmp_path / "LabelMe_Z_train.txt", "3\n2\n")
    write(tmp_path / "filenames_train.txt", "street_a.jpg\nforest_b.jpg\n")
    ds = load_labelme_amt(tmp_path)
    assert ds.answers.values.tolist() == [[0, 1, 3], [0, 2, 1], [1, 0, 2]]
    assert ds.gold.tolist() == [3, 2]
    assert ds.classes[3] == "street"
    assert ds.texts is not None and ds.texts[1] == "forest_b.jpg"
    assert ds.votes().loc[0, 3] == 1


def test_labelme_gold_length_mismatch_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "answers.txt", "-1 3\n2 -1\n")
    write(tmp_path / "LabelMe_Z_train.txt", "3\n")
    write(tmp_path / "filenames_train.txt", "a\n")
    with pytest.raises(ConfigError, match=r"expected LabelMe_Z_train\.txt"):
        load_labelme_amt(tmp_path)


def test_sentiment_reads_answers_gold_and_text(tmp_path: Path) -> None:
    write(tmp_path / "answers.txt", "1 -1 0\n-1 0 0\n", gz=True)
    write(tmp_path / "Sentiment_Z_train.txt", "1\n0\n")
    write(tmp_path / "Sentiment_text_train.txt", "a fine film\na dull film\n", gz=True)
    ds = load_sentiment_polarity(tmp_path)
    assert len(ds.answers) == 4
    assert ds.texts is not None and ds.texts[1] == "a dull film"


SNOW = (
    "!amt_annotation_ids\t!amt_worker_ids\torig_id\tresponse\tgold\n"
    "x1\tA1\t266\t1\t1\n"
    "x2\tA2\t266\t0\t1\n"
    "x3\tA1\t7\t0\t0\n"
)


@pytest.mark.parametrize(
    ("layout", "gz"),
    [("root", True), ("standardized", False)],
    ids=["snow-folder-gzipped", "standardized-folder-plain"],
)
def test_snow_standardized_tsv(tmp_path: Path, layout: str, gz: bool) -> None:
    write(tmp_path / "standardized" / "rte.standardized.tsv", SNOW, gz=gz)
    path = tmp_path if layout == "root" else tmp_path / "standardized"
    ds = load_snow2008(path, "rte")
    assert ds.answers["annotator"].tolist() == ["A1", "A2", "A1"]
    assert ds.gold.to_dict() == {"266": 1, "7": 0}
    assert ds.name == "snow2008_rte"


def test_snow_missing_columns_are_named(tmp_path: Path) -> None:
    write(tmp_path / "temp.standardized.tsv", "a\tb\n1\t2\n")
    with pytest.raises(ConfigError, match="expected columns"):
        load_snow2008(tmp_path, "temp")


def test_dawid_skene_table(tmp_path: Path) -> None:
    table = "patient,observer,repeat,rating\n1,1,1,1\n1,1,2,2\n"
    write(tmp_path / "anaesthesia_ratings.csv", table)
    ds = load_dawid_skene_1979(tmp_path)
    assert ds.answers.values.tolist() == [[1, 1, 1], [1, 1, 2]]
    assert ds.gold.empty


def _cifar_rows(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 3, size=(n, 10))
    probs = rng.dirichlet(np.ones(10), size=n)
    truth = rng.integers(0, 10, n)
    return counts, probs, truth


def test_cifar10h_with_model_probabilities(tmp_path: Path) -> None:
    counts, probs, truth = _cifar_rows(4)
    dense = np.column_stack([truth, counts, probs])
    weak = np.column_stack([counts, probs, truth + 1])
    np.savetxt(tmp_path / "densenet-bc-L190-k40.csv", dense, delimiter=",")
    np.savetxt(tmp_path / "human_model_truth_cifar10h.csv", weak, delimiter=",")
    ds = load_cifar10h(tmp_path)
    assert sorted(ds.model_probas) == ["densenet", "weak"]
    assert ds.gold.tolist() == truth.tolist()
    np.testing.assert_allclose(ds.model_probas["weak"].to_numpy(), probs)
    np.testing.assert_array_equal(ds.votes().to_numpy(), counts[counts.sum(axis=1) > 0])
    assert ds.answers["annotator"].nunique() == counts.sum()


def test_cifar10h_counts_only(tmp_path: Path) -> None:
    counts, _, _ = _cifar_rows(3)
    buffer = io.BytesIO()
    np.save(buffer, counts)
    (tmp_path / "cifar10h-counts.npy.gz").write_bytes(gzip.compress(buffer.getvalue()))
    ds = load_cifar10h(tmp_path)
    assert len(ds.answers) == counts.sum()
    assert ds.gold.empty and not ds.model_probas


@pytest.mark.parametrize(
    ("loader", "expected"),
    [
        (load_labelme_amt, "answers.txt"),
        (load_sentiment_polarity, "answers.txt"),
        (load_snow2008, "rte.standardized.tsv"),
        (load_dawid_skene_1979, "anaesthesia_ratings.csv"),
        (load_cifar10h, "cifar10h-counts.npy"),
    ],
    ids=["labelme", "sentiment", "snow", "dawid-skene", "cifar10h"],
)
def test_missing_files_name_path_and_expected_files(
    tmp_path: Path, loader: object, expected: str
) -> None:
    with pytest.raises(NotFound, match=expected) as info:
        loader(tmp_path)  # type: ignore[operator]
    assert str(tmp_path) in str(info.value)


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="expected a folder"):
        load_labelme_amt(tmp_path / "nope")
