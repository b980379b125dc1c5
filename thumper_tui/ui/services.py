"""What the dashboard needs from the headless core, gathered in one place the app owns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.config import Settings
from thumper_tui.store.types import utcnow
from thumper_tui.telemetry.host import sample_host
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.snapshots import HostSnapshot


@dataclass
class Services:
    """Settings, samplers and timings; ``engine`` is made on the app's own event loop."""

    settings: Settings
    gpus: GpuSampler = field(default_factory=GpuSampler)
    host: Callable[[], HostSnapshot] = sample_host
    clock: Callable[[], datetime] = utcnow
    telemetry_interval: float = 1.0
    database_interval: float = 1.5
    retry_base: float = 1.0
    retry_max: float = 30.0
    engine: AsyncEngine | None = None
