"""The procedural character generator: valid gold, deterministic files, visible attributes."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from crowdlens.demo.characters import (
    CHARACTER_ATTRIBUTES,
    draw_character,
    make_characters,
    sample_attributes,
)
from crowdlens.errors import AnswerInvalid, ConfigError
from crowdlens.presets import load_preset
from crowdlens.schema import ChoiceField

BASE = {
    "shirt": "blue",
    "pants": "jeans",
    "hat": "none",
    "shoes": "sneakers",
    "hair": "short",
    "accessory": "none",
    "height": "medium",
    "neck_length": "medium",
    "head_size": "medium",
    "build": "medium",
}


def _choice_fields() -> dict[str, list[str]]:
    fields = load_preset("characters").fields
    return {f.name: f.classes for f in fields if isinstance(f, ChoiceField)}


def _read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def test_generator_attributes_are_the_presets_choice_fields_in_order() -> None:
    assert list(CHARACTER_ATTRIBUTES) == list(_choice_fields())


@pytest.mark.parametrize("attribute", list(CHARACTER_ATTRIBUTES))
def test_generator_values_equal_the_preset_classes(attribute: str) -> None:
    assert CHARACTER_ATTRIBUTES[attribute] == _choice_fields()[attribute]


def test_manifest_has_the_importers_columns_and_paths(tmp_path: Path) -> None:
    manifest = make_characters(3, tmp_path, seed=1)
    assert manifest == tmp_path / "manifest.csv"
    header = manifest.read_text(encoding="utf-8").splitlines()[0]
    assert header == "file,external_id," + ",".join(f"gold.{a}" for a in CHARACTER_ATTRIBUTES)
    rows = _read_manifest(manifest)
    assert [r["external_id"] for r in rows] == ["char-00000", "char-00001", "char-00002"]
    for row in rows:
        assert row["file"] == f"images/{row['external_id']}.png"
        with Image.open(tmp_path / row["file"]) as image:
            assert (image.format, image.mode, image.size) == ("PNG", "RGB", (256, 384))


def test_every_manifest_row_is_valid_gold_for_the_characters_schema(tmp_path: Path) -> None:
    schema = load_preset("characters")
    for row in _read_manifest(make_characters(40, tmp_path, seed=3, size=(64, 96))):
        gold = {k.removeprefix("gold."): v for k, v in row.items() if k.startswith("gold.")}
        assert schema.validate_answers(gold, partial=True) == gold


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    make_characters(4, tmp_path / "a", seed=7)
    make_characters(4, tmp_path / "b", seed=7)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) == 5 and first == second


def test_different_seeds_give_different_characters(tmp_path: Path) -> None:
    a = _read_manifest(make_characters(4, tmp_path / "a", seed=7))
    b = _read_manifest(make_characters(4, tmp_path / "b", seed=8))
    assert a != b
    assert _files(tmp_path / "a" / "images") != _files(tmp_path / "b" / "images")


def test_the_requested_size_is_used(tmp_path: Path) -> None:
    make_characters(1, tmp_path, size=(128, 192))
    with Image.open(tmp_path / "images" / "char-00000.png") as image:
        assert image.size == (128, 192)


def test_zero_characters_gives_a_header_only_manifest(tmp_path: Path) -> None:
    assert len(make_characters(0, tmp_path).read_text(encoding="utf-8").splitlines()) == 1


def test_a_negative_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a number of characters >= 0, got -1"):
        make_characters(-1, tmp_path)


def _one_value_changed() -> list[object]:
    cases: list[object] = []
    for attribute, values in CHARACTER_ATTRIBUTES.items():
        for value in values:
            if value != BASE[attribute]:
                case_id = f"{attribute}={value}-vs-{BASE[attribute]}"
                cases.append(pytest.param(attribute, value, id=case_id))
    return cases


@pytest.mark.parametrize(("attribute", "value"), _one_value_changed())
def test_changing_one_attribute_changes_the_picture(attribute: str, value: str) -> None:
    base = np.asarray(draw_character(BASE))
    changed = np.asarray(draw_character({**BASE, attribute: value}))
    differing = np.any(base != changed, axis=-1).sum()
    assert differing >= 20, f"only {differing} pixels differ"


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        pytest.param(
            {**BASE, "hat": "crown"}, "'hat': expected one of none, cap", id="unknown-hat"
        ),
        pytest.param({k: v for k, v in BASE.items() if k != "build"}, "'build'", id="no-build"),
    ],
)
def test_draw_character_refuses_unknown_attributes(attrs: dict[str, str], message: str) -> None:
    with pytest.raises(AnswerInvalid, match=message):
        draw_character(attrs)


def test_sampling_reaches_every_value_and_keeps_mohawks_out_of_hats() -> None:
    rng = random.Random(0)
    samples = [sample_attributes(rng) for _ in range(600)]
    for attribute, values in CHARACTER_ATTRIBUTES.items():
        assert {s[attribute] for s in samples} == set(values), attribute
    assert not [s for s in samples if s["hair"] == "mohawk" and s["hat"] != "none"]
