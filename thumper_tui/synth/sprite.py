"""Drawing helpers shared by the animals: a pen in body-length units, supersampled sprites."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]
Point = tuple[float, float]
SUPERSAMPLE = 2


@dataclass(frozen=True)
class Sprite:
    """An animal drawn on a transparent canvas.

    ``foot`` is the canvas point that stands on the ground, ``eye`` where eyeshine goes at night.
    """

    image: Image.Image
    foot: Point
    eye: Point


def shade(colour: Colour, factor: float) -> Colour:
    """``colour`` darker (factor < 1) or lighter (factor > 1), clamped."""
    return (
        max(0, min(255, int(colour[0] * factor))),
        max(0, min(255, int(colour[1] * factor))),
        max(0, min(255, int(colour[2] * factor))),
    )


def mix(a: Colour, b: Colour, t: float) -> Colour:
    """Linear blend from ``a`` (t=0) to ``b`` (t=1)."""
    return (
        int(a[0] + (b[0] - a[0]) * t),
        int(a[1] + (b[1] - a[1]) * t),
        int(a[2] + (b[2] - a[2]) * t),
    )


class Pen:
    """Draws in body-length units with the body centre at ``origin`` and y pointing down."""

    def __init__(self, length_px: float, size: tuple[float, float], origin: Point) -> None:
        self.scale = length_px * SUPERSAMPLE
        width = max(4, int(size[0] * self.scale))
        height = max(4, int(size[1] * self.scale))
        self.image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)
        self.origin = (origin[0] * self.scale, origin[1] * self.scale)

    def px(self, p: Point) -> tuple[float, float]:
        return (self.origin[0] + p[0] * self.scale, self.origin[1] + p[1] * self.scale)

    def ellipse(self, centre: Point, rx: float, ry: float, fill: Colour | tuple[int, ...]) -> None:
        cx, cy = self.px(centre)
        self.draw.ellipse(
            (
                cx - rx * self.scale,
                cy - ry * self.scale,
                cx + rx * self.scale,
                cy + ry * self.scale,
            ),
            fill=fill,
        )

    def polygon(self, points: Sequence[Point], fill: Colour | tuple[int, ...]) -> None:
        self.draw.polygon([self.px(p) for p in points], fill=fill)

    def line(self, points: Sequence[Point], width: float, fill: Colour) -> None:
        self.draw.line(
            [self.px(p) for p in points],
            width=max(1, int(width * self.scale)),
            fill=fill,
            joint="curve",
        )

    def limb(self, joints: Sequence[Point], widths: Sequence[float], fill: Colour) -> None:
        """A tapered limb through ``joints`` with a width at each joint."""
        left: list[Point] = []
        right: list[Point] = []
        for i, (x, y) in enumerate(joints):
            a = joints[max(i - 1, 0)]
            b = joints[min(i + 1, len(joints) - 1)]
            dx, dy = b[0] - a[0], b[1] - a[1]
            norm = math.hypot(dx, dy) or 1.0
            nx, ny = -dy / norm, dx / norm
            half = widths[i] / 2
            left.append((x + nx * half, y + ny * half))
            right.append((x - nx * half, y - ny * half))
        self.polygon(left + right[::-1], fill)
        for (x, y), w in zip(joints, widths, strict=True):
            self.ellipse((x, y), w / 2, w / 2, fill)

    def finish(self, foot: Point, eye: Point, mirror: bool, blur: float = 0.5) -> Sprite:
        """Downsample to the final size (antialiasing), soften like a lens, mirror if asked."""
        image = self.image
        width, height = image.size
        image = image.resize(
            (max(1, width // SUPERSAMPLE), max(1, height // SUPERSAMPLE)), Image.Resampling.BOX
        )
        if blur > 0:
            image = image.filter(ImageFilter.GaussianBlur(blur))
        fx, fy = self.px(foot)
        ex, ey = self.px(eye)
        fx, fy, ex, ey = (v / SUPERSAMPLE for v in (fx, fy, ex, ey))
        if mirror:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            fx = image.width - fx
            ex = image.width - ex
        return Sprite(image, (fx, fy), (ex, ey))
