"""Telemetry rows: workers store a sample every few seconds; dashboards on any host read them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.store.models import Telemetry
from thumper_tui.store.types import utcnow
from thumper_tui.telemetry.snapshots import GpuState

KEEP = timedelta(days=35)  # the weekly report reads a week; trends a month


@dataclass(frozen=True)
class Sample:
    """One stored reading: a GPU (``gpu_index`` set) or a GPU-less worker's throughput."""

    ts: datetime
    worker_id: uuid.UUID | None
    gpu_index: int | None
    util_percent: float | None
    memory_used: int | None
    memory_total: int | None
    images_per_min: float | None


async def record_sample(
    engine: AsyncEngine, worker_id: uuid.UUID, gpus: GpuState, images_per_min: float | None
) -> None:
    """Store one row per GPU (one GPU-less row when there are none) with the worker's rate."""
    now = utcnow()
    rows: list[dict[str, object]] = [
        {
            "ts": now,
            "worker_id": worker_id,
            "gpu_index": gpu.index,
            "util_percent": gpu.util_percent,
            "memory_used": gpu.memory_used,
            "memory_total": gpu.memory_total,
            "temperature_c": gpu.temperature_c,
            "power_w": gpu.power_w,
            "images_per_min": images_per_min,
        }
        for gpu in gpus.gpus
    ] or [{"ts": now, "worker_id": worker_id, "images_per_min": images_per_min}]
    async with engine.begin() as conn:
        await conn.execute(insert(Telemetry), rows)


async def prune_samples(engine: AsyncEngine, keep: timedelta = KEEP) -> int:
    """Delete samples older than ``keep``; returns how many went."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(Telemetry).where(Telemetry.ts < utcnow() - keep))
        return int(result.rowcount or 0)


async def samples_since(engine: AsyncEngine, since: datetime) -> list[Sample]:
    """Every sample newer than ``since``, oldest first."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Telemetry.ts,
                Telemetry.worker_id,
                Telemetry.gpu_index,
                Telemetry.util_percent,
                Telemetry.memory_used,
                Telemetry.memory_total,
                Telemetry.images_per_min,
            )
            .where(Telemetry.ts >= since)
            .order_by(Telemetry.ts, Telemetry.id)
        )
        return [Sample(*row) for row in rows]


def throughput_series(
    samples: list[Sample], start: datetime, bucket_s: float = 10.0
) -> list[tuple[float, float]]:
    """(minutes since ``start``, images/min of all workers together), one point per bucket.

    Workers sample on their own clocks, so each bucket sums every worker's latest rate in it.
    """
    latest: dict[int, dict[uuid.UUID | None, float]] = {}
    for s in samples:
        if s.images_per_min is None or s.ts < start:
            continue
        bucket = int((s.ts - start).total_seconds() // bucket_s)
        latest.setdefault(bucket, {})[s.worker_id] = s.images_per_min
    return [
        ((bucket + 1) * bucket_s / 60, sum(rates.values()))
        for bucket, rates in sorted(latest.items())
    ]
