"""One transaction per batch: detections replaced and re-identified, images and run updated.

The phases, in order: lock the run, keep the images still held, re-identify, replace the
detections, update profiles, settle the images, add to the run's counts and timings.

Only images the worker still holds are written: if a lease ran out and another worker took an
image over, this worker's result for it is dropped, so no detection is ever duplicated.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from thumper_tui.detector.inference import Found
from thumper_tui.engine.profiles import (
    carry_primaries,
    primaries_of,
    refresh_profiles,
    save_profiles,
)
from thumper_tui.engine.recipe import RunRecipe, recipe_columns
from thumper_tui.engine.reidentify import (
    BatchIdentities,
    Placed,
    identify_batch,
    old_detections,
    with_identity,
)
from thumper_tui.store.models import Detection, Image, Run
from thumper_tui.vocabulary.states import ImageStatus


@dataclass(frozen=True)
class BatchResult:
    """What one batch produced: detections per image id, and failures with their reasons."""

    found: Mapping[int, list[Found]]
    failed: Mapping[int, str]
    seconds: Mapping[str, float]


class Written(NamedTuple):
    """What a batch write did."""

    done: int
    failed: int
    detections: int
    new_profiles: int = 0


@dataclass(frozen=True)
class LockedRun:
    """The run row as the batch's transaction holds it."""

    id: int
    clear_mode: str
    timings: Mapping[str, float]
    recipe: RunRecipe


async def write_batch(
    engine: AsyncEngine, worker_id: uuid.UUID, run_id: int, batch: BatchResult
) -> Written:
    """Write ``batch`` in one transaction: lock the run, keep only the images this worker
    still holds, re-identify, replace their detections, settle them, add to the run."""
    started = time.perf_counter()
    if not batch.found and not batch.failed:
        return Written(0, 0, 0)
    async with engine.begin() as conn:
        run = await _lock_run(conn, run_id)
        held = await _held_images(conn, worker_id, [*batch.found, *batch.failed])
        if not held:
            return Written(0, 0, 0)
        done = [i for i in batch.found if i in held]
        failed = {i: r for i, r in batch.failed.items() if i in held}
        reid_started = time.perf_counter()
        old = await old_detections(conn, sorted(held))
        identities = await identify_batch(
            conn,
            run_id=run_id,
            clear_mode=run.clear_mode,
            threshold=run.recipe.reid_threshold,
            version=run.recipe.embedder,
            found={i: batch.found[i] for i in done},
            old=old,
        )
        primaries = await primaries_of(conn, old)
        reid_seconds = time.perf_counter() - reid_started
        await conn.execute(delete(Detection).where(Detection.image_id.in_(list(held))))
        created = await save_profiles(conn, run_id, identities, run.recipe.embedder)
        rows, places = _detection_rows(run_id, done, batch.found, identities, created)
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
        await _settle(conn, run_id, done, failed)
        written = Written(len(done), len(failed), len(rows), len(created))
        stages = {
            **batch.seconds,
            "reid": reid_seconds,
            "write": time.perf_counter() - started - reid_seconds,
        }
        await _add_to_run(conn, run, written, stages)
    return written


async def _lock_run(conn: AsyncConnection, run_id: int) -> LockedRun:
    """The run row, locked on PostgreSQL before any image.

    Lock order for every writer: the run row first, then the images. Taking the run row last
    would deadlock: the detection inserts' foreign keys already hold share locks on it in
    every concurrent writer. Holding it also makes re-ID one writer at a time, so two workers
    never found the same deer twice."""
    query = select(
        Run.timings, Run.clear_mode, Run.settings, *(getattr(Run, c) for c in recipe_columns())
    ).where(Run.id == run_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    row = (await conn.execute(query)).one()
    return LockedRun(run_id, row.clear_mode, dict(row.timings or {}), RunRecipe.from_row(row))


async def _held_images(conn: AsyncConnection, worker_id: uuid.UUID, ids: list[int]) -> set[int]:
    """Which of ``ids`` this worker still holds (locked on PostgreSQL): a lease that ran out
    may have passed an image to another worker, whose result then stands."""
    query = (
        select(Image.id)
        .where(
            Image.id.in_(ids),
            Image.lease_owner == worker_id,
            Image.status == ImageStatus.PROCESSING.value,
        )
        .order_by(Image.id)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return set((await conn.scalars(query)).all())


def _detection_rows(
    run_id: int,
    done: list[int],
    found: Mapping[int, list[Found]],
    identities: BatchIdentities,
    created: Mapping[int, int],
) -> tuple[list[dict[str, Any]], list[Placed]]:
    """The detection rows to insert, with what re-ID decided for each (same order)."""
    rows: list[dict[str, Any]] = []
    places: list[Placed] = []
    for image_id in done:
        for item, placed in zip(found[image_id], identities.placed[image_id], strict=True):
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
                    "category_confidence": item.category_confidence,
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
    return rows, places


async def _settle(
    conn: AsyncConnection, run_id: int, done: list[int], failed: Mapping[int, str]
) -> None:
    """Mark the images done or failed (with the reason) by this run, their leases gone."""
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


async def _add_to_run(
    conn: AsyncConnection, run: LockedRun, written: Written, stages: Mapping[str, float]
) -> None:
    """Add the batch's counts and stage seconds to the run's."""
    timings = dict(run.timings)
    for stage, seconds in stages.items():
        timings[stage] = round(float(timings.get(stage, 0.0)) + seconds, 3)
    await conn.execute(
        update(Run)
        .where(Run.id == run.id)
        .values(
            images_done=Run.images_done + written.done,
            images_failed=Run.images_failed + written.failed,
            detections=Run.detections + written.detections,
            new_profiles=Run.new_profiles + written.new_profiles,
            timings=timings,
        )
    )
