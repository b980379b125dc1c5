"""Decoding photos for the detector: shrunk in the JPEG decoder, upright, BGR."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

_ORIENTATION = 0x0112


@dataclass(frozen=True)
class Decoded:
    """A photo ready for the model.

    ``array`` is BGR (what ultralytics expects from arrays); ``scale`` turns original upright
    pixels into array pixels; ``width`` and ``height`` are the original upright size.
    """

    array: np.ndarray[Any, Any]
    scale: float
    width: int
    height: int


def decode_for_model(path: Path | str, longest: int) -> Decoded:
    """Decode ``path`` at the smallest JPEG DCT scale that still covers ``longest`` pixels on
    its short side, apply EXIF orientation, and convert to BGR.

    Shrinking in the decoder (``Image.draft``) skips most of the work of a full decode.
    Raises ``OSError`` (or a Pillow error) for a file that cannot be decoded.
    """
    with Image.open(path) as img:
        width, height = img.size
        if img.getexif().get(_ORIENTATION) in (5, 6, 7, 8):
            width, height = height, width
        img.draft("RGB", (longest, longest))
        upright = ImageOps.exif_transpose(img).convert("RGB")
    array = np.ascontiguousarray(np.asarray(upright)[:, :, ::-1])
    return Decoded(array, upright.width / width, width, height)
