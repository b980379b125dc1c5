"""Deer crops with their true individual, cut from a synthetic ranch (``truth.json``).

Each deer is cut with a wide margin around its true box, so training can jitter the box the way
a detector's boxes wander; the photo is decoded the way the engine decodes it.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from thumper_tui.detector.decode import decode_for_model
from thumper_tui.synth.ranch import load_truth

CONTEXT = 0.2  # margin kept around the true box, as a fraction of its size
LONGEST = 192  # context cuts are shrunk so their longer side is at most this


@dataclass(frozen=True)
class TruthCrop:
    """One deer in one photo: a context cut, where the true box sits in it, and who it is."""

    pixels: np.ndarray[Any, Any]  # BGR uint8
    box: tuple[float, float, float, float]  # the true box, normalised to ``pixels``
    photo_box: tuple[float, float, float, float]  # the true box, normalised to the photo
    individual: str
    category: str
    camera: str
    burst: str
    night: bool
    taken_at: str
    file: str


def _cuts(ranch: Path, entry: dict[str, Any], imgsz: int) -> list[TruthCrop]:
    decoded = decode_for_model(ranch / entry["file"], imgsz)
    height, width = decoded.array.shape[:2]
    found = []
    for animal in entry["animals"]:
        if animal["species"] != "deer":
            continue
        x1, y1, x2, y2 = (v * decoded.scale for v in animal["box"])
        dx, dy = (x2 - x1) * CONTEXT, (y2 - y1) * CONTEXT
        left, top = max(0, int(x1 - dx)), max(0, int(y1 - dy))
        right, bottom = min(width, int(np.ceil(x2 + dx))), min(height, int(np.ceil(y2 + dy)))
        if right - left < 4 or bottom - top < 4:
            continue
        pixels = decoded.array[top:bottom, left:right]
        shrink = min(1.0, LONGEST / max(pixels.shape[:2]))
        if shrink < 1.0:
            size = (
                max(1, round(pixels.shape[1] * shrink)),
                max(1, round(pixels.shape[0] * shrink)),
            )
            pixels = np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))
        cw, ch = right - left, bottom - top
        box = ((x1 - left) / cw, (y1 - top) / ch, (x2 - left) / cw, (y2 - top) / ch)
        found.append(
            TruthCrop(
                pixels=np.ascontiguousarray(pixels),
                box=tuple(float(np.clip(v, 0.0, 1.0)) for v in box),  # type: ignore[arg-type]
                photo_box=(x1 / width, y1 / height, x2 / width, y2 / height),
                individual=str(animal["individual"]),
                category=str(animal["category"]),
                camera=str(entry["camera"]),
                burst=str(entry["burst"]),
                night=bool(entry["night"]),
                taken_at=str(entry["taken_at"]),
                file=str(entry["file"]),
            )
        )
    return found


def truth_crops(ranch: Path, imgsz: int = 512, workers: int = 2) -> list[TruthCrop]:
    """Every deer of ``ranch`` as a :class:`TruthCrop`, in the order of ``truth.json``."""
    entries = [e for e in load_truth(ranch)["images"] if e["animals"]]
    with ProcessPoolExecutor(workers) as pool:
        parts = pool.map(_cuts, [ranch] * len(entries), entries, [imgsz] * len(entries))
        return [crop for part in parts for crop in part]
