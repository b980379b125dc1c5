"""Building the dashboard app for tests: the real app on a real database, with the fake NVML
behind the telemetry seam and, where a screen must be the same every time, a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.pilot import Pilot

from tests.fake_nvml import FakeNvml
from tests.helpers import eventually_async
from tests.ranch_state import FIXED_HOST, NOW
from thumper_tui.config import load_settings
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.ui.app import ThumperApp
from thumper_tui.ui.services import Services

NO_DRIVER = "NVML Shared Library Not Found"


def make_app(
    database_url: str,
    *,
    nvml: Any | None = None,
    fixed: bool = True,
    telemetry_interval: float = 3600.0,
    database_interval: float = 0.2,
    idle_interval: float | None = None,
    retry_base: float = 0.2,
    now: datetime = NOW,
    **settings: Any,
) -> ThumperApp:
    """The app in ranch time UTC (plus ``settings``); ``fixed`` pins the clock to ``now`` and
    the host readings to ``FIXED_HOST``; an idle dashboard reads as often as a busy one unless
    ``idle_interval`` says otherwise."""
    services = Services(
        load_settings({"database_url": database_url, "timezone": "UTC", **settings}),
        gpus=GpuSampler(nvml if nvml is not None else FakeNvml(init_error=NO_DRIVER)),
        telemetry_interval=telemetry_interval,
        database_interval=database_interval,
        idle_interval=database_interval if idle_interval is None else idle_interval,
        retry_base=retry_base,
    )
    if fixed:
        services.clock = lambda: now
        services.host = lambda: FIXED_HOST
    return ThumperApp(services)


async def until(pilot: Pilot[Any], condition: Callable[[], object], within: float = 15.0) -> None:
    """Let the app run until ``condition()`` holds; fail after ``within`` seconds."""
    await eventually_async(condition, within=within, every=0.05, wait=pilot.pause)
