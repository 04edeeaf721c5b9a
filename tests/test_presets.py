"""The shipped project presets load and say what their studies need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from crowdlens.errors import AnswerInvalid, NotFound
from crowdlens.presets import list_presets, load_preset, preset_path
from crowdlens.schema import (
    BinaryField,
    BoxesField,
    ChoiceField,
    TagsField,
    TextField,
    load_schema,
    parse_schema,
)

EXPECTED_PRESETS = {"characters", "celeba40", "dense-caption", "cats-dogs-boxes", "coco80-tags"}

CELEBA_ATTRIBUTES = [
    "five_o_clock_shadow",
    "arched_eyebrows",
    "attractive",
    "bags_under_eyes",
    "bald",
    "bangs",
    "big_lips",
    "big_nose",
    "black_hair",
    "blond_hair",
    "blurry",
    "brown_hair",
    "bushy_eyebrows",
    "chubby",
    "double_chin",
    "eyeglasses",
    "goatee",
    "gray_hair",
    "heavy_makeup",
    "high_cheekbones",
    "male",
    "mouth_slightly_open",
    "mustache",
    "narrow_eyes",
    "no_beard",
    "oval_face",
    "pale_skin",
    "pointy_nose",
    "receding_hairline",
    "rosy_cheeks",
    "sideburns",
    "smiling",
    "straight_hair",
    "wavy_hair",
    "wearing_earrings",
    "wearing_hat",
    "wearing_lipstick",
    "wearing_necklace",
    "wearing_necktie",
    "young",
]

COCO_GROUP_SIZES = {
    "person": 1,
    "vehicle": 8,
    "outdoor": 5,
    "animal": 10,
    "accessory": 5,
    "sports": 10,
    "kitchen": 7,
    "food": 10,
    "furniture": 6,
    "electronic": 6,
    "appliance": 5,
    "indoor": 7,
}


def test_every_expected_preset_is_shipped() -> None:
    assert set(list_presets()) >= EXPECTED_PRESETS


@pytest.mark.parametrize("name", sorted(EXPECTED_PRESETS))
def test_preset_loads_with_its_file_name_as_project_name(name: str) -> None:
    schema = load_schema(preset_path(name))
    assert schema.name == name
    assert schema.title and schema.instructions.strip()


def test_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(NotFound, match="celeba40"):
        load_preset("celeba-41")


def test_celeba40_has_the_40_attributes_as_binary_fields_with_definitions() -> None:
    fields = load_preset("celeba40").fields
    assert [f.name for f in fields] == CELEBA_ATTRIBUTES
    for field in fields:
        assert isinstance(field, BinaryField)
        assert field.definition.strip() and "\n" not in field.definition.strip(), field.name


def test_coco80_has_80_defined_labels_in_the_12_supercategories() -> None:
    (field,) = load_preset("coco80-tags").fields
    assert isinstance(field, TagsField)
    assert len(field.vocabulary) == 80
    assert {group: len(labels) for group, labels in field.groups.items()} == COCO_GROUP_SIZES
    assert all(label.definition.strip() for label in field.labels)
    assert field.validate_answer(["traffic light", "dog"]) == ["traffic light", "dog"]


def test_dense_caption_asks_for_a_minute_of_speech_checked_by_keywords() -> None:
    schema = load_preset("dense-caption")
    (field,) = schema.fields
    assert isinstance(field, TextField)
    assert (field.spoken, field.min_words, field.min_seconds) == (True, 80, 60)
    assert schema.qc["keywords"] == {"required": 2, "of": 10}
    assert schema.qc["min_words"] == field.min_words


@pytest.mark.parametrize(
    "boxes",
    [
        pytest.param([{"x": 1, "y": 2, "w": 30, "h": 20, "label": "cat"}], id="one-cat"),
        pytest.param([], id="no-animals"),
    ],
)
def test_cats_dogs_boxes_accepts_boxes_of_its_classes(boxes: list[dict[str, object]]) -> None:
    (field,) = load_preset("cats-dogs-boxes").fields
    assert isinstance(field, BoxesField) and field.classes == ["cat", "dog"]
    assert len(field.validate_answer(boxes)) == len(boxes)


def test_cats_dogs_boxes_refuses_a_box_of_another_class() -> None:
    (field,) = load_preset("cats-dogs-boxes").fields
    with pytest.raises(AnswerInvalid, match="cat, dog"):
        field.validate_answer([{"x": 1, "y": 2, "w": 30, "h": 20, "label": "horse"}])


def test_characters_asks_three_questions_and_ten_choices() -> None:
    fields = load_preset("characters").fields
    texts = [f for f in fields if isinstance(f, TextField)]
    choices = [f for f in fields if isinstance(f, ChoiceField)]
    assert [f.name for f in texts] == ["physical", "clothing", "look"]
    assert all(f.min_words >= 15 and f.question.endswith(("?", ".")) for f in texts)
    assert len(choices) == 10 and len(fields) == 13


SCHEMA_GUIDE = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def _guide_examples() -> list[object]:
    blocks = re.findall(r"```yaml\n(.*?)```", SCHEMA_GUIDE.read_text(encoding="utf-8"), re.S)
    return [pytest.param(block, id=f"example-{i + 1}") for i, block in enumerate(blocks)]


@pytest.mark.parametrize("block", _guide_examples())
def test_every_yaml_example_in_the_schema_guide_is_valid(block: str) -> None:
    data = yaml.safe_load(block)
    parse_schema({"name": "example", **data}, source="docs/schema.md")
