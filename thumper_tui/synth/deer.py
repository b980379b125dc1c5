"""A white-tailed deer drawn from its :class:`~thumper_tui.synth.herd.Individual` and a pose."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from thumper_tui.synth.herd import Individual
from thumper_tui.synth.sprite import Colour, Pen, Point, Sprite, mix, shade

WHITE: Colour = (236, 232, 222)
DARK: Colour = (32, 26, 22)
ANTLER: Colour = (196, 180, 146)


@dataclass(frozen=True)
class Pose:
    """How the animal stands in one frame."""

    facing_left: bool
    head: str  # "up", "level" or "down" (grazing)
    stride: float  # -1 .. 1, the walking phase
    tail_up: bool = False


def _head_centre(pose: Pose, deer: Individual) -> Point:
    n = deer.neck
    if pose.head == "up":
        return (0.6, -0.6 * n)
    if pose.head == "level":
        return (0.72, -0.38 * n)
    return (0.72, 0.42)


def _legs(pen: Pen, b: float, stride: float, colour: Colour, ground: float) -> None:
    hoof = DARK
    far = shade(colour, 0.8)
    swing = 0.07 * stride
    # Far legs first so the near ones overlap them.
    for x, phase, col in ((0.36, -1, far), (-0.28, 1, far), (0.3, 1, colour), (-0.36, -1, colour)):
        s = swing * phase
        top = (x, b * 0.25)
        if x > 0:  # foreleg: nearly straight, knee halfway
            knee = (x + s * 0.5, b * 0.5 + (ground - b * 0.5) * 0.45)
            foot = (x + s, ground)
            widths = [0.1, 0.045, 0.035]
        else:  # hind leg: thigh forward, hock back
            knee = (x + 0.05 + s * 0.4, b * 0.5 + (ground - b * 0.5) * 0.3)
            hock = (x - 0.06 + s * 0.6, b * 0.5 + (ground - b * 0.5) * 0.6)
            foot = (x - 0.03 + s, ground)
            pen.limb([top, knee, hock, foot], [0.16, 0.08, 0.045, 0.035], col)
            pen.ellipse((foot[0] + 0.01, foot[1] - 0.01), 0.025, 0.018, hoof)
            continue
        pen.limb([top, knee, foot], widths, col)
        pen.ellipse((foot[0] + 0.01, foot[1] - 0.01), 0.025, 0.018, hoof)


def _antlers(pen: Pen, head: Point, deer: Individual, rng: np.random.Generator) -> None:
    spread = deer.antler_spread
    per_side = max(2, deer.antler_points // 2)
    # Main beam: up and back from the skull, then sweeping forward over the face.
    shape = [(0.0, 0.0), (-0.05, -0.08), (-0.03, -0.15), (0.04, -0.2), (0.13, -0.21), (0.2, -0.17)]
    for side, col in ((0, shade(ANTLER, 0.82)), (1, ANTLER)):
        lift = 0.012 * side
        base = (head[0] - 0.02 + 0.02 * side, head[1] - 0.07)
        beam = [
            (base[0] + x * spread, base[1] + y * spread - lift * (i > 0))
            for i, (x, y) in enumerate(shape)
        ]
        pen.line(beam, 0.03, col)
        pen.line([beam[0], (beam[0][0] + 0.04, beam[0][1] - 0.06)], 0.02, col)  # brow tine
        # Tines rise from the beam, tallest in the middle.
        for k in range(per_side - 1):
            t = (k + 1) / per_side
            index = 2 + t * (len(beam) - 3)
            i0 = int(index)
            frac = index - i0
            x = beam[i0][0] + (beam[min(i0 + 1, len(beam) - 1)][0] - beam[i0][0]) * frac
            y = beam[i0][1] + (beam[min(i0 + 1, len(beam) - 1)][1] - beam[i0][1]) * frac
            height = (0.07 + 0.08 * math.sin(math.pi * t)) * spread
            pen.line([(x, y), (x + 0.015, y - height)], 0.021, col)


def _spots(pen: Pen, b: float, deer: Individual) -> None:
    rng = np.random.default_rng(deer.spots_seed)
    for _ in range(26):
        x = rng.uniform(-0.42, 0.32)
        y = rng.uniform(-b * 0.42, b * 0.05)
        if (x / 0.5) ** 2 + (y / (b / 2)) ** 2 > 0.8:
            continue
        r = rng.uniform(0.012, 0.02)
        pen.ellipse((x, y), r, r * 0.8, WHITE)


def _body_marks(pen: Pen, b: float, deer: Individual) -> None:
    for mark in deer.marks:
        cx, cy = mark.x, mark.y * b
        if mark.kind == "patch":
            pen.ellipse((cx, cy), mark.size * 0.7, mark.size * 0.42, shade(deer.coat, 0.62))
        elif mark.kind == "scar":
            pen.line(
                [(cx - mark.size * 0.6, cy - 0.02), (cx + mark.size * 0.6, cy + 0.04)],
                0.012,
                mix(deer.coat, WHITE, 0.65),
            )


def draw_deer(deer: Individual, pose: Pose, length_px: float, rng: np.random.Generator) -> Sprite:
    """Draw ``deer`` in ``pose`` with a body ``length_px`` pixels long."""
    b = deer.build
    ground = b * 0.5 + 0.58
    pen = Pen(length_px, (1.75, 2.25), (0.8, 1.3))
    coat = deer.coat
    dark_back = shade(coat, 0.86)
    belly = mix(coat, WHITE, 0.35)
    head = _head_centre(pose, deer)

    _legs(pen, b, pose.stride, coat, ground)
    # Tail: white underside shows when it is raised.
    if pose.tail_up:
        pen.polygon(
            [(-0.47, -b * 0.3), (-0.6, -b * 0.9), (-0.52, -b * 0.95), (-0.42, -b * 0.35)], WHITE
        )
    else:
        pen.polygon(
            [(-0.48, -b * 0.32), (-0.6, -b * 0.05), (-0.54, 0.0), (-0.45, -b * 0.2)],
            shade(coat, 0.7),
        )
    # Body: barrel, chest and rump, a darker back and a pale belly.
    pen.ellipse((0.0, 0.0), 0.46, b / 2, coat)
    pen.ellipse((0.28, -0.01), 0.22, b * 0.53, coat)
    pen.ellipse((-0.32, -0.03), 0.2, b * 0.5, coat)
    pen.ellipse((0.0, -b * 0.32), 0.42, b * 0.16, dark_back)
    pen.ellipse((0.02, b * 0.33), 0.34, b * 0.15, belly)
    pen.ellipse((-0.47, -b * 0.12), 0.035, b * 0.2, mix(coat, WHITE, 0.4))  # rump patch
    if deer.category == "fawn":
        _spots(pen, b, deer)
    _body_marks(pen, b, deer)
    # Neck from the shoulders to the head.
    pen.polygon(
        [
            (0.18, -b * 0.42),
            (0.46, -b * 0.05),
            (head[0] + 0.05, head[1] + 0.06),
            (head[0] - 0.07, head[1] - 0.03),
        ],
        coat,
    )
    pen.ellipse((head[0] + 0.0, head[1] + 0.1), 0.05, 0.035, WHITE)  # throat patch
    # Ears, far one first; a notch is cut from the marked ear.
    notch = next((m for m in deer.marks if m.kind == "ear_notch"), None)
    for index, dx in enumerate((0.035, -0.035)):
        base = (head[0] - 0.03 + dx, head[1] - 0.05)
        tip = (base[0] - 0.1 - 0.03 * index, base[1] - 0.13 + 0.02 * index)
        ear = [
            (base[0] + 0.025, base[1]),
            (base[0] - 0.06, base[1] - 0.015),
            (tip[0] - 0.01, tip[1] + 0.02),
            tip,
            (base[0] + 0.02, base[1] - 0.09),
        ]
        pen.polygon(ear, shade(coat, 0.82 if index == 0 else 1.0))
        pen.polygon(
            [
                (base[0] - 0.01, base[1] - 0.02),
                (tip[0] + 0.02, tip[1] + 0.025),
                (base[0] + 0.005, base[1] - 0.075),
            ],
            mix(coat, WHITE, 0.45),
        )
        if notch is not None and (index == 1) == (notch.side == "left"):
            mid = ((base[0] + tip[0]) / 2, (base[1] + tip[1]) / 2)
            pen.polygon(
                [
                    (mid[0] - 0.06, mid[1] - 0.01),
                    (mid[0] - 0.01, mid[1] + 0.012),
                    (mid[0] - 0.04, mid[1] + 0.05),
                ],
                (0, 0, 0, 0),
            )
    # Head: skull, tapering snout, nose, eye with its pale ring, muzzle band.
    pen.ellipse(head, 0.09, 0.075, coat)
    snout = [
        (head[0] + 0.02, head[1] - 0.06),
        (head[0] + 0.17, head[1] + 0.01),
        (head[0] + 0.17, head[1] + 0.05),
        (head[0] + 0.02, head[1] + 0.07),
    ]
    pen.polygon(snout, coat)
    pen.ellipse((head[0] + 0.135, head[1] + 0.045), 0.025, 0.02, mix(coat, WHITE, 0.7))
    pen.ellipse((head[0] + 0.165, head[1] + 0.025), 0.022, 0.02, DARK)
    eye = (head[0] + 0.02, head[1] - 0.02)
    pen.ellipse(eye, 0.022, 0.018, mix(coat, WHITE, 0.6))
    pen.ellipse(eye, 0.013, 0.012, DARK)
    if any(m.kind == "face_blaze" for m in deer.marks):
        pen.polygon(
            [
                (head[0] - 0.03, head[1] - 0.065),
                (head[0] + 0.12, head[1] - 0.01),
                (head[0] + 0.11, head[1] + 0.01),
                (head[0] - 0.02, head[1] - 0.04),
            ],
            mix(coat, WHITE, 0.75),
        )
    if deer.category == "buck":
        _antlers(pen, head, deer, rng)
    return pen.finish(foot=(0.0, ground), eye=eye, mirror=pose.facing_left)
