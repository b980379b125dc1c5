"""The detector the settings describe: weights, size, thresholds, category map, classifier."""

from __future__ import annotations

from pathlib import Path

from thumper_tui.config import Settings
from thumper_tui.detector.inference import Detector


def detector_from(settings: Settings, model: Path | None = None) -> Detector:
    """A :class:`Detector` for ``settings`` (``model`` instead of the configured weights, as
    ``reprocess --model`` asks). Raises :class:`~thumper_tui.detector.model.DetectorError`."""
    return Detector(
        model or settings.model_path(),
        imgsz=settings.imgsz,
        device=settings.device,
        category_map=settings.category_map,
        confidence=settings.confidence,
        iou=settings.iou,
        classifier=settings.classifier_path(),
    )
