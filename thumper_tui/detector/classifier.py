"""The optional second stage: an ultralytics classification model deciding each deer crop.

Many ranch set-ups detect a generic "deer" (or "animal") and let a classifier trained on crops
say buck, doe or fawn. The classifier's top class goes through the same category map as the
detector's classes, so its classes may be named as the user likes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from thumper_tui.detector.model import DetectorError, class_names, trained_imgsz
from thumper_tui.detector.offline import prepare
from thumper_tui.vocabulary.boxes import Box

DEFAULT_IMGSZ = 224
# Some context around the box helps a classifier trained on loose crops; most crop tools pad.
CROP_PADDING = 0.1


class ClassifierError(DetectorError):
    """Classifier weights that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Verdict:
    """The classifier's top class for one crop and its probability."""

    class_name: str
    probability: float


def crop(
    array: np.ndarray[Any, Any], box: Box, padding: float = CROP_PADDING
) -> np.ndarray[Any, Any]:
    """The part of ``array`` under the normalised ``box``, grown by ``padding`` of its size."""
    height, width = array.shape[:2]
    x1, y1, x2, y2 = box
    grow_x, grow_y = (x2 - x1) * padding, (y2 - y1) * padding
    left = max(0, int((x1 - grow_x) * width))
    top = max(0, int((y1 - grow_y) * height))
    right = min(width, max(left + 1, int(round((x2 + grow_x) * width))))
    bottom = min(height, max(top + 1, int(round((y2 + grow_y) * height))))
    return np.ascontiguousarray(array[top:bottom, left:right])


class CropClassifier:
    """A loaded classification model: its file, hash, classes and input size."""

    def __init__(self, weights: Path, *, device: str, imgsz: int | None = None) -> None:
        path = weights.expanduser()
        if not path.is_file():
            raise ClassifierError(f"classifier weights not found: {path}")
        prepare()
        from ultralytics import YOLO

        try:
            self.model: Any = YOLO(str(path), task="classify")
        except Exception as exc:  # ultralytics raises many types for a bad file
            raise ClassifierError(f"cannot load classifier weights {path}: {exc}") from None
        if getattr(self.model, "task", None) != "classify":
            raise ClassifierError(
                f"classifier weights {path} are a {self.model.task} model, not a classification "
                "model (an ultralytics -cls model trained on crops)"
            )
        self.weights = path.resolve()
        self.weights_sha256 = hashlib.sha256(self.weights.read_bytes()).hexdigest()
        self.names = class_names(self.model)
        self.imgsz = imgsz or trained_imgsz(self.model) or DEFAULT_IMGSZ
        self.device = device

    def classify(self, crops: Sequence[np.ndarray[Any, Any]]) -> list[Verdict]:
        """The top class of each BGR crop."""
        if not crops:
            return []
        results = self.model.predict(
            list(crops), imgsz=self.imgsz, device=self.device, verbose=False
        )
        out = []
        for result in results:
            probs = result.probs
            out.append(Verdict(self.names[int(probs.top1)], float(probs.top1conf)))
        return out
