"""A processed ranch written straight into the database (no photos, no detector): for export
tests and the export benchmark, at any size.

Photos are done by one run of the demo detector, over four placed cameras; detections are
deer of a set of profiles (a fifth of them raccoons), two a photo, each burst three photos.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Camera, Deer, Detection, Image, Run

START = datetime(2026, 9, 1, tzinfo=UTC)
CHUNK = 5000


async def seed_herd(
    engine: AsyncEngine, photos: int, profiles: int = 40, root: str = "/srv/cards"
) -> int:
    """``photos`` done photos with two detections each; the number of detections."""
    rng = np.random.default_rng(7)
    async with engine.begin() as conn:
        run_id = (
            await conn.execute(
                insert(Run)
                .values(kind="incremental", status="done", model_path="/models/ranch-yolov8s.pt",
                        model_sha256="0" * 64, model_classes=["buck", "doe", "fawn", "raccoon"],
                        settings={"confidence": 0.25, "imgsz": 640}, started_at=START,
                        finished_at=START)
                .returning(Run.id)
            )
        ).scalar_one()  # fmt: skip
        cameras = []
        for c in range(4):
            cameras.append(
                (
                    await conn.execute(
                        insert(Camera)
                        .values(name=f"Cam{c}", lat=30.0 + c / 100, lon=-97.0 - c / 100)
                        .returning(Camera.id)
                    )
                ).scalar_one()
            )
        categories = ["buck", "doe", "fawn"]
        deer_ids = []
        for p in range(profiles):
            deer_ids.append(
                (
                    await conn.execute(
                        insert(Deer)
                        .values(category=categories[p % 3],
                                name=f"Deer {p}" if p % 4 == 0 else None,
                                sightings=0, first_seen=START, last_seen=START)
                        .returning(Deer.id)
                    )
                ).scalar_one()
            )  # fmt: skip
        written = 0
        for start in range(0, photos, CHUNK):
            rows = []
            for i in range(start, min(photos, start + CHUNK)):
                camera = i % 4
                rows.append(
                    {"path": f"{root}/Cam{camera}/IMG_{i:07d}.JPG", "sha256": f"{i:064x}",
                     "camera_id": cameras[camera], "taken_at": START + timedelta(seconds=60 * i),
                     "timestamp_source": "exif", "width": 1920, "height": 1080,
                     "file_size": 500_000, "synthetic": True, "status": "done", "attempts": 1,
                     "processed_by_run": run_id, "imported_at": START}
                )  # fmt: skip
            ids = (
                await conn.scalars(
                    insert(Image).returning(Image.id, sort_by_parameter_order=True), rows
                )
            ).all()
            found = []
            for image_id in ids:
                burst = f"{image_id % 4}:{image_id - image_id % 3}"
                for slot in range(2):
                    x = 0.1 + 0.4 * slot + rng.uniform(0, 0.05)
                    raccoon = rng.uniform() < 0.2
                    category = "other" if raccoon else categories[(image_id + slot) % 3]
                    found.append(
                        {"image_id": image_id, "run_id": run_id, "x1": x, "y1": 0.3,
                         "x2": x + 0.2, "y2": 0.7, "confidence": float(rng.uniform(0.3, 0.99)),
                         "class_name": "raccoon" if raccoon else category, "category": category,
                         "species": "raccoon" if raccoon else "deer", "is_duplicate": False,
                         "deer_id": None if raccoon else deer_ids[int(rng.integers(profiles))],
                         "burst_id": None if raccoon else burst}
                    )  # fmt: skip
            await conn.execute(insert(Detection), found)
            written += len(found)
    return written
