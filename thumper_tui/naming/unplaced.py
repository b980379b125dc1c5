"""Deer detections in no profile, for a human to place (``thumper verify``) or found a profile.

Three kinds end up here: unsure detections (below the founding confidence) that matched no
profile, the detections of small profiles a run's consolidation held back because their
likeness left their sex in doubt (:func:`thumper_tui.reid.agglomerate.sex_in_doubt`), and those
a human took out of a profile. Each is shown beside its nearest live profiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.naming.decisions import deer_detection
from thumper_tui.naming.names import NamingError, record_decision
from thumper_tui.naming.regroup import insert_profile
from thumper_tui.store.models import Camera, Deer, Detection, Image
from thumper_tui.vocabulary.categories import compatible
from thumper_tui.vocabulary.codec import vector_from_bytes
from thumper_tui.vocabulary.states import ProfileStatus


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
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    taken_out: bool = False  # a human took it out of a profile

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "camera": self.camera,
            "taken_at": self.taken_at.isoformat().replace("+00:00", "Z"),
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "held_by_run": self.held_by_run,
            "taken_out": self.taken_out,
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
                *Detection.box_columns(),
                Detection.verified,
            )
            .join(Image, Image.id == Detection.image_id)
            .join(Camera, Camera.id == Image.camera_id)
            .where(
                Detection.deer_id.is_(None),
                Detection.is_deer_sighting(),
            )
            .order_by(Camera.name, Image.taken_at, Detection.id)
        )
        return [
            Unplaced(
                row.id,
                row.path,
                row.name,
                row.taken_at,
                row.category,
                row.confidence,
                row.held_by_run,
                (row.x1, row.y1, row.x2, row.y2),
                row.verified,
            )
            for row in rows
        ]


@dataclass(frozen=True)
class Nearby:
    """A live profile near an unplaced detection: cosine likeness of the detection's embedding
    to the profile's prototype."""

    profile: int
    name: str | None
    category: str
    sightings: int
    likeness: float


async def nearest_profiles(engine: AsyncEngine, detection_id: int, count: int = 3) -> list[Nearby]:
    """The ``count`` live profiles most like one detection (of a compatible category, made by
    the same embedder), most alike first; none when the detection has no embedding."""
    async with engine.connect() as conn:
        found = await deer_detection(conn, detection_id)
        if found.embedding is None:
            return []
        rows = (
            await conn.execute(
                select(Deer.id, Deer.name, Deer.category, Deer.sightings, Deer.prototype).where(
                    Deer.status == ProfileStatus.ACTIVE.value,
                    Deer.prototype.is_not(None),
                    Deer.bank_version == found.embedding_version,
                )
            )
        ).all()
    category = found.corrected_category or found.category
    rows = [r for r in rows if compatible(category, r.category)]
    if not rows:
        return []
    vector = vector_from_bytes(found.embedding)
    vector /= max(float(np.linalg.norm(vector)), 1e-12)
    prototypes = np.stack([vector_from_bytes(r.prototype) for r in rows])
    prototypes /= np.maximum(np.linalg.norm(prototypes, axis=1, keepdims=True), 1e-12)
    likeness = prototypes @ vector
    order = np.argsort(-likeness, kind="stable")[:count]
    return [
        Nearby(rows[i].id, rows[i].name, rows[i].category, rows[i].sightings,
               round(float(likeness[i]), 4))
        for i in order
    ]  # fmt: skip


async def found_profile(engine: AsyncEngine, detection_id: int, actor: str = "cli") -> int:
    """Found a new profile with one unplaced deer detection (a verified assignment every
    reprocess keeps); returns its id. ``thumper undo`` takes it back."""
    async with engine.begin() as conn:
        row = await deer_detection(conn, detection_id)
        if row.deer_id is not None:
            raise NamingError(f"detection {detection_id} is in profile {row.deer_id} already")
        vectors = [row.embedding] if row.embedding is not None else []
        category = row.corrected_category or row.category
        new_id = await insert_profile(conn, category, vectors, row.embedding_version)
        await conn.execute(
            update(Detection)
            .where(Detection.id == detection_id)
            .values(deer_id=new_id, verified=True, held_by_run=None)
        )
        await refresh_profiles(conn, [new_id])
        await record_decision(
            conn,
            action="found",
            deer_id=new_id,
            detection_id=detection_id,
            before={"deer_id": None, "verified": row.verified},
            after={"deer_id": new_id, "verified": True},
            actor=actor,
        )
    return new_id
