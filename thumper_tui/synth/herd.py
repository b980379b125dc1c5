"""Individual deer with persistent looks.

Every member of a herd is a shade of one white-tailed brown; individuals differ the way real
deer do: build, a mark (patch, scar, ear notch, face blaze), antler form for bucks, spot pattern
for fawns. Nothing is colour-coded.
"""

from __future__ import annotations

import colorsys
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from thumper_tui.vocabulary.categories import DEER_CLASSES

CATEGORIES = DEER_CLASSES
MARK_KINDS = ("patch", "scar", "ear_notch", "face_blaze")


@dataclass(frozen=True)
class Mark:
    """A stable mark: ``kind``, where it sits (fractions of the body) and how big it is."""

    kind: str
    x: float
    y: float
    size: float
    side: str = "left"  # ear_notch: which ear


@dataclass(frozen=True)
class Individual:
    """One deer and everything that makes it recognisable across photos."""

    id: str
    category: str
    coat: tuple[int, int, int]
    size: float
    build: float  # body depth relative to length: 0.38 (lean) .. 0.48 (heavy)
    neck: float  # neck length factor
    marks: tuple[Mark, ...]
    antler_points: int = 0  # total points, bucks only
    antler_spread: float = 0.0
    spots_seed: int = 0  # fawns: the spot pattern
    activity: float = 1.0  # how often it visits, relative
    home_cameras: tuple[int, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["marks"] = [asdict(m) for m in self.marks]
        data["home_cameras"] = list(self.home_cameras)
        data["coat"] = list(self.coat)
        return data


def coat_colour(rng: np.random.Generator, category: str) -> tuple[int, int, int]:
    """A white-tailed deer brown: hue and saturation vary a little, value a little more."""
    hue = rng.uniform(0.065, 0.085)
    sat = rng.uniform(0.42, 0.58)
    val = rng.uniform(0.46, 0.62) + (0.04 if category == "fawn" else 0.0)
    r, g, b = colorsys.hsv_to_rgb(hue, sat, min(val, 0.7))
    return int(r * 255), int(g * 255), int(b * 255)


def _marks(rng: np.random.Generator, category: str) -> tuple[Mark, ...]:
    count = 1 if category == "fawn" else int(rng.choice([1, 1, 2]))
    kinds = rng.choice(MARK_KINDS, size=count, replace=False)
    marks = []
    for kind in kinds:
        marks.append(
            Mark(
                kind=str(kind),
                x=float(rng.uniform(-0.3, 0.3)),
                y=float(rng.uniform(-0.1, 0.12)),
                size=float(rng.uniform(0.09, 0.16)),
                side=str(rng.choice(["left", "right"])),
            )
        )
    return tuple(marks)


def make_herd(rng: np.random.Generator, count: int, cameras: int) -> list[Individual]:
    """``count`` individuals: about 30% bucks, 45% does, 25% fawns."""
    herd = []
    shares = np.array([0.3, 0.45, 0.25])
    categories = rng.choice(CATEGORIES, size=count, p=shares)
    if count >= 3:  # every herd has at least one of each
        categories[:3] = CATEGORIES
    for index, category in enumerate(categories):
        category = str(category)
        size = {
            "buck": rng.uniform(1.0, 1.15),
            "doe": rng.uniform(0.86, 0.98),
            "fawn": rng.uniform(0.52, 0.66),
        }[category]
        homes = rng.choice(cameras, size=min(cameras, int(rng.integers(1, 4))), replace=False)
        herd.append(
            Individual(
                id=f"deer-{index + 1:03d}",
                category=category,
                coat=coat_colour(rng, category),
                size=float(size),
                build=float(rng.uniform(0.38, 0.48)),
                neck=float(rng.uniform(0.9, 1.1)),
                marks=_marks(rng, category),
                antler_points=int(rng.choice([4, 6, 8, 8, 10, 12])) if category == "buck" else 0,
                antler_spread=float(rng.uniform(0.8, 1.25)) if category == "buck" else 0.0,
                spots_seed=int(rng.integers(1, 2**31)) if category == "fawn" else 0,
                activity=float(rng.lognormal(0.0, 0.5)),
                home_cameras=tuple(sorted(int(c) for c in homes)),
            )
        )
    return herd
