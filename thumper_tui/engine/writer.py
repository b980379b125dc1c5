"""One transaction per batch: detections replaced and re-identified, profiles updated, image
statuses and run counts updated.

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
from thumper_tui.engine.profiles import (
    carry_primaries,
    primaries_of,
    refresh_profiles,
    save_profiles,
)
from thumper_tui.engine.reidentify import identify_batch, old_detections, with_identity
from thumper_tui.reid.gallery import DEFAULT_THRESHOLD
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
        # it in every concurrent writer. Holding it also makes re-ID one writer at a time, so
        # two workers never found the same deer twice.
        run_query = select(Run.timings, Run.clear_mode, Run.reid_threshold, Run.settings).where(
            Run.id == run_id
        )
        if conn.dialect.name == "postgresql":
            run_query = run_query.with_for_update(key_share=True)
        run = (await conn.execute(run_query)).one()
        timings = dict(run.timings or {})
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
        reid_started = time.perf_counter()
        old = await old_detections(conn, sorted(held))
        identities = await identify_batch(
            conn,
            run_id=run_id,
            clear_mode=run.clear_mode,
            threshold=run.reid_threshold if run.reid_threshold is not None else DEFAULT_THRESHOLD,
            version=str((run.settings or {}).get("embedder", "")),
            found={i: batch.found[i] for i in done},
            old=old,
        )
        primaries = await primaries_of(conn, old)
        reid_seconds = time.perf_counter() - reid_started
        await conn.execute(delete(Detection).where(Detection.image_id.in_(list(held))))
        created = await save_profiles(
            conn, run_id, identities, str((run.settings or {}).get("embedder", ""))
        )
        rows, places = [], []
        for image_id in done:
            for item, placed in zip(
                batch.found[image_id], identities.placed[image_id], strict=True
            ):
                profile = created.get(placed.profile, placed.profile) if placed.profile else None
                rows.append(
                    {
                        "image_id": image_id,
                        "run_id": run_id,
                        "x1": item.box[0],
                        "y1": item.box[1],
                        "x2": item.box[2],
                        "y2": item.box[3],
                        "confidence": item.confidence,
                        "class_name": item.class_name,
                        "category": item.category,
                        "species": item.species,
                        "is_duplicate": item.is_duplicate,
                        "embedding": item.embedding,
                        "embedding_version": item.embedding_version,
                        "deer_id": profile,
                        "match_score": placed.score,
                        "burst_id": placed.burst_id if profile else None,
                        **with_identity(item, placed, profile),
                    }
                )
                places.append(placed)
        new_ids: list[int] = []
        if rows:
            result = await conn.execute(
                insert(Detection).returning(Detection.id, sort_by_parameter_order=True), rows
            )
            new_ids = [row[0] for row in result]
        await carry_primaries(conn, primaries, rows, new_ids, places, run.clear_mode)
        await refresh_profiles(
            conn,
            {r["deer_id"] for r in rows if r["deer_id"]} | {o.deer_id for o in old if o.deer_id},
        )
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
        stages = {
            **batch.seconds,
            "reid": reid_seconds,
            "write": time.perf_counter() - write_started - reid_seconds,
        }
        for stage, seconds in stages.items():
            timings[stage] = round(float(timings.get(stage, 0.0)) + seconds, 3)
        await conn.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(
                images_done=Run.images_done + len(done),
                images_failed=Run.images_failed + len(failed),
                detections=Run.detections + len(rows),
                new_profiles=Run.new_profiles + len(created),
                timings=timings,
            )
        )
    return len(done), len(failed), len(rows)
