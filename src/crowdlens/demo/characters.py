"""Procedural cartoon characters with known attributes: the demo and test dataset.

``make_characters(n, out)`` draws ``n`` characters and writes::

    out/images/char-00000.png …
    out/manifest.csv      file,external_id,gold.shirt,gold.pants,…,gold.build

Each gold column holds the value the picture was drawn from, one per choice field of the
``characters`` preset, so the manifest is gold for that project. The same seed gives the
same bytes. See docs/demo-data.md.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from pathlib import Path

from PIL import Image, ImageDraw

from crowdlens.demo import drawing, heads
from crowdlens.errors import AnswerInvalid, ConfigError

#: Every attribute a character has, with the values it can take, in manifest column order.
CHARACTER_ATTRIBUTES: dict[str, list[str]] = {
    "shirt": list(drawing.SHIRTS),
    "pants": list(drawing.PANTS),
    "hat": list(heads.HATS),
    "shoes": list(drawing.SHOES),
    "hair": list(heads.HAIRS),
    "accessory": list(heads.ACCESSORIES),
    "height": list(drawing.HEIGHTS),
    "neck_length": list(drawing.NECK_LENGTHS),
    "head_size": list(drawing.HEAD_SIZES),
    "build": list(drawing.BUILDS),
}

DEFAULT_SIZE = (256, 384)


def sample_attributes(rng: random.Random) -> dict[str, str]:
    """One character's attributes, each drawn uniformly.

    A mohawk is never put under a hat (the hat would hide it); such a draw gets another hair style.
    """
    attrs = {name: rng.choice(values) for name, values in CHARACTER_ATTRIBUTES.items()}
    if attrs["hat"] != "none" and attrs["hair"] == "mohawk":
        attrs["hair"] = rng.choice([h for h in CHARACTER_ATTRIBUTES["hair"] if h != "mohawk"])
    return attrs


def sample_look(rng: random.Random) -> drawing.Look:
    """Skin and hair colour: vary between characters, not asked about."""
    return drawing.Look(skin=rng.choice(drawing.SKIN_TONES), hair=rng.choice(drawing.HAIR_COLOURS))


def check_attributes(attrs: Mapping[str, str]) -> None:
    """Raise :class:`AnswerInvalid` unless ``attrs`` has a known value for every attribute."""
    for name, values in CHARACTER_ATTRIBUTES.items():
        value = attrs.get(name)
        if value not in values:
            raise AnswerInvalid(
                f"character attribute {name!r}: expected one of {', '.join(values)}, got {value!r}"
            )


def draw_character(
    attrs: Mapping[str, str],
    size: tuple[int, int] = DEFAULT_SIZE,
    *,
    look: drawing.Look | None = None,
) -> Image.Image:
    """Draw one character from the front, standing on the floor of a ``size`` RGB image."""
    check_attributes(attrs)
    body = drawing.make_body(attrs, size)
    image = Image.new("RGB", size, drawing.WALL)
    drawing.draw_backdrop(image, body)
    scene = drawing.Scene(ImageDraw.Draw(image), body, look or drawing.Look())
    hair_back, hair_front = heads.HAIRS[attrs["hair"]]
    hair_back(scene)
    drawing.draw_legs(scene, attrs["pants"])
    drawing.draw_shoes(scene, attrs["shoes"])
    drawing.draw_torso(scene, attrs["shirt"])
    heads.draw_neck_and_head(scene)
    hair_front(scene)
    heads.HATS[attrs["hat"]](scene)
    heads.ACCESSORIES[attrs["accessory"]](scene)
    return image


def manifest_header() -> list[str]:
    """The manifest's columns: ``file``, ``external_id``, then ``gold.<attribute>``."""
    return ["file", "external_id", *(f"gold.{name}" for name in CHARACTER_ATTRIBUTES)]


def make_characters(
    n: int,
    out: str | Path,
    *,
    seed: int = 0,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> Path:
    """Draw ``n`` characters into ``out/images`` and write ``out/manifest.csv``; return its path."""
    if n < 0:
        raise ConfigError(f"expected a number of characters >= 0, got {n}")
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    rows = [_make_one(index, out, rng, size) for index in range(n)]
    manifest = out / "manifest.csv"
    with manifest.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(manifest_header())
        writer.writerows(rows)
    return manifest


def _make_one(index: int, out: Path, rng: random.Random, size: tuple[int, int]) -> list[str]:
    attrs = sample_attributes(rng)
    look = sample_look(rng)
    external_id = f"char-{index:05d}"
    relative = f"images/{external_id}.png"
    draw_character(attrs, size, look=look).save(out / relative, format="PNG")
    return [relative, external_id, *(attrs[name] for name in CHARACTER_ATTRIBUTES)]
