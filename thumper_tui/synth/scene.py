"""Each camera's persistent scene: sky, treeline, ground, a trail or feeder, trees, grass.

A scene is fully determined by its :class:`SceneSpec`, so every frame of a camera shows the
same place; only light, animals and noise change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from thumper_tui.synth.sprite import Colour, mix, shade

CAMERA_NAMES = (
    "Sanctuary2",
    "Hayfield",
    "CreekBottom",
    "Feeder1",
    "NorthRidge",
    "OakFlat",
    "PondEdge",
    "CedarBreak",
)
MAKES = (
    ("Browning", "BTC-8E"),
    ("Reconyx", "HC600"),
    ("Bushnell", "Core DS-4K"),
    ("Stealth Cam", "G45NG"),
    ("Spypoint", "Flex"),
    ("Moultrie", "Edge 2"),
)


@dataclass(frozen=True)
class SceneSpec:
    """What a camera sees: everything needed to redraw its background identically."""

    name: str
    seed: int
    horizon: float  # fraction of the height
    sky_top: Colour
    sky_bottom: Colour
    ground_far: Colour
    ground_near: Colour
    prop: str  # "trail", "feeder" or "log"
    trees: int
    make: str
    model: str
    filename_style: str  # "dated" (Name_YYYYMMDD_HHMMSS_NNN.jpg) or "counter" (NAME_00001.jpg)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def make_scene(rng: np.random.Generator, index: int) -> SceneSpec:
    """A scene for camera number ``index``."""
    name = CAMERA_NAMES[index % len(CAMERA_NAMES)]
    if index >= len(CAMERA_NAMES):
        name += str(index // len(CAMERA_NAMES) + 1)
    grass = mix((104, 112, 62), (150, 136, 84), float(rng.uniform(0, 1)))
    make, model = MAKES[index % len(MAKES)]
    return SceneSpec(
        name=name,
        seed=int(rng.integers(1, 2**31)),
        horizon=float(rng.uniform(0.3, 0.44)),
        sky_top=mix((120, 160, 205), (170, 190, 210), float(rng.uniform(0, 1))),
        sky_bottom=(214, 222, 226),
        ground_far=mix(grass, (170, 170, 160), 0.35),
        ground_near=shade(grass, 0.8),
        prop=("trail", "feeder", "log")[index % 3],
        trees=int(rng.integers(1, 4)),
        make=make,
        model=model,
        filename_style="dated" if index % 2 == 0 else "counter",
    )


def _smooth_noise(
    rng: np.random.Generator, size: tuple[int, int], cells: int
) -> np.ndarray[Any, Any]:
    small = rng.random((max(2, size[1] * cells // size[0]), cells)).astype(np.float32)
    img = Image.fromarray((small * 255).astype(np.uint8)).resize(size, Image.Resampling.BICUBIC)
    return np.asarray(img, dtype=np.float32) / 255.0


@lru_cache(maxsize=16)
def background(spec: SceneSpec, size: tuple[int, int]) -> Image.Image:
    """The camera's daylight background at ``size`` (cached per process)."""
    width, height = size
    rng = np.random.default_rng(spec.seed)
    horizon = int(spec.horizon * height)
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    sky = (
        np.array(spec.sky_top, np.float32) * (1 - rows)
        + np.array(spec.sky_bottom, np.float32) * rows
    )
    depth = np.clip(
        (np.arange(height, dtype=np.float32) - horizon) / max(1, height - horizon), 0, 1
    )
    depth = depth[:, None, None]
    ground = (
        np.array(spec.ground_far, np.float32) * (1 - depth)
        + np.array(spec.ground_near, np.float32) * depth
    )
    texture = 0.78 + 0.44 * (
        0.6 * _smooth_noise(rng, size, 24) + 0.4 * _smooth_noise(rng, size, 160)
    )
    ground = ground * texture[:, :, None]
    pixels = np.where(np.arange(height)[:, None, None] < horizon, sky, ground)
    img = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)

    # Treeline along the horizon.
    xs = np.linspace(0, width, 90)
    heights = np.cumsum(rng.normal(0, 0.012, xs.size)) + rng.uniform(0.05, 0.12)
    heights = np.clip(heights, 0.03, 0.16) * height
    treeline = [(0, horizon + 2)] + [
        (float(x), float(horizon - h)) for x, h in zip(xs, heights, strict=True)
    ]
    draw.polygon([*treeline, (width, horizon + 2)], fill=(58, 72, 50))
    for _ in range(12):  # bushes at the edge of the field
        x = rng.uniform(0, width)
        r = rng.uniform(0.02, 0.05) * width
        draw.ellipse((x - r, horizon - r * 0.5, x + r, horizon + r * 0.4), fill=(64, 82, 52))

    if spec.prop == "trail":
        top = rng.uniform(0.3, 0.7) * width
        bottom = rng.uniform(0.2, 0.8) * width
        draw.polygon(
            [
                (top - 0.01 * width, horizon),
                (top + 0.01 * width, horizon),
                (bottom + 0.12 * width, height),
                (bottom - 0.12 * width, height),
            ],
            fill=mix(spec.ground_far, (176, 156, 120), 0.6),
        )
    elif spec.prop == "feeder":
        x = rng.uniform(0.25, 0.75) * width
        base = horizon + 0.35 * (height - horizon)
        w = 0.05 * width
        draw.ellipse(
            (x - 2.2 * w, base - 0.3 * w, x + 2.2 * w, base + 0.5 * w),
            fill=mix(spec.ground_far, (150, 130, 100), 0.5),
        )
        for dx in (-0.8, 0.8):
            draw.line(
                [(x, base - 2.6 * w), (x + dx * w, base)],
                fill=(70, 70, 70),
                width=max(2, int(w * 0.12)),
            )
        draw.rectangle(
            (x - 0.45 * w, base - 3.6 * w, x + 0.45 * w, base - 2.4 * w), fill=(92, 98, 90)
        )
        draw.polygon(
            [(x - 0.55 * w, base - 3.6 * w), (x, base - 4.0 * w), (x + 0.55 * w, base - 3.6 * w)],
            fill=(70, 76, 70),
        )
    else:
        y = horizon + rng.uniform(0.2, 0.4) * (height - horizon)
        x = rng.uniform(0.1, 0.5) * width
        draw.polygon(
            [
                (x, y),
                (x + 0.35 * width, y - 0.02 * height),
                (x + 0.35 * width, y + 0.02 * height),
                (x, y + 0.045 * height),
            ],
            fill=(96, 80, 62),
        )

    for _ in range(spec.trees):  # trunks at the sides, canopy above the frame
        x = rng.choice([rng.uniform(0.0, 0.15), rng.uniform(0.85, 1.0)]) * width
        foot = horizon + rng.uniform(0.05, 0.25) * (height - horizon)
        w = rng.uniform(0.02, 0.045) * width
        draw.polygon(
            [(x - w * 0.6, 0), (x + w * 0.6, 0), (x + w, foot), (x - w, foot)], fill=(66, 54, 44)
        )
        draw.ellipse((x - 6 * w, -4 * w, x + 6 * w, 2.5 * w), fill=(52, 70, 44))
    return img.filter(ImageFilter.GaussianBlur(1.0))


@lru_cache(maxsize=16)
def grass_overlay(spec: SceneSpec, size: tuple[int, int]) -> Image.Image:
    """Tall grass in the foreground, drawn over the animals: partial occlusion."""
    width, height = size
    rng = np.random.default_rng(spec.seed + 1)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    base = height * 0.965
    for _ in range(int(width * 0.35)):
        x = rng.uniform(0, width)
        tall = rng.uniform(0.03, 0.16) * height * (1.4 if rng.random() < 0.15 else 1.0)
        lean = rng.normal(0, 0.02) * height
        colour = mix(spec.ground_near, (190, 180, 120), float(rng.uniform(0, 0.7)))
        draw.line(
            [(x, base), (x + lean, base - tall)],
            fill=(*colour, 255),
            width=max(1, int(width / 900)),
        )
    return layer.filter(ImageFilter.GaussianBlur(0.7))


@lru_cache(maxsize=4)
def vignette(size: tuple[int, int]) -> np.ndarray[Any, Any]:
    """Infrared flash falloff: bright in the lower middle, dark at the corners and the sky."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    dx = (xs - width / 2) / (width * 0.6)
    dy = (ys - height * 0.75) / (height * 0.75)
    falloff: np.ndarray[Any, Any] = np.clip(1.15 - np.sqrt(dx * dx + dy * dy), 0.12, 1.0)
    return falloff
