"""The worker's heartbeat: its row and leases renewed, telemetry stored, old samples pruned.

While a worker runs, its heartbeat keeps the world told: the worker row (with what it is doing,
:class:`WorkerStatus`), the leases on the images it holds, a telemetry sample with the GPUs and
the images per minute of the last minute (:class:`RateMeter`), and once an hour the samples
older than the configured retention deleted, so the telemetry table never grows without limit.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.engine.claims import renew_leases
from thumper_tui.engine.workers import heartbeat
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.samples import prune_samples, record_sample
from thumper_tui.telemetry.snapshots import GpuState
from thumper_tui.vocabulary.states import HEARTBEAT_SECONDS, WorkerState

RATE_WINDOW_SECONDS = 60.0


class RateMeter:
    """Images handled per minute over the last :data:`RATE_WINDOW_SECONDS`."""

    def __init__(self, window: float = RATE_WINDOW_SECONDS) -> None:
        self._window = window
        self._events: deque[tuple[float, int]] = deque()
        self._started = time.monotonic()

    def add(self, images: int) -> None:
        """Count ``images`` handled now."""
        self._events.append((time.monotonic(), images))

    def per_minute(self) -> float:
        """The rate over the window (or since the meter started, when that is shorter)."""
        now = time.monotonic()
        while self._events and self._events[0][0] < now - self._window:
            self._events.popleft()
        span = min(self._window, now - self._started)
        return sum(n for _, n in self._events) / span * 60 if span > 0 else 0.0


@dataclass
class WorkerStatus:
    """What the worker is doing, as its heartbeat reports it."""

    state: WorkerState = WorkerState.IDLE


class Heartbeat:
    """The worker's beat: its row and its leases renewed, a telemetry sample stored, and old
    samples pruned once an hour (they would otherwise grow without limit)."""

    PRUNE_EVERY = 3600.0

    def __init__(
        self,
        engine: AsyncEngine,
        worker_id: uuid.UUID,
        lease: timedelta,
        keep: timedelta,
        status: WorkerStatus,
        meter: RateMeter,
        gpus: GpuSampler | None,
    ) -> None:
        self.engine, self.worker_id, self.lease, self.keep = engine, worker_id, lease, keep
        self.status, self.meter, self.gpus = status, meter, gpus
        self._pruned_at: float | None = None

    async def run(self) -> None:
        """Beat every ``min(5 s, lease / 3)`` until cancelled."""
        while True:
            await asyncio.sleep(min(HEARTBEAT_SECONDS, self.lease.total_seconds() / 3))
            await self.beat()

    async def beat(self) -> None:
        """One beat."""
        await heartbeat(self.engine, self.worker_id, self.status.state)
        await renew_leases(self.engine, self.worker_id, self.lease)
        gpus = self.gpus
        reading = await asyncio.to_thread(gpus.sample) if gpus is not None else GpuState()
        await record_sample(self.engine, self.worker_id, reading, round(self.meter.per_minute(), 1))
        now = time.monotonic()
        if self._pruned_at is None or now - self._pruned_at >= self.PRUNE_EVERY:
            await prune_samples(self.engine, self.keep)
            self._pruned_at = now
