"""What the dashboard needs from the headless core, gathered in one place the app owns."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from thumper_tui.config import Settings
from thumper_tui.telemetry.host import sample_host
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.snapshots import HostSnapshot
from thumper_tui.vocabulary.durations import utcnow

if TYPE_CHECKING:  # the engine is made on the app's loop, after the first paint
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


@dataclass
class Services:
    """Settings, samplers and timings; ``engine`` is made on the app's own event loop."""

    settings: Settings
    gpus: GpuSampler = field(default_factory=GpuSampler)
    host: Callable[[], HostSnapshot] = sample_host
    clock: Callable[[], datetime] = utcnow
    telemetry_interval: float = 1.0
    database_interval: float = 2.0  # between database reads while a run is active or a worker alive
    idle_interval: float = 5.0  # between database reads with no active run and no live worker
    retry_base: float = 1.0
    retry_max: float = 30.0
    engine: AsyncEngine | None = None
    # Database reads still running, which the app lets finish before it disposes the engine.
    in_flight: set[asyncio.Future[Any]] = field(default_factory=set)

    async def shielded(self, read: Awaitable[T]) -> T:
        """Await ``read`` shielded from cancellation: Textual cancels workers as it quits, and
        a query cut off half-way leaves aiosqlite a connection it can never close."""
        future = asyncio.ensure_future(read)
        self.in_flight.add(future)
        future.add_done_callback(self.in_flight.discard)
        return await asyncio.shield(future)
