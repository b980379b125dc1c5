"""``thumper eval detect``: the detector against a synthetic ranch's ground truth.

Average precision is the area under the precision envelope at IoU 0.5 (all points, as in
PASCAL VOC), from detections down to a confidence of 0.001. Precision and recall per class are
taken at the operating confidence (0.25, what the engine uses). Category accuracy: of the true
deer that some deer box finds (IoU >= 0.5 at the operating confidence), the share whose
category (buck, doe, fawn) is right.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from thumper_tui.detector.decode import decode_for_model
from thumper_tui.lab.detector.dataset import label_of
from thumper_tui.synth.ranch import load_truth
from thumper_tui.vocabulary.boxes import Box, as_box, iou
from thumper_tui.vocabulary.categories import DEER_CLASSES

IOU_MATCH = 0.5
CONF_FLOOR = 0.001
CONF_OPERATING = 0.25


@dataclass(frozen=True)
class Prediction:
    """One detector box in original image pixels."""

    box: Box
    label: str
    confidence: float


def average_precision(
    predictions: list[tuple[str, Prediction]], truths: dict[str, list[Box]]
) -> tuple[float, float, float]:
    """AP at IoU 0.5 for one class, and precision and recall at the operating confidence.

    ``predictions`` pairs an image key with a prediction of this class; ``truths`` holds the
    true boxes of this class per image.
    """
    total = sum(len(v) for v in truths.values())
    if total == 0:
        return float("nan"), float("nan"), float("nan")
    ordered = sorted(predictions, key=lambda p: -p[1].confidence)
    taken = {key: [False] * len(boxes) for key, boxes in truths.items()}
    hits = np.zeros(len(ordered))
    for i, (key, pred) in enumerate(ordered):
        best, best_j = 0.0, -1
        for j, box in enumerate(truths.get(key, [])):
            overlap = iou(pred.box, box)
            if overlap > best:
                best, best_j = overlap, j
        if best >= IOU_MATCH and not taken[key][best_j]:
            taken[key][best_j] = True
            hits[i] = 1
    tp = np.cumsum(hits)
    fp = np.cumsum(1 - hits)
    recall = tp / total
    precision = tp / np.maximum(tp + fp, 1e-9)
    envelope = np.concatenate(([0.0], precision, [0.0]))
    for i in range(envelope.size - 2, -1, -1):
        envelope[i] = max(envelope[i], envelope[i + 1])
    steps = np.concatenate(([0.0], recall, [recall[-1] if recall.size else 0.0]))
    ap = float(np.sum((steps[1:] - steps[:-1]) * envelope[1:]))
    operating = np.array([p.confidence >= CONF_OPERATING for _, p in ordered], dtype=bool)
    n_op = int(operating.sum())
    tp_op = float(hits[operating].sum()) if n_op else 0.0
    return ap, (tp_op / n_op if n_op else 0.0), tp_op / total


def predict(model: Any, paths: Iterable[Path], imgsz: int) -> Iterable[list[Prediction]]:
    """Predictions per image, in original pixels, for every confidence above 0.001."""
    names = {int(k): str(v) for k, v in dict(model.names).items()}
    for path in paths:
        decoded = decode_for_model(path, imgsz)
        array, scale = decoded.array, decoded.scale
        result = model.predict(array, imgsz=imgsz, conf=CONF_FLOOR, verbose=False, device="cpu")[0]
        boxes = result.boxes
        xyxy = boxes.xyxy.numpy() / scale
        yield [
            Prediction(as_box(xyxy[i]), names[int(boxes.cls[i])], float(boxes.conf[i]))
            for i in range(len(boxes))
        ]


def evaluate_detector(
    model: Any,
    data: Path,
    *,
    imgsz: int = 512,
    on_start: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Run ``model`` over the ranch at ``data`` and compare with its ``truth.json``."""
    truth = load_truth(data)
    records = truth["images"]
    if on_start:
        on_start(len(records))
    started = time.perf_counter()
    per_class_truth: dict[str, dict[str, list[Box]]] = defaultdict(dict)
    per_class_pred: dict[str, list[tuple[str, Prediction]]] = defaultdict(list)
    matched = correct = 0
    paths = [data / r["file"] for r in records]
    for record, preds in zip(records, predict(model, paths, imgsz), strict=True):
        key = record["file"]
        for animal in record["animals"]:
            per_class_truth[label_of(animal)].setdefault(key, []).append(as_box(animal["box"]))
        for pred in preds:
            per_class_pred[pred.label].append((key, pred))
        deer_preds = [
            p for p in preds if p.label in DEER_CLASSES and p.confidence >= CONF_OPERATING
        ]
        for animal in record["animals"]:
            if animal["species"] != "deer" or not deer_preds:
                continue
            box = as_box(animal["box"])
            best = max(deer_preds, key=lambda p: iou(p.box, box))
            if iou(best.box, box) >= IOU_MATCH:
                matched += 1
                correct += best.label == animal["category"]
        if on_progress:
            on_progress(1)
    per_class: dict[str, dict[str, float]] = {}
    for name in sorted(set(per_class_truth) | set(per_class_pred)):
        if name not in per_class_truth:
            continue
        ap, precision, recall = average_precision(
            per_class_pred.get(name, []), per_class_truth[name]
        )
        per_class[name] = {
            "map50": round(ap, 4),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
        }
    deer_aps = [per_class[c]["map50"] for c in DEER_CLASSES if c in per_class]
    all_aps = [v["map50"] for v in per_class.values()]
    return {
        "map50": round(float(np.mean(deer_aps)), 4) if deer_aps else None,
        "map50_all_classes": round(float(np.mean(all_aps)), 4) if all_aps else None,
        "per_class": per_class,
        "category_accuracy": round(correct / matched, 4) if matched else None,
        "matched_deer": matched,
        "images": len(records),
        "seconds": round(time.perf_counter() - started, 1),
        "imgsz": imgsz,
    }
