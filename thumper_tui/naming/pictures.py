"""A detection's photo for a screen: upright, shrunk in the decoder, its box drawn; and crops.

Boxes are normalised to the upright photo (0..1), as the detector stores them. A photo that
cannot be read raises ``OSError`` with the path, for the screen to say so in place of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

from thumper_tui.paths import os_path

BOX_COLOUR = (255, 214, 10)  # a hunter's yellow: seen on green, brown and night-grey alike


def _upright(path: Path | str, longest: int) -> Image.Image:
    try:
        with Image.open(os_path(str(path))) as img:
            img.draft("RGB", (longest, longest))
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise OSError(f"cannot read {path}: {exc}") from exc
    upright.thumbnail((longest, longest))
    return upright


def _pixels(img: Image.Image, box: Sequence[float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    w, h = img.size
    return round(x1 * w), round(y1 * h), round(x2 * w), round(y2 * h)


def framed(path: Path | str, box: Sequence[float], longest: int = 800) -> Image.Image:
    """The whole photo, at most ``longest`` pixels on its long side, with ``box`` outlined."""
    img = _upright(path, longest)
    width = max(2, round(max(img.size) / 160))
    ImageDraw.Draw(img).rectangle(_pixels(img, box), outline=BOX_COLOUR, width=width)
    return img


def cropped(
    path: Path | str, box: Sequence[float], longest: int = 240, margin: float = 0.15
) -> Image.Image:
    """The deer in ``box`` with ``margin`` (a share of the box) around it, at most ``longest``
    pixels on its long side."""
    img = _upright(path, max(longest * 4, 800))
    x1, y1, x2, y2 = box
    pad_x, pad_y = (x2 - x1) * margin, (y2 - y1) * margin
    grown = (max(0.0, x1 - pad_x), max(0.0, y1 - pad_y), min(1.0, x2 + pad_x), min(1.0, y2 + pad_y))
    left, top, right, bottom = _pixels(img, grown)
    crop = img.crop((left, top, max(right, left + 1), max(bottom, top + 1)))
    crop.thumbnail((longest, longest))
    return crop
