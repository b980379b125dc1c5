"""Detection at run time: batched YOLO inference, categories, duplicate boxes.

Categories come from a map of class names (case-insensitive) to buck / doe / fawn / unknown;
any other class is another species: stored, but never re-identified. With a crop classifier,
its top class decides each deer's category through the same map. A box over a more confident
one in the same image is a duplicate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from thumper_tui.detector.classifier import CropClassifier, crop
from thumper_tui.detector.model import (
    DEMO_WEIGHTS,
    DetectorError,
    class_names,
    default_imgsz,
    is_demo_weights,
    load_detector,
    trained_imgsz,
)
from thumper_tui.vocabulary.boxes import Box, GivenBox, iou
from thumper_tui.vocabulary.categories import DEER_CATEGORIES, DEFAULT_CATEGORY_MAP, category_for

DUPLICATE_IOU = 0.5
CONFIDENCE = 0.25
NMS_IOU = 0.7  # ultralytics' own default


@dataclass(frozen=True)
class Found:
    """One detection, its box normalised to the upright photo (0..1)."""

    box: Box
    confidence: float
    class_name: str
    category: str
    species: str
    is_duplicate: bool = False
    embedding: bytes | None = None
    embedding_version: str | None = None
    # how sure the category is when a classifier (or a file's classification) decided it
    category_confidence: float | None = None

    @property
    def needs_embedding(self) -> bool:
        """Deer that are not duplicates get re-identified, so they get an embedding."""
        return self.species == "deer" and not self.is_duplicate


def mark_duplicates(found: Sequence[Found]) -> list[Found]:
    """Flag each box overlapping a more confident one by IoU > 0.5 as a duplicate.

    Duplicates are kept (a human may disagree) but never re-identified. Order: most confident
    first.
    """
    kept: list[Found] = []
    out: list[Found] = []
    for item in sorted(found, key=lambda f: -f.confidence):
        duplicate = any(iou(item.box, k.box) > DUPLICATE_IOU for k in kept)
        if not duplicate:
            kept.append(item)
        out.append(replace(item, is_duplicate=duplicate))
    return out


def resolve_device(device: str) -> str:
    """``auto`` is the first GPU when torch sees one, else the CPU; ``cuda`` is ``cuda:0``.

    Raises :class:`DetectorError` when a GPU is asked for and torch sees none.
    """
    import torch

    if device == "auto":
        return "cuda:0" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        index = int(device.partition(":")[2] or 0)
        if not torch.cuda.is_available() or index >= torch.cuda.device_count():
            raise DetectorError(f"device {device}: torch sees no such GPU (use cpu or auto)")
        return f"cuda:{index}"
    return device


class Detector:
    """A loaded model and how to run it: device, size, thresholds, batch, category map and the
    optional crop classifier.

    ``imgsz`` ``None`` is the size the weights were trained at (their checkpoint's training
    arguments, the demo detector's card), else 640.
    """

    def __init__(
        self,
        weights: Path | None,
        *,
        imgsz: int | None = None,
        device: str = "auto",
        category_map: Mapping[str, str] = DEFAULT_CATEGORY_MAP,
        confidence: float = CONFIDENCE,
        iou: float = NMS_IOU,
        classifier: Path | None = None,
    ) -> None:
        import torch

        # ultralytics sets torch to one thread fewer than the cores when it picks the CPU
        # (one thread on a 2-core box, half the speed); the engine wants them all back.
        self._threads = torch.get_num_threads()
        self.model: Any = load_detector(weights)
        self.weights = (weights or DEMO_WEIGHTS).expanduser().resolve()
        self.weights_sha256 = hashlib.sha256(self.weights.read_bytes()).hexdigest()
        self.names = class_names(self.model)
        self.is_demo = is_demo_weights(self.weights_sha256)
        self._asked_imgsz = imgsz
        self.imgsz = imgsz or trained_imgsz(self.model) or default_imgsz(weights)
        self.device = resolve_device(device)
        self.half = self.device.startswith("cuda")
        self.category_map = {k.lower(): v for k, v in category_map.items()}
        self.confidence = confidence
        self.iou = iou
        self.classifier = (
            CropClassifier(classifier, device=self.device) if classifier is not None else None
        )
        # Batching pays on a GPU; on a 2-core CPU one image at a time is as fast and smoother.
        self.batch = 16 if self.half else 1

    def with_weights(self, weights: Path) -> Detector:
        """A detector like this one over other weights (``reprocess --model``): the same
        device, thresholds, map and (already loaded) classifier; the size the new weights were
        trained at unless this one's was set."""
        twin = Detector(
            weights,
            imgsz=self._asked_imgsz,
            device=self.device,
            category_map=self.category_map,
            confidence=self.confidence,
            iou=self.iou,
        )
        twin.classifier = self.classifier
        return twin

    def _restore_threads(self) -> None:
        import torch

        if torch.get_num_threads() != self._threads:
            torch.set_num_threads(self._threads)

    def detect(self, arrays: Sequence[np.ndarray[Any, Any]]) -> list[list[Found]]:
        """Detections for each BGR array, boxes normalised to that array."""
        results: list[list[Found]] = []
        for start in range(0, len(arrays), self.batch):
            chunk = list(arrays[start : start + self.batch])
            predictions = self.model.predict(
                chunk,
                imgsz=self.imgsz,
                conf=self.confidence,
                iou=self.iou,
                device=self.device,
                half=self.half,
                verbose=False,
            )
            self._restore_threads()
            for prediction in predictions:
                boxes = prediction.boxes
                xyxyn = boxes.xyxyn.cpu().numpy()
                found = []
                for i in range(len(boxes)):
                    name = self.names[int(boxes.cls[i])]
                    category, species = self.category_of(name)
                    x1, y1, x2, y2 = (float(v) for v in xyxyn[i])
                    found.append(
                        Found((x1, y1, x2, y2), float(boxes.conf[i]), name, category, species)
                    )
                results.append(mark_duplicates(found))
        if self.classifier is not None:
            self._classify(arrays, results)
        return results

    def adopt(
        self,
        arrays: Sequence[np.ndarray[Any, Any]],
        given: Sequence[Sequence[GivenBox]],
    ) -> list[list[Found]]:
        """Boxes made elsewhere for each BGR array, treated as this detector's own: the same
        category map, duplicates and classifier."""
        results = []
        for boxes in given:
            found = [
                Found(
                    b.box,
                    b.confidence,
                    b.class_name,
                    *self.category_of(b.class_name),
                    category_confidence=b.class_confidence,
                )
                for b in boxes
            ]
            results.append(mark_duplicates(found))
        if self.classifier is not None:
            self._classify(arrays, results)
        return results

    def category_of(self, class_name: str) -> tuple[str, str]:
        """The category and species a class name (the detector's or the classifier's) maps to."""
        category = category_for(class_name, self.category_map)
        return category, "deer" if category in DEER_CATEGORIES else class_name

    def _classify(self, arrays: Sequence[np.ndarray[Any, Any]], results: list[list[Found]]) -> None:
        """Let the classifier decide each deer's category (in place): its top class through
        the map, so it may also say that a "deer" is another species."""
        assert self.classifier is not None
        owners = [
            (index, position)
            for index, found in enumerate(results)
            for position, item in enumerate(found)
            if item.species == "deer"
        ]
        crops = [crop(arrays[i], results[i][p].box) for i, p in owners]
        verdicts = self.classifier.classify(crops)
        for (index, position), verdict in zip(owners, verdicts, strict=True):
            category, species = self.category_of(verdict.class_name)
            results[index][position] = replace(
                results[index][position],
                category=category,
                species=species,
                category_confidence=verdict.probability,
            )
