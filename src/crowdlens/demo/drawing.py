"""Pillow shapes for one cartoon character, seen from the front.

Every attribute value has its own entry in a table (``SHIRTS``, ``PANTS``, ``SHOES`` and the
proportion tables here; ``HAIRS``, ``HATS`` and ``ACCESSORIES`` in ``heads``), so the values a
character can take are exactly the values these modules know how to draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PIL import Image, ImageDraw

RGB = tuple[int, int, int]
Rect = tuple[float, float, float, float]

# Proportions, as fractions of the canvas height (height) or of the figure's height.
HEIGHTS = {"short": 0.50, "medium": 0.65, "tall": 0.80}
NECK_LENGTHS = {"short": 0.012, "medium": 0.05, "long": 0.10}
HEAD_SIZES = {"small": 0.12, "medium": 0.16, "large": 0.22}
BUILDS = {"thin": 0.17, "medium": 0.25, "heavy": 0.35}

WALL: RGB = (233, 236, 241)
FLOOR: RGB = (201, 193, 180)
INK: RGB = (40, 40, 46)
WHITE: RGB = (250, 250, 250)
BLACK: RGB = (24, 24, 26)


@dataclass(frozen=True)
class Look:
    """What varies between characters but is not asked about: skin and hair colour."""

    skin: RGB = (233, 190, 160)
    hair: RGB = (90, 60, 35)


SKIN_TONES: list[RGB] = [(247, 215, 190), (233, 190, 160), (204, 150, 112), (160, 108, 74)]
HAIR_COLOURS: list[RGB] = [(35, 28, 24), (100, 64, 36), (214, 178, 96), (140, 60, 30)]


@dataclass(frozen=True)
class Body:
    """Where the parts of one figure go, in pixels."""

    cx: float
    ground: float
    height: float
    head_h: float
    neck: float
    shoulder_w: float
    unit: float

    @property
    def head_w(self) -> float:
        return self.head_h * 0.8

    @property
    def top(self) -> float:
        return self.ground - self.height

    @property
    def shoulder_y(self) -> float:
        return self.top + self.head_h + self.neck

    @property
    def torso_h(self) -> float:
        return (self.height - self.head_h - self.neck) * 0.46

    @property
    def hip_y(self) -> float:
        return self.shoulder_y + self.torso_h

    @property
    def leg_h(self) -> float:
        return self.ground - self.hip_y

    @property
    def arm_w(self) -> float:
        return max(5.0, self.shoulder_w * 0.19)

    @property
    def leg_w(self) -> float:
        return self.shoulder_w * 0.42

    @property
    def leg_xs(self) -> tuple[float, float]:
        return self.cx - self.shoulder_w * 0.25, self.cx + self.shoulder_w * 0.25

    @property
    def head_box(self) -> Rect:
        half = self.head_w / 2
        return (self.cx - half, self.top, self.cx + half, self.top + self.head_h)

    def at(self, fx: float, fy: float) -> tuple[float, float]:
        """A point given as fractions of the head: (0, 0) its centre top, x in head widths."""
        return self.cx + fx * self.head_w, self.top + fy * self.head_h


def make_body(attrs: Mapping[str, str], size: tuple[int, int]) -> Body:
    """Lay out a figure for the size attributes, standing on the floor of the canvas."""
    width, height = size
    figure = height * HEIGHTS[attrs["height"]]
    return Body(
        cx=width / 2,
        ground=height * 0.94,
        height=figure,
        head_h=figure * HEAD_SIZES[attrs["head_size"]],
        neck=figure * NECK_LENGTHS[attrs["neck_length"]],
        shoulder_w=figure * BUILDS[attrs["build"]],
        unit=max(2.0, height / 64),
    )


@dataclass(frozen=True)
class Scene:
    """One drawing in progress: the canvas, the figure and its colours."""

    draw: ImageDraw.ImageDraw
    body: Body
    look: Look


# Background ---------------------------------------------------------------------------


def draw_backdrop(image: Image.Image, body: Body) -> None:
    """Wall, floor and a height chart on the left, so heights can be compared."""
    draw = ImageDraw.Draw(image)
    width, height = image.size
    draw.rectangle((0, 0, width, body.ground), fill=WALL)
    draw.rectangle((0, body.ground, width, height), fill=FLOOR)
    x = width * 0.05
    draw.line((x, body.ground, x, body.ground - height * 0.85), fill=(150, 150, 160), width=1)
    for step in range(1, 18):
        y = body.ground - height * 0.05 * step
        draw.line((x, y, x + (8 if step % 2 == 0 else 4), y), fill=(150, 150, 160), width=1)


# Shirts -------------------------------------------------------------------------------

# name -> (base colour, pattern ink, pattern kind)
SHIRTS: dict[str, tuple[RGB, RGB, str]] = {
    "red": ((214, 40, 40), (214, 40, 40), "plain"),
    "blue": ((30, 110, 220), (30, 110, 220), "plain"),
    "green": ((44, 160, 44), (44, 160, 44), "plain"),
    "yellow": ((242, 196, 44), (242, 196, 44), "plain"),
    "striped": (WHITE, (30, 30, 60), "stripes"),
    "checked": (WHITE, (30, 30, 60), "checks"),
}


def fill_shirt(draw: ImageDraw.ImageDraw, rect: Rect, shirt: str, unit: float) -> None:
    """Fill ``rect`` with the shirt's colour or pattern (stripes or checks of ``unit`` px)."""
    base, ink, kind = SHIRTS[shirt]
    x0, y0, x1, y1 = rect
    draw.rectangle(rect, fill=base)
    step = max(2, round(unit))
    for row, y in enumerate(range(round(y0), round(y1), step)):
        if kind == "stripes" and row % 2 == 1:
            draw.rectangle((x0, y, x1, min(y + step - 1, y1)), fill=ink)
        if kind == "checks":
            for col, x in enumerate(range(round(x0), round(x1), step)):
                if (row + col) % 2 == 1:
                    draw.rectangle((x, y, min(x + step - 1, x1), min(y + step - 1, y1)), fill=ink)


def draw_torso(scene: Scene, shirt: str) -> None:
    """Shirt on the torso, short sleeves, bare forearms and hands, and a belt."""
    b, draw = scene.body, scene.draw
    half = b.shoulder_w / 2
    fill_shirt(draw, (b.cx - half, b.shoulder_y, b.cx + half, b.hip_y), shirt, b.unit)
    for side in (-1, 1):
        inner = b.cx + side * half
        x0, x1 = sorted((inner, inner + side * b.arm_w))
        sleeve_end = b.shoulder_y + b.torso_h * 0.4
        draw.rectangle((x0, sleeve_end, x1, b.hip_y + b.torso_h * 0.1), fill=scene.look.skin)
        draw.ellipse((x0 - 1, b.hip_y, x1 + 1, b.hip_y + b.arm_w * 1.2), fill=scene.look.skin)
        fill_shirt(draw, (x0, b.shoulder_y, x1, sleeve_end), shirt, b.unit)
    belt = (b.cx - half, b.hip_y - b.unit * 0.7, b.cx + half, b.hip_y + b.unit * 0.7)
    draw.rectangle(belt, fill=(70, 45, 25))


# Pants --------------------------------------------------------------------------------

# name -> (colour, how much of the leg it covers; 0 for the skirt, drawn as its own shape)
PANTS: dict[str, tuple[RGB, float]] = {
    "jeans": ((70, 100, 150), 1.0),
    "dark-trousers": ((58, 60, 70), 1.0),
    "khaki": ((195, 170, 120), 1.0),
    "shorts": ((110, 125, 80), 0.4),
    "skirt": ((150, 40, 90), 0.0),
}


def draw_legs(scene: Scene, pants: str) -> None:
    """Bare legs, then trousers, shorts or a skirt over them."""
    b, draw = scene.body, scene.draw
    colour, cover = PANTS[pants]
    for x in b.leg_xs:
        draw.rectangle((x - b.leg_w / 2, b.hip_y, x + b.leg_w / 2, b.ground), fill=scene.look.skin)
    if pants == "skirt":
        draw_skirt(scene, colour)
        return
    outer = b.shoulder_w * 0.46
    draw.rectangle((b.cx - outer, b.hip_y, b.cx + outer, b.hip_y + b.leg_h * 0.15), fill=colour)
    bottom = b.hip_y + (b.leg_h - b.unit) * cover
    for x in b.leg_xs:
        draw.rectangle((x - b.leg_w / 2, b.hip_y, x + b.leg_w / 2, bottom), fill=colour)
        if pants == "jeans":
            draw.line((x, b.hip_y + b.leg_h * 0.15, x, bottom), fill=(150, 175, 215), width=1)


def draw_skirt(scene: Scene, colour: RGB) -> None:
    b = scene.body
    hem = b.hip_y + b.leg_h * 0.42
    top, bottom = b.shoulder_w * 0.46, b.shoulder_w * 0.66
    points = [
        (b.cx - top, b.hip_y),
        (b.cx + top, b.hip_y),
        (b.cx + bottom, hem),
        (b.cx - bottom, hem),
    ]
    scene.draw.polygon(points, fill=colour)


# Shoes --------------------------------------------------------------------------------


def foot_box(body: Body, x: float, side: int) -> Rect:
    """The box one shoe fills: a little wider than the leg, toes turned outwards."""
    high = max(6.0, body.height * 0.045)
    shift = side * body.leg_w * 0.15
    half = body.leg_w * 0.65
    return (x - half + shift, body.ground - high, x + half + shift, body.ground)


def _sneakers(scene: Scene, box: Rect) -> None:
    x0, y0, x1, y1 = box
    scene.draw.rounded_rectangle(box, radius=(y1 - y0) / 2, fill=WHITE, outline=(120, 120, 130))
    scene.draw.rectangle((x0, y1 - (y1 - y0) * 0.3, x1, y1), fill=(120, 120, 130))
    scene.draw.line((x0 + 2, y1 - 3, (x0 + x1) / 2, y0 + 1), fill=(220, 40, 40), width=2)


def _boots(scene: Scene, box: Rect) -> None:
    x0, y0, x1, y1 = box
    shaft = scene.body.leg_h * 0.28
    mid, half = (x0 + x1) / 2, scene.body.leg_w / 2 + 1
    scene.draw.rectangle((mid - half, min(y1 - shaft, y0), mid + half, y0), fill=(120, 72, 32))
    scene.draw.rectangle(box, fill=(120, 72, 32))
    scene.draw.rectangle((x0, y1 - 2, x1, y1), fill=(50, 30, 15))


def _sandals(scene: Scene, box: Rect) -> None:
    x0, y0, x1, y1 = box
    scene.draw.rectangle((x0, y0, x1, y1), fill=scene.look.skin)
    scene.draw.rectangle((x0, y1 - 2, x1, y1), fill=(150, 95, 45))
    for frac in (0.25, 0.6):
        y = y0 + (y1 - y0) * frac
        scene.draw.line((x0, y, x1, y), fill=(110, 60, 25), width=2)


def _dress_shoes(scene: Scene, box: Rect) -> None:
    x0, y0, x1, y1 = box
    scene.draw.rounded_rectangle(box, radius=(y1 - y0) / 2, fill=BLACK, outline=(110, 110, 120))
    glint = (x0 + (x1 - x0) * 0.55, y0 + 2, x0 + (x1 - x0) * 0.8, y0 + (y1 - y0) * 0.5)
    scene.draw.ellipse(glint, fill=(235, 235, 240))


SHOES: dict[str, Callable[[Scene, Rect], None]] = {
    "sneakers": _sneakers,
    "boots": _boots,
    "sandals": _sandals,
    "dress-shoes": _dress_shoes,
}


def draw_shoes(scene: Scene, shoes: str) -> None:
    for side, x in zip((-1, 1), scene.body.leg_xs, strict=True):
        SHOES[shoes](scene, foot_box(scene.body, x, side))
