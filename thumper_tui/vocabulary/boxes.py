"""Boxes as ``x1 y1 x2 y2`` tuples (normalised or in pixels) and their intersection over union."""

from __future__ import annotations

from collections.abc import Iterable

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
