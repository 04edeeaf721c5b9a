"""Label schemas: YAML errors that name the file and field, and answer validation per kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crowdlens.errors import AnswerInvalid, SchemaError
from crowdlens.schema import LabelSchema, TagsField, load_schema, parse_schema

FIELDS: list[dict[str, Any]] = [
    {"name": "smiling", "kind": "binary"},
    {"name": "hat", "kind": "choice", "classes": ["none", "cap"]},
    {
        "name": "objects",
        "kind": "tags",
        "groups": [
            {"name": "animal", "labels": ["cat", {"name": "dog", "definition": "a dog"}]},
            {"name": "vehicle", "labels": ["car"]},
        ],
    },
    {"name": "story", "kind": "text", "question": "What happens?", "min_words": 5},
    {"name": "pets", "kind": "boxes", "classes": ["cat", "dog"]},
]


@pytest.fixture
def schema() -> LabelSchema:
    return parse_schema({"name": "demo", "fields": FIELDS})


def test_tag_groups_are_flattened_with_definitions(schema: LabelSchema) -> None:
    tags = schema.field("objects")
    assert isinstance(tags, TagsField)
    assert tags.vocabulary == ["cat", "dog", "car"]
    assert tags.groups == {"animal": ["cat", "dog"], "vehicle": ["car"]}
    assert tags.labels[1].definition == "a dog"


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        pytest.param("smiling", "Yes", True, id="binary-yes"),
        pytest.param("smiling", 0, False, id="binary-zero"),
        pytest.param("hat", " cap ", "cap", id="choice-trimmed"),
        pytest.param("objects", ["car", "cat", "car"], ["cat", "car"], id="tags-deduped-ordered"),
        pytest.param("story", "  a tale ", "a tale", id="text-trimmed"),
        pytest.param(
            "pets",
            [{"x": 1, "y": 2, "w": 3, "h": 4, "label": "dog"}],
            [{"x": 1.0, "y": 2.0, "w": 3.0, "h": 4.0, "label": "dog"}],
            id="boxes",
        ),
    ],
)
def test_valid_answers_are_normalized(
    schema: LabelSchema, field: str, given: object, expected: object
) -> None:
    assert schema.validate_answers({field: given}, partial=True) == {field: expected}


@pytest.mark.parametrize(
    ("field", "given", "message"),
    [
        pytest.param("smiling", "perhaps", "expected true or false", id="binary-word"),
        pytest.param("smiling", 2, "expected true or false", id="binary-number"),
        pytest.param("hat", "fedora", "expected one of none, cap, got str 'fedora'", id="choice"),
        pytest.param("objects", "cat", "expected a list of labels", id="tags-not-list"),
        pytest.param("objects", ["bus"], "unknown 'bus'", id="tags-unknown"),
        pytest.param("story", 42, "expected text", id="text-number"),
        pytest.param("story", "   ", "expected a non-empty answer", id="text-blank"),
        pytest.param(
            "pets", [{"x": 1, "y": 1, "w": 0, "h": 1, "label": "cat"}], "w, h > 0", id="box-empty"
        ),
        pytest.param(
            "pets", [{"x": 1, "y": 1, "w": 2, "h": 1, "label": "cow"}], "box label", id="box-label"
        ),
    ],
)
def test_invalid_answers_say_what_was_expected(
    schema: LabelSchema, field: str, given: object, message: str
) -> None:
    with pytest.raises(AnswerInvalid, match=message) as caught:
        schema.validate_answers({field: given}, partial=True)
    assert f"field {field!r}" in str(caught.value)


def test_text_cells_parse_per_kind(schema: LabelSchema) -> None:
    assert schema.field("objects").parse_text("dog | cat") == ["cat", "dog"]
    assert (
        schema.field("pets").parse_text('[{"x":0,"y":0,"w":1,"h":1,"label":"cat"}]')[0]["label"]
        == "cat"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"name": "p", "fields": []}, "fields: List should have at least 1", id="no-fields"
        ),
        pytest.param(
            {"name": "Bad Name", "fields": FIELDS}, "name: String should match", id="bad-name"
        ),
        pytest.param({"fields": FIELDS}, "project: name: this setting is required", id="no-name"),
        pytest.param(
            {"name": "p", "fields": FIELDS, "redundnacy": 3},
            "redundnacy: unknown setting",
            id="typo",
        ),
        pytest.param(
            {"name": "p", "fields": [{"name": "a"}]}, "field 'a': missing 'kind'", id="no-kind"
        ),
        pytest.param(
            {"name": "p", "fields": [{"name": "t", "kind": "tags", "labels": ["a", "a"]}]},
            "field 't': labels: expected distinct label names, got a twice",
            id="duplicate-tags",
        ),
        pytest.param(
            {"name": "p", "fields": [{"name": "q", "kind": "text"}]},
            "field 'q': question: this setting is required",
            id="text-without-question",
        ),
        pytest.param(["a list"], "expected a mapping with name and fields", id="not-a-mapping"),
    ],
)
def test_schema_errors_name_the_source_and_field(data: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message) as caught:
        parse_schema(data, source="project.yaml")
    assert str(caught.value).startswith("project.yaml: ")


def test_missing_file_is_a_schema_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot read the file"):
        load_schema(tmp_path / "absent.yaml")
