"""Draw one planned frame: background, light, animals, grass, infrared at night, info strip."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from thumper_tui.synth.critters import RELATIVE_SIZE, draw_critter
from thumper_tui.synth.deer import Pose, draw_deer
from thumper_tui.synth.herd import Individual
from thumper_tui.synth.scene import SceneSpec, background, grass_overlay, vignette
from thumper_tui.synth.schedule import AnimalPlan, FramePlan
from thumper_tui.synth.sprite import Sprite

STRIP = 0.045  # info strip height, fraction of the frame height
ALPHA_SOLID = 96  # sprite pixels at least this opaque count as the animal


@dataclass(frozen=True)
class DrawnAnimal:
    """Ground truth for one animal in one frame: its box in pixels and who it is."""

    box: tuple[int, int, int, int]
    species: str
    category: str
    individual: str | None


@lru_cache(maxsize=4)
def _noise(size: tuple[int, int], seed: int) -> np.ndarray[Any, Any]:
    rng = np.random.default_rng(seed)
    return rng.normal(0, 1, (size[1] + 64, size[0] + 64)).astype(np.float32)


@lru_cache(maxsize=4)
def _glare(diameter: int) -> np.ndarray[Any, Any]:
    ys, xs = np.mgrid[0:diameter, 0:diameter].astype(np.float32)
    r = np.hypot(xs - diameter / 2, ys - diameter / 2) / (diameter / 2)
    glow: np.ndarray[Any, Any] = np.clip(1.0 - r, 0.0, 1.0) ** 2
    return glow


@lru_cache(maxsize=4)
def _font(height: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(10, int(height * STRIP * 0.62)))


def _sprite(
    animal: AnimalPlan, who: Individual | None, frame: int, length: float, rng: np.random.Generator
) -> Sprite:
    if who is not None:
        pose = Pose(
            facing_left=animal.facing_left,
            head=str(rng.choice(["up", "level", "down"], p=[0.4, 0.35, 0.25])),
            stride=float(np.sin(frame * 1.7 + animal.x * 10)),
            tail_up=bool(rng.random() < 0.06),
        )
        return draw_deer(who, pose, length, rng)
    return draw_critter(animal.species, length, animal.facing_left, rng)


def _composite(base: Image.Image, layer: Image.Image, at: tuple[int, int]) -> None:
    """Alpha-composite ``layer`` onto ``base`` at ``at``, even partly outside the frame."""
    x, y = at
    left, top = max(0, -x), max(0, -y)
    right = min(layer.width, base.width - x)
    bottom = min(layer.height, base.height - y)
    if right <= left or bottom <= top:
        return
    base.alpha_composite(layer.crop((left, top, right, bottom)), (x + left, y + top))


def _place(
    img: Image.Image, sprite: Sprite, foot: tuple[float, float], bottom: int
) -> tuple[int, int, int, int] | None:
    alpha = sprite.image.getchannel("A").point(lambda v: 255 if v >= ALPHA_SOLID else 0)
    bbox = alpha.getbbox()
    if bbox is None:
        return None
    left = int(round(foot[0] - sprite.foot[0]))
    top = int(round(foot[1] - sprite.foot[1]))
    # A soft shadow under the animal, then the animal itself.
    half = (bbox[2] - bbox[0]) * 0.45
    shadow = Image.new("RGBA", (int(2 * half) + 2, int(half * 0.2) + 2), (0, 0, 0, 0))
    ImageDraw.Draw(shadow).ellipse(
        (0, 0, shadow.width - 1, shadow.height - 1), fill=(20, 20, 10, 70)
    )
    _composite(img, shadow, (int(foot[0] - half), int(foot[1] - half * 0.08)))
    _composite(img, sprite.image, (left, top))
    x1, y1 = max(0, left + bbox[0]), max(0, top + bbox[1])
    x2, y2 = min(img.width, left + bbox[2]), min(bottom, top + bbox[3])
    full = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])
    if x2 - x1 < 8 or y2 - y1 < 8 or (x2 - x1) * (y2 - y1) < 0.35 * full:
        return None
    return (x1, y1, x2, y2)


def render_frame(
    plan: FramePlan, spec: SceneSpec, herd: dict[str, Individual], size: tuple[int, int]
) -> tuple[Image.Image, list[DrawnAnimal]]:
    """The photo for ``plan`` and the ground truth of every animal visible in it."""
    width, height = size
    rng = np.random.default_rng(plan.seed)
    img = background(spec, size).convert("RGBA")
    hour = plan.taken_at.hour + plan.taken_at.minute / 60
    strip_top = int(height * (1 - STRIP))
    horizon = spec.horizon * height

    # Frame-wide randomness first: the same plan without its animals gives the same frame
    # everywhere the animals are not.
    ox, oy = (int(v) for v in rng.integers(0, 64, 2))
    exposure = float(rng.uniform(0.95, 1.05))
    ir_gain = float(rng.uniform(0.9, 1.25))
    glare_at = (float(rng.random()), float(rng.random()), float(rng.uniform(20, 70)))

    drawn: list[DrawnAnimal] = []
    eyes: list[tuple[float, float, float]] = []
    for animal in sorted(plan.animals, key=lambda a: -a.depth):
        who = herd.get(animal.individual) if animal.individual else None
        scale = who.size if who else RELATIVE_SIZE[animal.species] * 0.95
        near = 1.0 - animal.depth
        length = width * (0.06 + 0.17 * near) * scale
        foot = (
            (animal.x + animal.step * plan.frame) * width,
            horizon + (strip_top - horizon) * (0.1 + 0.85 * near),
        )
        sprite = _sprite(animal, who, plan.frame, length, rng)
        box = _place(img, sprite, foot, strip_top)
        if box is None:
            continue
        offset = (foot[0] - sprite.foot[0], foot[1] - sprite.foot[1])
        eyes.append((sprite.eye[0] + offset[0], sprite.eye[1] + offset[1], length))
        drawn.append(
            DrawnAnimal(box, animal.species, who.category if who else "other", animal.individual)
        )
    img.alpha_composite(grass_overlay(spec, size))
    rgb = img.convert("RGB")

    noise = _noise(size, 7)
    grain = noise[oy : oy + height, ox : ox + width]
    if plan.night:
        grey = np.asarray(rgb.convert("L"), dtype=np.float32)
        lit = grey * vignette(size) * ir_gain + grain * 9.0 + 6.0
        # Glare: the flash lighting up dust or a wet leaf close to the lens.
        glow = _glare(max(8, width // 5))
        gx = int(glare_at[0] * (width - glow.shape[1]))
        gy = int(glare_at[1] * max(1, height // 2 - glow.shape[0]))
        lit[gy : gy + glow.shape[0], gx : gx + glow.shape[1]] += glow * glare_at[2]
        frame = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8), "L")
        draw = ImageDraw.Draw(frame)
        for ex, ey, length in eyes:  # eyeshine: the infrared flash reflected by the eyes
            r = max(1.5, length * 0.012)
            draw.ellipse((ex - r, ey - r, ex + r, ey + r), fill=250)
        rgb = frame.convert("RGB")
    else:
        light = 0.72 + 0.28 * float(np.clip(min(hour - 6.3, 19.5 - hour) / 2.0, 0, 1))
        rgb = ImageEnhance.Brightness(rgb).enhance(light * exposure)
        pixels = np.asarray(rgb, dtype=np.float32) + grain[:, :, None] * 3.0
        rgb = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")

    draw = ImageDraw.Draw(rgb)
    draw.rectangle((0, strip_top, width, height), fill=(0, 0, 0))
    text = f"{spec.name.upper()}   {plan.temperature_f}°F   {plan.taken_at:%m/%d/%Y %I:%M:%S %p}"
    draw.text(
        (int(width * 0.01), strip_top + int(height * STRIP * 0.15)),
        text,
        fill=(235, 235, 235),
        font=_font(height),
    )
    return rgb, drawn
