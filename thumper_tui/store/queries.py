"""Read queries behind ``thumper status``, ``thumper images`` and the dashboard's counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Camera, Deer, Detection, Image, Run
from thumper_tui.vocabulary.states import ACTIVE_RUN_STATUSES, ImageStatus, ProfileStatus


@dataclass(frozen=True)
class StatusSummary:
    """Counts for ``thumper status``; ``as_json`` is the documented public shape."""

    database: str
    images_by_status: dict[str, int]
    cameras: list[tuple[str, int]]
    detections: int
    profiles_total: int
    profiles_named: int
    runs_total: int
    runs_active: int

    def as_json(self) -> dict[str, object]:
        images = {"total": sum(self.images_by_status.values())}
        images.update({s.value: self.images_by_status.get(s.value, 0) for s in ImageStatus})
        return {
            "database": self.database,
            "images": images,
            "cameras": [{"name": n, "images": c} for n, c in self.cameras],
            "detections": self.detections,
            "profiles": {"total": self.profiles_total, "named": self.profiles_named},
            "runs": {"total": self.runs_total, "active": self.runs_active},
        }


async def status_summary(engine: AsyncEngine, database_label: str) -> StatusSummary:
    """Counts of images by status, per camera, detections, profiles and runs."""
    active_runs = [s.value for s in ACTIVE_RUN_STATUSES]
    async with engine.connect() as conn:
        by_status = dict(
            (await conn.execute(select(Image.status, func.count()).group_by(Image.status))).all()
        )
        cameras = (
            await conn.execute(
                select(Camera.name, func.count(Image.id))
                .outerjoin(Image, Image.camera_id == Camera.id)
                .group_by(Camera.id, Camera.name)
                .order_by(Camera.name)
            )
        ).all()
        detections = await conn.scalar(select(func.count()).select_from(Detection))
        live = select(func.count()).select_from(Deer).where(Deer.status == ProfileStatus.ACTIVE)
        profiles = await conn.scalar(live)
        named = await conn.scalar(live.where(Deer.name.is_not(None)))
        runs = await conn.scalar(select(func.count()).select_from(Run))
        active = await conn.scalar(
            select(func.count()).select_from(Run).where(Run.status.in_(active_runs))
        )
    return StatusSummary(
        database=database_label,
        images_by_status={str(k): int(v) for k, v in by_status.items()},
        cameras=[(str(n), int(c)) for n, c in cameras],
        detections=int(detections or 0),
        profiles_total=int(profiles or 0),
        profiles_named=int(named or 0),
        runs_total=int(runs or 0),
        runs_active=int(active or 0),
    )


@dataclass(frozen=True)
class ImageRow:
    """One line of ``thumper images``; ``synthetic`` is whether ``thumper synth`` made it."""

    id: int
    path: str
    camera: str
    taken_at: datetime
    timestamp_source: str
    width: int
    height: int
    status: str
    error: str | None
    synthetic: bool | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "path": self.path,
            "camera": self.camera,
            "taken_at": self.taken_at.isoformat().replace("+00:00", "Z"),
            "timestamp_source": self.timestamp_source,
            "width": self.width,
            "height": self.height,
            "status": self.status,
            "error": self.error,
            "synthetic": self.synthetic,
        }


async def camera_names(engine: AsyncEngine) -> list[str]:
    """Every camera's name, sorted."""
    async with engine.connect() as conn:
        return list((await conn.scalars(select(Camera.name).order_by(Camera.name))).all())


async def list_images(
    engine: AsyncEngine,
    status: str | None = None,
    camera: str | None = None,
    profile: int | None = None,
) -> list[ImageRow]:
    """Images ordered by camera, time and path, optionally filtered by status, camera and the
    profile seen in them."""
    query = (
        select(
            Image.id,
            Image.path,
            Camera.name,
            Image.taken_at,
            Image.timestamp_source,
            Image.width,
            Image.height,
            Image.status,
            Image.error,
            Image.synthetic,
        )
        .join(Camera, Camera.id == Image.camera_id)
        .order_by(Camera.name, Image.taken_at, Image.path)
    )
    if status is not None:
        query = query.where(Image.status == status)
    if camera is not None:
        query = query.where(Camera.name == camera)
    if profile is not None:
        query = query.where(
            Image.id.in_(select(Detection.image_id).where(Detection.deer_id == profile))
        )
    async with engine.connect() as conn:
        rows: list[Any] = list((await conn.execute(query)).all())
    return [ImageRow(*row) for row in rows]
