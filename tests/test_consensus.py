"""Consensus written to and read from a real SQLite store."""

from __future__ import annotations

from typing import Any

import pytest

from crowdlens.consensus import aggregate_project, read_consensus
from crowdlens.errors import ConfigError
from crowdlens.schema import LabelSchema
from crowdlens.store.annotations import add_annotation, list_annotations, set_annotation_status
from crowdlens.store.annotators import get_or_create_human, get_or_create_model
from crowdlens.store.db import Database
from crowdlens.store.items import add_items
from crowdlens.store.projects import create_project, get_project
from item_rows import placeholder_item_row

ANSWERS: dict[str, list[dict[str, Any]]] = {
    "a": [
        {"round": True, "colour": "red", "parts": ["edge"], "describe": "A red ring. It is thin."},
        {"round": True, "colour": "red", "parts": ["edge", "dot"], "describe": "A thin red ring."},
        {"round": False, "colour": "blue", "parts": ["edge"], "describe": "Red ring."},
    ],
    "b": [
        {"round": False, "colour": "green", "parts": ["corner"], "describe": "A green square."},
        {"round": False, "colour": "green", "parts": ["corner"], "describe": "Green square."},
        {"round": False, "colour": "red", "parts": [], "describe": "A square."},
    ],
}


def _fill(database: Database, schema: LabelSchema) -> None:
    with database.session() as session:
        project = create_project(session, schema=schema)
        items = add_items(
            session,
            project_id=project.id,
            rows=[placeholder_item_row("a"), placeholder_item_row("b")],
        )
        people = [
            get_or_create_human(session, platform="prolific", worker_id="p1"),
            get_or_create_human(session, platform="prolific", worker_id="p2"),
        ]
        model = get_or_create_model(session, backend="openai", model="llava", prompt_version="v1")
        annotators = [*people, model]
        for item, key in zip(items, ("a", "b"), strict=True):
            for annotator, answers in zip(annotators, ANSWERS[key], strict=True):
                add_annotation(
                    session,
                    project=project,
                    item_id=item.id,
                    annotator_id=annotator.id,
                    answers=answers,
                )


def test_consensus_is_written_per_field_and_rerun_incrementally(
    sqlite_database: Database, small_schema: LabelSchema
) -> None:
    _fill(sqlite_database, small_schema)
    with sqlite_database.session() as session:
        from crowdlens.store.projects import get_project

        project = get_project(session, name="shapes")
        report = aggregate_project(session, project=project, method="mv")
        assert report.written == {"round": 2, "colour": 2, "parts": 2, "describe": 2}
    with sqlite_database.session() as session:
        project = get_project(session, name="shapes")
        table = read_consensus(session, project=project).set_index("field")
        rows = {f: table.loc[f].sort_values("item")["value"].tolist() for f in table.index.unique()}
        assert rows["colour"] == ["red", "green"]
        assert rows["round"] == [True, False]
        assert rows["parts"] == [["edge"], ["corner"]]
        assert "ring" in rows["describe"][0].lower()
        assert set(table["method"]) == {"mv"}
        again = aggregate_project(session, project=project, method="mv")
        assert again.written == {}
        assert set(again.skipped.values()) == {"unchanged since the last run"}
        changed = aggregate_project(session, project=project, method="ds")
        assert changed.written["colour"] == 2


def test_unknown_method_is_refused(sqlite_database: Database, small_schema: LabelSchema) -> None:
    with sqlite_database.session() as session:
        project = create_project(session, schema=small_schema)
        with pytest.raises(ConfigError, match="expected one of"):
            aggregate_project(session, project=project, method="vote")
        assert aggregate_project(session, project=project).skipped["round"] == "no answers yet"


def _colour_consensus(database: Database) -> tuple[dict[int, object], dict[str, int]]:
    with database.session() as session:
        project = get_project(session, name="shapes")
        report = aggregate_project(session, project=project, method="mv")
    with database.session() as session:
        table = read_consensus(session, project=get_project(session, name="shapes"))
        colour = table[table["field"] == "colour"]
        return dict(zip(colour["item"], colour["value"], strict=True)), report.written


def test_a_rejected_then_resubmitted_answer_updates_the_consensus(
    database: Database, small_schema: LabelSchema
) -> None:
    _fill(database, small_schema)
    before, _ = _colour_consensus(database)
    item_a = min(before)
    assert before[item_a] == "red"  # p1 red, p2 red, model blue
    with database.session() as session:
        project = get_project(session, name="shapes")
        second = list_annotations(session, project_id=project.id, item_id=item_a)[1]
        set_annotation_status(session, annotation_id=second.id, status="rejected", reason="check")
        add_annotation(
            session, project=project, item_id=item_a, annotator_id=second.annotator_id,
            answers={**ANSWERS["a"][1], "colour": "blue"}, attempt=2,
        )  # fmt: skip
    after, written = _colour_consensus(database)
    assert after[item_a] == "blue" and written["colour"] == 2  # same count of answers, new one
    assert _colour_consensus(database)[1] == {}  # and nothing changed since


def test_an_item_whose_answers_were_all_rejected_loses_its_consensus(
    sqlite_database: Database, small_schema: LabelSchema
) -> None:
    _fill(sqlite_database, small_schema)
    before, _ = _colour_consensus(sqlite_database)
    item_b = max(before)
    with sqlite_database.session() as session:
        project = get_project(session, name="shapes")
        for annotation in list_annotations(session, project_id=project.id, item_id=item_b):
            set_annotation_status(session, annotation_id=annotation.id, status="rejected")
    assert set(_colour_consensus(sqlite_database)[0]) == {min(before)}


def test_boxes_are_fused_with_support(sqlite_database: Database) -> None:
    schema = LabelSchema.model_validate(
        {"name": "pets", "fields": [{"name": "pets", "kind": "boxes", "classes": ["cat", "dog"]}]}
    )
    drawn = [  # two people agree on a cat; one also drew a dog nobody else saw
        [{"x": 10, "y": 10, "w": 40, "h": 40, "label": "cat"}],
        [
            {"x": 12, "y": 8, "w": 40, "h": 44, "label": "cat"},
            {"x": 70, "y": 70, "w": 20, "h": 20, "label": "dog"},
        ],
    ]
    with sqlite_database.session() as session:
        project = create_project(session, schema=schema)
        (item, empty) = add_items(
            session,
            project_id=project.id,
            rows=[placeholder_item_row("c"), placeholder_item_row("d")],
        )
        for n, boxes in enumerate(drawn):
            person = get_or_create_human(session, platform="web", worker_id=f"b{n}")
            for target, answer in ((item, boxes), (empty, [])):
                add_annotation(
                    session,
                    project=project,
                    item_id=target.id,
                    annotator_id=person.id,
                    answers={"pets": answer},
                )
    with sqlite_database.session() as session:
        project = get_project(session, name="pets")
        report = aggregate_project(session, project=project, method="mv")
        table = read_consensus(session, project=project).set_index("item")
    assert report.written == {"pets": 2}
    fused = table.loc[item.id, "value"]
    assert [(b["label"], b["support"]) for b in fused] == [("cat", 2), ("dog", 1)]
    assert fused[0]["x"] == pytest.approx(11) and fused[0]["h"] == pytest.approx(42)
    assert table.loc[item.id, "confidence"] == pytest.approx(0.75)
    assert table.loc[empty.id, "value"] == [] and table.loc[empty.id, "confidence"] == 1.0
