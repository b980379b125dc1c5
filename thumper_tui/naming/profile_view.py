"""One profile, whole: ``thumper profile show``.

Its name, category and notes; its primary photo; its sightings per camera; first and last seen
in ranch time; every photo it is in with the box and the match score; and every human decision
about it (the audit, verified detections, "not the same deer").
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.naming.names import NamingError
from thumper_tui.store.models import Audit, Camera, Deer, Detection, Image, NotSameDeer


def _local(moment: datetime | None, zone: tzinfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment else None


async def profile_detail(engine: AsyncEngine, profile_id: int, zone: tzinfo) -> dict[str, Any]:
    """Everything about one profile (live or merged), times in ranch time (``zone``)."""
    async with engine.connect() as conn:
        deer = (await conn.execute(select(Deer.__table__).where(Deer.id == profile_id))).first()
        if deer is None:
            raise NamingError(f"no profile {profile_id}")
        photos = (
            await conn.execute(
                select(
                    Detection.id,
                    Image.path,
                    Image.taken_at,
                    Camera.name.label("camera"),
                    *Detection.box_columns(),
                    Detection.confidence,
                    Detection.category,
                    Detection.corrected_category,
                    Detection.match_score,
                    Detection.verified,
                )
                .join(Image, Image.id == Detection.image_id)
                .join(Camera, Camera.id == Image.camera_id)
                .where(Detection.deer_id == profile_id)
                .order_by(Image.taken_at, Detection.id)
            )
        ).all()
        audit = (
            await conn.execute(
                select(Audit.id, Audit.ts, Audit.action, Audit.before, Audit.after, Audit.actor)
                .where(Audit.deer_id == profile_id)
                .order_by(Audit.id)
            )
        ).all()
        differs = [
            b if a == profile_id else a
            for a, b in await conn.execute(
                select(NotSameDeer.deer_a, NotSameDeer.deer_b).where(
                    or_(NotSameDeer.deer_a == profile_id, NotSameDeer.deer_b == profile_id)
                )
            )
        ]
    primary = next((p for p in photos if p.id == deer.primary_detection_id), None)
    return {
        "id": deer.id,
        "name": deer.name,
        "category": deer.category,
        "status": deer.status,
        "merged_into": deer.merged_into,
        "notes": deer.notes,
        "sightings": len(photos),
        "first_seen": _local(deer.first_seen, zone),
        "last_seen": _local(deer.last_seen, zone),
        "cameras": dict(sorted(Counter(p.camera for p in photos).items())),
        "primary_photo": None
        if primary is None
        else {"detection": primary.id, "path": primary.path, "box": _box(primary)},
        "photos": [
            {
                "detection": p.id,
                "path": p.path,
                "taken_at": _local(p.taken_at, zone),
                "camera": p.camera,
                "box": _box(p),
                "confidence": round(p.confidence, 4),
                "category": p.corrected_category or p.category,
                "corrected": p.corrected_category is not None,
                "match_score": None if p.match_score is None else round(p.match_score, 4),
                "verified": p.verified,
            }
            for p in photos
        ],
        "decisions": {
            "audit": [
                {
                    "id": a.id,
                    "at": _local(a.ts, zone),
                    "action": a.action,
                    "before": a.before,
                    "after": a.after,
                    "actor": a.actor,
                }
                for a in audit
            ],
            "verified_detections": [p.id for p in photos if p.verified],
            "not_the_same_as": sorted(differs),
        },
    }


def _box(row: Any) -> list[float]:
    return [round(v, 4) for v in (row.x1, row.y1, row.x2, row.y2)]


async def shown_photos(engine: AsyncEngine, profile_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each profile's photo to show beside others: its primary photo, else its most confident
    detection (``detection``, ``path``, ``box``)."""
    if not profile_ids:
        return {}
    async with engine.connect() as conn:
        primaries = dict(
            (
                await conn.execute(
                    select(Deer.id, Deer.primary_detection_id).where(Deer.id.in_(profile_ids))
                )
            ).all()
        )
        rows = (
            await conn.execute(
                select(Detection.id, Detection.deer_id, Image.path, *Detection.box_columns())
                .join(Image, Image.id == Detection.image_id)
                .where(Detection.deer_id.in_(profile_ids))
                .order_by(Detection.deer_id, Detection.confidence.desc(), Detection.id)
            )
        ).all()
    shown: dict[int, dict[str, Any]] = {}
    for row in rows:
        photo = {"detection": row.id, "path": row.path, "box": _box(row)}
        if row.deer_id not in shown or row.id == primaries.get(row.deer_id):
            shown[row.deer_id] = photo
    return shown
