"""Importing another model's predictions (JSONL and CSV) as a model annotator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from conftest import Project
from crowdlens.annotators.predictions import parse_rows
from crowdlens.annotators.run import annotate_project
from crowdlens.errors import ConfigError
from crowdlens.store.tables import Annotation, Annotator


def run(project: Project, path: Path, **kwargs: Any) -> Any:
    config = {"backend": "predictions", "path": str(path), **kwargs.pop("config", {})}
    return annotate_project(
        project.database, project.media, project=project.name, annotator_config=config, **kwargs
    )


def stored(project: Project) -> dict[int, Annotation]:
    with project.database.session() as session:
        return {a.item_id: a for a in session.scalars(select(Annotation))}


def test_jsonl_by_file_name_with_labels_and_probabilities(
    colour_project: Project, tmp_path: Path
) -> None:
    rows = [
        {"item": "000-red.png", "field": "colour", "label": "red", "confidence": 0.9},
        {"item": "000-red.png", "field": "tones", "label": ["red"]},
        {"item": "001-green", "field": "colour", "probs": {"green": 0.7, "blue": 0.3}},
        {"item": "001-green", "field": "is_red", "label": "no"},
        {"item": "nothing-like-this.png", "field": "colour", "label": "red"},
    ]
    path = tmp_path / "gpt4o.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    report = run(colour_project, path)
    got = stored(colour_project)
    assert set(got) == {1, 2}
    assert got[1].answers == {"colour": "red", "tones": ["red"]}
    assert got[1].confidence == {"colour": 0.9}
    assert got[2].answers == {"colour": "green", "is_red": False}
    assert got[2].confidence == {"colour": 0.7}
    assert report.progress.done == 2 and report.progress.abstained == 2
    with colour_project.database.session() as session:
        (annotator,) = session.scalars(select(Annotator))
    assert (annotator.backend, annotator.model) == ("predictions", "gpt4o")
    assert annotator.prompt_version.startswith("file-")


def test_csv_by_item_id_with_probability_columns(colour_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "detector.csv"
    path.write_text(
        "item,field,label,prob.red,prob.green,prob.blue\n"
        "3,colour,,0.1,0.2,0.7\n"
        "4,tones,red|green,,,\n"
        "4,colour,red,,,\n",
        encoding="utf-8",
    )
    run(colour_project, path)
    got = stored(colour_project)
    assert got[3].answers == {"colour": "blue"} and got[3].confidence == {"colour": 0.7}
    assert got[4].answers == {"colour": "red", "tones": ["red", "green"]}


def test_a_label_outside_the_schema_fails_its_item_only(
    colour_project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"item": "1", "field": "colour", "label": "purple"}\n'
        '{"item": "2", "field": "colour", "label": "green"}\n',
        encoding="utf-8",
    )
    report = run(colour_project, path)
    got = stored(colour_project)
    assert got[1].status == "failed" and "line 1" in got[1].qc[0]["reason"]
    assert "expected one of red, green, blue" in got[1].qc[0]["reason"]
    assert got[2].answers == {"colour": "green"}
    assert report.progress.failed == 1 and report.progress.done == 1


def test_min_confidence_drops_unsure_predictions(colour_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"item": "1", "field": "colour", "label": "red", "confidence": 0.4}\n'
        '{"item": "2", "field": "colour", "label": "green", "confidence": 0.8}\n',
        encoding="utf-8",
    )
    run(colour_project, path, config={"min_confidence": 0.5})
    assert set(stored(colour_project)) == {2}


def test_reimporting_the_same_file_adds_nothing(colour_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"item": "1", "field": "colour", "label": "red"}\n', encoding="utf-8")
    run(colour_project, path)
    again = run(colour_project, path)
    assert again.progress.done == 0 and len(stored(colour_project)) == 1


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("{not json\n", ".jsonl", "line 1: expected a JSON object, got invalid JSON"),
        ("[1, 2]\n", ".jsonl", "line 1: expected a JSON object, got list"),
        ('{"item": "1"}\n', ".jsonl", "expected 'item' and 'field'"),
        ('{"item": "1", "field": "colour"}\n', ".jsonl", "expected a 'label' or class"),
        ("item,field,prob.red\n1,colour,high\n", ".csv", "line 2: expected numbers"),
        ("", ".txt", "expected a predictions file ending in .jsonl or .csv"),
    ],
    ids=["bad-json", "not-object", "no-field", "no-label", "bad-probability", "wrong-suffix"],
)
def test_unreadable_rows_name_their_line(text: str, suffix: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rows(text.encode(), suffix)


def test_a_missing_file_is_explained(colour_project: Project, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a predictions file at"):
        run(colour_project, tmp_path / "absent.jsonl")
