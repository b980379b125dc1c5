"""The other species that trip trail cameras: raccoon, feral hog, coyote."""

from __future__ import annotations

import numpy as np

from thumper_tui.synth.sprite import Colour, Pen, Sprite, mix, shade

SPECIES = ("raccoon", "hog", "coyote")
# Body length relative to a doe's, so they sit at a believable scale in the frame.
RELATIVE_SIZE = {"raccoon": 0.42, "hog": 0.8, "coyote": 0.72}
DARK: Colour = (28, 26, 24)
LIGHT: Colour = (226, 222, 212)


def _raccoon(pen: Pen, rng: np.random.Generator) -> tuple[tuple[float, float], tuple[float, float]]:
    fur = mix((112, 106, 98), (140, 124, 104), float(rng.uniform(0, 1)))
    ground = 0.34
    for x, col in ((0.3, shade(fur, 0.75)), (-0.3, shade(fur, 0.75)), (0.22, fur), (-0.38, fur)):
        pen.limb([(x, 0.1), (x + 0.02, ground)], [0.1, 0.06], col)
    # Ringed tail behind, hunched body, masked face.
    for i in range(6):
        pen.ellipse((-0.52 - i * 0.07, 0.02 + i * 0.03), 0.055, 0.05, DARK if i % 2 else fur)
    pen.ellipse((0.0, -0.05), 0.45, 0.24, fur)
    pen.ellipse((0.0, -0.15), 0.35, 0.1, shade(fur, 0.85))
    head = (0.5, -0.05)
    pen.ellipse((head[0] - 0.08, head[1] - 0.14), 0.05, 0.05, fur)
    pen.ellipse(head, 0.14, 0.11, fur)
    pen.polygon(
        [
            (head[0] + 0.05, head[1] - 0.05),
            (head[0] + 0.24, head[1] + 0.04),
            (head[0] + 0.05, head[1] + 0.08),
        ],
        mix(fur, LIGHT, 0.5),
    )
    pen.ellipse((head[0] + 0.03, head[1] - 0.01), 0.1, 0.045, DARK)  # mask
    pen.ellipse((head[0] + 0.23, head[1] + 0.04), 0.025, 0.02, DARK)
    eye = (head[0] + 0.05, head[1] - 0.01)
    return (0.0, ground), eye


def _hog(pen: Pen, rng: np.random.Generator) -> tuple[tuple[float, float], tuple[float, float]]:
    hide = mix((46, 40, 36), (92, 72, 56), float(rng.uniform(0, 1)))
    ground = 0.42
    for x, col in ((0.28, shade(hide, 0.8)), (-0.3, shade(hide, 0.8)), (0.22, hide), (-0.36, hide)):
        pen.limb([(x, 0.1), (x + 0.01, ground)], [0.11, 0.07], col)
    pen.polygon([(-0.5, -0.1), (-0.62, 0.1), (-0.58, 0.12)], hide)  # thin tail
    pen.ellipse((0.0, 0.0), 0.5, 0.27, hide)
    pen.ellipse((0.2, -0.08), 0.3, 0.26, hide)  # heavy shoulders
    pen.polygon([(-0.2, -0.26), (0.3, -0.33), (0.35, -0.25), (-0.2, -0.2)], shade(hide, 0.7))
    head = (0.55, 0.02)
    pen.polygon(
        [
            (head[0] - 0.12, head[1] - 0.17),
            (head[0] + 0.25, head[1] + 0.02),
            (head[0] + 0.25, head[1] + 0.12),
            (head[0] - 0.12, head[1] + 0.15),
        ],
        hide,
    )
    pen.ellipse((head[0] + 0.26, head[1] + 0.07), 0.03, 0.06, shade(hide, 1.4))  # snout disc
    pen.polygon(
        [
            (head[0] - 0.08, head[1] - 0.15),
            (head[0] - 0.02, head[1] - 0.27),
            (head[0] + 0.02, head[1] - 0.12),
        ],
        shade(hide, 0.85),
    )
    eye = (head[0] + 0.02, head[1] - 0.05)
    pen.ellipse(eye, 0.015, 0.012, DARK)
    return (0.0, ground), eye


def _coyote(pen: Pen, rng: np.random.Generator) -> tuple[tuple[float, float], tuple[float, float]]:
    fur = mix((128, 112, 88), (150, 130, 98), float(rng.uniform(0, 1)))
    ground = 0.62
    for x, col in ((0.34, shade(fur, 0.8)), (-0.3, shade(fur, 0.8)), (0.28, fur), (-0.36, fur)):
        pen.limb([(x, 0.08), (x + 0.03, 0.35), (x, ground)], [0.09, 0.045, 0.035], col)
    pen.polygon([(-0.42, -0.08), (-0.75, 0.25), (-0.66, 0.32), (-0.4, 0.08)], shade(fur, 0.8))
    pen.ellipse((0.0, 0.0), 0.45, 0.17, fur)
    pen.ellipse((0.02, 0.1), 0.3, 0.07, mix(fur, LIGHT, 0.4))
    pen.polygon([(0.25, -0.1), (0.42, 0.05), (0.62, -0.22), (0.5, -0.3)], fur)  # neck
    head = (0.6, -0.28)
    pen.ellipse(head, 0.09, 0.075, fur)
    pen.polygon(
        [
            (head[0] + 0.03, head[1] - 0.05),
            (head[0] + 0.24, head[1] + 0.02),
            (head[0] + 0.03, head[1] + 0.06),
        ],
        mix(fur, LIGHT, 0.3),
    )
    for dx in (-0.05, 0.01):
        pen.polygon(
            [
                (head[0] + dx - 0.03, head[1] - 0.05),
                (head[0] + dx, head[1] - 0.19),
                (head[0] + dx + 0.04, head[1] - 0.05),
            ],
            shade(fur, 0.85),
        )
    pen.ellipse((head[0] + 0.23, head[1] + 0.02), 0.02, 0.018, DARK)
    eye = (head[0] + 0.04, head[1] - 0.02)
    pen.ellipse(eye, 0.013, 0.01, DARK)
    return (0.0, ground), eye


_DRAWERS = {"raccoon": _raccoon, "hog": _hog, "coyote": _coyote}


def draw_critter(
    species: str, length_px: float, facing_left: bool, rng: np.random.Generator
) -> Sprite:
    """Draw one ``species`` animal with a body ``length_px`` pixels long."""
    pen = Pen(length_px, (2.2, 1.5), (1.1, 0.7))
    foot, eye = _DRAWERS[species](pen, rng)
    return pen.finish(foot=foot, eye=eye, mirror=facing_left)
