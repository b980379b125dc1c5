"""Boxes as ``x1 y1 x2 y2`` tuples, their intersection over union, and boxes given by a file.

Boxes are normalised or in pixels; a :class:`GivenBox` is one a detections file gave a photo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Box = tuple[float, float, float, float]


def as_box(values: Iterable[float]) -> Box:
    """Four numbers as an ``x1 y1 x2 y2`` box."""
    x1, y1, x2, y2 = (float(v) for v in values)
    return (x1, y1, x2, y2)


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two ``x1 y1 x2 y2`` boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class GivenBox:
    """One box a detections file gave a photo: its class name, confidence and box (x1, y1,
    x2, y2, normalised to the upright photo), and the confidence of its class when a
    classification gave the class."""

    class_name: str
    confidence: float
    box: Box
    class_confidence: float | None = None

    def to_json(self) -> list[Any]:
        """The stored form: ``[class_name, confidence, x1, y1, x2, y2, class_confidence]``."""
        return [self.class_name, self.confidence, *self.box, self.class_confidence]

    @classmethod
    def from_json(cls, row: Sequence[Any]) -> GivenBox:
        """A box from its stored form."""
        name, confidence, x1, y1, x2, y2, sure = row
        box = (float(x1), float(y1), float(x2), float(y2))
        return cls(str(name), float(confidence), box, None if sure is None else float(sure))
