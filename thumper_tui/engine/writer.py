"""One transaction per batch: detections replaced, image statuses and run counts updated.

Only images the worker still holds are written: if a lease ran out and another worker took an
image over, this worker's result for it is dropped, so no detection is ever duplicated.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.detect import Found
from thumper_tui.store.models import Detection, Image, ImageStatus, Run


@dataclass(frozen=True)
class BatchResult:
    """What one batch produced: detections per image id, and failures with their reasons."""

    found: Mapping[int, list[Found]]
    failed: Mapping[int, str]
    seconds: Mapping[str, float]


async def write_batch(
    engine: AsyncEngine, worker_id: uuid.UUID, run_id: int, batch: BatchResult
) -> tuple[int, int, int]:
    """Write ``batch``; returns (images done, images failed, detections written)."""
    write_started = time.perf_counter()
    ids = list(batch.found) + list(batch.failed)
    if not ids:
        return 0, 0, 0
    async with engine.begin() as conn:
        # Lock order for every writer: the run row first, then the images. Taking the run row
        # last would deadlock: the detection inserts' foreign keys already hold share locks on
        # it in every concurrent writer.
        run_query = select(Run.timings).where(Run.id == run_id)
        if conn.dialect.name == "postgresql":
            run_query = run_query.with_for_update(key_share=True)
        timings = dict(await conn.scalar(run_query) or {})
        held_query = (
            select(Image.id)
            .where(
                Image.id.in_(ids),
                Image.lease_owner == worker_id,
                Image.status == ImageStatus.PROCESSING.value,
            )
            .order_by(Image.id)
        )
        if conn.dialect.name == "postgresql":
            held_query = held_query.with_for_update()
        held = set((await conn.scalars(held_query)).all())
        done = [i for i in batch.found if i in held]
        failed = {i: r for i, r in batch.failed.items() if i in held}
        if not held:
            return 0, 0, 0
        await conn.execute(delete(Detection).where(Detection.image_id.in_(list(held))))
        rows = [
            {
                "image_id": image_id,
                "run_id": run_id,
                "x1": f.box[0],
                "y1": f.box[1],
                "x2": f.box[2],
                "y2": f.box[3],
                "confidence": f.confidence,
                "class_name": f.class_name,
                "category": f.category,
                "species": f.species,
                "is_duplicate": f.is_duplicate,
                "embedding": f.embedding,
                "embedding_version": f.embedding_version,
                "verified": False,
            }
            for image_id in done
            for f in batch.found[image_id]
        ]
        if rows:
            await conn.execute(insert(Detection), rows)
        settle = {"lease_owner": None, "lease_expires_at": None, "processed_by_run": run_id}
        if done:
            await conn.execute(
                update(Image)
                .where(Image.id.in_(done))
                .values(status=ImageStatus.DONE.value, error=None, **settle)
            )
        for image_id, reason in failed.items():
            await conn.execute(
                update(Image)
                .where(Image.id == image_id)
                .values(status=ImageStatus.FAILED.value, error=reason, **settle)
            )
        stages = {**batch.seconds, "write": time.perf_counter() - write_started}
        for stage, seconds in stages.items():
            timings[stage] = round(float(timings.get(stage, 0.0)) + seconds, 3)
        await conn.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                images_done=Run.images_done + len(done),
                images_failed=Run.images_failed + len(failed),
                detections=Run.detections + len(rows),
                timings=timings,
            )
        )
    return len(done), len(failed), len(rows)
