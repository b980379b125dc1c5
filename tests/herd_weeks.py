"""A herd seeded day by day at known photo times, for the time-travel tests of readiness,
health, the report and the schedule: no model runs, every row is written directly."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.analytics.facts import current_facts
from thumper_tui.config import Settings, load_settings
from thumper_tui.engine.history import record_history
from thumper_tui.engine.recipe import RunRecipe
from thumper_tui.store.models import Camera, Deer, Detection, Image, Run
from thumper_tui.vocabulary.codec import vector_to_bytes

START = date(2026, 10, 5)  # a Monday: week 1 is 2026-W41
NOON = time(12, 0)


def settings_for(url: str, **extra: Any) -> Settings:
    """Settings on ``url`` in UTC ranch time (plus ``extra`` flags)."""
    return load_settings({"database_url": url, "timezone": "UTC", **extra})


def at_noon(day: date) -> datetime:
    return datetime.combine(day, NOON, UTC)


def current_recipe(settings: Settings) -> RunRecipe:
    """The recipe a run queued now would record (what the advisor compares with)."""
    now = current_facts(settings)
    return RunRecipe(
        model_path=str(now.model_path),
        model_sha256=now.model_sha256,
        embedder=now.embedder,
        reid_threshold=now.reid_threshold,
        pipeline_version=now.pipeline_version,
    )


async def seed_days(
    engine: AsyncEngine,
    new_per_day: list[int],
    *,
    start: date = START,
    placed_per_day: int = 9,
    unplaced_per_day: int = 1,
    camera: str = "Feeder",
) -> list[int]:
    """One photo day per entry: that many new profiles (each first seen on a photo of that
    day), plus ``placed_per_day`` detections in earlier profiles and ``unplaced_per_day`` in
    none. Every photo is done. Returns the profile ids, oldest first."""
    rng = np.random.default_rng(len(new_per_day))
    async with engine.begin() as conn:
        camera_id = await conn.scalar(select(Camera.id).where(Camera.name == camera))
        if camera_id is None:
            camera_id = (
                await conn.execute(insert(Camera).values(name=camera).returning(Camera.id))
            ).scalar_one()
        profiles = list(await conn.scalars(select(Deer.id).order_by(Deer.id)))
        for offset, new in enumerate(new_per_day):
            day = start + timedelta(days=offset)
            when = at_noon(day)
            image = (
                await conn.execute(
                    insert(Image)
                    .values(
                        path=f"/ranch/{camera}/{day.isoformat()}.jpg",
                        sha256=f"{camera}{day.isoformat()}".encode().hex().ljust(64, "0")[:64],
                        camera_id=camera_id,
                        taken_at=when,
                        timestamp_source="exif",
                        width=1920,
                        height=1080,
                        file_size=1000,
                        synthetic=True,  # a synthetic ranch's photos
                        status="done",
                        imported_at=when + timedelta(hours=1),
                    )
                    .returning(Image.id)
                )
            ).scalar_one()
            for _ in range(new):
                vector = rng.normal(size=8)
                profiles.append(
                    (
                        await conn.execute(
                            insert(Deer)
                            .values(
                                category="doe",
                                first_seen=when,
                                last_seen=when,
                                sightings=1,
                                prototype=vector_to_bytes(vector / np.linalg.norm(vector)),
                                bank_version="thumper-reid-v2",
                            )
                            .returning(Deer.id)
                        )
                    ).scalar_one()
                )
                await _detection(conn, image, profiles[-1])
            for k in range(placed_per_day if profiles else 0):
                await _detection(conn, image, profiles[k % len(profiles)])
            for _ in range(unplaced_per_day):
                await _detection(conn, image, None)
    return profiles


async def _detection(conn: Any, image: int, deer: int | None) -> None:
    await conn.execute(
        insert(Detection).values(
            image_id=image,
            x1=0.1,
            y1=0.1,
            x2=0.3,
            y2=0.3,
            confidence=0.9,
            class_name="doe",
            category="doe",
            species="deer",
            deer_id=deer,
        )
    )


async def finish_run(
    engine: AsyncEngine,
    recipe: RunRecipe,
    finished: datetime,
    *,
    kind: str = "full",
    images: int = 100,
    minutes: float = 1.0,
    zone: Any = UTC,
    **values: Any,
) -> int:
    """A done run with ``recipe``, its history written as a run's end writes it."""
    async with engine.begin() as conn:
        run_id = (
            await conn.execute(
                insert(Run)
                .values(
                    kind=kind,
                    clear_mode="all" if kind == "full" else "none",
                    status="done",
                    requested_at=finished - timedelta(minutes=minutes),
                    started_at=finished - timedelta(minutes=minutes),
                    finished_at=finished,
                    images_total=images,
                    images_done=images,
                    settings=recipe.settings_json(),
                    **recipe.column_values(),
                    **values,
                )
                .returning(Run.id)
            )
        ).scalar_one()
        shift = await record_history(conn, zone, run_id)
        await conn.execute(update(Run).where(Run.id == run_id).values(profiles_shift=shift))
    return int(run_id)
