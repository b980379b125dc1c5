"""Reading a MegaDetector batch-output file, checked whole before anything is imported.

Every problem is collected, each naming the image and the key, so one pass over a broken file
says everything that is wrong with it. A box's class is its top classification when it has
one (a species classifier's verdict is the most specific label), else its detection category.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thumper_tui.vocabulary.boxes import GivenBox

TOLERANCE = 1e-6  # rounding in a writer's boxes: a box may end at 1.0000004
MAX_SHOWN = 20


class DetectionsFileError(Exception):
    """A detections file that is refused; ``problems`` lists every reason, one line each."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        shown = problems[:MAX_SHOWN]
        more = len(problems) - len(shown)
        lines = [f"{path}: refused, nothing imported ({len(problems)} problems):", *shown]
        if more:
            lines.append(f"… and {more} more")
        super().__init__("\n  ".join(lines))
        self.problems = problems


@dataclass(frozen=True)
class ListedImage:
    """One image of the file: its name there, its OS path under the root, and its boxes (or
    why the file's detector failed on it)."""

    file: str
    path: str
    boxes: tuple[GivenBox, ...] = ()
    failure: str | None = None


@dataclass
class DetectionsFile:
    """A checked detections file: where it came from, and its images in file order."""

    source: dict[str, Any]
    images: list[ListedImage] = field(default_factory=list)


def _categories(data: Mapping[str, Any], key: str, problems: list[str]) -> dict[str, str]:
    raw = data.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(f"{key}: not an object of id → name")
        return {}
    out = {}
    for cid, name in raw.items():
        if not str(cid).isdigit():
            problems.append(f"{key}: id {cid!r} is not a whole number written as a string")
        elif not isinstance(name, str) or not name.strip():
            problems.append(f"{key}[{cid!r}]: the name is blank or not text")
        else:
            out[str(cid)] = name.strip()
    return out


def _clip(value: float) -> float:
    """A coordinate within [0, 1]: a box the tolerance let through, rounded in."""
    return min(1.0, max(0.0, value))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


class _Checker:
    """Checks one file's images, collecting problems."""

    def __init__(self, root: str, detection: dict[str, str], classification: dict[str, str]):
        self.root = root
        self.detection, self.classification = detection, classification
        self.problems: list[str] = []
        self.seen: dict[str, str] = {}

    def where(self, index: int, entry: Mapping[str, Any]) -> str:
        name = entry.get("file")
        return f"images[{index}] ({name})" if isinstance(name, str) else f"images[{index}]"

    def path_of(self, index: int, name: Any, where: str) -> str | None:
        if not isinstance(name, str) or not name.strip():
            self.problems.append(f"{where}: file: missing or blank")
            return None
        relative = name.replace("\\", "/")
        path = os.path.normpath(os.path.join(self.root, relative))
        if os.path.commonpath([self.root, path]) != self.root:
            self.problems.append(f"{where}: file: outside the root {self.root}")
            return None
        if path in self.seen:
            self.problems.append(f"{where}: file: listed twice (first as {self.seen[path]!r})")
            return None
        self.seen[path] = name
        return path

    def box(self, where: str, det: Any) -> GivenBox | None:
        if not isinstance(det, dict):
            self.problems.append(f"{where}: not an object")
            return None
        missing = [k for k in ("category", "conf", "bbox") if k not in det]
        if missing:
            self.problems.append(f"{where}: missing {', '.join(missing)}")
            return None
        category = str(det["category"])
        if category not in self.detection:
            self.problems.append(f"{where}: category {category!r} is not in detection_categories")
            return None
        conf = _number(det["conf"])
        if conf is None or not 0.0 <= conf <= 1.0:
            self.problems.append(f"{where}: conf {det['conf']!r} is not a number in [0, 1]")
            return None
        bbox = det["bbox"]
        numbers = [_number(v) for v in bbox] if isinstance(bbox, list) else []
        if len(numbers) != 4 or any(v is None for v in numbers):
            self.problems.append(f"{where}: bbox must be [x_min, y_min, width, height]")
            return None
        x, y, w, h = (float(v) for v in numbers if v is not None)
        if min(x, y) < -TOLERANCE or w <= 0 or h <= 0 or max(x + w, y + h) > 1 + TOLERANCE:
            self.problems.append(f"{where}: bbox {bbox} is out of [0, 1]")
            return None
        name, sure = self.detection[category], None
        top = self.top_class(where, det.get("classifications"))
        if top is not None:
            name, sure = top
        return GivenBox(name, conf, (_clip(x), _clip(y), _clip(x + w), _clip(y + h)), sure)

    def top_class(self, where: str, classifications: Any) -> tuple[str, float] | None:
        if not classifications:
            return None
        best: tuple[float, str] | None = None
        for pair in classifications if isinstance(classifications, list) else [None]:
            if not isinstance(pair, list) or len(pair) < 2 or _number(pair[1]) is None:
                self.problems.append(f"{where}: classifications must be [id, confidence] pairs")
                return None
            if str(pair[0]) not in self.classification:
                self.problems.append(
                    f"{where}: classification {pair[0]!r} is not in classification_categories"
                )
                return None
            score = float(pair[1])
            if best is None or score > best[0]:
                best = (score, self.classification[str(pair[0])])
        return (best[1], best[0]) if best else None

    def image(self, index: int, entry: Any) -> ListedImage | None:
        if not isinstance(entry, dict):
            self.problems.append(f"images[{index}]: not an object")
            return None
        where = self.where(index, entry)
        if "frame_rate" in entry or "frames_processed" in entry:
            self.problems.append(f"{where}: a video; Thumper imports photos only")
            return None
        path = self.path_of(index, entry.get("file"), where)
        failure = entry.get("failure")
        detections = entry.get("detections")
        if failure is not None:
            if not isinstance(failure, str):
                self.problems.append(f"{where}: failure: not text")
                return None
            return None if path is None else ListedImage(entry["file"], path, (), failure)
        if not isinstance(detections, list):
            self.problems.append(f"{where}: detections: missing (an empty image has [])")
            return None
        boxes = [self.box(f"{where}: detections[{i}]", d) for i, d in enumerate(detections)]
        if path is None or any(b is None for b in boxes):
            return None
        return ListedImage(entry["file"], path, tuple(b for b in boxes if b is not None))


def read_detections_file(path: Path, root: Path) -> DetectionsFile:
    """The checked contents of the batch-output file at ``path``, its images' files resolved
    under ``root``; raises :class:`DetectionsFileError` naming every problem."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DetectionsFileError(path, [f"cannot read it: {exc.strerror or exc}"]) from None
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DetectionsFileError(path, [f"not JSON: {exc}"]) from None
    if not isinstance(data, dict):
        raise DetectionsFileError(path, ["not a MegaDetector batch file (not a JSON object)"])
    problems = [
        f"missing key {k!r}" for k in ("info", "detection_categories", "images") if k not in data
    ]
    info = data.get("info")
    if "info" in data and not isinstance(info, dict):
        problems.append("info: not an object")
    version = info.get("format_version") if isinstance(info, dict) else None
    if isinstance(info, dict):
        if version is None:
            problems.append("info: missing key 'format_version'")
        elif str(version).split(".")[0] != "1" or not str(version).replace(".", "").isdigit():
            problems.append(f"info: format_version {version!r} is not 1.x (Thumper reads 1.0–1.6)")
    detection = _categories(data, "detection_categories", problems)
    classification = _categories(data, "classification_categories", problems)
    images = data.get("images")
    if "images" in data and not isinstance(images, list):
        problems.append("images: not a list")
    if problems:
        raise DetectionsFileError(path, problems)
    checker = _Checker(os.path.abspath(root), detection, classification)
    listed = [checker.image(i, entry) for i, entry in enumerate(images or [])]
    if checker.problems:
        raise DetectionsFileError(path, checker.problems)
    header: dict[str, Any] = info if isinstance(info, dict) else {}
    metadata = header.get("detector_metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    source = {
        "format": "megadetector",
        "format_version": str(version),
        "file": str(path.resolve()),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "detector": str(header.get("detector") or path.name),
        "detector_sha256": metadata.get("model_sha256"),
        "classes": sorted(set(detection.values()) | set(classification.values())),
        "confidence": _number(metadata.get("typical_detection_threshold")),
    }
    return DetectionsFile(source, [i for i in listed if i is not None])
