"""A fixed mid-run database for the dashboard tests: every row at a known time, so the
dashboard (given the same clock) draws the same screen every time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Camera, Detection, Image, Run, Telemetry, Worker
from thumper_tui.telemetry.snapshots import HostSnapshot

NOW = datetime(2026, 11, 2, 13, 30, tzinfo=UTC)
WORKER_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
STALE_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")
FIXED_HOST = HostSnapshot(
    cpu_percent=(37.0, 41.0, 12.0, 90.0),
    memory_used=9 * 2**30,
    memory_total=32 * 2**30,
    load_average=(1.5, 1.25, 0.75),
    hostname="ranch-box",
)


async def seed_images(engine: AsyncEngine, count: int, status: str = "pending") -> None:
    """``count`` image rows on camera ``Feeder`` (no files: enough for counts and runs)."""
    async with engine.begin() as conn:
        camera = (
            await conn.execute(insert(Camera).values(name="Feeder").returning(Camera.id))
        ).scalar_one()
        await conn.execute(
            insert(Image),
            [
                {
                    "path": f"/ranch/Feeder/IMG_{i:05d}.jpg",
                    "sha256": f"{i:064x}",
                    "camera_id": camera,
                    "taken_at": NOW - timedelta(days=3, minutes=i),
                    "timestamp_source": "exif",
                    "width": 1920,
                    "height": 1080,
                    "file_size": 500_000,
                    "synthetic": True,  # they stand for a synthetic ranch's photos
                    "status": status,
                }
                for i in range(count)
            ],
        )


async def seed_mid_run(engine: AsyncEngine, *, stale_worker: bool = False) -> int:
    """1,500 images, 620 done and 12 failed in a full run started 30 minutes before NOW,
    a worker beating 2 s ago with its GPU samples, and detections. Returns the run id."""
    await seed_images(engine, 1500)
    started = NOW - timedelta(minutes=30)
    async with engine.begin() as conn:
        run_id = (
            await conn.execute(
                insert(Run)
                .values(
                    kind="full",
                    clear_mode="detections",
                    trigger="manual",
                    status="running",
                    images_total=1500,
                    images_done=620,
                    images_failed=12,
                    timings={"decode": 40.0, "detect": 300.0, "embed": 35.0, "write": 25.0},
                    requested_at=started - timedelta(seconds=5),
                    started_at=started,
                )
                .returning(Run.id)
            )
        ).scalar_one()
        await conn.execute(
            Image.__table__.update()
            .where(Image.id <= 620)
            .values(status="done", processed_by_run=run_id)
        )
        await conn.execute(
            Image.__table__.update()
            .where(Image.id > 620, Image.id <= 632)
            .values(status="failed", error="truncated JPEG")
        )
        workers = [
            {
                "id": WORKER_ID,
                "host": "ranch-box",
                "pid": 4242,
                "device": "cuda:0",
                "started_at": started,
                "heartbeat_at": NOW - timedelta(seconds=2),
                "state": "processing",
            }
        ]
        if stale_worker:
            workers.append(
                {
                    "id": STALE_ID,
                    "host": "barn-pc",
                    "pid": 777,
                    "device": "cpu",
                    "started_at": started,
                    "heartbeat_at": NOW - timedelta(minutes=5),
                    "state": "processing",
                }
            )
        await conn.execute(insert(Worker), workers)
        await conn.execute(
            insert(Telemetry),
            [
                {
                    "ts": started + timedelta(seconds=30 * k),
                    "worker_id": WORKER_ID,
                    "gpu_index": 0,
                    "util_percent": 60.0 + (k % 7) * 4,
                    "memory_used": 40 * 2**30,
                    "memory_total": 141 * 2**30,
                    "images_per_min": 10.0 + k * 0.3 + (k % 5),
                }
                for k in range(1, 60)
            ],
        )
        await conn.execute(
            insert(Detection),
            [
                {
                    "image_id": 1 + i % 620,
                    "run_id": run_id,
                    "x1": 0.1,
                    "y1": 0.2,
                    "x2": 0.3,
                    "y2": 0.5,
                    "confidence": 0.9,
                    "class_name": "doe",
                    "category": "doe",
                }
                for i in range(900)
            ],
        )
    return run_id
