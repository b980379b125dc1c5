"""Writing MegaDetector batch-output JSON (format 1.6), streamed photo by photo.

``detection_categories`` are the detector's classes (or MegaDetector's animal / person /
vehicle), ``classification_categories`` buck / doe / fawn: each deer box carries its category
as a classification, with probability 1 where a human set it. ``info`` names the detector and
its sha256 and the confidence its boxes needed, so Timelapse picks a sensible threshold.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.interop.atomic import atomic_file
from thumper_tui.interop.megadetector import FORMAT_VERSION, MD_CATEGORIES
from thumper_tui.interop.records import (
    DetectionRecord,
    Exported,
    PhotoRecord,
    in_scope,
    photos_with_detections,
    relative_name,
)
from thumper_tui.interop.taxa import observation_type
from thumper_tui.store.models import Detection, Image, Run
from thumper_tui.vocabulary.categories import DEER_CLASSES
from thumper_tui.vocabulary.states import ImageStatus

CLASSIFICATIONS = {str(i + 1): name for i, name in enumerate(DEER_CLASSES)}
DIGITS = 4


def md_category(class_name: str) -> str:
    """MegaDetector's category id for a class: person, vehicle, else animal."""
    return {"human": "2", "vehicle": "3"}.get(observation_type(class_name), "1")


async def _runs_info(engine: AsyncEngine, run_id: int | None) -> tuple[dict[str, Any], list[str]]:
    """The ``info`` block from the runs whose results are exported, and their class order."""
    async with engine.connect() as conn:
        runs = (
            await conn.execute(
                select(
                    Run.id,
                    Run.kind,
                    Run.model_path,
                    Run.model_sha256,
                    Run.model_classes,
                    Run.settings,
                    Run.finished_at,
                )
                .where(
                    Run.id.in_(select(Image.processed_by_run).distinct().where(in_scope(run_id)))
                )
                .order_by(Run.id)
            )
        ).all()
        present = set(
            (
                await conn.scalars(
                    select(Detection.class_name)
                    .distinct()
                    .join(Image, Image.id == Detection.image_id)
                    .where(in_scope(run_id))
                )
            ).all()
        )
    latest = runs[-1] if runs else None
    settings = (latest.settings or {}) if latest else {}
    order = [c for c in (latest.model_classes or []) if c in present] if latest else []
    order += sorted(present - set(order))
    finished = latest.finished_at if latest else None
    info: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "detector": os.path.basename(latest.model_path) if latest and latest.model_path else None,
        "detection_completion_time": (
            finished.strftime("%Y-%m-%d %H:%M:%S") if isinstance(finished, datetime) else None
        ),
        "classifier": os.path.basename(settings["classifier_path"])
        if settings.get("classifier_path")
        else None,
        "detector_metadata": {
            "model_sha256": latest.model_sha256 if latest else None,
            "image_size": settings.get("imgsz"),
            "typical_detection_threshold": settings.get("confidence"),
            "conservative_detection_threshold": settings.get("confidence"),
            "thumper_runs": [
                {"id": r.id, "kind": r.kind, "model": r.model_path, "sha256": r.model_sha256}
                for r in runs
            ],
        },
    }
    return {k: v for k, v in info.items() if v is not None}, order


def _detection(item: DetectionRecord, category: str) -> dict[str, Any]:
    x1, y1, x2, y2 = (round(v, DIGITS) for v in item.box)
    out: dict[str, Any] = {
        "category": category,
        "conf": round(float(item.confidence), DIGITS),
        "bbox": [x1, y1, round(x2 - x1, DIGITS), round(y2 - y1, DIGITS)],
    }
    if item.category in DEER_CLASSES:
        category = str(DEER_CLASSES.index(item.category) + 1)
        out["classifications"] = [[category, item.category_probability]]
    return out


def _entry(
    photo: PhotoRecord, found: list[DetectionRecord], file: str, ids: Callable[[str], str]
) -> dict[str, Any]:
    if photo.status == ImageStatus.FAILED:
        return {"file": file, "failure": photo.error or "failed", "detections": None}
    return {"file": file, "detections": [_detection(d, ids(d.class_name)) for d in found]}


async def export_megadetector(
    engine: AsyncEngine,
    target: Path,
    *,
    root: str,
    run_id: int | None = None,
    md_categories: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Exported:
    """Write the processed photos (those of ``run_id``, else all) to ``target``, files
    relative to ``root``; atomically, one photo in memory at a time."""
    started = time.perf_counter()
    info, order = await _runs_info(engine, run_id)
    if md_categories:
        categories = dict(MD_CATEGORIES)
        ids: Callable[[str], str] = md_category
    else:
        categories = {str(i + 1): name for i, name in enumerate(order)}
        by_name = {name: cid for cid, name in categories.items()}
        ids = by_name.__getitem__
    photos = detections = outside = 0
    with atomic_file(target) as partial, open(partial, "w", encoding="utf-8") as out:
        head = {
            "info": info,
            "detection_categories": categories,
            "classification_categories": CLASSIFICATIONS,
        }
        out.write(json.dumps(head, indent=1)[:-2] + ',\n "images": [')
        async for photo, found in photos_with_detections(engine, run_id):
            file = relative_name(photo.path, root)
            if file is None:
                outside += 1
                file = photo.path
            _write_item(out, photos, _entry(photo, found, file, ids))
            photos += 1
            detections += len(found)
            if on_progress:
                on_progress(1)
        out.write("\n ]\n}\n")
    notes = (
        (f"{outside} photos lie outside {root}: written with absolute paths",) if outside else ()
    )
    seconds = time.perf_counter() - started
    return Exported(
        str(target.absolute()), photos, detections, target.stat().st_size, seconds, notes
    )


def _write_item(out: IO[str], index: int, item: dict[str, Any]) -> None:
    out.write(("\n  " if index == 0 else ",\n  ") + json.dumps(item, separators=(",", ":")))
