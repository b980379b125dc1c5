"""Deployments: a camera's photos split where it took none for a month, each span one place.

A camera that took no photo for a month was moved or had its card pulled: a new deployment."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.interop.atomic import ExportError
from thumper_tui.interop.records import CHUNK, in_scope
from thumper_tui.store.models import Camera, Image

GAP = timedelta(days=30)


@dataclass
class Deployment:
    """One camera at one place from its first photo to its last."""

    id: str
    camera: str
    latitude: float
    longitude: float
    start: datetime
    end: datetime


class Deployments:
    """Every deployment, and which one a photo of a camera at a time belongs to."""

    def __init__(self, items: list[Deployment]) -> None:
        self.items = items
        self._by_camera: dict[str, list[Deployment]] = {}
        for item in items:
            self._by_camera.setdefault(item.camera, []).append(item)

    def of(self, camera: str, taken_at: datetime) -> Deployment:
        """The deployment a photo of ``camera`` at ``taken_at`` belongs to."""
        spans = self._by_camera[camera]
        index = bisect.bisect_right([s.start for s in spans], taken_at) - 1
        return spans[max(0, index)]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "camera"


async def read_deployments(engine: AsyncEngine, run_id: int | None) -> Deployments:
    """The deployments of the photos in scope; raises :class:`ExportError` naming the cameras
    without a location (Camtrap DP requires one for every deployment)."""
    async with engine.connect() as conn:
        cameras = {
            row.name: row
            for row in await conn.execute(
                select(Camera.name, Camera.lat, Camera.lon).where(
                    Camera.id.in_(select(Image.camera_id).where(in_scope(run_id)))
                )
            )
        }
        unplaced = sorted(n for n, row in cameras.items() if row.lat is None or row.lon is None)
        if unplaced:
            first = unplaced[0]
            raise ExportError(
                f"Camtrap DP needs every camera's location; none for {', '.join(unplaced)}: "
                f"set each with `thumper camera {first} --location LAT,LON`"
            )
        result = await conn.stream(
            select(Camera.name, Image.taken_at)
            .join(Camera, Camera.id == Image.camera_id)
            .where(in_scope(run_id))
            .order_by(Camera.name, Image.taken_at)
            .execution_options(yield_per=CHUNK)
        )
        items: list[Deployment] = []
        async for name, taken_at in result:
            last = items[-1] if items else None
            if last is not None and last.camera == name and taken_at - last.end <= GAP:
                last.end = taken_at
                continue
            place = cameras[name]
            ident = f"{_slug(name)}-{taken_at:%Y%m%d}"
            items.append(Deployment(ident, name, place.lat, place.lon, taken_at, taken_at))
    return Deployments(items)
