"""Deer detections in no profile, for a human to place with ``thumper verify``.

Two kinds end up here: unsure detections (below the founding confidence) that matched no
profile, and the detections of small profiles a run's consolidation held back because their
likeness left their sex in doubt (:func:`thumper_tui.reid.agglomerate.sex_in_doubt`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Camera, Detection, Image


@dataclass(frozen=True)
class Unplaced:
    """A deer detection without a profile, as ``thumper unplaced`` lists it."""

    id: int
    path: str
    camera: str
    taken_at: datetime
    category: str
    confidence: float
    held_by_run: int | None  # None: it matched no profile (an unsure detection, mostly)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "camera": self.camera,
            "taken_at": self.taken_at.isoformat().replace("+00:00", "Z"),
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "held_by_run": self.held_by_run,
        }


async def list_unplaced(engine: AsyncEngine) -> list[Unplaced]:
    """Deer detections (not duplicate boxes) in no profile, by camera and time taken."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Detection.id,
                Image.path,
                Camera.name,
                Image.taken_at,
                Detection.category,
                Detection.confidence,
                Detection.held_by_run,
            )
            .join(Image, Image.id == Detection.image_id)
            .join(Camera, Camera.id == Image.camera_id)
            .where(
                Detection.deer_id.is_(None),
                Detection.is_deer_sighting(),
            )
            .order_by(Camera.name, Image.taken_at, Detection.id)
        )
        return [Unplaced(*row) for row in rows]
