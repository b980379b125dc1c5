"""Training views of a true deer crop: jittered boxes, flips, light, night grey.

Each view of a :class:`~thumper_tui.lab.reid.dataset.TruthCrop`: the box wanders as a
detector's would, the animal may face either way, light and contrast change, night takes colour.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from thumper_tui.lab.reid.dataset import TruthCrop
from thumper_tui.reid.crops import cut, letterbox


def plain_view(crop: TruthCrop) -> np.ndarray[Any, Any]:
    """The crop the engine would cut from a perfect box."""
    return letterbox(cut(crop.pixels, crop.box))


def training_view(crop: TruthCrop, rng: np.random.Generator) -> np.ndarray[Any, Any]:
    """A randomly disturbed view of ``crop`` (letterboxed, BGR uint8)."""
    x1, y1, x2, y2 = crop.box
    w, h = x2 - x1, y2 - y1
    jitter = rng.normal(0.0, 0.05, 4) * np.array([w, h, w, h])
    box = (x1 + jitter[0], y1 + jitter[1], x2 + jitter[2], y2 + jitter[3])
    box = (min(box[0], box[2] - 0.02), min(box[1], box[3] - 0.02), box[2], box[3])
    view = letterbox(cut(crop.pixels, tuple(float(np.clip(v, 0, 1)) for v in box)))  # type: ignore[arg-type]
    if rng.random() < 0.5:
        view = view[:, ::-1]
    pixels = view.astype(np.float32)
    if rng.random() < 0.2:  # a grey view of a day photo: colour is not to be relied on
        pixels[:] = pixels.mean(axis=2, keepdims=True)
    gain = rng.uniform(0.75, 1.25)
    offset = rng.uniform(-20, 20)
    pixels = (pixels - 114) * gain + 114 + offset
    pixels *= rng.uniform(0.93, 1.07, 3)  # white balance
    if rng.random() < 0.3:
        pixels += rng.normal(0, 6, pixels.shape)
    return np.clip(pixels, 0, 255).astype(np.uint8)
