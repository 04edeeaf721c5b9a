from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crowdlens.aggregate.boxes import fuse_boxes, iou
from crowdlens.aggregate.text_merge import merge_texts, split_sentences
from crowdlens.errors import AnswerInvalid, ConfigError

CAPTIONS = [
    "A man in a red hat is riding a bicycle. He is smiling.",
    "The man wears a red hat while riding a bicycle! A dog runs beside him.",
    "A man with a red hat rides a bicycle.\nThere is a blue car parked behind.",
]


def test_split_sentences() -> None:
    assert split_sentences("One. Two!  Three?\nFour") == ["One.", "Two!", "Three?", "Four"]
    assert split_sentences("  ") == []


def test_text_merge_keeps_every_distinct_detail_once_ordered_by_support() -> None:
    result = merge_texts(CAPTIONS)
    texts = [s.text for s in result.sentences]
    assert sum("bicycle" in t for t in texts) == 1
    for detail in ("smiling", "dog", "blue car"):
        assert sum(detail in t for t in texts) == 1, detail
    assert result.sentences[0].support == 3
    assert "bicycle" in result.sentences[0].text
    assert result.text.startswith(result.sentences[0].text)


@pytest.mark.parametrize("texts", [[], ["", "  "]], ids=["no-answers", "blank-answers"])
def test_text_merge_of_nothing_is_empty(texts: list[str]) -> None:
    assert merge_texts(texts).text == ""


def test_text_merge_accepts_another_embedder() -> None:
    def one_hot(sentences: list[str]) -> np.ndarray:
        return np.eye(len(sentences))

    result = merge_texts(["Same. Same."], embed=one_hot)
    assert len(result.sentences) == 2


def test_text_merge_threshold_is_checked() -> None:
    with pytest.raises(ConfigError, match="expected 0 < threshold"):
        merge_texts(CAPTIONS, threshold=0)


def boxes(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "x0", "y0", "x1", "y1", "label"])


def test_iou() -> None:
    others = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], dtype=float)
    np.testing.assert_allclose(iou(np.array([0, 0, 10, 10.0]), others), [1.0, 1 / 3, 0.0])


def test_boxes_are_matched_fused_by_reliability_and_voted() -> None:
    table = boxes(
        [
            ("img", "alice", 0, 0, 10, 10, "cat"),
            ("img", "bob", 2, 0, 12, 10, "cat"),
            ("img", "model", 1, 1, 11, 11, "dog"),
            ("img", "alice", 50, 50, 60, 60, "dog"),
        ]
    )
    result = fuse_boxes(table, reliability={"alice": 3.0, "bob": 1.0, "model": 1.0})
    assert result["support"].tolist() == [3, 1]
    first = result.iloc[0]
    assert first["label"] == "cat"
    assert first["x0"] == pytest.approx((0 * 3 + 2 + 1) / 5)
    assert first["confidence"] == pytest.approx(4 / 5)
    assert set(first["annotators"]) == {"alice", "bob", "model"}


def test_one_annotator_never_supports_a_box_twice() -> None:
    table = boxes([("i", "a", 0, 0, 10, 10, "x"), ("i", "a", 1, 1, 10, 10, "x")])
    assert fuse_boxes(table)["support"].tolist() == [1, 1]


def test_min_support_drops_lonely_boxes_and_threshold_matters() -> None:
    table = boxes([("i", "a", 0, 0, 10, 10, "x"), ("i", "b", 5, 0, 15, 10, "x")])
    assert len(fuse_boxes(table, iou_threshold=0.5)) == 2
    assert len(fuse_boxes(table, iou_threshold=0.3)) == 1
    assert fuse_boxes(table, iou_threshold=0.5, min_support=2).empty


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([("i", "a", 10, 0, 5, 10, "x")], AnswerInvalid),
        ([], None),
    ],
    ids=["inverted-box", "empty-input"],
)
def test_box_input_checks(rows: list[tuple[object, ...]], error: type[Exception] | None) -> None:
    if error is None:
        assert fuse_boxes(boxes(rows)).empty
        return
    with pytest.raises(error, match="expected x1 > x0"):
        fuse_boxes(boxes(rows))
