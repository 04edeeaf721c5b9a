from __future__ import annotations

import pandas as pd
import pytest

from crowdlens.aggregate import MajorityVote, binary_to_tags, tags_to_binary
from crowdlens.errors import AnswerInvalid


def test_tags_become_one_binary_problem_per_tag() -> None:
    answers = pd.DataFrame(
        {
            "item": [1, 1, 1],
            "annotator": ["a", "b", "gpt"],
            "label": [["cat", "sofa"], "cat;sofa", ["cat"]],
        }
    )
    problems = tags_to_binary(answers)
    assert sorted(problems) == ["cat", "sofa"]
    assert problems["sofa"]["label"].tolist() == [True, True, False]
    consensus = {tag: MajorityVote().fit_predict(t) for tag, t in problems.items()}
    assert binary_to_tags(consensus)[1] == ["cat", "sofa"]


def test_declared_tags_add_all_no_problems() -> None:
    answers = pd.DataFrame({"item": [1], "annotator": ["a"], "label": [["cat"]]})
    problems = tags_to_binary(answers, tags=["cat", "dog"])
    assert problems["dog"]["label"].tolist() == [False]


def test_non_tag_answer_is_refused() -> None:
    answers = pd.DataFrame({"item": [1], "annotator": ["a"], "label": [3]})
    with pytest.raises(AnswerInvalid, match="expected a list of tags"):
        tags_to_binary(answers)
