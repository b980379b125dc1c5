"""What every export reads: photos with their detections, streamed in photo order.

One outer-joined query, read in chunks with a server-side cursor where the database has one,
so an export of a million detections holds one chunk at a time, never the whole table.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.paths import os_path, readable
from thumper_tui.store.models import Camera, Deer, Detection, Image
from thumper_tui.vocabulary.boxes import Box
from thumper_tui.vocabulary.categories import DEER_CATEGORIES
from thumper_tui.vocabulary.states import ImageStatus

CHUNK = 5000


@dataclass(frozen=True)
class PhotoRecord:
    """One processed photo as the exports see it; ``path`` is the OS path."""

    id: int
    path: str
    sha256: str
    camera: str
    taken_at: datetime
    width: int
    height: int
    status: str
    error: str | None
    run_id: int | None


@dataclass(frozen=True)
class DetectionRecord:
    """One detection with the category a human gave it (else the machine's) and its profile."""

    id: int
    box: Box
    confidence: float
    class_name: str
    category: str
    by_human: bool
    category_confidence: float | None
    is_duplicate: bool
    deer_id: int | None
    deer_name: str | None
    burst_id: str | None

    @property
    def is_deer(self) -> bool:
        """Whether the detection is a deer (of any category)."""
        return self.category in DEER_CATEGORIES

    @property
    def category_probability(self) -> float:
        """How sure the category is: 1 for a human's, the classifier's (or a detections
        file's) probability where one decided it, else the detection's confidence (the
        detector's class is the category)."""
        if self.by_human:
            return 1.0
        sure = self.category_confidence
        return round(float(self.confidence if sure is None else sure), 4)

    @property
    def individual(self) -> str | None:
        """The individual's id as exports write it: its name when named, else its stable id."""
        return None if self.deer_id is None else individual_id(self.deer_id, self.deer_name)


def individual_id(deer_id: int, name: str | None) -> str:
    """A profile as exports name an individual: its name when named, else its stable id."""
    return name or f"thumper-deer-{deer_id}"


def in_scope(run_id: int | None) -> ColumnElement[bool]:
    """The photos an export covers: those ``run_id`` processed, else every processed one."""
    if run_id is not None:
        return Image.processed_by_run == run_id
    return Image.status.in_([ImageStatus.DONE.value, ImageStatus.FAILED.value])


async def count_photos(engine: AsyncEngine, run_id: int | None) -> int:
    """How many photos an export of ``run_id`` covers (for its progress)."""
    async with engine.connect() as conn:
        photos = await conn.scalar(select(func.count()).select_from(Image).where(in_scope(run_id)))
    return int(photos or 0)


async def photos_with_detections(
    engine: AsyncEngine, run_id: int | None = None
) -> AsyncIterator[tuple[PhotoRecord, list[DetectionRecord]]]:
    """Each photo in scope (id order) with its detections (id order)."""
    query = (
        select(
            Image.id,
            Image.path,
            Image.sha256,
            Camera.name.label("camera"),
            Image.taken_at,
            Image.width,
            Image.height,
            Image.status,
            Image.error,
            Image.processed_by_run,
            Detection.id.label("detection_id"),
            *Detection.box_columns(),
            Detection.confidence,
            Detection.class_name,
            Detection.category,
            Detection.corrected_category,
            Detection.category_confidence,
            Detection.is_duplicate,
            Detection.deer_id,
            Detection.burst_id,
            Deer.name.label("deer_name"),
        )
        .join(Camera, Camera.id == Image.camera_id)
        .outerjoin(Detection, Detection.image_id == Image.id)
        .outerjoin(Deer, Deer.id == Detection.deer_id)
        .where(in_scope(run_id))
        .order_by(Image.id, Detection.id)
        .execution_options(yield_per=CHUNK)
    )
    async with engine.connect() as conn:
        result = await conn.stream(query)
        photo: PhotoRecord | None = None
        found: list[DetectionRecord] = []
        async for row in result:
            if photo is None or row.id != photo.id:
                if photo is not None:
                    yield photo, found
                photo, found = _photo(row), []
            if row.detection_id is not None:
                found.append(_detection(row))
        if photo is not None:
            yield photo, found


def _photo(r: Any) -> PhotoRecord:
    return PhotoRecord(
        r.id,
        os_path(r.path),
        r.sha256,
        r.camera,
        r.taken_at,
        r.width,
        r.height,
        r.status,
        r.error,
        r.processed_by_run,
    )


def _detection(r: Any) -> DetectionRecord:
    return DetectionRecord(
        r.detection_id,
        (r.x1, r.y1, r.x2, r.y2),
        r.confidence,
        r.class_name,
        r.corrected_category or r.category,
        r.corrected_category is not None,
        r.category_confidence,
        r.is_duplicate,
        r.deer_id,
        r.deer_name,
        r.burst_id,
    )


@dataclass(frozen=True)
class Exported:
    """What an export wrote: where, how many photos and detections, its size and time."""

    path: str
    photos: int
    detections: int
    bytes: int
    seconds: float
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The public JSON shape of ``thumper export … --json``."""
        return {
            "path": self.path,
            "photos": self.photos,
            "detections": self.detections,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
        }


def size_of(path: Path) -> int:
    """Bytes of a file, or of every file in a folder."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def relative_name(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` with forward slashes, as valid text; None when it is not
    under ``root``."""
    if os.path.commonpath([root, path]) != root:
        return None
    return readable(os.path.relpath(path, root)).replace(os.sep, "/")


async def common_root(engine: AsyncEngine, run_id: int | None) -> str:
    """The deepest folder holding every photo in scope (streamed: memory stays flat)."""
    root: str | None = None
    async with engine.connect() as conn:
        result = await conn.stream(
            select(Image.path).where(in_scope(run_id)).execution_options(yield_per=CHUNK)
        )
        async for (stored,) in result:
            folder = os.path.dirname(os_path(stored))
            root = folder if root is None else os.path.commonpath([root, folder])
    return root or os.getcwd()
