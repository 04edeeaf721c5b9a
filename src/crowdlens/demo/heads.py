"""Pillow shapes above the shoulders: neck, face, hair, hats, and the accessories.

Like ``drawing``, each value of ``hair``, ``hat`` and ``accessory`` is one entry of a table
(``HAIRS``, ``HATS``, ``ACCESSORIES``) naming the function that draws it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from crowdlens.demo.drawing import BLACK, INK, Body, Rect, Scene

# Head and hair ------------------------------------------------------------------------


def draw_neck_and_head(scene: Scene) -> None:
    """Neck, ears, face with eyes and a smile."""
    b, draw, skin = scene.body, scene.draw, scene.look.skin
    half = b.head_w * 0.18
    draw.rectangle((b.cx - half, b.top + b.head_h * 0.8, b.cx + half, b.shoulder_y + 1), fill=skin)
    for side in (-1, 1):
        ex, ey = b.at(side * 0.5, 0.5)
        draw.ellipse(
            (
                ex - b.head_w * 0.08,
                ey - b.head_h * 0.09,
                ex + b.head_w * 0.08,
                ey + b.head_h * 0.09,
            ),
            fill=skin,
        )
    draw.ellipse(b.head_box, fill=skin)
    eye = max(1.5, b.head_w * 0.055)
    for side in (-1, 1):
        ex, ey = b.at(side * 0.2, 0.48)
        draw.ellipse((ex - eye, ey - eye, ex + eye, ey + eye), fill=INK)
    left, top = b.at(-0.18, 0.58)
    right, bottom = b.at(0.18, 0.78)
    draw.arc((left, top, right, bottom), 20, 160, fill=INK, width=max(1, round(b.head_w / 25)))


def _grown(box: Rect, dx: float, dy: float) -> Rect:
    return (box[0] - dx, box[1] - dy, box[2] + dx, box[3] + dy)


def _nothing(scene: Scene) -> None:
    """Nothing to draw for this value (no hat, no accessory, no hair behind the head)."""


def _short_back(scene: Scene) -> None:
    b = scene.body
    box = _grown(b.head_box, b.head_w * 0.07, b.head_h * 0.06)
    scene.draw.chord(box, 180, 360, fill=scene.look.hair)


def _fringe(scene: Scene) -> None:
    """Hair over the forehead and down the temples, still visible under a hat."""
    b = scene.body
    scene.draw.chord(_grown(b.head_box, 1, 1), 195, 345, fill=scene.look.hair)
    for side in (-1, 1):
        patch = [(0.51, 0.2), (0.34, 0.2), (0.38, 0.58), (0.51, 0.58)]
        scene.draw.polygon([b.at(side * fx, fy) for fx, fy in patch], fill=scene.look.hair)


def _long_back(scene: Scene) -> None:
    b = scene.body
    x0, y0 = b.at(-0.62, -0.06)
    x1, _ = b.at(0.62, 0)
    y1 = b.shoulder_y + b.torso_h * 0.35
    scene.draw.rounded_rectangle((x0, y0, x1, y1), radius=b.head_w * 0.45, fill=scene.look.hair)


def _curls(scene: Scene, points: list[tuple[float, float]], radius: float) -> None:
    for x, y in points:
        scene.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=scene.look.hair)


def _curly_back(scene: Scene) -> None:
    b = scene.body
    cy = b.top + b.head_h / 2
    angles = [math.radians(150 + 20 * k) for k in range(13)]
    ring = [
        (b.cx + b.head_w * 0.5 * math.cos(a), cy + b.head_h * 0.5 * math.sin(a)) for a in angles
    ]
    _curls(scene, ring, b.head_w * 0.17)


def _curly_front(scene: Scene) -> None:
    b = scene.body
    row = [b.at(-0.32 + 0.16 * k, 0.12) for k in range(5)]
    _curls(scene, row, b.head_w * 0.12)


def _mohawk(scene: Scene) -> None:
    b = scene.body
    spikes = [b.at(-0.12, 0.3), b.at(-0.1, -0.3), b.at(-0.03, -0.12), b.at(0.0, -0.42)]
    spikes += [b.at(0.03, -0.12), b.at(0.1, -0.3), b.at(0.12, 0.3)]
    scene.draw.polygon(spikes, fill=scene.look.hair)


def _bald_shine(scene: Scene) -> None:
    b = scene.body
    x0, y0 = b.at(-0.28, 0.08)
    x1, y1 = b.at(-0.1, 0.18)
    scene.draw.ellipse((x0, y0, x1, y1), fill=(255, 245, 235))


# name -> (drawn before the body, drawn after the face)
HAIRS: dict[str, tuple[Callable[[Scene], None], Callable[[Scene], None]]] = {
    "bald": (_nothing, _bald_shine),
    "short": (_short_back, _fringe),
    "long": (_long_back, _fringe),
    "curly": (_curly_back, _curly_front),
    "mohawk": (_nothing, _mohawk),
}


# Hats ---------------------------------------------------------------------------------


def _box(body: Body, fx0: float, fy0: float, fx1: float, fy1: float) -> Rect:
    return (*body.at(fx0, fy0), *body.at(fx1, fy1))


def _cap(scene: Scene) -> None:
    b, colour = scene.body, (232, 116, 42)
    scene.draw.chord(_box(b, -0.55, -0.1, 0.55, 0.5), 180, 360, fill=colour)
    scene.draw.ellipse(_box(b, -0.6, 0.14, 0.6, 0.3), fill=(190, 80, 20))
    scene.draw.ellipse(_box(b, -0.05, -0.14, 0.05, -0.06), fill=(190, 80, 20))


def _beanie(scene: Scene) -> None:
    b, colour = scene.body, (34, 124, 124)
    scene.draw.chord(_box(b, -0.56, -0.14, 0.56, 0.6), 180, 360, fill=colour)
    scene.draw.rectangle(_box(b, -0.56, 0.12, 0.56, 0.3), fill=(24, 96, 96))
    scene.draw.ellipse(_box(b, -0.13, -0.3, 0.13, -0.08), fill=(240, 240, 230))


def _top_hat(scene: Scene) -> None:
    b = scene.body
    scene.draw.rectangle(_box(b, -0.38, -0.8, 0.38, 0.06), fill=BLACK)
    scene.draw.rectangle(_box(b, -0.38, -0.12, 0.38, 0.0), fill=(170, 30, 30))
    scene.draw.rectangle(_box(b, -0.66, 0.0, 0.66, 0.09), fill=BLACK)


def _cowboy_hat(scene: Scene) -> None:
    b, colour = scene.body, (140, 92, 45)
    scene.draw.rounded_rectangle(
        _box(b, -0.4, -0.5, 0.4, 0.08), radius=b.head_w * 0.15, fill=colour
    )
    scene.draw.rectangle(_box(b, -0.4, -0.08, 0.4, 0.02), fill=(90, 55, 25))
    scene.draw.chord(_box(b, -1.0, -0.12, 1.0, 0.2), 0, 180, fill=colour)
    scene.draw.polygon([b.at(-1.0, 0.04), b.at(-0.8, 0.04), b.at(-1.05, -0.1)], fill=colour)
    scene.draw.polygon([b.at(1.0, 0.04), b.at(0.8, 0.04), b.at(1.05, -0.1)], fill=colour)


HATS: dict[str, Callable[[Scene], None]] = {
    "none": _nothing,
    "cap": _cap,
    "beanie": _beanie,
    "top-hat": _top_hat,
    "cowboy-hat": _cowboy_hat,
}


# Accessories --------------------------------------------------------------------------


def _eye_boxes(body: Body, radius: float) -> list[Rect]:
    return [
        _box(body, fx - radius, 0.48 - radius, fx + radius, 0.48 + radius) for fx in (-0.2, 0.2)
    ]


def _glasses(scene: Scene) -> None:
    b = scene.body
    width = max(1, round(b.head_w / 22))
    for box in _eye_boxes(b, 0.15):
        scene.draw.ellipse(box, outline=INK, width=width)
    scene.draw.line((*b.at(-0.07, 0.46), *b.at(0.07, 0.46)), fill=INK, width=width)


def _sunglasses(scene: Scene) -> None:
    b = scene.body
    for box in _eye_boxes(b, 0.17):
        scene.draw.ellipse(box, fill=BLACK)
    scene.draw.line((*b.at(-0.1, 0.45), *b.at(0.1, 0.45)), fill=BLACK, width=2)


def _tie(scene: Scene) -> None:
    b = scene.body
    half = max(3.0, b.head_w * 0.14)
    knot = b.shoulder_y + b.torso_h * 0.1
    tip = b.shoulder_y + b.torso_h * 0.7
    points = [(b.cx - half * 0.6, b.shoulder_y), (b.cx + half * 0.6, b.shoulder_y)]
    points += [(b.cx + half * 0.35, knot), (b.cx + half, tip - half), (b.cx, tip)]
    points += [(b.cx - half, tip - half), (b.cx - half * 0.35, knot)]
    scene.draw.polygon(points, fill=(120, 40, 190), outline=(60, 20, 90))


def _bag(scene: Scene) -> None:
    b = scene.body
    right = b.cx + b.shoulder_w / 2 + b.arm_w * 1.3
    strap = (b.cx - b.shoulder_w * 0.4, b.shoulder_y, right - b.arm_w, b.hip_y - b.torso_h * 0.2)
    scene.draw.line(strap, fill=(80, 50, 25), width=max(2, round(b.unit * 0.6)))
    bag = (b.cx + b.shoulder_w * 0.3, b.hip_y - b.torso_h * 0.25, right, b.hip_y + b.torso_h * 0.2)
    scene.draw.rectangle(bag, fill=(150, 95, 45), outline=(80, 50, 25))
    scene.draw.line(
        (bag[0], bag[1] + (bag[3] - bag[1]) * 0.4, bag[2], bag[1] + (bag[3] - bag[1]) * 0.4),
        fill=(80, 50, 25),
    )


ACCESSORIES: dict[str, Callable[[Scene], None]] = {
    "none": _nothing,
    "glasses": _glasses,
    "sunglasses": _sunglasses,
    "tie": _tie,
    "bag": _bag,
}
