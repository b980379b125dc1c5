"""CSV of the profiles and of every deer sighting, for a spreadsheet."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.interop.atomic import atomic_folder
from thumper_tui.interop.records import (
    Exported,
    photos_with_detections,
    relative_name,
    size_of,
)
from thumper_tui.paths import os_path
from thumper_tui.store.models import Camera, Deer, Detection, Image
from thumper_tui.vocabulary.states import ProfileStatus

MARKER = "profiles.csv"
PROFILE_COLUMNS = (
    "profile_id",
    "name",
    "category",
    "notes",
    "sightings",
    "first_seen",
    "last_seen",
    "cameras",
    "primary_photo",
)
SIGHTING_COLUMNS = (
    "detection_id",
    "taken_at",
    "camera",
    "file",
    "category",
    "category_by_human",
    "profile_id",
    "profile_name",
    "confidence",
    "x_min",
    "y_min",
    "x_max",
    "y_max",
    "burst_id",
)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else ""


async def _write_profiles(engine: AsyncEngine, path: Path, root: str) -> int:
    async with engine.connect() as conn:
        cameras: dict[int, set[str]] = {}
        for deer_id, name in await conn.execute(
            select(Detection.deer_id, Camera.name)
            .distinct()
            .join(Image, Image.id == Detection.image_id)
            .join(Camera, Camera.id == Image.camera_id)
            .where(Detection.deer_id.is_not(None))
        ):
            if deer_id is not None:
                cameras.setdefault(deer_id, set()).add(name)
        # the primary photo a human chose, else the profile's most confident detection's
        chosen = (
            select(Image.path)
            .join(Detection, Detection.image_id == Image.id)
            .where(Detection.id == Deer.primary_detection_id)
            .scalar_subquery()
        )
        best = (
            select(Image.path)
            .join(Detection, Detection.image_id == Image.id)
            .where(Detection.deer_id == Deer.id)
            .order_by(Detection.confidence.desc(), Detection.id)
            .limit(1)
            .scalar_subquery()
        )
        primary = func.coalesce(chosen, best)
        rows = await conn.execute(
            select(
                Deer.id,
                Deer.name,
                Deer.category,
                Deer.notes,
                Deer.sightings,
                Deer.first_seen,
                Deer.last_seen,
                primary.label("photo"),
            )
            .where(Deer.status == ProfileStatus.ACTIVE.value)
            .order_by(Deer.id)
        )
        count = 0
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(PROFILE_COLUMNS)
            for r in rows:
                photo = os_path(r.photo) if r.photo else ""
                writer.writerow(
                    [
                        r.id,
                        r.name or "",
                        r.category,
                        r.notes or "",
                        r.sightings,
                        _iso(r.first_seen),
                        _iso(r.last_seen),
                        ";".join(sorted(cameras.get(r.id, ()))),
                        (relative_name(photo, root) or photo) if photo else "",
                    ]
                )
                count += 1
    return count


async def export_tables(
    engine: AsyncEngine,
    target: Path,
    *,
    root: str,
    run_id: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Exported:
    """Write ``profiles.csv`` and ``sightings.csv`` (one row per deer detection that is not a
    duplicate box) into the folder ``target``, atomically."""
    started = time.perf_counter()
    photos = sightings = 0
    with atomic_folder(target, MARKER) as folder:
        profiles = await _write_profiles(engine, folder / MARKER, root)
        with open(folder / "sightings.csv", "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(SIGHTING_COLUMNS)
            async for photo, found in photos_with_detections(engine, run_id):
                file = relative_name(photo.path, root) or photo.path
                for d in found:
                    if not d.is_deer or d.is_duplicate:
                        continue
                    writer.writerow(
                        [
                            d.id,
                            _iso(photo.taken_at),
                            photo.camera,
                            file,
                            d.category,
                            "yes" if d.by_human else "no",
                            d.deer_id or "",
                            d.deer_name or "",
                            round(d.confidence, 4),
                            *(round(v, 4) for v in d.box),
                            d.burst_id or "",
                        ]
                    )
                    sightings += 1
                photos += 1
                if on_progress:
                    on_progress(1)
    seconds = time.perf_counter() - started
    notes = (f"{profiles} profiles",)
    return Exported(str(target.absolute()), photos, sightings, size_of(target), seconds, notes)
